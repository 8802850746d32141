from __future__ import annotations

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.db.outlets import sync_outlets


@click.command()
@pass_app
def init(app: AppContext) -> None:
    """Create or upgrade the store and load the outlet registry.

    \b
    Example:
      shanggao --db office.duckdb init
    """
    applied = app.store.init()
    with app.store.write() as con:
        count = sync_outlets(con)
    done = f"applied migrations {', '.join(map(str, applied))}" if applied else "schema up to date"
    click.echo(f"{app.store.path}: {done}; {count} outlets in the registry")
