from __future__ import annotations

from pathlib import Path

import click

from shanggao.commands._import_support import finish_import
from shanggao.context import AppContext, pass_app
from shanggao.importers.claims import import_claims
from shanggao.importers.common import zip_limits


@click.group()
def claims() -> None:
    """Placement claims (上稿申报) from the office's register."""


@claims.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_(app: AppContext, files: tuple[Path, ...]) -> None:
    """Import a claims register (.xlsx or .csv).

    Columns (Chinese or English): 稿件编号, 标题, 作者, 单位, 媒体, 刊发日期, 版次,
    链接.  Dates as 2022-06-24, 2022/6/24, 2022.6.24 or 2022年6月24日.

    \b
    Example:
      shanggao claims import 2022年6月上稿登记.xlsx
    """
    with zip_limits(app.config.zip_limits):
        finish_import(import_claims(app.store, files), "claims")
