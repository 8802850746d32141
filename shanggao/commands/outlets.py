from __future__ import annotations

import click

from shanggao.context import AppContext, pass_app
from shanggao.db.outlets import TIERS
from shanggao.output import print_rows


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@pass_app
def outlets(app: AppContext, fmt: str) -> None:
    """The outlet registry as a table (slug, name, tier, kind, home URL).

    \b
    Example:
      shanggao outlets --format csv
    """
    with app.store.read() as con:
        cur = con.execute(
            "SELECT slug, name, tier, kind, home_url, media_group, aliases FROM outlets "
            "ORDER BY list_position(?, tier), slug", [list(TIERS)]
        )
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    print_rows(columns, rows, fmt)
