from __future__ import annotations

from pathlib import Path

import click

from shanggao.commands._import_support import column_map, finish_import, register_options
from shanggao.context import AppContext, pass_app
from shanggao.importers.claims import import_claims
from shanggao.importers.common import zip_limits


@click.group()
def claims() -> None:
    """Placement claims (上稿申报) from the office's register."""


@claims.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@register_options
@click.option("--register", help="The register this file is (a corrected copy under another name); "
                                 "default: the file name.")
@pass_app
def import_(app: AppContext, paths: tuple[Path, ...], columns: tuple[str, ...], sheet: str | None,
            year: int | None, register: str | None) -> None:
    """Import claims registers (.xlsx/.xls/.et/.ods/.csv/.jsonl, or folders of them).

    Every sheet is read; a title row, a two-row header, blank and 合计 rows are
    handled.  Columns (Chinese or English): 序号, 稿件编号, 标题/稿件名称, 作者/作者姓名,
    单位/所在单位, 媒体/刊载媒体, 刊发日期/见报时间, 版次/版面, 链接/网址, 备注.  Dates as
    2022-06-24, 2022/6/24, 2022.6.24, 2022年6月24日, or 6月24日 / 6.28 with the year
    from the title row, the file name or --year.

    \b
    Examples:
      shanggao claims import 2022年6月上稿登记.xlsx
      shanggao claims import 登记表.xls --sheet 6月 --year 2022 --column 见报日期=published
      shanggao claims import 6月登记（修正）.xlsx --register 6月登记.xlsx
    """
    with zip_limits(app.config.zip_limits):
        report = import_claims(app.store, paths, columns=column_map(app.config.columns, columns), sheet=sheet,
                               year=year, register=register)
    finish_import(report, "claims")
