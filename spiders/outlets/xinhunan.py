"""新湖南 (www.hunantoday.cn) and 华声在线 (*.voc.com.cn) — slug ``xinhunan``.

URL grammars (docs/outlets.md §5, code):
- ``https://www.hunantoday.cn/news/xhn/{YYYYMM}/{id}.html`` — the canonical form;
- ``https://m.voc.com.cn/xhn/news/{YYYYMM}/{id}.html`` — the mobile mirror with the
  same ids, stored (and fetched) under the canonical hunantoday URL;
- ``https://{sub}.voc.com.cn/article/{YYYYMM}/{id}.html`` — 华声在线's shared CMS.
The URLs give only the month; the day comes from the listing entry or the page.

Markup: 华声在线 pages carry ``span#pubtime_baidu`` / ``#source_baidu`` /
``#author_baidu`` hooks, title ``div.main_l > h1`` and body ``div#content``
([single-source]).  Whether xhn pages on hunantoday.cn use the same hooks is
unknown: :class:`HuashengParser` takes any page that has the
``#pubtime_baidu`` hook, every other page goes to the generic extractor and
the run records the drift.  Listing pages are unknown too: the default start is
the home page, whose article links are recognised by URL grammar alone (pass
``listings=`` for column pages once they are confirmed).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from parsel import Selector
from scrapy.http import Response

from shanggao.spiders.outlets.base import ArticleParser, node_text
from shanggao.spiders.outlets.portal import ListingEntry, PortalSpider
from shanggao.spiders.text import clean_inline

XHN_ARTICLE = re.compile(r"^https?://www\.hunantoday\.cn/news/xhn/(?P<ym>\d{6})/(?P<id>\d+)\.html$")
XHN_MOBILE = re.compile(r"^https?://m\.voc\.com\.cn/xhn/news/(?P<ym>\d{6})/(?P<id>\d+)\.html$")
HUASHENG_ARTICLE = re.compile(r"^https?://[a-z0-9-]+\.voc\.com\.cn/article/(?P<ym>\d{6})/(?P<id>\d+)\.html$")
_LABEL = re.compile(r"^\s*(?:作者|来源|编辑|责编)\s*[:：]\s*")


def canonical_xhn_url(url: str) -> str:
    """The mobile mirror and query-string variants fold onto the hunantoday URL."""
    bare = url.split("#")[0].split("?")[0]
    m = XHN_MOBILE.match(bare)
    if m:
        return f"https://www.hunantoday.cn/news/xhn/{m['ym']}/{m['id']}.html"
    m = XHN_ARTICLE.match(bare)
    if m:
        return f"https://www.hunantoday.cn/news/xhn/{m['ym']}/{m['id']}.html"
    return bare


def url_month(url: str) -> tuple[int, int] | None:
    for grammar in (XHN_ARTICLE, XHN_MOBILE, HUASHENG_ARTICLE):
        m = grammar.match(url)
        if m and 1 <= int(m["ym"][4:]) <= 12:
            return int(m["ym"][:4]), int(m["ym"][4:])
    return None


class HuashengParser(ArticleParser):
    """The 华声在线 CMS template, recognised by its ``#pubtime_baidu`` hook."""

    MARKER = "span#pubtime_baidu"
    TITLE = ("div.main_l > h1", "h1")
    DATE = "span#pubtime_baidu"
    BYLINE = "span#author_baidu"
    SOURCE = "span#source_baidu"
    BODY = "div#content"
    DROP = ("script", "style", ".share", ".editor")
    URL_DATE = None  # the URL holds only {YYYYMM}

    def byline(self, sel: Selector) -> str | None:
        """``作者: 张三 李四`` -> ``张三 李四`` (the label is the template's, not the byline)."""
        text = _LABEL.sub("", node_text(sel.css(self.BYLINE)[:1]))
        return clean_inline(text) or None

    def source(self, sel: Selector) -> str | None:
        return clean_inline(_LABEL.sub("", node_text(sel.css(self.SOURCE)[:1]))) or None


class XinhunanSpider(PortalSpider):
    """新湖南 / 华声在线 articles linked from the configured listing pages."""

    outlet = "xinhunan"
    allowed_domains = ["hunantoday.cn", "voc.com.cn"]
    parsers = (HuashengParser,)
    listing_urls = ("https://www.hunantoday.cn/",)
    article_url = (XHN_ARTICLE, XHN_MOBILE, HUASHENG_ARTICLE)
    max_listing_pages = 5

    @classmethod
    def canonical_url(cls, url: str) -> str:
        return canonical_xhn_url(url)

    def url_date(self, url: str) -> date | None:
        return None  # month only: see listing_entries

    def listing_entries(self, response: Response) -> list[ListingEntry]:
        """Entries with no printed date but a URL month before the window count as old."""
        entries = []
        first = self.window[0]
        for entry in super().listing_entries(response):
            month = url_month(entry.url)
            if entry.day is None and month and month < (first.year, first.month):
                last_day = calendar.monthrange(*month)[1]
                entry = ListingEntry(entry.url, entry.title, date(month[0], month[1], last_day))
            entries.append(entry)
        return entries
