from __future__ import annotations

from urllib.parse import urldefrag

import click

from shanggao.commands.context import AppContext, allow_internal_option, pass_app
from shanggao.commands.output import print_rows
from shanggao.db.articles import fetched_in_runs
from shanggao.db.crawls import run_problems
from shanggao.links import link_problem


@click.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log (INFO); without it every failure is the one "
                                                   "line under 'Not stored:'.")
@allow_internal_option
@pass_app
def fetch(app: AppContext, urls: tuple[str, ...], fmt: str, verbose: bool, allow_internal: tuple[str, ...]) -> None:
    """Fetch exactly these links, extract the article, archive and store it.

    Any site works: a registered outlet's parser reads its own pages, anything
    else (a WeChat article, a county site) goes to a generic extractor.
    Prints what was stored; pages that could not be fetched or hold no article
    are listed with the reason and make the exit status non-zero.  A page with
    a body but no headline is stored under the best title guess, with a warning.
    Honours http_proxy / https_proxy.

    \b
    Examples:
      shanggao fetch https://mp.weixin.qq.com/s/AbCdEf
      shanggao fetch https://paper.people.com.cn/rmrb/pc/content/202412/25/content_30048054.html
    """
    from shanggao.spiders.run import fetch_in_process

    for url in urls:
        problem = link_problem(url)
        if problem:
            raise click.ClickException(f"{url[:100]!r}{'…' if len(url) > 100 else ''}: {problem}")
    results = fetch_in_process(app.store, list(urls), settings_overrides={} if verbose else {"LOG_LEVEL": "CRITICAL"},
                               options=app.config.crawl_options(allow_internal))
    run_ids = [r.run_id for r in results]
    requested = [urldefrag(u)[0] for u in urls]
    with app.store.read() as con:
        stored = fetched_in_runs(con, run_ids, requested)
        problems = run_problems(con, run_ids)
    # A stored page's missing_field rows are warnings about it (a guessed title), not failures.
    stored_urls = {row[0] for row in stored}
    warnings = [p for p in problems if p[1] == "missing_field" and p[0] in stored_urls]
    problems = [p for p in problems if p not in warnings]
    if stored:
        print_rows(["url", "outlet", "published_date", "title", "authors", "version", "chars"], stored, fmt)
    for url, _, detail in warnings:
        click.echo(f"warning: {url}: {detail}", err=True)
    if problems:
        click.echo("Not stored:", err=True)
        for url, problem, detail in problems:
            click.echo(f"  {url}: {problem} ({detail})", err=True)
    if not stored or problems:
        raise SystemExit(1)
