from __future__ import annotations

import sys
from pathlib import Path

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.periods import parse_period
from shanggao.progress import progress_steps
from shanggao.reports import FORMATS, TEXT_FORMATS, ChartFontError, ReportNumberError, default_report_name, publish
from shanggao.rules import rules_for


@click.command()
@click.option("--period", required=True, help="A month (2022-06) for the monthly 通报, or a year (2022) for the "
                                              "year-end assessment.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option("--out", help="Output file (default: <reports_dir>/上稿通报-2022-06.html or 年度考核-2022.html); "
                            "`-` writes html or md to standard output.")
@click.option("--number", type=int, help="The 发文字号's number (县组通〔2022〕12号 for 12); later reports count on "
                                         "from it. Default: this period's number, else the year's next.")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Rules TOML for quotas and the [report] settings (default: the config's `rules`, else the "
                   "bundled defaults).")
@pass_app
def report(app: AppContext, period: str, fmt: str, out: str | None, number: int | None,
           rules_path: Path | None) -> None:
    """Write the monthly 通报 or the year-end assessment, in Chinese, and its 工作底稿.

    The 通报 is laid out as GB/T 9704-2012 has an official document (A4, red
    masthead and line, 发文字号, 主送, 落款, 成文日期): 总体情况 with a chart,
    排名 of units and persons (ties shared), 表扬, the units that missed their
    quota, 下一步工作要求, and as 附件 each unit's figures and the verified
    placements.  Claim ids, reasons, remedies and evidence links go to the
    工作底稿 written beside it (<report>-工作底稿.xlsx), never into the 通报.
    Points come from the verdicts: run `shanggao verify` for the period first
    (a warning on stderr says when verdicts are missing or out of date).

    \b
    Examples:
      shanggao report --period 2022-06
      shanggao report --period 2022-06 --format docx --out 6月通报.docx --number 12
      shanggao report --period 2022 --format xlsx
      shanggao report --period 2022-06 --format md --out -
    """
    chosen = parse_period(period)
    rules = rules_for(app.config.rules, app.config.source, rules_path)
    if out == "-" and fmt not in TEXT_FORMATS:
        raise click.ClickException(f"a {fmt} report is a binary file: give --out FILE, not standard output")
    target = sys.stdout if out == "-" else Path(out) if out else \
        Path(app.config.reports_dir or ".") / default_report_name(chosen, fmt)
    try:
        with progress_steps(None, "report") as steps:
            done = publish(app.store, chosen, rules, fmt, target, steps, number=number)
    except OSError as exc:
        raise click.ClickException(f"{target}: cannot write the report: {exc.strerror or exc}") from exc
    except (ChartFontError, ReportNumberError) as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    if done.report is not None:
        click.echo(f"wrote {done.report}" + (f" ({done.number})" if done.number else ""))
    if done.working_sheet is not None:
        click.echo(f"wrote {done.working_sheet} (工作底稿: ids, reasons, remedies, links; not for circulation)")
