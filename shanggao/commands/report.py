from __future__ import annotations

from pathlib import Path

import click

from shanggao.context import AppContext, pass_app
from shanggao.periods import parse_period
from shanggao.progress import progress_steps
from shanggao.reports import FORMATS, default_report_name, write_report
from shanggao.rules import rules_for


@click.command()
@click.option("--period", required=True, help="A month (2022-06) for the monthly 通报, or a year (2022) for the "
                                              "year-end assessment.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default: <reports_dir>/上稿通报-2022-06.html or 年度考核-2022.html).")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Rules TOML for quotas (default: the config's `rules`, else the bundled defaults).")
@pass_app
def report(app: AppContext, period: str, fmt: str, out: Path | None, rules_path: Path | None) -> None:
    """Write the monthly 通报 or the year-end assessment, in Chinese.

    Per unit (manuscripts submitted against the monthly quota, 达标/未达标,
    placements by tier, points) and per person; the verified placements with
    links; placements found that nobody claimed; every claim that needs a look
    with its reason; a chart of placements per month by tier.  Points come from
    the verdicts: run `shanggao verify` for the period first (the report says
    when verdicts are missing or were computed under other rules).  In a
    terminal a progress bar shows on stderr.

    \b
    Examples:
      shanggao report --period 2022-06
      shanggao report --period 2022-06 --format docx --out 6月通报.docx
      shanggao report --period 2022 --format xlsx
    """
    chosen = parse_period(period)
    rules = rules_for(app.config.rules, app.config.source, rules_path)
    target = out or Path(app.config.reports_dir or ".") / default_report_name(chosen, fmt)
    try:
        with progress_steps(None, "report") as steps:
            written = write_report(app.store, chosen, rules, fmt, target, steps)
    except OSError as exc:
        raise click.ClickException(f"{target}: cannot write the report: {exc.strerror or exc}") from exc
    click.echo(f"wrote {written}")
