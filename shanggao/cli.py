"""The ``shanggao`` command line: one click command per job, each in shanggao/commands/."""

from __future__ import annotations

import errno
import importlib
import sys
from pathlib import Path
from typing import Any

import click
import duckdb

from shanggao.commands.context import AppContext
from shanggao.config import ConfigError, load_config
from shanggao.db import Store, StoreError
from shanggao.db.outlets import OutletError
from shanggao.importers.common import BadFile
from shanggao.periods import PeriodError

# Each module defines one click command or group named like the module.
COMMAND_MODULES = (
    "init",
    "outlets",
    "query",
    "crawl",
    "fetch",
    "evidence",
    "articles",
    "manuscripts",
    "claims",
    "nightly",
    "status",
    "verify",
    "match",
    "explain",
    "report",
    "rules",
    "demo",
)


class ShanggaoGroup(click.Group):
    """Loads each command's module on first use and turns the store's and
    config's own errors into one clean line and exit status 1 (a period the
    user mistyped into a usage error's line and exit status 2)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMAND_MODULES:
            return None
        module = importlib.import_module(f"shanggao.commands.{name}")
        return getattr(module, name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """One rule for every user error: one line on stderr, exit status 1.  click's own usage
        errors (an unknown option, a missing argument, a bad choice) print a four-line usage block
        and exit 2; here they are one line naming the command's --help."""
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "shanggao"
            click.echo(f"Error: {exc.format_message()} (see `{where} --help`)", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(1)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (StoreError, ConfigError, BadFile, OutletError) as exc:
            raise click.ClickException(str(exc)) from exc
        except PeriodError as exc:
            if exc.option:
                raise click.BadParameter(str(exc), param_hint=exc.option) from exc
            raise click.UsageError(str(exc)) from exc
        except duckdb.Error as exc:  # a full disk, a damaged file: the store's transaction was rolled back
            raise click.ClickException(f"store {ctx.obj.store.path if ctx.obj else ''}: {_first_line(exc)}") from exc
        except OSError as exc:  # a report to /dev/full, an unreadable file
            if exc.errno == errno.EPIPE:
                raise  # click ends quietly on a closed pipe
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from exc


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


@click.group(cls=ShanggaoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="SHANGGAO_DB", help="DuckDB file (default: $SHANGGAO_DB, the config's db, or ./shanggao.duckdb).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="SHANGGAO_CONFIG", help="Config TOML (default: $SHANGGAO_CONFIG or ./shanggao.toml).")
@click.version_option(package_name="shanggao")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None, config_path: Path | None) -> None:
    """上稿核验 — crawl outlets, link published articles to manuscripts, verify placement claims.

    Every command works on one DuckDB file, the system of record.
    """
    config = load_config(config_path)  # a ConfigError becomes one line via ShanggaoGroup.invoke
    ctx.obj = AppContext(config=config, store=Store(db_path or Path(config.db), config.archive_dir or None))
