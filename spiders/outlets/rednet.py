"""红网 (rednet.cn), incl. its 湘西 channel xx.rednet.cn — slug ``rednet``.

URL grammars (docs/outlets.md §6, code), on any ``{sub}.rednet.cn``:
- dated (seen 2018–2022): ``/content/{YYYY}/{MM}/{DD}/{id}.html``;
- newer (seen 2024–2026): ``/content/{6-digit node}/{2-digit}/{id}.html`` — no date.
Channel (list) pages are ``/channel/{id}.html``; their pagination is unknown, so
the spider follows a "下一页" anchor when the page has one.  A listing entry is
dated by its URL (dated grammar) or by a date printed in its own list item;
undated entries are fetched and the article page gives the date.

Article page: the class XPaths below come from one 2020 crawler
([single-source]) and are utility-class names likely to change, and no body
container is documented.  :class:`RednetParser` therefore reads title, byline
and date through those hooks when present and always takes the body (and any
missing field) from the generic extractor.  A page without the hooks goes to
the generic extractor alone and the run records the drift.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from parsel import Selector
from scrapy.http import Response

from shanggao.dates import date_from_match, find_date
from shanggao.spiders.outlets.base import ArticleParser, GenericParser, first_match, has_class, node_text
from shanggao.spiders.outlets.portal import PortalSpider

ARTICLE = re.compile(
    r"^https?://(?:[a-z0-9-]+\.)?rednet\.cn/content/"
    r"(?:(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})|\d{6}/\d{2})/\d+\.html$")
_TITLE_XPATH = '//main/section[@class="overf block"]/section[@class="box_left f_left"]/h1'
_META_P = '//article/section[2]/p[@class="{}"]'
_BREADCRUMB = ("//*[starts-with(normalize-space(.), '当前位置')][not(.//h1)][not(.//p[string-length(.) > 60])]",)
_LABEL = re.compile(r"^\s*(?:作者|记者|来源|编辑)\s*[:：]\s*")
_TIME_TAIL = re.compile(
    r"\s*(?:时间|发布时间)?\s*[:：]?\s*\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


def dated_url(url: str) -> date | None:
    return date_from_match(ARTICLE.match(url))


class RednetParser(ArticleParser):
    """Title/byline/date through the 2020 class hooks; body from the generic extractor."""

    # Fallbacks match class tokens exactly: the byline's m_t_5 is a prefix of the source line's m_t_50.
    MARKER = (_TITLE_XPATH, f'//main//section[{has_class("box_left")}]/h1')
    TITLE = MARKER
    BYLINE = (_META_P.format("f14 m_t_5 m_b_5 h20"), f'//article//p[{has_class("f14", "m_t_5")}]')
    SOURCE = (_META_P.format("f14 m_t_50 m_b_5 h20"), f'//article//p[{has_class("f14", "m_t_50")}]')
    URL_DATE = None  # date from the page, not the URL

    def byline(self, sel: Selector) -> str | None:
        text = _TIME_TAIL.sub("", _LABEL.sub("", node_text(first_match(sel, self.BYLINE)[:1])))
        return text.strip() or None

    def published_date(self, sel: Selector, url: str) -> date | None:
        for queries in (self.SOURCE, self.BYLINE):
            day = find_date(node_text(first_match(sel, queries)[:1]))
            if day:
                return day
        return None

    def parse(self, response: Response) -> dict[str, Any]:
        sel = Selector(text=response.text, base_url=response.url)
        title = self.title(sel)
        byline = self.byline(sel)
        day = self.published_date(sel, response.url)
        # The generic extractor reads the page with the hooks and the breadcrumb taken
        # out, so byline/source lines do not leak into the body.
        for queries in (self.BYLINE, self.SOURCE, _BREADCRUMB, self.MARKER):
            for node in first_match(sel, queries):
                node.drop()
        fields = GenericParser().parse(response.replace(body=sel.get().encode("utf-8"), encoding="utf-8"))
        paragraphs = [p for p in fields["body"].split("\n") if p and p != title]
        printed, names = self.authors(byline, paragraphs)
        fields.update(
            title=title or fields["title"],
            byline=printed or fields["byline"],
            authors=names or fields["authors"],
            published_date=day or fields["published_date"] or dated_url(response.url),
            body="\n".join(paragraphs),
        )
        return fields


class RednetSpider(PortalSpider):
    """红网: the 湘西 channel and the 湖南 news channel, newest first, with pagination."""

    outlet = "rednet"
    parsers = (RednetParser,)
    listing_urls = (
        "https://xx.rednet.cn/channel/270.html",
        "https://hn.rednet.cn/channel/7399.html",
    )
    article_url = ARTICLE
    max_listing_pages = 10

    def url_date(self, url: str) -> date | None:
        return dated_url(url)

    @classmethod
    def canonical_url(cls, url: str) -> str:
        return url.split("#")[0].split("?")[0]
