"""共产党员网 (www.12371.cn) — slug and spider name ``12371`` (a module name cannot start with a digit).

URL grammar (docs/outlets.md §9, code): ``https://{www|news}.12371.cn/{YYYY}/{MM}/{DD}/{ARTI|VIDE}{13-digit
epoch ms}{a few digits}.shtml``; ARTI are articles, VIDE video pages.  (Six trailing digits are sometimes described,
but both real examples, ``ARTI1644275366322927`` and ``VIDE1624068600421689``, have three: 0–6
are accepted.)  The date path is
authoritative; the page's ``i.time`` is checked against it and a disagreement is
logged (and counted in the ``shanggao/date_mismatch`` stat), the URL date kept.

Listings: column pages such as ``/zxfb/`` (最新发布) hold no article anchors; their
entries are an inline script ``item=[{'title':…,'brief':'YYYY-MM-DD HH:mm:ss',
'link_add':…}];`` quoted with ``'`` (RSSHub's 12371 route).  Pagination of these
columns is not documented; a "下一页" anchor is followed when a page has one.

Article page: title ``h1.big_title``, date and source in ``i.time``, body
``.word`` (RSSHub) or ``div.con`` (2021 template) — two parsers, picked by which
container the page has.  Luxi items come as 基层/地方 contributions on national
columns, so the spider is keyword-filtered on the listed titles.
"""

from __future__ import annotations

import re
from datetime import date

from parsel import Selector
from scrapy.http import Response

from shanggao.dates import date_from_match, find_date
from shanggao.spiders.outlets.base import ArticleParser
from shanggao.spiders.outlets.portal import ListingEntry, PortalSpider, js_array
from shanggao.spiders.text import clean_inline

ARTICLE = re.compile(
    r"^https?://(?:www|news)\.12371\.cn/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/"
    r"(?P<kind>ARTI|VIDE)\d{13}\d{0,6}\.shtml$")
DATE_MISMATCH_STAT = "shanggao/date_mismatch"


def url_date_12371(url: str) -> date | None:
    return date_from_match(ARTICLE.match(url))


class Cpc12371Parser(ArticleParser):
    """Shared hooks: ``h1.big_title``, ``i.time`` (来源 and timestamp), URL date."""

    TITLE = ("h1.big_title", "h1")
    DATE = "i.time"
    DROP = ("script", "style", ".share", ".fx_box")

    def date_from_url(self, url: str) -> date | None:
        return url_date_12371(url)

    def source(self, sel: Selector) -> str | None:
        m = re.search(r"来源[:：]\s*(\S+)", clean_inline(" ".join(sel.css("i.time ::text").getall())))
        return m.group(1) if m else None


class WordParser(Cpc12371Parser):
    """Body in ``.word`` (the template RSSHub reads)."""

    BODY = ".word"


class ConParser(Cpc12371Parser):
    """Body in ``div.con`` (the 2021 template)."""

    BODY = "div.con"


class Cpc12371Spider(PortalSpider):
    """共产党员网: JS-embedded column lists, keyword-filtered."""

    outlet = "12371"
    parsers = (WordParser, ConParser)
    listing_urls = ("https://www.12371.cn/zxfb/",)
    article_url = ARTICLE
    keyword_filtered = True
    max_listing_pages = 5

    def url_date(self, url: str) -> date | None:
        return url_date_12371(url)

    @classmethod
    def canonical_url(cls, url: str) -> str:
        return url.split("#")[0].split("?")[0].replace("http://", "https://", 1)

    def listing_entries(self, response: Response) -> list[ListingEntry]:
        """The ``item=[…]`` list of every inline script (plain anchors when there is none)."""
        found: dict[str, ListingEntry] = {}
        for script in response.xpath("//script[not(@src)]/text()").getall():
            for row in js_array(script, "item"):
                link = str(row.get("link_add") or row.get("link") or "").strip()
                if not link:
                    continue
                url = self.canonical_url(response.urljoin(link))
                if not self.is_article_url(url):
                    continue
                day = url_date_12371(url) or find_date(str(row.get("brief") or ""))
                found.setdefault(url, ListingEntry(url, clean_inline(str(row.get("title") or "")), day))
        if not found:  # no script list: maybe a plain-anchor column page
            return super().listing_entries(response)
        return list(found.values())

    def checked_date(self, response: Response, parsed: date | None) -> date | None:
        from_url = url_date_12371(response.url)
        if from_url and parsed and parsed != from_url:
            self.crawler.stats.inc_value(DATE_MISMATCH_STAT)
            self.logger.warning("12371: i.time says %s but the URL says %s: %s", parsed, from_url, response.url)
        return from_url or parsed
