from __future__ import annotations

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.db.outlets import load_registry


@click.command()
@pass_app
def init(app: AppContext) -> None:
    """Create or upgrade the store and load the outlet registry.

    \b
    Example:
      shanggao --db office.duckdb init
    """
    applied = app.store.init()
    app.sync_registry()  # the built-ins and the config file's [outlet.SLUG] outlets
    with app.store.read() as con:
        count = len(load_registry(con))
    done = f"applied migrations {', '.join(map(str, applied))}" if applied else "schema up to date"
    click.echo(f"{app.store.path}: {done}; {count} outlets in the registry")
