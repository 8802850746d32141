from __future__ import annotations

from pathlib import Path

import click

from shanggao.context import AppContext, pass_app
from shanggao.output import print_rows
from shanggao.periods import period_from_options
from shanggao.progress import progress_steps
from shanggao.rules import rules_for
from shanggao.verify import STATUS_LABELS, verify_claims


@click.command()
@click.option("--period", help="A month (2022-06) or a year (2022): claims whose claimed date falls in it.")
@click.option("--from", "start", metavar="DATE", help="First claimed date (with --to).")
@click.option("--to", "end", metavar="DATE", help="Last claimed date (with --from).")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Rules TOML (default: the config's `rules`, else the bundled defaults).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--all-rows/--problems-only", default=True, show_default=True,
              help="List every verdict, or only those that need a look.")
@pass_app
def verify(app: AppContext, period: str | None, start: str | None, end: str | None, rules_path: Path | None,
           fmt: str, all_rows: bool) -> None:
    """Give every claim of the period one verdict, with its evidence and points.

    Statuses: verified, verified_with_discrepancy, byline_mismatch,
    text_mismatch, not_found, not_covered (names the crawl/fetch that would
    settle it), duplicate_claim, before_submission, unknown_manuscript,
    unknown_outlet.  Re-running replaces the period's verdicts, so after a
    crawl, an import or a change of rules just run it again.  Without a period
    every claim is verified.  In a terminal a progress bar shows on stderr.

    \b
    Examples:
      shanggao verify --period 2022-06
      shanggao verify --from 2022-06-01 --to 2022-06-15 --rules office_rules.toml
      shanggao verify --period 2022 --problems-only --format csv > 待核查.csv
    """
    chosen = period_from_options(period, start, end)
    rules = rules_for(app.config.rules, app.config.source, rules_path)
    with progress_steps(None, "verify") as steps:
        summary = verify_claims(app.store, chosen.start if chosen else None, chosen.end if chosen else None, rules,
                                steps)
    rows = [
        (v.claim_id, v.status, v.evidence_label, v.points, "；".join(v.reasons + v.warnings))
        for v in summary.verdicts if all_rows or v.status != "verified"
    ]
    if fmt == "table" and not rows:
        what = "claims" if all_rows else "claims needing a look"
        click.echo(f"no {what} {'in ' + chosen.label if chosen else 'in the store'}")
    elif rows or fmt != "table":
        print_rows(["claim", "status", "evidence", "points", "reasons"], rows, fmt, max_width=80)
    if fmt == "table":
        counts = ", ".join(f"{STATUS_LABELS[s]} {n}" for s, n in summary.counts.items()) or "none"
        click.echo(f"{len(summary.verdicts)} verdicts ({counts}); {summary.total_points:g} points "
                   f"under rules {summary.rules_source} [{summary.rules_digest}]")
        if summary.undated_skipped:
            click.echo(f"{summary.undated_skipped} claims have no date and belong to no period; "
                       "run `shanggao verify` without a period to check them", err=True)
