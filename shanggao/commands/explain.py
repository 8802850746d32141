from __future__ import annotations

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.commands.output import print_rows
from shanggao.matcher import explain as explain_pair


@click.command()
@click.argument("manuscript_id")
@click.argument("url")
@click.option("--width", type=int, default=70, show_default=True, help="Characters of each passage shown.")
@pass_app
def explain(app: AppContext, manuscript_id: str, url: str, width: int) -> None:
    """Show why a manuscript and an article (by URL) match or not: passages and score breakdown.

    The pair is recomputed with today's document frequencies; the stored
    `matches` row, if any, is shown beside it.  Quoted and borrowed text of the
    manuscript that the article carries (a quotation introduced by 强调/指出…, text
    attributed to 新华社 or a 《document》, a passage of an earlier archive article or
    of another manuscript) is listed with the reason and carries no weight.

    \b
    Example:
      shanggao explain M050001 https://www.hunantoday.cn/a/20220504/000005.html
    """
    e = explain_pair(app.store, manuscript_id, url)
    f = e.features
    click.echo(f"manuscript {e.manuscript_id}: {e.manuscript_title}")
    click.echo(f"article    {e.article_id}: {e.article_title}  <{e.url}>")
    verdict = f"PLACEMENT ({e.kind})" if e.asserted else "not a placement"
    click.echo(f"verdict    {verdict}, score {e.score:.1f} (50 = threshold)")
    click.echo(
        f"evidence   {f.evidence:.0f} distinctive characters (best passage {f.best_passage:.0f}; "
        f"all matched {f.matched_distinct:.0f} x article share {f.article_coverage:.2f}); required {e.required:.0f}")
    click.echo(
        f"coverage   manuscript {f.manuscript_coverage:.1%} of {f.manuscript_distinct:.0f} distinctive chars, "
        f"article {f.article_coverage:.1%} of {f.article_distinct:.0f}; "
        f"sentences found {f.sentences_found}/{f.sentences_total}")
    if e.stored:
        s = e.stored
        click.echo(f"stored     score {s['score']}, kind {s['kind']}, by {s['matcher_version']} at {s['matched_at']}")
    else:
        click.echo("stored     no row in matches")
    if e.quotation_only:
        click.echo("quotation  the common text is only the manuscript's discounted spans (仅引文相同)")
    if e.discounted:
        rows: list[tuple[object, ...]] = [(f"{d['manuscript'][0]}-{d['manuscript'][1]}", d["reason"],
                                           d["manuscript_text"]) for d in e.discounted]
        print_rows(["manuscript span", "why", "manuscript text"], rows, max_width=width,
                   title="discounted spans: quotations and borrowed text carry no weight")
    if e.passages:
        rows = [(f"{p['manuscript'][0]}-{p['manuscript'][1]}", f"{p['article'][0]}-{p['article'][1]}",
                 p["matched_chars"], p["distinctive"], p["manuscript_text"], p["article_text"])
                for p in e.passages]
        print_rows(["manuscript span", "article span", "matched", "distinctive", "manuscript text", "article text"],
                   rows, max_width=width, title="aligned passages (distinctive 0 = stock phrasing)")
