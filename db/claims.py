"""The ``claims`` table (上稿申报): the register's rows as imported, read back for verification.

Columns a schema change would touch are named here once: :class:`ClaimRecord`
for writes, :class:`ClaimRow` for verification's reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

import duckdb

from shanggao.db.rows import fetch_as


class ClaimRecord(NamedTuple):
    """One imported claim, as the importer writes it."""
    claim_id: str
    manuscript_id: str | None
    claimant: list[str]
    unit: str | None
    outlet: str | None
    outlet_slug: str | None
    published_date: dt.date | None
    page: str | None
    url: str | None
    title: str | None
    source_file: str
    source_row: int | None
    imported_at: dt.datetime

    def content(self) -> tuple:
        """What the register says, without where or when it was read: equal content = unchanged claim."""
        return tuple(getattr(self, name) for name in CONTENT_FIELDS)


CONTENT_FIELDS = ("manuscript_id", "claimant", "unit", "outlet", "published_date", "page", "url", "title")


class ClaimRow(NamedTuple):
    """A claim as verification reads it."""
    claim_id: str
    manuscript_id: str | None
    claimant: list[str] | None
    unit: str | None
    outlet: str | None
    outlet_slug: str | None
    published_date: dt.date | None
    page: str | None
    url: str | None
    title: str | None
    imported_at: dt.datetime | None
    source_file: str | None
    source_row: int | None
    evidence_url: str | None             # the evidence article (a scan, PDF or screenshot) the claim names


_SELECT_CLAIMS = f"SELECT {', '.join(ClaimRow._fields)} FROM claims"


def stored_content(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> dict[str, tuple]:
    """claim id -> :meth:`ClaimRecord.content` of the stored claims among ``claim_ids``."""
    rows = con.execute(f"SELECT claim_id, {', '.join(CONTENT_FIELDS)} FROM claims WHERE claim_id IN (SELECT unnest(?))",
                       [list(claim_ids)]).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def insert_claim(con: duckdb.DuckDBPyConnection, claim: ClaimRecord) -> None:
    con.execute(f"INSERT INTO claims ({', '.join(ClaimRecord._fields)}) "
                f"VALUES ({', '.join('?' * len(ClaimRecord._fields))})", list(claim))


def update_claim(con: duckdb.DuckDBPyConnection, claim: ClaimRecord) -> None:
    assignments = ", ".join(f"{name} = ?" for name in ClaimRecord._fields[1:])
    con.execute(f"UPDATE claims SET {assignments} WHERE claim_id = ?", [*claim[1:], claim.claim_id])


def claims_dated(con: duckdb.DuckDBPyConnection, start: dt.date | None, end: dt.date | None) -> list[ClaimRow]:
    """Claims whose claimed date is ``start``..``end`` (inclusive); every claim when ``start`` is None."""
    if start is None:
        return fetch_as(con, ClaimRow, _SELECT_CLAIMS)
    return fetch_as(con, ClaimRow, f"{_SELECT_CLAIMS} WHERE published_date BETWEEN ? AND ?", [start, end])


def claims_of_manuscripts(con: duckdb.DuckDBPyConnection, manuscript_ids: Iterable[str]) -> list[ClaimRow]:
    ids = list(manuscript_ids)
    if not ids:
        return []
    return fetch_as(con, ClaimRow, f"{_SELECT_CLAIMS} WHERE manuscript_id IN (SELECT unnest(?))", [ids])


def count_undated(con: duckdb.DuckDBPyConnection) -> int:
    """Claims without a claimed date: no period selects them."""
    return con.execute("SELECT count(*) FROM claims WHERE published_date IS NULL").fetchone()[0]
