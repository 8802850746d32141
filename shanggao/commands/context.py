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
