from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import duckdb

from shanggao.commands.context import AppContext, pass_app
from shanggao.commands.output import header_names, headers_option, out_option, write_rows

FETCH_ROWS = 2048


@click.command()
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--max-width", type=click.IntRange(min=0), default=60, show_default=True,
              help="Truncate table cells (0 = never).")
@out_option
@headers_option("en")
@pass_app
def query(app: AppContext, sql: str, fmt: str, max_width: int, out_path: Path | None, headers: str) -> None:
    """Run read-only SQL against the store.

    A read-only window: the file is opened read-only with DuckDB's external
    access switched off and its configuration locked, so nothing here can change
    the store, read or write other files (COPY, EXPORT, read_csv, glob, ATTACH),
    install or load extensions, or change settings (SET). The file is never
    upgraded, so a DuckDB file that is not a shanggao store stays as it was.
    For DuckDB's full power open the file with duckdb itself. Rows are printed
    as they are read. While another shanggao process is writing, the query
    waits for its short write batch.

    \b
    Examples:
      shanggao query "SELECT outlet, count(*) FROM articles GROUP BY ALL"
      shanggao query "SELECT * FROM verdicts" --format csv > verdicts.csv
      shanggao query "SELECT * FROM claim_verdicts" --format csv --headers zh --out 核验.csv
    """
    if not sql.strip():
        raise click.ClickException("query: no SQL given")
    with app.store.sandbox() as con:
        try:
            cur = con.execute(sql)
            if cur is None or cur.description is None:
                return
            columns = header_names([d[0] for d in cur.description], headers)
            write_rows(columns, _stream(cur), fmt, out_path, max_width=max_width or None)
        except duckdb.Error as exc:
            raise click.ClickException(f"query failed: {_first_line(exc)}") from exc


def _stream(cur: duckdb.DuckDBPyConnection) -> Iterator[tuple[Any, ...]]:
    while batch := cur.fetchmany(FETCH_ROWS):
        yield from batch


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
