"""The ``report_numbers`` table: the 发文字号 counter, one row per period's report (migration 0006)."""

from __future__ import annotations

import duckdb

from shanggao.db.rows import first_value
from shanggao.db.store import utcnow


def period_number(con: duckdb.DuckDBPyConnection, period: str) -> int | None:
    """The number the period's report already has, or None."""
    row = con.execute("SELECT n FROM report_numbers WHERE period = ?", [period]).fetchone()
    return row[0] if row else None


def next_number(con: duckdb.DuckDBPyConnection, year: int) -> int:
    """One more than the highest number given in ``year`` (1 for the year's first)."""
    return first_value(con.execute("SELECT coalesce(max(n), 0) + 1 FROM report_numbers WHERE year = ?", [year]))


def record_number(con: duckdb.DuckDBPyConnection, period: str, year: int, n: int, document_number: str) -> None:
    """Give ``period`` the number ``n`` (replacing any it had); call inside a write transaction."""
    con.execute("INSERT OR REPLACE INTO report_numbers VALUES (?, ?, ?, ?, ?)",
                [period, year, n, document_number, utcnow()])
