from __future__ import annotations

from pathlib import Path

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.commands.output import header_names, out_option, print_lines, write_rows
from shanggao.commands.rules import warn_unregistered_outlets
from shanggao.db.claims import ClaimRow, claims_dated
from shanggao.periods import period_from_options
from shanggao.progress import progress_steps
from shanggao.rules import rules_for
from shanggao.verify import STATUS_LABELS, VerifySummary, verify_claims


@click.command()
@click.option("--period", help="A month (2022-06) or a year (2022): claims whose claimed date falls in it.")
@click.option("--from", "start", metavar="DATE", help="First claimed date (with --to).")
@click.option("--to", "end", metavar="DATE", help="Last claimed date (with --from).")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Rules TOML (default: the config's `rules`, else the bundled defaults).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--all-rows/--problems-only", default=True, show_default=True,
              help="List every verdict, or only those that need a look.")
@out_option
@click.option("--headers", type=click.Choice(["zh", "en"]), default=None,
              help="Column names in Chinese (zh, the default for table and csv) or English (en, the default "
                   "for json).")
@pass_app
def verify(app: AppContext, period: str | None, start: str | None, end: str | None, rules_path: Path | None,
           fmt: str, all_rows: bool, out_path: Path | None, headers: str | None) -> None:
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
      shanggao verify --period 2022 --problems-only --format csv --out 待核查.csv
    """
    chosen = period_from_options(period, start, end)
    rules = rules_for(app.config.rules, app.config.source, rules_path)
    if app.config.registry and app.store.path.exists():
        app.sync_registry()   # outlets the config file declares count for these verdicts
    warn_unregistered_outlets(app, rules)
    with progress_steps(None, "verify") as steps:
        summary = verify_claims(app.store, chosen.start if chosen else None, chosen.end if chosen else None, rules,
                                steps)
    headers = headers or ("en" if fmt == "json" else "zh")
    with app.store.read() as con:
        claims = {c.claim_id: c for c in claims_dated(con, chosen.start if chosen else None,
                                                      chosen.end if chosen else None)}
    shown = [v for v in summary.verdicts if all_rows or v.status != "verified"]
    if fmt == "table" and not shown:
        if headers == "zh":
            what = "申报" if all_rows else "需要核查的申报"
            click.echo(f"{chosen.label + ' ' if chosen else ''}没有{what}")
        else:
            what = "claims" if all_rows else "claims needing a look"
            click.echo(f"no {what} {'in ' + chosen.label if chosen else 'in the store'}")
    elif fmt == "table":
        # A table that fits an 80-column terminal; the reasons and remedies follow it, one claim a paragraph.
        rows: list[tuple[object, ...]] = [
            (_row(claims.get(v.claim_id)), _title(claims.get(v.claim_id), v), _who(claims.get(v.claim_id)),
             v.label if headers == "zh" else v.status, v.points) for v in shown]
        columns = ["序号", "标题", "申报人", "核验结论", "积分"] if headers == "zh" else \
            ["row", "title", "claimant", "status", "points"]
        write_rows(columns, rows, fmt, out_path, max_width=None)
        notes = [v for v in shown if v.status != "verified"]
        lines = []
        for v in notes:
            claim = claims.get(v.claim_id)
            lines.append(f"序号{_row(claim)}（{v.claim_id}）{v.label}：{'；'.join(v.reasons + v.warnings)}")
            if v.suggestion:
                lines.append(f"    → {v.suggestion}")
        _echo(lines, out_path)
    else:
        rows = [(v.claim_id, _row(claims.get(v.claim_id)), _who(claims.get(v.claim_id)),
                 _title(claims.get(v.claim_id), v), v.status, v.label, v.evidence_label, v.points,
                 "；".join(v.reasons + v.warnings), v.suggestion or "") for v in shown]
        columns = ["claim", "row", "claimant", "title", "status", "label", "evidence", "points", "reasons",
                   "suggestion"]
        write_rows(header_names(columns, headers), rows, fmt, out_path)
    if fmt == "table":
        print_lines([_summary_line(summary, headers)])
        if summary.undated_skipped and headers == "zh":
            click.echo(f"{summary.undated_skipped} 条申报没有刊发日期，不属于任何时段；"
                       "不带 --period 运行 `shanggao verify` 可核验它们", err=True)
        elif summary.undated_skipped:
            click.echo(f"{summary.undated_skipped} claims have no date and belong to no period; "
                       "run `shanggao verify` without a period to check them", err=True)


def _summary_line(summary: VerifySummary, headers: str) -> str:
    """The closing line of the table: verdicts by status, the points and the rules they were scored under."""
    if headers == "zh":
        counts = "，".join(f"{STATUS_LABELS[s]} {n}" for s, n in summary.counts.items()) or "无"
        return (f"共 {len(summary.verdicts)} 条核验结论（{counts}）；合计 {summary.total_points:g} 分，"
                f"计分规则 {summary.rules_source} [{summary.rules_digest}]")
    counts = ", ".join(f"{s} {n}" for s, n in summary.counts.items()) or "none"
    return (f"{len(summary.verdicts)} verdicts ({counts}); {summary.total_points:g} points "
            f"under rules {summary.rules_source} [{summary.rules_digest}]")


def _row(claim: ClaimRow | None) -> str:
    """The register's 序号 (its row), or "" for a claim from a single file."""
    return str(claim.source_row) if claim is not None and claim.source_row is not None else ""


def _who(claim: ClaimRow | None) -> str:
    return "、".join(claim.claimant or []) if claim is not None else ""


def _title(claim: ClaimRow | None, verdict) -> str:
    if claim is not None and claim.title:
        return claim.title
    if verdict.article is not None:
        return verdict.article.title
    return verdict.manuscript_id or ""


def _echo(lines: list[str], out_path: Path | None) -> None:
    if out_path is None or str(out_path) == "-":
        print_lines(lines)
    elif lines:
        with open(out_path, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
