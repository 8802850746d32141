from __future__ import annotations

import click
import duckdb

from shanggao.context import AppContext, pass_app
from shanggao.output import print_rows


@click.command()
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--max-width", type=int, default=60, show_default=True, help="Truncate table cells (0 = never).")
@pass_app
def query(app: AppContext, sql: str, fmt: str, max_width: int) -> None:
    """Run read-only SQL against the store.

    The file is opened read-only, so nothing here can change it; while another
    shanggao process is writing, the query waits for its short write batch.

    \b
    Examples:
      shanggao query "SELECT outlet, count(*) FROM articles GROUP BY ALL"
      shanggao query "SELECT * FROM verdicts" --format csv > verdicts.csv
    """
    with app.store.read() as con:
        try:
            cur = con.execute(sql)
        except duckdb.Error as exc:
            raise click.ClickException(f"query failed: {exc}") from exc
        if cur.description is None:
            return
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    print_rows(columns, rows, fmt, max_width=max_width or None)
