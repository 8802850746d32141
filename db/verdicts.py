"""The ``verdicts`` table and the ``claim_verdicts`` view: one verdict per claim,
written by verification, read by reports and ``shanggao status``.

:data:`VERDICT_SCHEMA` is the Arrow form of a verdicts row; a column added to the
table is added here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

import duckdb
import pyarrow as pa

from shanggao.db.rows import fetch_as, fetch_table

VERDICT_SCHEMA = pa.schema([
    ("claim_id", pa.string()), ("status", pa.string()), ("article_id", pa.int64()),
    ("reasons", pa.list_(pa.string())), ("points", pa.float64()), ("verified_at", pa.timestamp("us")),
    ("manuscript_id", pa.string()), ("outlet_slug", pa.string()), ("evidence_url", pa.string()),
    ("evidence_outlet", pa.string()), ("evidence_date", pa.date32()), ("evidence_page", pa.int32()),
    ("evidence_title", pa.string()), ("match_score", pa.float64()), ("match_kind", pa.string()),
    ("discrepancies", pa.list_(pa.string())), ("warnings", pa.list_(pa.string())), ("suggestion", pa.string()),
    ("duplicate_of", pa.string()), ("points_detail", pa.string()), ("rules_hash", pa.string()),
    ("rules_source", pa.string()), ("person_points", pa.string()), ("evidence_file", pa.string()),
])


def replace_verdicts(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Replace the verdicts of the claims in ``table`` (:data:`VERDICT_SCHEMA`); call inside a write transaction."""
    columns = ", ".join(table.column_names)
    con.register("new_verdicts", table)
    try:
        con.execute("DELETE FROM verdicts WHERE claim_id IN (SELECT claim_id FROM new_verdicts)")
        con.execute(f"INSERT INTO verdicts ({columns}) SELECT {columns} FROM new_verdicts")
    finally:
        con.unregister("new_verdicts")


class ClaimVerdictRow(NamedTuple):
    """A claim with its verdict (status None: not verified yet), as a report lists it."""
    claim_id: str
    claimant: list[str] | None
    unit: str | None
    claimed_outlet: str | None
    claimed_date: dt.date | None
    claimed_page: str | None
    claimed_url: str | None
    claimed_title: str | None
    status: str | None
    reasons: list[str] | None
    warnings: list[str] | None
    suggestion: str | None
    points: float | None
    person_points: str | None            # JSON {"张三": 5.0, …}
    article_id: int | None
    outlet_name: str | None              # evidence outlet's name, else its slug
    tier: str | None
    evidence_date: dt.date | None
    evidence_page: int | None
    evidence_title: str | None
    evidence_url: str | None
    manuscript_id: str | None            # the verdict's, else the claimed one
    manuscript_title: str | None
    rules_hash: str | None
    manuscript_unit: str | None
    discrepancies: list[str] | None
    evidence_file: str | None            # a scan, PDF or screenshot the verdict was checked against


_CLAIM_VERDICTS_SQL = """
SELECT cv.claim_id, cv.claimant, cv.unit, cv.claimed_outlet, cv.claimed_date, cv.claimed_page, cv.claimed_url,
       cv.claimed_title, cv.status, cv.reasons, cv.warnings, cv.suggestion, cv.points, cv.person_points,
       cv.article_id, coalesce(cv.evidence_outlet_name, cv.evidence_outlet), cv.evidence_tier, cv.evidence_date,
       cv.evidence_page, cv.evidence_title, cv.evidence_url, coalesce(cv.manuscript_id, cv.claimed_manuscript_id),
       ms.title, cv.rules_hash, ms.unit, cv.discrepancies, cv.evidence_file
FROM claim_verdicts cv
LEFT JOIN manuscripts ms ON ms.manuscript_id = coalesce(cv.manuscript_id, cv.claimed_manuscript_id)
WHERE cv.claimed_date BETWEEN ? AND ?
ORDER BY cv.claimed_date, cv.claim_id
"""


def claim_verdicts_dated(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> list[ClaimVerdictRow]:
    """Claims dated ``start``..``end`` with their verdicts, in date and claim order."""
    return fetch_as(con, ClaimVerdictRow, _CLAIM_VERDICTS_SQL, [start, end])


class PaidPlacement(NamedTuple):
    """A placement that earned points, in the month of its claims."""
    year: int
    month: int
    article_id: int
    manuscript_id: str | None
    tier: str


def paid_placements(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date,
                    paying_statuses: Sequence[str]) -> list[PaidPlacement]:
    """Distinct placements claimed ``start``..``end`` whose verdict status pays points."""
    return fetch_as(
        con, PaidPlacement,
        "SELECT DISTINCT year(claimed_date), month(claimed_date), article_id, manuscript_id, "
        "coalesce(evidence_tier, 'other') "
        "FROM claim_verdicts WHERE claimed_date BETWEEN ? AND ? AND article_id IS NOT NULL "
        f"AND status IN ({', '.join('?' * len(paying_statuses))})",
        [start, end, *paying_statuses],
    )


def pending_claims(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    """(columns, rows): claims not verified yet or waiting for evidence, per status."""
    return fetch_table(con, """
        SELECT coalesce(v.status, '(not verified yet)') AS status, count(*) AS claims,
               min(c.published_date) AS earliest, max(c.published_date) AS latest
        FROM claims c LEFT JOIN verdicts v USING (claim_id)
        WHERE v.claim_id IS NULL OR v.status IN ('not_covered', 'not_found')
        GROUP BY ALL ORDER BY claims DESC""")


class VerdictOverview(NamedTuple):
    """A claim and its verdict in one line of text (the demo's terminal table)."""
    claim_id: str
    claimed_manuscript_id: str | None
    claimants: str                       # 、-joined
    claimed_outlet: str | None
    claimed_date: dt.date | None
    status: str | None
    evidence_outlet_name: str | None
    evidence_date: dt.date | None
    evidence_page: int | None
    points: float | None
    reasons: str | None                  # ；-joined


def verdict_overview(con: duckdb.DuckDBPyConnection) -> list[VerdictOverview]:
    """Every claim with its verdict, in claim order."""
    return fetch_as(con, VerdictOverview, """
        SELECT claim_id, claimed_manuscript_id, array_to_string(claimant, '、'), claimed_outlet, claimed_date,
               status, evidence_outlet_name, evidence_date, evidence_page, points, array_to_string(reasons, '；')
        FROM claim_verdicts ORDER BY claim_id""")
