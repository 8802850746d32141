"""中国新闻网 (www.chinanews.com.cn) and its 湖南 channel (www.hn.chinanews.com.cn) — slug ``chinanews``.

URL grammars (docs/outlets.md §3, code):
- main site ``/{channel}/{YYYY}/{MM-DD}/{id}.shtml`` (also on the older host www.chinanews.com);
- 湖南 channel, current ``/news/{column}/{YYYY}/{MMDD}/{id}.html``;
- 湖南 channel, older ``/news/{MMDD}/{YYYY}/{id}.html`` (host www.hn.chinanews.com).
Every grammar carries the date, so listing entries are dated from their URL.

Listings: the rolling list ``/scroll-news/news1.html`` (links under ``.dd_bt a``,
continued on ``news2.html`` …) and the 湖南 channel's front page, whose list
markup is unknown: its article links are recognised by URL grammar alone.

Article templates (RSSHub's chinanews route, [code]); chosen by which body
container the page has, since the site serves all three at once:
- :class:`LeftZwParser` body ``div.left_zw`` (``.adInContent`` removed), meta
  line ``div.left-t`` = ``2026年07月22日 09:15　来源：…`` (full-width space);
- :class:`ContentDescParser` body ``div.content_desc``, meta in ``.left p``;
- :class:`T3Parser` the old template, body ``div.t3``, meta in
  ``div[style="text-align:right;font-size:12px;"]`` as ``YYYY-MM-DD HH:mm``.
Old pages were GB2312; the charset is detected from headers, the meta tag and
the bytes by the response guard, never assumed.

There is no county channel, so the spider is keyword-filtered (泸溪/湘西 by
default; see :mod:`spiders.outlets.portal`).  Reporter names sit in the body:
``中新网长沙7月22日电 (记者 X)``; ``【编辑:X】`` names the editor, not an author.
"""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import Response

from shanggao.dates import date_from_match, find_date
from shanggao.spiders.outlets.base import ArticleParser, node_text, select
from shanggao.spiders.outlets.portal import PortalSpider
from shanggao.spiders.text import clean_inline

MAIN_ARTICLE = re.compile(
    r"^https?://www\.chinanews\.com(?:\.cn)?/[a-z]+/(?P<year>\d{4})/(?P<month>\d{2})-(?P<day>\d{2})/\d+\.shtml$")
HN_ARTICLE = re.compile(
    r"^https?://www\.hn\.chinanews\.com(?:\.cn)?/news/[a-z]+/(?P<year>\d{4})/(?P<month>\d{2})(?P<day>\d{2})/\d+\.html$")
HN_OLD_ARTICLE = re.compile(
    r"^https?://www\.hn\.chinanews\.com(?:\.cn)?/news/(?P<month>\d{2})(?P<day>\d{2})/(?P<year>\d{4})/\d+\.html$")
ARTICLE_GRAMMARS = (MAIN_ARTICLE, HN_ARTICLE, HN_OLD_ARTICLE)
SCROLL_PAGE = re.compile(r"/scroll-news/news(\d+)\.html$")
_TITLE_SUFFIX = re.compile(r"\s*[-_|－—]+\s*(?:中新网|中国新闻网|中新网湖南).*$")


def chinanews_url_date(url: str) -> date | None:
    for grammar in ARTICLE_GRAMMARS:
        m = grammar.match(url)
        if m:
            return date_from_match(m)
    return None


class ChinanewsParser(ArticleParser):
    """What the three templates share: the title hooks, URL dates, ``<title>`` fallback."""

    TITLE = (".content_left_title", "div.content h1", "#cont_1_1_2 h1", "h1")
    META: ClassVar[str] = ""

    def title(self, sel: Selector) -> str | None:
        found = super().title(sel)
        if found:
            return found
        page_title = node_text(sel.css("title")[:1])
        return _TITLE_SUFFIX.sub("", page_title) or None

    def meta_line(self, sel: Selector) -> str:
        return node_text(select(sel, self.META)[:1]) if self.META else ""

    def published_date(self, sel: Selector, url: str) -> date | None:
        return find_date(self.meta_line(sel)) or self.date_from_url(url)

    def date_from_url(self, url: str) -> date | None:
        return chinanews_url_date(url)

    def source(self, sel: Selector) -> str | None:
        """The 来源 named in the meta line (kept for evidence; not an ArticleItem field)."""
        m = re.search(r"来源[:：]\s*(\S+)", self.meta_line(sel))
        return m.group(1) if m else None


class LeftZwParser(ChinanewsParser):
    """The current template: ``div.left_zw`` body, ``div.left-t`` meta line."""

    BODY = "div.left_zw"
    DROP = ("script", "style", ".adInContent", ".adEditor", "table.adInContent")
    META = "div.left-t"

    def meta_line(self, sel: Selector) -> str:
        # Only the line's own text nodes: "2026年07月22日 09:15　来源：" (links follow).
        nodes = sel.css("div.left-t")[:1].xpath("./text()").getall()
        return clean_inline(" ".join(nodes)) or super().meta_line(sel)

    def source(self, sel: Selector) -> str | None:
        """``来源：`` is followed by the ``a.source`` link in this template."""
        return node_text(sel.css("div.left-t a.source")[:1]) or super().source(sel)


class ContentDescParser(ChinanewsParser):
    """Feature/desk pages: ``div.content_desc`` body, ``.left p`` = ``发布时间：… 来源：…``."""

    BODY = "div.content_desc"
    DROP = ("script", "style", ".adInContent")
    META = ".left p"


class T3Parser(ChinanewsParser):
    """The old (GB2312-era) template: ``div.t3`` body, right-aligned 12px meta line."""

    BODY = "div.t3"
    DROP = ("script", "style", ".adInContent")
    META = "div[style='text-align:right;font-size:12px;']"


class ChinanewsSpider(PortalSpider):
    """中国新闻网: the rolling list and the 湖南 channel, filtered for 泸溪/湘西."""

    outlet = "chinanews"
    parsers = (LeftZwParser, ContentDescParser, T3Parser)
    listing_urls = (
        "https://www.chinanews.com.cn/scroll-news/news1.html",
        "https://www.hn.chinanews.com.cn/",
    )
    listing_links = ".dd_bt a"  # the rolling list; the 湖南 front page falls back to every anchor
    article_url = ARTICLE_GRAMMARS
    keyword_filtered = True
    max_listing_pages = 10  # the rolling list keeps about ten pages

    def url_date(self, url: str) -> date | None:
        return chinanews_url_date(url)

    @classmethod
    def canonical_url(cls, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"  # tracking queries dropped

    def next_listing_url(self, response: Response, depth: int) -> str | None:
        """Rolling list: the link to ``news{N+1}.html``; elsewhere a "下一页" anchor."""
        m = SCROLL_PAGE.search(urlsplit(response.url).path)
        if m is None:
            return super().next_listing_url(response, depth)
        wanted = f"news{int(m.group(1)) + 1}.html"
        for href in response.css("a::attr(href)").getall():
            if urlsplit(href.strip()).path.endswith("/" + wanted) or href.strip() == wanted:
                return response.urljoin(href.strip())
        return None
