"""Verify-by-URL: fetch exactly the given links, any site, and store what they hold.

A registered outlet's parser reads pages of its hosts (the version picked by
the URL); any other page — a WeChat article at mp.weixin.qq.com/s/…, a county
site — goes to the generic trafilatura-based extractor.  Every response is
archived like in a crawl; a page with no article body is recorded as a
``not_article`` problem, never stored as an article.  A page with a body but
no headline is stored under the extractor's best title guess, and a
``missing_field`` row says so (``shanggao fetch`` prints it as a warning).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urlsplit

import duckdb
import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from shanggao.db.outlets import BUILTIN, Registry, load_registry
from shanggao.spiders.base import OutletSpider
from shanggao.spiders.extract import decoded
from shanggao.spiders.items import ArticleItem, ProblemItem
from shanggao.spiders.outlets import spider_for_host
from shanggao.spiders.outlets.base import GenericParser


def outlet_slug_for(url: str, registry: Registry = BUILTIN) -> str:
    """The registered outlet a link belongs to (its host, or an edition's host and path), else
    the host itself (a free slug, attributed when the office registers the outlet)."""
    info = registry.for_url(url)
    return info.slug if info else (urlsplit(url).hostname or "").lower()


def store_registry(db: str | None) -> Registry:
    """The registry of the store a fetch writes to (with the outlets the office added)."""
    from shanggao.db import Store, StoreError

    if not db:
        return BUILTIN
    try:
        with Store(db).read() as con:
            return load_registry(con)
    except (StoreError, duckdb.Error):
        return BUILTIN


def request_url_for(url: str) -> str:
    """The request that yields the article a link shows (an SPA page -> its data API)."""
    spider_cls = spider_for_host(urlsplit(url).hostname or "")
    return spider_cls.fetch_url(url) if spider_cls is not None and hasattr(spider_cls, "fetch_url") else url


@dataclass
class FetchedPage:
    """What ``shanggao fetch`` reads from one response (see :func:`read_page`)."""

    url: str                              # the canonical article URL
    outlet: str                           # registered slug, else the host
    fields: dict[str, Any] | None         # the ArticleItem fields; None when the page holds no article body
    warnings: list[str] = field(default_factory=list)


def read_page(response: Response, registry: Registry = BUILTIN) -> FetchedPage:
    """The article a fetched page holds, the way ``shanggao fetch`` stores it.

    A registered outlet's parser reads its own pages; when it finds no title or
    body (or the site has no parser) the generic extractor reads the page.  A
    page with a body is always an article: with no headline found its title is
    the extractor's best guess, and a warning says so.
    """
    response = decoded(response)
    slug = outlet_slug_for(response.url, registry)
    spider_cls = spider_for_host(urlsplit(response.url).hostname or "")
    if spider_cls is not None and issubclass(spider_cls, OutletSpider):
        parser = spider_cls.parser_for_url(response.url)
        url = spider_cls.canonical_url(response.url)
    else:
        parser = GenericParser()
        url = urldefrag(response.url)[0]
    fields = parser.parse(response)
    if not fields.get("title") or not fields.get("body"):
        if not isinstance(parser, GenericParser):  # the outlet's markup failed: try the generic reader
            fields = GenericParser().parse(response)
    warnings = list(fields.pop("warnings", None) or [])
    if not fields.get("body") or not fields.get("title"):
        return FetchedPage(url, slug, None)
    return FetchedPage(url, slug, fields, warnings)


class FetchSpider(scrapy.Spider):
    name = "fetch"
    outlet = None            # a fetch spans outlets: crawl_runs.outlet stays NULL
    expects_articles = True

    def __init__(self, urls: Sequence[str] | str = (), **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(urls, str):
            urls = [u for u in urls.split(",") if u]
        self.start_urls = [u.strip() for u in urls if u.strip()]

    async def start(self) -> AsyncIterator[Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        self.registry = store_registry(self.settings.get("SHANGGAO_DB"))
        for url in self.start_urls:
            yield Request(request_url_for(url), callback=self.parse_page, errback=self.failed, dont_filter=True,
                          meta={"page_kind": "article", "outlet": outlet_slug_for(url, self.registry),
                                "requested_url": url})

    def parse_page(self, response: Response) -> Iterator[ArticleItem | ProblemItem]:
        page = read_page(response, getattr(self, "registry", BUILTIN))
        for warning in page.warnings:
            yield ProblemItem(url=page.url, outlet=page.outlet, problem="missing_field", detail=warning)
        if page.fields is None:
            yield ProblemItem(url=response.url, outlet=page.outlet, problem="not_article",
                              detail="no article body found on the page")
            return
        fields = page.fields
        yield ArticleItem(url=page.url, outlet=page.outlet, title=fields["title"], subtitle=fields.get("subtitle"),
                          byline=fields.get("byline"), authors=fields.get("authors") or [],
                          published_date=fields.get("published_date"), page_no=fields.get("page_no"),
                          page_name=fields.get("page_name"), page_url=None, body=fields["body"],
                          response_url=response.url)

    def failed(self, failure: Failure) -> None:
        # HTTP errors, timeouts and robots refusals were recorded by ProblemMiddleware.
        request: Request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it on an errback's failure
        self.logger.info("could not fetch %s: %s", request.url, failure.value)
