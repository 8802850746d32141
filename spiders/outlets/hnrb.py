"""湖南日报 e-paper, two hosts (Founder e-paper, table layout).

* Old host ``hnrb.voc.com.cn/hnrb_epaper`` (docs/outlets.md §4, a 2022 crawl dump):
  ``html/{YYYY-MM}/{DD}/node_20{N}.htm`` pages (page 1 = node_201.htm),
  ``content_{id}.htm?div=-1`` articles, ``.font01`` title, ``#ozoom`` body.
* New host ``epaper.voc.com.cn/hnrb``: ``html/{YYYY-MM}/{DD}/node_{N}.htm`` pages,
  found through the month's ``html/{YYYY-MM}/period.xml`` issue calendar,
  same Founder idioms (PagePicMap, ``#ozoom``).

Cut-over: **2025-01-01**.  Evidence (docs/outlets.md §4): the old host is attested by
crawlers through 2022 and described as used "to ~2024/25"; it answered 404 by
2026-04-14; the new host serves 2026-01 issues.  No source dates the move
exactly, so the spider treats the date as a best guess and probes: when a
day's first page fails on the host chosen by date, it tries the other host.

Reporters are named at the head of the body (``湖南日报全媒体记者 周帙恒 刘笑雪``,
``湖南日报3月28日讯（全媒体记者 孙敏坚 黄晗）``) or in a centred paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from shanggao.spiders.base import EpaperSpider
from shanggao.spiders.outlets.base import ArticleParser, IndexParser

CUTOVER = date(2025, 1, 1)

# Founder table templates print the page label in a table cell: "第01版：头版".
_LABEL_XPATH = ("(//td|//span|//div|//p)[not(.//td) and not(.//div)]"
                "[re:test(normalize-space(.), '^第\\s*\\d+\\s*版\\s*[：:]')]")


class HnrbArticleOld(ArticleParser):
    valid_until: ClassVar[date | None] = CUTOVER
    URL = re.compile(r"hnrb\.voc\.com\.cn/hnrb_epaper/html/\d{4}-\d{2}/\d{2}/content_\d+\.htm")
    TITLE = (".font01", "#Title", "h1")
    SUBTITLE = (".font02", "#SubTitle")        # Founder's 副题 cell; [inferred] from the template family
    BYLINE = ("#ozoom p[align=center]",)        # docs/outlets.md §4: author in the centred paragraph
    DATE = (".default strong", ".default > strong")
    PAGE = (_LABEL_XPATH,)
    BODY = ("#ozoom",)
    PARAGRAPHS = "p:not([align=center])"
    DROP = ("script", "style", "img", "table")


class HnrbArticle(HnrbArticleOld):
    valid_from = CUTOVER
    valid_until = None
    URL = re.compile(r"epaper\.voc\.com\.cn/hnrb/html/\d{4}-\d{2}/\d{2}/content_\d+\.htm")


class HnrbIndexOld(IndexParser):
    valid_until: ClassVar[date | None] = CUTOVER
    FIRST_PAGE = "https://hnrb.voc.com.cn/hnrb_epaper/html/{d:%Y-%m}/{d:%d}/node_201.htm"
    ARTICLE_PARSER = HnrbArticleOld
    PAGE_LINKS: ClassVar[str | Sequence[str]] = (".default #pageLink", "a#pageLink", "a[href*='node_']")
    PAGE_URL = re.compile(r"/\d{4}-\d{2}/\d{2}/node_\d+\.htm$")
    PAGE_LABEL = (_LABEL_XPATH,)
    ARTICLE_LINKS: ClassVar[str | Sequence[str]] = (".ul02_l a", "map[name=PagePicMap] area", "a[href*='div=-1']")
    ARTICLE_URL = re.compile(r"/content_\d+\.htm(\?div=-?\d+)?$")


class HnrbIndex(HnrbIndexOld):
    valid_from = CUTOVER
    valid_until = None
    FIRST_PAGE = "https://epaper.voc.com.cn/hnrb/html/{d:%Y-%m}/{d:%d}/node_1.htm"
    PERIOD_XML = "https://epaper.voc.com.cn/hnrb/html/{d:%Y-%m}/period.xml"
    ARTICLE_PARSER = HnrbArticle
    PAGE_LINKS = ("a#pageLink", "table a[href*='node_']", "a[href*='node_']")
    ARTICLE_LINKS = ("div ul li a", "map[name=PagePicMap] area")


class HnrbSpider(EpaperSpider):
    outlet = "hnrb"
    parsers = (HnrbArticle, HnrbArticleOld)
    index_parsers = (HnrbIndex, HnrbIndexOld)

    @classmethod
    def canonical_url(cls, url: str) -> str:
        """``content_N.htm?div=-1`` -> ``content_N.htm`` (the query only picks a display mode)."""
        parts = urlsplit(url)
        path = re.sub(r"/(\./)+", "/", parts.path)
        query = "" if re.fullmatch(r"div=-?\d+", parts.query or "") else parts.query
        return urlunsplit((parts.scheme, parts.netloc.lower(), path, query, ""))
