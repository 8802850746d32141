from __future__ import annotations

import datetime as dt

import click

from shanggao.commands.context import AppContext, date_option, pass_app
from shanggao.commands.output import print_rows
from shanggao.matcher import match_store

SHOWN_LINKS = 50


@click.command()
@click.option("--since", callback=date_option, metavar="DATE",
              help="Re-match articles published on or after this date (2022-06-24, 2022/6/24, 2022年6月24日 …) "
                   "against all manuscripts.")
@click.option("--manuscript", "manuscript_ids", multiple=True, metavar="ID",
              help="Re-match this manuscript against the whole archive (repeatable).")
@click.option("--all", "everything", is_flag=True,
              help="Re-match every pair with today's document frequencies (after an upgrade).")
@click.option("--show-links/--no-show-links", default=True, show_default=True,
              help=f"List the links this run asserted (the first {SHOWN_LINKS}).")
@pass_app
def match(app: AppContext, since: dt.date | None, manuscript_ids: tuple[str, ...], everything: bool,
          show_links: bool) -> None:
    """Link published articles to the manuscripts whose text they carry (fills `matches`).

    Without options only what changed since the last run is matched: new or
    changed articles against all manuscripts, new or changed manuscripts against
    the whole archive.  Re-running changes nothing.  Manuscripts too short or
    too generic to verify, empty ones and duplicates are listed at the end.

    \b
    Examples:
      shanggao match
      shanggao match --since 2022-06-01
      shanggao match --since 2022年6月1日
      shanggao match --manuscript M050001
    """
    if everything and (since or manuscript_ids):
        raise click.ClickException("--all cannot be combined with --since or --manuscript")
    result = match_store(app.store, since=since,
                         manuscript_ids=list(manuscript_ids) or None, everything=everything)
    ix = result.indexed
    click.echo(f"indexed {ix.articles} article(s) and {ix.manuscripts} manuscript(s) "
               f"({ix.fingerprints} fingerprints) in {ix.seconds:.1f}s")
    click.echo(f"matched {result.scope}: {result.candidates} candidate pair(s), {result.aligned} aligned, "
               f"{len(result.links)} link(s) asserted ({result.added} new or changed, {result.removed} removed) "
               f"in {result.seconds.get('total', 0.0):.1f}s")
    if show_links and result.links:
        rows = sorted(((link.manuscript_id, link.article_id, link.score, link.kind, f"{link.manuscript_coverage:.2f}",
                        f"{link.article_coverage:.2f}") for link in result.links), key=lambda r: (r[0], -r[2]))
        print_rows(["manuscript", "article_id", "score", "kind", "ms_cov", "art_cov"], rows[:SHOWN_LINKS],
                   title="links asserted (an excerpt becomes a roundup when its article carries several)")
        if len(rows) > SHOWN_LINKS:
            click.echo(f"... and {len(rows) - SHOWN_LINKS} more: shanggao query \"SELECT * FROM matches\"")
    if result.flags:
        print_rows(["manuscript", "flag", "detail"],
                   [(f.manuscript_id, f.flag, f.detail) for f in result.flags], max_width=100,
                   title="manuscripts flagged")
