"""红星网 (www.hxw.gov.cn, 湖南省委组织部) — slug ``hxw``.

What is known (docs/outlets.md §8) is very little: topic pages
``/topic/{id}/index.html`` exist, assets live on ``img.hxw.gov.cn/{YYYY}/{MM-DD}/{uuid}``
exactly like rednet's ``img.rednet.cn``, and ``api.hxw.gov.cn`` is a login-gated
app API that must not be used.  The article URL scheme, list pages and article
markup are **unknown**; nobody has looked at the live site for this project.

What this spider does with that evidence, and no more:
- starts from the home page (or ``listings=`` URLs once the office confirms column pages);
- treats as articles the links that fit the rednet CMS grammar the shared asset
  scheme hints at (``/content/{YYYY}/{MM}/{DD}/{id}.html`` or
  ``/content/{node}/{nn}/{id}.html``) — an inference to check on a live visit;
- follows ``/channel/{id}.html`` and ``/topic/{id}/index.html`` pages linked from
  the start page one level deep (and their "下一页" anchors);
- parses every article with the generic extractor, and records one
  ``missing_field`` drift problem per run saying the layout is unknown, so the
  crawl report keeps asking for a parser until one is written.
A start page with no such links is recorded as ``no_links``: then the inferred
grammar is wrong and the office should fall back to searching by title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import Response

from shanggao.dates import date_from_match
from shanggao.spiders.outlets.base import ArticleParser, GenericParser
from shanggao.spiders.outlets.portal import PortalSpider

ARTICLE = re.compile(
    r"^https?://(?:www\.)?hxw\.gov\.cn/content/"
    r"(?:(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})|\d{6}/\d{2})/\d+\.html$")
SECTION_PAGE = re.compile(r"^https?://(?:www\.)?hxw\.gov\.cn/(?:channel/\d+\.html|topic/\d+/index\.html)$")
MAX_SECTIONS = 30


class HxwSpider(PortalSpider):
    """红星网 by inference from the rednet CMS; every page goes to the generic extractor."""

    outlet = "hxw"
    parsers = (GenericParser,)
    layout_known = False
    listing_urls = ("https://www.hxw.gov.cn/",)
    article_url = ARTICLE
    max_listing_pages = 5

    def url_date(self, url: str) -> date | None:
        return date_from_match(ARTICLE.match(url))

    @classmethod
    def canonical_url(cls, url: str) -> str:
        return url.split("#")[0].split("?")[0]

    def choose_parser(self, sel: Selector, day: date | None) -> ArticleParser | None:
        return None  # no known template: always the generic extractor (and the drift note)

    def parse_listing(self, response: Response, depth: int) -> Iterator[Any]:
        if depth == 1 and response.url in self.start_listings:
            sections = []
            for href in response.css("a::attr(href)").getall():
                url = urljoin(response.url, href.strip())
                if SECTION_PAGE.match(url) and url not in sections and url != response.url:
                    sections.append(url)
            for url in sections[:MAX_SECTIONS]:
                yield self.listing_request(url, 2)
            if sections and not any(self.is_article_url(urljoin(response.url, h))
                                    for h in response.css("a::attr(href)").getall()):
                return  # a home page of section links only: the sections list the articles
        yield from super().parse_listing(response, depth)
