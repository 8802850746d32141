from __future__ import annotations

from pathlib import Path

import click

from shanggao.commands._import_support import finish_import
from shanggao.commands.context import AppContext, pass_app
from shanggao.importers.articles import import_articles


@click.group()
def articles() -> None:
    """Published articles (normally filled by crawling; importable from files)."""


@articles.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_(app: AppContext, files: tuple[Path, ...]) -> None:
    """Import articles from JSON Lines or news-please JSON files.

    One object per line with url, outlet, title, published (YYYY-MM-DD) and
    body; optional subtitle, byline, authors, page_no, page_name.  A .json
    file in news-please's format (maintext, date_publish, …) works too.
    Re-importing adds nothing; a changed text becomes a new version.

    \b
    Example:
      shanggao articles import crawled-2022-06.jsonl
    """
    finish_import(import_articles(app.store, files), "articles")
