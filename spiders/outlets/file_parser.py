"""The article parser an outlet file describes: its ``[article]`` selectors on
:class:`~shanggao.spiders.outlets.base.ArticleParser`, its date format and regex,
and dates read from URLs by the ``[listing] url_date`` named groups."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from parsel import Selector

from shanggao.dates import date_in_url, find_date
from shanggao.spiders.outlets.base import ArticleParser, first_match, node_text
from shanggao.spiders.outlets.outlet_file import OutletFile


def build_parser(config: OutletFile) -> type[ArticleParser]:
    """An ArticleParser class whose selectors are the outlet file's ``[article]`` section."""
    f = config.fields
    attrs: dict[str, Any] = {
        "TITLE": f.get("title", ()),
        "SUBTITLE": f.get("subtitle", ()),
        "BYLINE": f.get("byline", ()),
        "DATE": f.get("date", ()),
        "BODY": f.get("body", ()),
        "PARAGRAPHS": f.get("paragraphs", "p"),
        "DROP": ("script", "style") + f.get("drop", ()),
        "URL_DATE": config.url_date,
        "DATE_FORMAT": f.get("date_format"),
        "DATE_REGEX": f.get("date_regex"),
    }
    return type(f"{config.slug.title().replace('-', '').replace('_', '')}FileParser", (OutletFileParser,), attrs)


class OutletFileParser(ArticleParser):
    """Selectors from an outlet file; dates through its format/regex; URL dates by named groups."""

    DATE_FORMAT: ClassVar[str | None] = None
    DATE_REGEX: ClassVar[re.Pattern[str] | None] = None

    def published_date(self, sel: Selector, url: str) -> date | None:
        text = node_text(first_match(sel, self.DATE)[:1]) if self.DATE else ""
        return self.read_date(text) or self.date_from_url(url)

    def read_date(self, text: str) -> date | None:
        if not text:
            return None
        if self.DATE_REGEX is not None:
            m = self.DATE_REGEX.search(text)
            if not m:
                return None
            if "date" in self.DATE_REGEX.groupindex:
                text = m.group("date")
            else:
                text = m.group(1) if self.DATE_REGEX.groups else m.group(0)
        if self.DATE_FORMAT:
            try:
                return datetime.strptime(text.strip(), self.DATE_FORMAT).date()
            except ValueError:
                return None
        return find_date(text)

    def date_from_url(self, url: str) -> date | None:
        return date_in_url(self.URL_DATE, urlsplit(url).path)

    def body(self, sel: Selector) -> list[str]:
        return super().body(sel) if self.BODY else []

    def title(self, sel: Selector) -> str | None:
        return super().title(sel) if self.TITLE else None
