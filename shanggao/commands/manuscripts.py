from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shanggao.commands._import_support import column_map, confirm_removal, finish_import, register_options
from shanggao.commands.context import AppContext, date_option, pass_app
from shanggao.commands.output import print_rows
from shanggao.db.manuscripts import LIST_COLUMNS, delete_manuscripts, existing_manuscripts, list_manuscripts
from shanggao.importers.common import zip_limits
from shanggao.importers.manuscripts import Defaults, RegisterOptions, import_manuscripts
from shanggao.periods import parse_period


@click.group()
def manuscripts() -> None:
    """The office's manuscripts (稿件)."""


@manuscripts.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--author", "authors", multiple=True, help="Author when a file names none (repeatable).")
@click.option("--unit", help="Unit (科室/乡镇) when a file names none.")
@click.option("--submitted", callback=date_option, help="Submission date when a file gives none.")
@register_options
@pass_app
def import_(app: AppContext, paths: tuple[Path, ...], authors: tuple[str, ...], unit: str | None,
            submitted: dt.date | None, columns: tuple[str, ...], sheet: str | None, year: int | None) -> None:
    """Import manuscripts from files, folders of them, or registers.

    Files: .docx, .doc/.wps (through LibreOffice), .pdf (its text layer), .txt
    (UTF-8, UTF-16 or GBK), .md.  First non-empty line = title (a newsletter
    template's masthead above it is skipped), the rest = body; lines like
    作者：张三 李四 / 单位：白沙镇 / 报送日期：2022年6月1日 / 编号：LX-031, bylines
    (通讯员 符晓燕 覃雪, 文/彭敏 图/杨丽) or a form-style table (稿件标题 | … ) fill
    those fields.  A register (.xlsx/.xls/.et/.ods/.csv/.jsonl) has columns id,
    title, body, authors, unit, submitted (or 稿件编号、标题、正文、作者、单位、报送日期).
    Every file of a folder is imported or named with the reason.

    \b
    Examples:
      shanggao manuscripts import 稿件/2022-06/ --unit 白沙镇
      shanggao manuscripts import 报送登记.xlsx
    """
    options = RegisterOptions(column_map(app.config.columns, columns), sheet, year)
    with zip_limits(app.config.zip_limits):
        report = import_manuscripts(app.store, paths, Defaults(list(authors), unit, submitted), options)
    finish_import(report, "manuscripts")


@manuscripts.command("list")
@click.option("--unit", help="Only units whose name contains this (白沙镇).")
@click.option("--period", help="A month (2022-06) or a year (2022) of the submission date.")
@click.option("--status", type=click.Choice(["placed", "unplaced"]),
              help="placed: the matcher found it in published articles; unplaced: not (yet).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@pass_app
def list_(app: AppContext, unit: str | None, period: str | None, status: str | None, fmt: str) -> None:
    """The stored manuscripts: id, status, title, authors, unit, date, version, placements.

    \b
    Examples:
      shanggao manuscripts list --period 2022-06 --unit 白沙镇
      shanggao manuscripts list --status unplaced --format csv
    """
    chosen = parse_period(period) if period else None
    with app.store.read() as con:
        rows = list_manuscripts(con, unit, chosen.start if chosen else None, chosen.end if chosen else None, status)
    print_rows(LIST_COLUMNS, rows, fmt)


@manuscripts.command("delete")
@click.argument("manuscript_ids", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask (for scripts).")
@pass_app
def delete(app: AppContext, manuscript_ids: tuple[str, ...], yes: bool) -> None:
    """Remove manuscripts and everything derived from them, in one transaction.

    Their earlier versions, matches, matcher index rows and the verdicts that
    rest on them go too; claims stay (the next verify judges them again).  Asks
    for confirmation on a terminal; --yes for scripts.

    \b
    Example:
      shanggao manuscripts delete MS-1a2b3c4d5e6f LX-2022-031 --yes
    """
    with app.store.read() as con:
        found = existing_manuscripts(con, list(manuscript_ids))
    confirm_removal(found, manuscript_ids, "manuscript(s)", yes)
    with app.store.write() as con:
        removed = delete_manuscripts(con, [row[0] for row in found])
    click.echo(f"{removed} manuscript(s) removed with their matches and verdicts")
