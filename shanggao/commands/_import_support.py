"""Printing an import's outcome the same way for every `... import` command."""

from __future__ import annotations

import click

from shanggao.importers.common import ImportReport


def finish_import(report: ImportReport, noun: str) -> None:
    """Print each rejection as ``file:row: reason`` and exit 1 when anything was rejected."""
    for rejection in report.rejected:
        click.echo(str(rejection), err=True)
    for note in report.notes:
        click.echo(note, err=True)
    click.echo(report.summary(noun))
    if report.rejected:
        raise SystemExit(1)
