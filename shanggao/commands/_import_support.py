"""Printing an import's outcome the same way for every `... import` command, and the
options both register importers share."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import click

from shanggao.importers.common import ImportReport
from shanggao.importers.registers import parse_column_options


def finish_import(report: ImportReport, noun: str) -> None:
    """Print each skipped file and rejected row as ``file:sheet:row: reason``, then the
    notes and the summary; exit 1 when a file was skipped or a row rejected."""
    for skipped in report.skipped:
        click.echo(f"{skipped} [skipped]", err=True)
    for rejection in report.rejected:
        click.echo(str(rejection), err=True)
    for note in report.notes:
        click.echo(note, err=True)
    click.echo(report.summary(noun))
    if report.failed:
        raise SystemExit(1)


def register_options(command: Callable) -> Callable:
    """``--column HEADER=FIELD``, ``--sheet NAME`` and ``--year YYYY`` for reading registers."""
    command = click.option("--year", type=click.IntRange(1949, 2100),
                           help="Year of dates written without one (6月24日, 6.28) when neither the "
                                "title row nor the file name gives it.")(command)
    command = click.option("--sheet", help="Read only this worksheet (default: every sheet that holds a register).")(
        command)
    command = click.option("--column", "columns", multiple=True, metavar="HEADER=FIELD",
                           help="Read the column headed HEADER as FIELD (repeatable), "
                                "e.g. --column 见报日期=published; "
                                "adds to [columns] in the config file.")(command)
    return command


def column_map(config_columns: dict[str, str], options: tuple[str, ...]) -> dict[str, str]:
    """The config's ``[columns]`` with the command line's ``--column`` on top."""
    return {**config_columns, **parse_column_options(options)}


def confirm_removal(found: Sequence[tuple[str, str | None]], wanted: tuple[str, ...], noun: str, yes: bool) -> None:
    """Name what will be removed and ask on a terminal; ``--yes`` for scripts.

    An id that is not stored is an error (nothing is removed), so a typo never
    passes silently.
    """
    missing = sorted(set(wanted) - {row[0] for row in found})
    if missing:
        raise click.ClickException(f"no such {noun}: {', '.join(missing)} (nothing removed)")
    for item_id, title in found:
        click.echo(f"{item_id}  {title or ''}", err=True)
    if yes:
        return
    if not sys.stdin.isatty():
        raise click.ClickException(f"not removing {len(found)} {noun} without confirmation: add --yes")
    click.confirm(f"Remove these {len(found)} {noun} and everything derived from them?", abort=True, err=True)
