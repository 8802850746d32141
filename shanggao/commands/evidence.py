from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shanggao.commands.context import AppContext, date_option, pass_app


@click.group()
def evidence() -> None:
    """Evidence in hand: PDFs, scans, photos and screenshots of placements no spider reaches."""


@evidence.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--outlet", required=True, help="Outlet the page is from: slug or name (湘组研究, xzyj, 湖南日报 …).")
@click.option("--date", "day", required=True, callback=date_option, metavar="DATE",
              help="Issue date printed on the page (2022-06-24, 2022年6月24日 …).")
@click.option("--page", "page_no", type=click.IntRange(min=1), help="版次 (page number in the issue).")
@click.option("--title", help="Title to store (default: outlet, date, page and file name).")
@click.option("--claim", "claim_id", help="The claim this file supports (its verdict is checked against it).")
@click.option("--kind", "source_kind", type=click.Choice(["pdf", "scan", "screenshot"]),
              help="What the file is (default: pdf for a PDF, screenshot for PNG/WebP, scan for other images).")
@click.option("--max-pages", type=click.IntRange(min=1),
              help="Pages one PDF may have (config evidence_max_pages, 100).")
@click.option("--max-pixels", type=click.IntRange(min=1), metavar="N",
              help="Pixels one image may have (config evidence_max_pixels, 50000000).")
@pass_app
def add(app: AppContext, files: tuple[Path, ...], outlet: str, day: dt.date, page_no: int | None,
        title: str | None, claim_id: str | None, source_kind: str | None, max_pages: int | None,
        max_pixels: int | None) -> None:
    """Store the text of a PDF, scan, phone photo or screenshot as an article.

    A PDF gives its text layer; pages without one, and images, are read by OCR
    (RapidOCR, offline; about 10 s a page).  The file is archived whole under its
    sha256 and the text becomes an article of OUTLET on DATE (source pdf / scan /
    screenshot); `shanggao match` then finds the manuscripts on the page and
    `shanggao verify` checks claims against it (凭扫描件核实).  Adding the same
    file again changes nothing.  A file that cannot be used (encrypted or broken
    PDF, too many pages or pixels, no text, wrong extension) is named in one line
    and nothing of it is stored; the other files are still added.

    \b
    Examples:
      shanggao evidence add 湘组研究2022第6期.pdf --outlet 湘组研究 --date 2022-06-15
      shanggao evidence add 团结报0624第3版.jpg --outlet 团结报 --date 2022-06-24 --page 3 --claim C-0612
    """
    from shanggao.evidence import EvidenceError, Limits
    from shanggao.evidence.add import add_evidence, resolve_outlet_slug

    limits = Limits(max_pages=max_pages or app.config.evidence_max_pages,
                    max_pixels=max_pixels or app.config.evidence_max_pixels)
    try:
        slug = resolve_outlet_slug(app.store, outlet)
    except EvidenceError as exc:
        raise click.ClickException(str(exc)) from None
    failed = 0
    for path in files:
        try:
            added = add_evidence(app.store, path, outlet=slug, published=day, page_no=page_no, title=title,
                                 claim_id=claim_id, source_kind=source_kind, limits=limits)
        except EvidenceError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        if added.new:
            how = f"{added.pages} page{'s' if added.pages != 1 else ''}" + (
                f", {added.ocr_pages} by OCR" if added.ocr_pages else "")
            click.echo(f"{path}: stored as article {added.article_id} ({added.source_kind}, {how}, "
                       f"{added.chars} characters) {added.url}")
        else:
            click.echo(f"{path}: already stored as article {added.article_id} {added.url}")
    if failed:
        raise SystemExit(1)
