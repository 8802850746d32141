"""The ``manuscripts`` table (稿件): imported manuscripts, read by verification and reports.

(The matcher's own manuscript reads live with the matcher.)
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import duckdb

from shanggao.db import matcher_index
from shanggao.db.rows import fetch_as, first_value


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
    photographers: list[str] = []      # 图/摄影 in the byline: took the pictures, not authors
    source_path: str | None = None     # full path of the file, so an edited file replaces its earlier version
    version: int = 1


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
    manuscripts: int


class StoredManuscript(NamedTuple):
    """A stored manuscript as an import compares it with the file's text."""
    manuscript_id: str
    title: str
    authors: list[str] | None
    photographers: list[str] | None
    unit: str | None
    submitted_date: dt.date | None
    body_hash: str
    version: int | None


_SELECT_STORED = f"SELECT {', '.join(StoredManuscript._fields)} FROM manuscripts"


def stored_manuscript(con: duckdb.DuckDBPyConnection, manuscript_id: str) -> StoredManuscript | None:
    found = fetch_as(con, StoredManuscript, f"{_SELECT_STORED} WHERE manuscript_id = ?", [manuscript_id])
    return found[0] if found else None


def manuscript_from_file(con: duckdb.DuckDBPyConnection, source_path: str,
                         title: str | None = None) -> StoredManuscript | None:
    """The latest manuscript imported from this file (a register's row: with this title)."""
    if title is None:
        sql, params = f"{_SELECT_STORED} WHERE source_path = ? AND source_row IS NULL", [source_path]
    else:
        sql, params = f"{_SELECT_STORED} WHERE source_path = ? AND title = ?", [source_path, title]
    found = fetch_as(con, StoredManuscript, sql + " ORDER BY imported_at DESC LIMIT 1", params)
    return found[0] if found else None


def keep_version(con: duckdb.DuckDBPyConnection, manuscript_id: str, replaced_at: dt.datetime) -> None:
    """Copy the stored text of ``manuscript_id`` into manuscript_versions before an edited one replaces it."""
    con.execute(
        "INSERT INTO manuscript_versions (manuscript_id, version, title, body, authors, photographers, unit,"
        " submitted_date, body_hash, source_file, source_path, imported_at, replaced_at)"
        " SELECT manuscript_id, coalesce(version, 1), title, body, authors, photographers, unit, submitted_date,"
        " body_hash, source_file, source_path, imported_at, ? FROM manuscripts WHERE manuscript_id = ?",
        [replaced_at, manuscript_id])


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


LIST_COLUMNS = ("manuscript_id", "status", "title", "authors", "unit", "submitted_date", "version", "placements",
                "source_file")


def list_manuscripts(con: duckdb.DuckDBPyConnection, unit: str | None, start: dt.date | None,
                     end: dt.date | None, status: str | None) -> list[tuple]:
    """Manuscripts with ``placed`` (the matcher found them in articles) or ``unplaced``.

    ``unit`` matches any part of the unit's name; ``start``/``end`` the submission date.
    """
    sql = ("SELECT m.manuscript_id, CASE WHEN count(x.article_id) > 0 THEN 'placed' ELSE 'unplaced' END,"
           " m.title, array_to_string(m.authors, '、'), m.unit, m.submitted_date, coalesce(m.version, 1),"
           " count(x.article_id), m.source_file"
           " FROM manuscripts m LEFT JOIN matches x USING (manuscript_id) WHERE true")
    params: list[object] = []
    if unit:
        sql, params = sql + " AND contains(coalesce(m.unit, ''), ?)", [*params, unit]
    if start is not None:
        sql, params = sql + " AND m.submitted_date BETWEEN ? AND ?", [*params, start, end]
    sql += " GROUP BY ALL"
    if status:
        sql, params = f"SELECT * FROM ({sql}) WHERE #2 = ?", [*params, status]
    return con.execute(sql + " ORDER BY 1", params).fetchall()


def existing_manuscripts(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[tuple[str, str]]:
    """(manuscript_id, title) of those of ``ids`` that are stored."""
    return con.execute("SELECT manuscript_id, title FROM manuscripts WHERE manuscript_id IN (SELECT unnest(?)) "
                       "ORDER BY 1", [ids]).fetchall()


def delete_manuscripts(con: duckdb.DuckDBPyConnection, ids: list[str]) -> int:
    """Remove manuscripts with everything derived from them: their earlier versions, matches,
    matcher index rows and flags, and the verdicts that rest on them (those claims stay and
    are judged again by the next verify).  The number of manuscripts removed."""
    con.execute("DELETE FROM verdicts WHERE manuscript_id IN (SELECT unnest(?))", [ids])
    con.execute("DELETE FROM matches WHERE manuscript_id IN (SELECT unnest(?))", [ids])
    con.execute("DELETE FROM matcher_quotation_pairs WHERE manuscript_id IN (SELECT unnest(?))", [ids])
    matcher_index.drop_postings(con, "manuscript", ids)
    con.execute("DELETE FROM matcher_documents WHERE doc_kind = 'manuscript' AND doc_id IN (SELECT unnest(?))", [ids])
    con.execute("DELETE FROM manuscript_flags WHERE manuscript_id IN (SELECT unnest(?))", [ids])
    con.execute("DELETE FROM manuscript_versions WHERE manuscript_id IN (SELECT unnest(?))", [ids])
    return first_value(con.execute("DELETE FROM manuscripts WHERE manuscript_id IN (SELECT unnest(?))", [ids]))
