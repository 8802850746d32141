from __future__ import annotations

import time
from pathlib import Path

import click

from shanggao.commands.output import print_rows


@click.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("shanggao-demo"),
              show_default=True, help="Folder for the demo store, the office's inbox and the reports "
                                      "(emptied and refilled on every run).")
def demo(out: Path) -> None:
    """Run the whole job offline on bundled data: crawl, import, match, verify, report.

    A loopback replay proxy (127.0.0.1) serves a bundled three-day mirror of
    人民日报, 湖南日报, 团结报 and 红网 (2026-10-13..15, the outlets' real
    markup, text written for the demo); the real spiders crawl it; ten
    manuscripts of 泸溪县 units and a claims register are imported; the
    matcher links manuscripts to articles; every claim gets a verdict; the
    2026-10 通报 is written as xlsx, docx, html and md.  No network is used.

    Each run starts from a fresh store in OUT (the folder is emptied first,
    and only a folder an earlier demo made), so re-running is clean.  The
    global --db and the config file are ignored: the demo keeps its own
    OUT/demo.duckdb and uses the bundled default rules.

    \b
    Examples:
      shanggao demo
      shanggao demo --out /tmp/shanggao-demo
    """
    from shanggao.demo import DemoError, example_queries, run_demo, unclaimed_rows, unplaced_rows, verdict_rows

    started = time.perf_counter()
    try:
        result = run_demo(out, progress=click.echo)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    paths = result.paths
    store_rows = verdict_rows(_store(paths))

    click.echo()
    print_rows(["申报编号", "申报人", "申报媒体、日期", "核验结论", "实际刊发", "积分"],
               [row[:6] for row in store_rows], max_width=None, title="核验结论（2026年10月）")
    for claim, _who, _claimed, label, _evidence, _points, status, reasons in store_rows:
        if status != "verified" or "凭扫描件核实" in reasons:   # problems, and the claim settled by a scan
            click.echo(f"  {claim} {label}：{reasons}")
    unclaimed = unclaimed_rows(_store(paths))
    if unclaimed:
        click.echo()
        print_rows(["稿件", "媒体", "日期", "见报标题", "类型", "匹配度"], unclaimed, max_width=None,
                   title="已刊发但无人申报")
    unplaced = unplaced_rows(_store(paths))
    if unplaced:
        click.echo()
        print_rows(["稿件", "单位", "作者", "标题", "报送日期"], unplaced, max_width=None,
                   title="已报送、在抓取范围内未见刊发")
    summary = result.verification
    assert summary is not None, "run_demo verifies before it returns"
    counts = "，".join(f"{label} {n}" for label, n in _labelled_counts(summary.counts))
    click.echo(f"共 {len(summary.verdicts)} 条申报：{counts}；合计 {summary.total_points:g} 分")
    click.echo()
    click.echo(f"Demo folder: {paths.out}")
    click.echo(f"  store:    {paths.db}  (evidence archive: {paths.archive})")
    click.echo(f"  inbox:    {paths.inbox}  (the manuscripts and the claims register that were imported)")
    for report in result.reports:
        click.echo(f"  report:   {report}")
    click.echo("Try:")
    for line in example_queries(paths.db):
        click.echo(f"  {line}")
    steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in result.seconds.items())
    click.echo(f"Done in {time.perf_counter() - started:.1f}s ({steps}).")


def _store(paths):
    from shanggao.db import Store

    return Store(paths.db, paths.archive)


def _labelled_counts(counts: dict[str, int]):
    from shanggao.verify import STATUS_LABELS

    return [(STATUS_LABELS.get(status, status), n) for status, n in counts.items()]
