from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from shanggao.commands.context import AppContext, allow_internal_option, date_option, pass_app


@click.command()
@click.argument("outlets", nargs=-1)
@click.option("--from", "start", callback=date_option, metavar="DATE",
              help="First issue date (2022-06-24, 2022/6/24, 2022年6月24日 …).")
@click.option("--to", "end", callback=date_option, metavar="DATE",
              help="Last issue date (default: today when --from is given).")
@click.option("--date", "day", callback=date_option, metavar="DATE", help="One issue date (same as --from D --to D).")
@click.option("--refresh", is_flag=True,
              help="Re-fetch article pages already stored (changed text becomes a new version).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log (INFO) instead of warnings only.")
@click.option("--outlet-file", "outlet_files", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also crawl the outlet a TOML outlet file describes (generic spider): a path, or the "
                   "bare name of a shipped file (xxnet); repeatable. "
                   "With only outlet files and no OUTLET, just those are crawled.")
@allow_internal_option
@pass_app
def crawl(app: AppContext, outlets: tuple[str, ...], start: date | None, end: date | None, day: date | None,
          refresh: bool, verbose: bool, outlet_files: tuple[Path, ...], allow_internal: tuple[str, ...]) -> None:
    """Crawl outlets for a date window into the store, archiving every page.

    OUTLET is a slug, a spider name (`scrapy list`) or an outlet's Chinese
    name or alias (人民日报, 湘西头条); default: the config's `outlets`, else
    every outlet with a spider.  A fetch-only or print-only outlet (`shanggao
    outlets` says which) is named with what settles its claims instead.
    Without dates: yesterday and today.  Article pages already stored are not
    fetched again (e-paper index pages are); --refresh
    forces.  Honours http_proxy / https_proxy.  Prints one line per outlet and
    exits non-zero naming any outlet whose run drifted (layout or URL scheme
    changed: nothing collected) or failed.  On a terminal a live line per
    outlet (days, pages, articles) shows progress on stderr; piped or under
    cron nothing but the summary is printed.

    \b
    Examples:
      shanggao crawl rmrb --date 2024-12-25
      shanggao crawl 人民日报 团结报 --from 2022-06-01 --to 2022-06-30
      shanggao crawl rmrb hnrb --from 2022-06-01 --to 2022-06-30
      shanggao crawl --refresh
      shanggao crawl --outlet-file xxnet --from 2026-07-20
      shanggao crawl --outlet-file ./my_outlet.toml --from 2026-07-20
    """
    from shanggao.db.outlets import BUILTIN, load_registry
    from shanggao.spiders.outlets.outlet_file import OutletFileError, load_outlet_file
    from shanggao.spiders.plan import PlanError, plan_crawl
    from shanggao.spiders.progress import stop_shared_display
    from shanggao.spiders.recorder import UNREACHABLE
    from shanggao.spiders.run import CrawlError, available_outlets, crawl_in_process, default_outlets

    if day is not None:
        if start or end:
            raise click.UsageError("use either --date or --from/--to")
        start = end = day
    if start and end and end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}")
    for path in outlet_files:
        try:
            load_outlet_file(path)
        except OutletFileError as exc:
            raise click.ClickException(str(exc)) from exc
    if app.store.path.exists():
        app.sync_registry()
        with app.store.read() as con:
            registry = load_registry(con)
    else:
        registry = BUILTIN.with_outlets(app.config.registry)
    try:
        plan = plan_crawl(registry, outlets, available_outlets())
    except PlanError as exc:
        raise click.ClickException(str(exc)) from exc
    for skipped in plan.not_crawled:
        click.echo(f"{skipped.line()} — not crawled", err=True)
    if outlets and plan.empty and not outlet_files:
        sys.exit(1)
    chosen = plan.spiders if outlets else ([] if outlet_files else default_outlets(app.config.outlets))
    outlet_files = (*outlet_files, *(Path(p) for p in plan.outlet_files))
    overrides: dict[str, object] = {} if verbose else {"LOG_LEVEL": "WARNING"}
    # Live progress only on a terminal, and not under Scrapy's log lines (they would tear it).
    overrides["SHANGGAO_PROGRESS"] = sys.stderr.isatty() and not verbose
    try:
        results = crawl_in_process(app.store, chosen, start, end, refresh=refresh, settings_overrides=overrides,
                                   options=app.config.crawl_options(allow_internal),
                                   outlet_files=[str(p) for p in outlet_files])
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        stop_shared_display()
    for result in results:
        click.echo(result.line())
    if not outlets and not outlet_files:
        rest = [o.slug for o in registry.ordered() if o.crawl != "spider"]
        if rest:
            click.echo(f"not crawled (no spider; `shanggao outlets` says how each is collected): {', '.join(rest)}")
    bad = [r for r in results if r.status != "ok"]
    missing = sorted(set(chosen) - {r.outlet for r in results})
    if bad or missing or plan.not_crawled:
        for result in bad:
            if result.message.startswith(UNREACHABLE):  # the network, not the site: one line says so
                click.echo(f"{result.outlet}: {result.message.split('; ')[0]}", err=True)
            else:
                click.echo(f"{result.outlet}: {result.status}: {result.message}", err=True)
        names = ([f"{r.outlet} ({r.status})" for r in bad] + [f"{m} (did not run)" for m in missing]
                 + [f"{n.info.slug} (not crawlable)" for n in plan.not_crawled])
        click.echo(f"Error: crawl problems in {', '.join(names)}", err=True)
        sys.exit(1)
