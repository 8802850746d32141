"""What every command receives: the loaded config and the store it names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from shanggao.config import Config
from shanggao.dates import parse_date
from shanggao.db import Store


@dataclass
class AppContext:
    config: Config
    store: Store
    _registry_synced: bool = False

    def sync_registry(self) -> None:
        """Bring the store's outlet registry up to date (the built-ins, the config file's
        ``[outlet.SLUG]`` outlets) before a command that names outlets; once per process."""
        if self._registry_synced:
            return
        from shanggao.db.outlets import sync_registry

        with self.store.write() as con:
            sync_registry(con, self.config.registry)
        self._registry_synced = True


pass_app = click.make_pass_decorator(AppContext)


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback for date options: the forms registers use (2022-06-24, 2022/6/24, 2022年6月24日)."""
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def allow_internal_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--allow-internal HOST`` on commands that fetch pages (beside the config's ``allow_internal``)."""
    return click.option(
        "--allow-internal", "allow_internal", multiple=True, metavar="HOST",
        help="Also allow this intranet host name or address/network (10.1.2.0/24), which fetching refuses "
             "by default; repeatable (config: allow_internal).")(command)
