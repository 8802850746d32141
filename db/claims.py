"""The ``claims`` table (上稿申报): the register's rows as imported, read back for verification.

Columns a schema change would touch are named here once: :class:`ClaimRecord`
for writes, :class:`ClaimRow` for verification's reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

import duckdb

from shanggao.db.rows import fetch_as, first_value


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
    note: str | None = None            # 备注
    register: str | None = None        # the register the row belongs to (file name, or --register)
    sheet: str | None = None           # worksheet (None for .csv/.jsonl)
    row_key: str | None = None         # the row's 序号

    def content(self) -> tuple:
        """What the register says, without where or when it was read: equal content = unchanged claim."""
        return tuple(getattr(self, name) for name in CONTENT_FIELDS)


CONTENT_FIELDS = ("manuscript_id", "claimant", "unit", "outlet", "published_date", "page", "url", "title", "note")


class StoredClaim(NamedTuple):
    """A stored claim as a re-imported register is compared with it."""
    claim_id: str
    sheet: str | None
    row_key: str | None
    source_row: int | None
    content: tuple


_SELECT_STORED = f"SELECT claim_id, sheet, row_key, source_row, {', '.join(CONTENT_FIELDS)} FROM claims"


def _stored(rows: list[tuple]) -> list[StoredClaim]:
    return [StoredClaim(r[0], r[1], r[2], r[3], tuple(r[4:])) for r in rows]


def register_claims(con: duckdb.DuckDBPyConnection, register: str, source_file: str,
                    sheet: str | None = None, only_sheet: bool = False) -> list[StoredClaim]:
    """The stored rows of one register (claims imported before registers were recorded: by file name)."""
    sql = f"{_SELECT_STORED} WHERE (register = ? OR (register IS NULL AND source_file = ?))"
    params: list[object] = [register, source_file]
    if only_sheet:
        sql, params = sql + " AND sheet IS NOT DISTINCT FROM ?", [*params, sheet]
    return _stored(con.execute(sql, params).fetchall())


def stored_claims(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> list[StoredClaim]:
    return _stored(con.execute(f"{_SELECT_STORED} WHERE claim_id IN (SELECT unnest(?))",
                               [list(claim_ids)]).fetchall())


def withdraw_claims(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str], reason: str, now: dt.datetime) -> None:
    """Move claims to ``withdrawn_claims`` (kept for the record, no longer verified) and drop their verdicts."""
    ids = list(claim_ids)
    con.execute(
        "INSERT INTO withdrawn_claims (claim_id, manuscript_id, claimant, unit, outlet, published_date, page, url,"
        " title, register, sheet, row_key, source_row, withdrawn_at, reason)"
        " SELECT claim_id, manuscript_id, claimant, unit, outlet, published_date, page, url, title,"
        " coalesce(register, source_file), sheet, row_key, source_row, ?, ? FROM claims"
        " WHERE claim_id IN (SELECT unnest(?))", [now, reason, ids])
    delete_claims(con, ids)


def delete_claims(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> int:
    """Remove claims and their verdicts; the number of claims removed."""
    ids = list(claim_ids)
    con.execute("DELETE FROM verdicts WHERE claim_id IN (SELECT unnest(?))", [ids])
    return first_value(con.execute("DELETE FROM claims WHERE claim_id IN (SELECT unnest(?))", [ids]))


def forget_verdict(con: duckdb.DuckDBPyConnection, claim_id: str) -> None:
    """A corrected claim's verdict no longer holds: the next verify judges it again."""
    con.execute("DELETE FROM verdicts WHERE claim_id = ?", [claim_id])


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


def insert_claim(con: duckdb.DuckDBPyConnection, claim: ClaimRecord) -> None:
    con.execute(f"INSERT INTO claims ({', '.join(ClaimRecord._fields)}) "
                f"VALUES ({', '.join('?' * len(ClaimRecord._fields))})", list(claim))


def claim_exists(con: duckdb.DuckDBPyConnection, claim_id: str) -> bool:
    return con.execute("SELECT 1 FROM claims WHERE claim_id = ?", [claim_id]).fetchone() is not None


def set_evidence_url(con: duckdb.DuckDBPyConnection, claim_id: str, url: str) -> None:
    """Tie a claim to the evidence file (``evidence:<sha256>``) that settles it."""
    con.execute("UPDATE claims SET evidence_url = ? WHERE claim_id = ?", [url, claim_id])


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
    return first_value(con.execute("SELECT count(*) FROM claims WHERE published_date IS NULL"))


LIST_COLUMNS = ("claim_id", "status", "claimant", "unit", "outlet", "published_date", "page", "title",
                "manuscript_id", "register", "sheet", "row_key", "source_row")


def list_claims(con: duckdb.DuckDBPyConnection, unit: str | None, start: dt.date | None, end: dt.date | None,
                status: str | None) -> list[tuple]:
    """Claims with their verdict's status (``unverified`` without one), in register order.

    ``unit`` matches any part of the unit's name; ``start``/``end`` the claimed date;
    ``status`` a verdict status or ``unverified``.
    """
    sql = ("SELECT c.claim_id, coalesce(v.status, 'unverified') AS status, array_to_string(c.claimant, '、'),"
           " c.unit, c.outlet, c.published_date, c.page, c.title, c.manuscript_id, coalesce(c.register, c.source_file),"
           " c.sheet, c.row_key, c.source_row FROM claims c LEFT JOIN verdicts v USING (claim_id) WHERE true")
    params: list[object] = []
    if unit:
        sql, params = sql + " AND contains(coalesce(c.unit, ''), ?)", [*params, unit]
    if start is not None:
        sql, params = sql + " AND c.published_date BETWEEN ? AND ?", [*params, start, end]
    if status:
        sql, params = sql + " AND coalesce(v.status, 'unverified') = ?", [*params, status]
    return con.execute(sql + " ORDER BY 10, c.sheet NULLS FIRST, c.source_row, c.claim_id", params).fetchall()


def existing_claims(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> list[tuple[str, str | None]]:
    """(claim_id, title) of those of ``claim_ids`` that are stored."""
    return con.execute("SELECT claim_id, title FROM claims WHERE claim_id IN (SELECT unnest(?)) ORDER BY 1",
                       [list(claim_ids)]).fetchall()
