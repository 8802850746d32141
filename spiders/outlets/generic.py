"""The generic spider: a similar outlet described by a TOML outlet file, no Python needed.

    scrapy crawl generic -a outlet_file=xxnet -a start=2026-07-20 -a end=2026-07-22
    shanggao crawl --outlet-file xxnet --from 2026-07-20 --to 2026-07-22
    shanggao crawl --outlet-file ./my_outlet.toml --from 2026-07-20

A bare name (``xxnet``) is a file shipped in ``spiders/outlet_files/``; anything
else is a path.

It walks the file's listing pages like every portal spider (pagination until the
listing goes past the window, see :mod:`spiders.outlets.portal`) and parses
articles with the file's selectors; a field the file leaves out (or whose
selector finds nothing) comes from the generic extractor.

The outlet file's format is described in :mod:`spiders.outlets.outlet_file` (reading
and checking it; see ``spiders/outlet_files/*.toml`` for two examples), its article
parser is built by :mod:`spiders.outlets.file_parser`.

A crawl with an outlet file whose slug is not in ``shanggao.db.outlets`` adds (or
refreshes) that outlet's ``outlets`` row from ``[outlet]``, so reports know its
name and tier; rows of registered outlets are never touched
(:func:`register_outlet`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import duckdb
from parsel import Selector
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from shanggao.db.outlets import OutletInfo, upsert_outlet
from shanggao.spiders.outlets.base import GenericParser, select
from shanggao.spiders.outlets.file_parser import build_parser
from shanggao.spiders.outlets.outlet_file import OutletFile, OutletFileError, load_outlet_file
from shanggao.spiders.outlets.portal import FALLBACK_STAT, PortalSpider


def register_outlet(con: duckdb.DuckDBPyConnection, config: OutletFile) -> bool:
    """Upsert the ``outlets`` row an outlet file describes; False (nothing written) when
    its slug is a built-in outlet, whose row belongs to the registry (shanggao init)."""
    return upsert_outlet(con, OutletInfo(config.slug, config.name, config.tier, config.kind, config.home_url,
                                         None, config.hosts, crawl="generic"))


class GenericSpider(PortalSpider):
    """Any outlet described by an outlet file (``-a outlet_file=PATH``)."""

    name = "generic"
    expects_articles = True

    def __init__(self, *args: Any, outlet_file: str | None = None, base_url: str | None = None,
                 **kwargs: Any):
        if not outlet_file:
            raise OutletFileError("the generic spider needs -a outlet_file=PATH (a TOML outlet file, "
                                  "or a shipped one's name such as xxnet)")
        self.config = load_outlet_file(outlet_file, base_url)
        super().__init__(*args, **kwargs)
        self.outlet = self.config.slug
        self.allowed_domains = list(self.config.hosts)
        self.parsers = (build_parser(self.config),)
        if not self.start_listings or self.start_listings == list(self.listing_urls):
            self.start_listings = list(self.config.start_urls)
        if kwargs.get("max_pages") in (None, ""):
            self.max_pages = self.config.max_pages
        self.listing_links = self.config.links

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> GenericSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.register_outlet, signal=signals.spider_opened)
        return spider

    def register_outlet(self, spider: Spider) -> None:
        """Give an unregistered outlet its ``outlets`` row before any article names it."""
        with self.store.write() as con:
            if register_outlet(con, self.config):
                self.logger.info("outlets: %s (%s) recorded from %s", self.config.slug, self.config.name,
                                 self.config.path.name)

    # -- URL grammar from the file -----------------------------------------------------

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if (parts.hostname or "") not in self.config.hosts:
            return False
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return any(p.search(target) for p in self.config.article_patterns)

    def url_date(self, url: str) -> date | None:
        return self.parsers[0]().date_from_url(url)

    def next_listing_url(self, response: Response, depth: int) -> str | None:
        if not self.config.next_page:
            return super().next_listing_url(response, depth)
        for node in select(Selector(text=response.text, base_url=response.url), self.config.next_page):
            # An element selector gives the anchor; an ::attr(href) selector gives the value itself.
            href = (node.root if isinstance(node.root, str) else node.xpath("@href").get() or "").strip()
            if href and not href.startswith(("javascript:", "#")):
                return urljoin(response.url, href)
        return None

    # -- pages ---------------------------------------------------------------------------

    def _decoded(self, response: Response) -> Response:
        if self.config.charset and getattr(response, "encoding", None) != self.config.charset:
            return response.replace(encoding=self.config.charset)
        return response

    def parse_listing(self, response: Response, depth: int) -> Iterator[Any]:
        yield from super().parse_listing(self._decoded(response), depth)

    def parse_article(self, response: Response, day: date | None = None, page_no: int | None = None,
                      page_name: str | None = None, page_url: str | None = None) -> Iterator[Any]:
        response = self._decoded(response)
        fields = self.parsers[0]().parse(response)
        if not fields.get("title") or not fields.get("body") or not fields.get("published_date"):
            fallback = GenericParser().parse(response)
            if not fields.get("title") or not fields.get("body"):
                self.crawler.stats.inc_value(FALLBACK_STAT)
            for key, value in fallback.items():
                if not fields.get(key) and value:
                    fields[key] = value
        yield self.article_item(response, fields, published_date=day, page_url=page_url)
