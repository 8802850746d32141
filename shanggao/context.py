"""What every command receives: the loaded config and the store it names."""

from __future__ import annotations

from dataclasses import dataclass

import click

from db import Store
from shanggao.config import Config


@dataclass
class AppContext:
    config: Config
    store: Store


pass_app = click.make_pass_decorator(AppContext)
