"""人民日报 e-paper (paper.people.com.cn/rmrb), two URL generations.

* From 2024-12-01 (docs/outlets.md §1, three sources agree): ``/rmrb/pc/layout/{YYYYMM}/{DD}/node_{NN}.html``
  index pages and ``/rmrb/pc/content/{YYYYMM}/{DD}/content_{id}.html`` articles.
* Before: ``/rmrb/html/{YYYY-MM}/{DD}/nbs.D110000renmrb_{NN}.htm`` index pages and
  ``…/nw.D110000renmrb_{YYYYMMDD}_{K}-{NN}.htm`` articles.

Both generations share the template class names (``.swiper-slide a`` page list,
``.news-list a`` articles, ``p.left.ban`` page name, ``.sec`` byline, ``#ozoom`` body),
so the change was mainly one of URLs.  Articles are linked from both the
list and the PagePicMap image map; 本版责编 (editor credit) entries are dropped.
"""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from shanggao.spiders.base import EpaperSpider
from shanggao.spiders.outlets.base import ArticleParser, IndexParser, has_class
from shanggao.spiders.text import clean_inline

CUTOVER = date(2024, 12, 1)
_SEC_DATE = re.compile(r"[（(]\s*\d{4}\s*年.*?[)）]\s*$")


class RmrbArticle(ArticleParser):
    """The article template (pc/content).  Title h1, 引题 h3, 副题 h2; .sec holds
    the byline text followed by ``<span class="date">(2026年07月29日 05版)</span>``."""

    valid_from: ClassVar[date | None] = CUTOVER
    URL = re.compile(r"/rmrb/pc/content/\d{6}/\d{2}/content_\d+\.html?")
    TITLE = (".article h1", "h1")
    SUBTITLE = (".article h3", ".article h2")
    BYLINE = (".article p.sec", "p.sec", ".sec")
    DATE = (".sec .date", ".sec .newstime", ".sec", ".date")
    PAGE = (".sec .date", ".sec")
    BODY = ("#ozoom", "#articleContent")
    DROP = ("script", "style", "table", "img")

    def byline(self, sel: Selector) -> str | None:
        for query in self.BYLINE:
            found = sel.css(query)[:1]
            if not found:
                continue
            texts = found.xpath(
                f"./text() | ./*[not({has_class('date')}) and not({has_class('newstime')})]//text()"
            ).getall()
            text = _SEC_DATE.sub("", clean_inline(" ".join(texts))).strip()
            return text or None
        return None


class RmrbArticleOld(RmrbArticle):
    """The pre-December-2024 article pages (html/…/nw.D110000renmrb_…): same classes."""

    valid_from = None
    valid_until = CUTOVER
    URL = re.compile(r"/rmrb/html/\d{4}-\d{2}/\d{2}/nw\.D110000renmrb_\d{8}_\d+-\d+\.htm")


class RmrbIndex(IndexParser):
    valid_from: ClassVar[date | None] = CUTOVER
    FIRST_PAGE = "https://paper.people.com.cn/rmrb/pc/layout/{d:%Y%m}/{d:%d}/node_01.html"
    ARTICLE_PARSER = RmrbArticle
    PAGE_LINKS = (".swiper-slide a", "#list li a")   # docs/outlets.md §1: which one index.html uses is unknown
    PAGE_URL = re.compile(r"/node_\d+\.html?$")
    PAGE_LABEL = ("p.left.ban", ".paper-bot .ban", ".ban")
    ARTICLE_LINKS = ("ul.news-list li a", "map[name=PagePicMap] area", "map area")
    ARTICLE_URL = re.compile(r"/content/\d{6}/\d{2}/content_\d+\.html?$")


class RmrbIndexOld(RmrbIndex):
    valid_from = None
    valid_until = CUTOVER
    FIRST_PAGE = "http://paper.people.com.cn/rmrb/html/{d:%Y-%m}/{d:%d}/nbs.D110000renmrb_01.htm"
    ARTICLE_PARSER = RmrbArticleOld
    PAGE_URL = re.compile(r"nbs\.D110000renmrb_\d+\.htm$")
    ARTICLE_URL = re.compile(r"nw\.D110000renmrb_\d{8}_\d+-\d+\.htm$")


class RmrbSpider(EpaperSpider):
    outlet = "rmrb"
    parsers = (RmrbArticle, RmrbArticleOld)
    index_parsers = (RmrbIndex, RmrbIndexOld)

    @classmethod
    def canonical_url(cls, url: str) -> str:
        """https, no fragment, no ``/./`` segments (old crawler dumps carry them)."""
        parts = urlsplit(url)
        path = re.sub(r"/(\./)+", "/", parts.path)
        return urlunsplit(("https", parts.netloc.lower(), path, parts.query, ""))
