"""The ``manuscripts`` table (稿件): imported manuscripts, read by verification and reports.

(The matcher's own manuscript reads live with the matcher.)
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import duckdb

from shanggao.db.rows import fetch_as


class ManuscriptRecord(NamedTuple):
    """One imported manuscript, as the importer writes it."""
    manuscript_id: str
    title: str
    body: str
    authors: list[str]
    unit: str | None
    submitted_date: dt.date | None
    body_hash: str
    source_file: str
    source_row: int | None
    imported_at: dt.datetime


class ManuscriptRow(NamedTuple):
    """A manuscript as verification reads it (no body)."""
    manuscript_id: str
    title: str
    authors: list[str] | None
    unit: str | None
    submitted_date: dt.date | None


class SubmissionCount(NamedTuple):
    """Manuscripts a unit submitted in one month."""
    unit: str | None
    year: int
    month: int
    count: int


def stored_hash(con: duckdb.DuckDBPyConnection, manuscript_id: str) -> str | None:
    """The stored body_hash (never NULL) of ``manuscript_id``; None when there is no such manuscript."""
    row = con.execute("SELECT body_hash FROM manuscripts WHERE manuscript_id = ?", [manuscript_id]).fetchone()
    return None if row is None else row[0]


def insert_manuscript(con: duckdb.DuckDBPyConnection, manuscript: ManuscriptRecord) -> None:
    con.execute(f"INSERT INTO manuscripts ({', '.join(ManuscriptRecord._fields)}) "
                f"VALUES ({', '.join('?' * len(ManuscriptRecord._fields))})", list(manuscript))


def update_manuscript(con: duckdb.DuckDBPyConnection, manuscript: ManuscriptRecord) -> None:
    assignments = ", ".join(f"{name} = ?" for name in ManuscriptRecord._fields[1:])
    con.execute(f"UPDATE manuscripts SET {assignments} WHERE manuscript_id = ?",
                [*manuscript[1:], manuscript.manuscript_id])


def all_manuscripts(con: duckdb.DuckDBPyConnection) -> list[ManuscriptRow]:
    return fetch_as(con, ManuscriptRow, f"SELECT {', '.join(ManuscriptRow._fields)} FROM manuscripts")


def submissions_by_month(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> list[SubmissionCount]:
    """Manuscripts submitted ``start``..``end``, counted per unit and month."""
    return fetch_as(con, SubmissionCount,
                    "SELECT unit, year(submitted_date), month(submitted_date), count(*) FROM manuscripts "
                    "WHERE submitted_date BETWEEN ? AND ? GROUP BY ALL", [start, end])


class UnplacedManuscript(NamedTuple):
    manuscript_id: str
    unit: str | None
    authors: str                         # 、-joined
    title: str
    submitted_date: dt.date | None


def unplaced_manuscripts(con: duckdb.DuckDBPyConnection) -> list[UnplacedManuscript]:
    """Manuscripts the matcher found in no stored article."""
    return fetch_as(con, UnplacedManuscript, """
        SELECT manuscript_id, unit, array_to_string(authors, '、'), title, submitted_date FROM manuscripts
        WHERE manuscript_id NOT IN (SELECT manuscript_id FROM matches) ORDER BY manuscript_id""")
