from __future__ import annotations

from pathlib import Path

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.commands.output import header_names, headers_option, out_option, write_rows
from shanggao.db.outlets import TIERS


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@out_option
@headers_option("en")
@pass_app
def outlets(app: AppContext, fmt: str, out_path: Path | None, headers: str) -> None:
    """The outlet registry as a table (slug, name, tier, kind, home URL).

    \b
    Example:
      shanggao outlets --format csv
      shanggao outlets --format csv --headers zh --out 媒体名录.csv
    """
    with app.store.read() as con:
        cur = con.execute(
            "SELECT slug, name, tier, kind, home_url, media_group, aliases FROM outlets "
            "ORDER BY list_position(?, tier), slug", [list(TIERS)]
        )
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    write_rows(header_names(columns, headers), rows, fmt, out_path)
