from __future__ import annotations

from pathlib import Path

import click

from shanggao.commands._import_support import column_map, confirm_removal, finish_import, register_options
from shanggao.commands.context import AppContext, pass_app
from shanggao.commands.output import print_rows
from shanggao.db.claims import LIST_COLUMNS, delete_claims, existing_claims, list_claims
from shanggao.importers.claims import import_claims
from shanggao.importers.common import zip_limits
from shanggao.periods import parse_period


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
    if app.config.registry:
        app.sync_registry()   # the config file's outlets resolve the registers' outlet names
    with zip_limits(app.config.zip_limits):
        report = import_claims(app.store, paths, columns=column_map(app.config.columns, columns), sheet=sheet,
                               year=year, register=register)
    finish_import(report, "claims")


@claims.command("list")
@click.option("--unit", help="Only units whose name contains this (白沙镇).")
@click.option("--period", help="A month (2022-06) or a year (2022) of the claimed date.")
@click.option("--status", help="A verdict status (verified, not_found …) or unverified.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@pass_app
def list_(app: AppContext, unit: str | None, period: str | None, status: str | None, fmt: str) -> None:
    """The stored claims with their register row and verdict status.

    \b
    Examples:
      shanggao claims list --period 2022-06 --unit 白沙镇
      shanggao claims list --status unverified --format csv
    """
    chosen = parse_period(period) if period else None
    with app.store.read() as con:
        rows = list_claims(con, unit, chosen.start if chosen else None, chosen.end if chosen else None, status)
    print_rows(LIST_COLUMNS, rows, fmt)


@claims.command("delete")
@click.argument("claim_ids", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask (for scripts).")
@pass_app
def delete(app: AppContext, claim_ids: tuple[str, ...], yes: bool) -> None:
    """Remove claims and their verdicts, in one transaction.

    Asks for confirmation on a terminal; --yes for scripts.  To correct a
    register, import the corrected file instead: changed rows are updated and
    rows that disappeared are withdrawn.

    \b
    Example:
      shanggao claims delete C-1a2b3c4d5e6f --yes
    """
    with app.store.read() as con:
        found = existing_claims(con, claim_ids)
    confirm_removal(found, claim_ids, "claim(s)", yes)
    with app.store.write() as con:
        removed = delete_claims(con, [row[0] for row in found])
    click.echo(f"{removed} claim(s) removed with their verdicts")
