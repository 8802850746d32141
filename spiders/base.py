"""The spider base classes every outlet spider derives from.

:class:`OutletSpider` knows its outlet (slug, allowed domains from
``shanggao.db.outlets``), the date window it was asked for, which article URLs
the store already holds (so incremental runs skip them), and how to turn a
parser's fields into an :class:`ArticleItem` or a ``missing_field`` problem.

:class:`EpaperSpider` adds the e-paper walk: date -> 版面 pages -> articles,
with the page number and name carried from the index page to each article.

Arguments (``scrapy crawl rmrb -a …`` or ``shanggao crawl``):
``date=YYYY-MM-DD`` one day; ``start=…`` / ``end=…`` a window (end defaults to
today); nothing: yesterday and today (Beijing time); ``refresh=1`` re-fetch
articles already stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date, timedelta
from typing import Any, ClassVar, cast
from urllib.parse import urldefrag

import scrapy
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from shanggao.dates import beijing_today, parse_date
from shanggao.db import Store
from shanggao.db.articles import outlet_urls
from shanggao.db.outlets import BUILTIN
from shanggao.spiders.items import ArticleItem, ProblemItem
from shanggao.spiders.outlets.base import ArticleParser, GenericParser, IndexParser, parser_for

KNOWN_SKIPPED_STAT = "shanggao/known_skipped"
MAX_WINDOW_DAYS = 3660


def date_window(day: Any = None, start: Any = None, end: Any = None) -> list[date]:
    """The days to crawl: one ``day``, or ``start``..``end`` inclusive, or yesterday and today (Beijing).

    Values are read strictly (:func:`shanggao.dates.parse_date`): ``2024-12-25``,
    ``2024/12/25``, ``2024年12月25日`` or a date; anything else is a ValueError.
    """
    one, first, last = parse_date(day), parse_date(start), parse_date(end)
    if one is not None:
        return [one]
    today = beijing_today()
    if first is None:
        if last is None:
            return [today - timedelta(days=1), today]
        first = last
    if last is None:
        last = max(first, today)
    if last < first:
        raise ValueError(f"window end {last} is before its start {first}")
    if (last - first).days > MAX_WINDOW_DAYS:
        raise ValueError(f"window {first}..{last} is longer than {MAX_WINDOW_DAYS} days")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on") if value is not None else False


class OutletSpider(scrapy.Spider):
    """A spider for one registered outlet.  Subclasses set ``outlet`` and ``parsers``."""

    # Class attributes an instance may override (the generic spider sets them from its outlet file).
    outlet: str = ""
    parsers: Sequence[type[ArticleParser]] = (GenericParser,)
    allowed_domains: list[str]
    # False for spiders that may legitimately find nothing (keyword-filtered portals):
    # then an empty run is 'ok', not 'drift'.
    expects_articles: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.outlet and "name" not in cls.__dict__:
            cls.name = cls.outlet
        if cls.outlet in BUILTIN and "allowed_domains" not in cls.__dict__:
            cls.allowed_domains = list(BUILTIN[cls.outlet].domains)

    def __init__(self, date: Any = None, start: Any = None, end: Any = None, refresh: Any = False,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.window: list[date] = date_window(date, start, end)
        self.refresh: bool = truthy(refresh)
        self._known: set[str] | None = None

    async def start(self) -> AsyncIterator[Request]:
        """Scrapy 2.13+ entry point; spiders here write ``start_requests()`` (Scrapy ≥ 2.19
        no longer calls it by itself)."""
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        for url in getattr(self, "start_urls", ()):
            yield Request(url, dont_filter=True)

    # -- incremental crawling ----------------------------------------------------

    @property
    def store(self) -> Store:
        """The db.Store named by the SHANGGAO_DB / SHANGGAO_ARCHIVE_DIR settings."""
        from shanggao.db import Store

        settings = self.crawler.settings
        return Store(settings.get("SHANGGAO_DB"), settings.get("SHANGGAO_ARCHIVE_DIR") or None)

    def known_url(self, url: str) -> bool:
        """True when ``url`` (canonical) is already stored and refresh is off; counts the skip."""
        if self.refresh:
            return False
        if self._known is None:
            self._known = self._load_known_urls()
        if url in self._known:
            self.crawler.stats.inc_value(KNOWN_SKIPPED_STAT)
            return True
        return False

    def _load_known_urls(self) -> set[str]:
        store = self.store
        if not store.path.exists():
            return set()
        with store.read() as con:
            return outlet_urls(con, self.outlet or self.name)

    # -- items ---------------------------------------------------------------------

    def problem(self, url: str, problem: str, detail: str = "") -> ProblemItem:
        return ProblemItem(url=url, outlet=self.outlet or self.name, problem=problem, detail=detail[:500])

    @classmethod
    def canonical_url(cls, url: str) -> str:
        """The URL an article is stored under (fragment dropped; outlets strip more)."""
        return urldefrag(url)[0]

    @classmethod
    def fetch_url(cls, url: str) -> str:
        """What to request for an article page a claim links to (``shanggao fetch``).

        Usually the page itself; outlets whose article pages are a script shell
        map them to the data request the shell would make.  The article is still
        stored under :meth:`canonical_url` of the response.
        """
        return url

    @classmethod
    def parser_for_url(cls, url: str, day: date | None = None) -> ArticleParser:
        """The article parser version for a page (the day read from the URL when not given)."""
        claimed = [p for p in cls.parsers if p.URL is not None and p.URL.search(url)]
        if len(claimed) == 1:
            return claimed[0]()
        candidates = claimed or list(cls.parsers)
        if day is None:
            for parser in candidates:
                day = parser().date_from_url(url)
                if day:
                    break
        return parser_for(candidates, day)

    def article_item(self, response: Response, fields: dict[str, Any], **known: Any) -> ArticleItem | ProblemItem:
        """An ArticleItem from parsed ``fields``; values in ``known`` (from the index page) win
        when the article page itself lacks them.  Missing title or body -> ``missing_field``."""
        missing = [name for name in ("title", "body") if not fields.get(name)]
        if missing:
            return self.problem(response.url, "missing_field", f"no {' or '.join(missing)} found")
        item = ArticleItem(
            url=self.canonical_url(response.url),
            outlet=self.outlet or self.name,
            title=fields["title"],
            subtitle=fields.get("subtitle"),
            byline=fields.get("byline"),
            authors=list(fields.get("authors") or []),
            published_date=fields.get("published_date"),
            page_no=fields.get("page_no"),
            page_name=fields.get("page_name"),
            page_url=fields.get("page_url"),
            body=fields["body"],
            response_url=response.url,
        )
        for key, value in known.items():
            if value is not None and (key in ("page_no", "page_name", "page_url") or not item.get(key)):
                item[key] = value  # the index page is authoritative for 版次/版名
        return item

    def parse_article(self, response: Response, day: date | None = None, page_no: int | None = None,
                      page_name: str | None = None, page_url: str | None = None) -> Iterator[Any]:
        """Default article callback: the parser version for the day, then the item."""
        parser = self.parser_for_url(response.url, day)
        yield self.article_item(response, parser.parse(response), published_date=day, page_no=page_no,
                                page_name=page_name, page_url=page_url)

    def article_request(self, url: str, **cb_kwargs: Any) -> Request | None:
        """A request for an article page, or None when the store already has it."""
        if self.known_url(self.canonical_url(url)):
            return None
        return Request(url, callback=self.parse_article, cb_kwargs=cb_kwargs, meta={"page_kind": "article"})


class EpaperSpider(OutletSpider):
    """date -> 版面 pages -> articles, for Founder-style e-papers.

    Subclasses set ``index_parsers`` (versioned :class:`IndexParser` classes
    whose ``FIRST_PAGE`` template gives a day's first page) and ``parsers``.
    Index pages are always fetched (an issue can gain pages or corrections);
    articles already stored are skipped unless ``refresh=1``.
    """

    index_parsers: ClassVar[Sequence[type[IndexParser]]] = ()
    # Pages that legitimately list no articles (advertising pages).
    quiet_pages: ClassVar[tuple[str, ...]] = ("广告",)

    def start_requests(self) -> Iterator[Request]:
        months: dict[tuple[int, int], list[date]] = {}
        for day in self.window:
            index = parser_for(self.index_parsers, day)
            if index.PERIOD_XML:
                months.setdefault((day.year, day.month), []).append(day)
            else:
                yield self.first_page_request(day, 0)
        for days in months.values():
            index = parser_for(self.index_parsers, days[0])
            yield Request(index.period_url(days[0]), callback=self.parse_period, cb_kwargs={"days": days},
                          errback=self.period_failed, meta={"page_kind": "index"})

    def _versions_for(self, day: date) -> list[type[IndexParser]]:
        """Index versions to try for a day: the one valid that day first, then the others
        (a scheme probe: a host move announced late still gets crawled)."""
        first = type(parser_for(self.index_parsers, day))
        return [first] + [v for v in self.index_parsers if v is not first and v.FIRST_PAGE]

    def first_page_request(self, day: date, attempt: int, url: str | None = None) -> Request:
        version = self._versions_for(day)[attempt]
        return Request(url or version().first_page_url(day), callback=self.parse_index, errback=self.first_page_failed,
                       cb_kwargs={"day": day, "version": version}, meta={"page_kind": "index", "attempt": attempt})

    def first_page_failed(self, failure: Failure) -> Iterator[Request]:
        request: Request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it on an errback's failure
        day = request.cb_kwargs["day"]
        attempt = request.meta.get("attempt", 0) + 1
        versions = self._versions_for(day)
        if attempt < len(versions) and versions[attempt].FIRST_PAGE:
            self.logger.info("%s: first page of %s failed; probing the %s scheme", self.name, day,
                             versions[attempt].__name__)
            yield self.first_page_request(day, attempt)

    def parse_period(self, response: Response, days: list[date]) -> Iterator[Any]:
        fronts = IndexParser.front_pages(response.text)
        for day in days:
            front = fronts.get(day)
            if front is None:
                self.logger.info("%s: %s is not in the issue calendar %s", self.name, day, response.url)
                continue
            version = parser_for(self.index_parsers, day)
            day_dir = version.first_page_url(day).rsplit("/", 1)[0] + "/"
            yield self.first_page_request(day, 0, response.urljoin(day_dir + front) if "/" not in front
                                          else response.urljoin(front))

    def period_failed(self, failure: Failure) -> Iterator[Request]:
        request: Request = failure.request  # type: ignore[attr-defined]  # as above
        for day in request.cb_kwargs["days"]:
            yield self.first_page_request(day, 0)

    def parse_index(self, response: Response, day: date,
                    version: type[IndexParser] | None = None) -> Iterator[Any]:
        version = version or type(parser_for(self.index_parsers, day))
        index = version()
        sel = scrapy.Selector(cast(TextResponse, response))  # index pages are HTML
        for url in index.page_links(sel, response.url):
            yield Request(url, callback=self.parse_index, cb_kwargs={"day": day, "version": version},
                          meta={"page_kind": "index"})
        page_no, page_name = index.page_label(sel, response.url)
        links = index.article_links(sel, response.url)
        if not links:
            if not any(word in (page_name or "") for word in self.quiet_pages):
                yield self.problem(response.url, "no_links",
                                   f"版面 page {page_no or '?'} ({page_name or 'no name'}) lists no articles")
            return
        for url, _text in links:
            request = self.article_request(url, day=day, page_no=page_no, page_name=page_name,
                                           page_url=response.url, parser=version.ARTICLE_PARSER)
            if request is not None:
                yield request

    def parse_article(self, response: Response, day: date | None = None, page_no: int | None = None,
                      page_name: str | None = None, page_url: str | None = None,
                      parser: type[ArticleParser] | None = None) -> Iterator[Any]:
        article = parser() if parser is not None else self.parser_for_url(response.url, day)
        yield self.article_item(response, article.parse(response), published_date=day, page_no=page_no,
                                page_name=page_name, page_url=page_url)
