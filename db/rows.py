"""Reading query results as named rows: ``row.title`` rather than ``r[3]``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import duckdb

Row = TypeVar("Row")


def fetch_as(con: duckdb.DuckDBPyConnection, row_type: type[Row], sql: str,
             params: Sequence[Any] | None = None) -> list[Row]:
    """Every row of ``sql`` as a ``row_type`` (a NamedTuple whose fields follow the SELECT list)."""
    return [row_type(*row) for row in con.execute(sql, list(params or [])).fetchall()]


def fetch_table(con: duckdb.DuckDBPyConnection, sql: str,
                params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of ``sql``: for tables shown as they are."""
    cur = con.execute(sql, list(params or []))
    return [d[0] for d in cur.description], cur.fetchall()


def first_value(cursor: duckdb.DuckDBPyConnection) -> Any:
    """The first column of an executed query's first row: a count, a max, a ``RETURNING`` id.

    For queries that always return a row; raises LookupError when one returned none.
    """
    row = cursor.fetchone()
    if row is None:
        raise LookupError("the query returned no row")
    return row[0]
