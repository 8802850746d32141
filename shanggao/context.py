"""What every command receives: the loaded config and the store it names."""

from __future__ import annotations

from dataclasses import dataclass

import click

from shanggao.db import Store
from shanggao.config import Config


@dataclass
class AppContext:
    config: Config
    store: Store


pass_app = click.make_pass_decorator(AppContext)


def date_option(ctx: click.Context, param: click.Parameter, value: str | None):
    """Click callback for date options: the forms registers use (2022-06-24, 2022/6/24, 2022年6月24日)."""
    from shanggao.importers.common import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
