from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shanggao.commands._import_support import column_map, finish_import, register_options
from shanggao.context import AppContext, date_option, pass_app
from shanggao.importers.common import zip_limits
from shanggao.importers.manuscripts import Defaults, RegisterOptions, import_manuscripts


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
