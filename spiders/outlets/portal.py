"""The portal walk shared by the news-site spiders: channel listings -> articles.

A portal has no 版面; its articles are found on channel/listing pages that run
newest first and continue on "下一页" pages.  :class:`PortalSpider` reads each
listing page into :class:`ListingEntry` rows (URL, link text, the entry's date
when the URL or the entry itself shows one), requests the entries inside the
date window, and follows the next page only while the page has not yet gone
past the window's first day.  Entries without any date are fetched and the
article page decides (portals whose URLs carry no date: rednet's newer
grammar, hunantoday's ``{YYYYMM}`` folders).

Keyword filtering: outlets without a county or prefecture channel (chinanews,
12371) set ``keyword_filtered``; an entry is then requested only when its
listing text contains one of the keywords.  The keywords come from the spider
argument ``keywords=泸溪,湘西`` (an empty value turns the filter off), else the
``SHANGGAO_KEYWORDS`` setting, else :data:`DEFAULT_KEYWORDS`.  Filtering on the
listing text (not the body) keeps nightly runs incremental and polite; an
article that names Luxi only in its body is reached by ``shanggao fetch`` from
the claim's URL.

Layouts: each outlet lists its article parser classes; the first whose
``BODY`` container is on the page parses it, else the generic extractor does,
and the run records one ``missing_field`` drift problem saying so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import Request, Response

from shanggao.dates import find_date
from shanggao.spiders.base import OutletSpider
from shanggao.spiders.outlets.base import ArticleParser, GenericParser, first_match, node_text, select

DEFAULT_KEYWORDS = ("泸溪", "湘西")
FALLBACK_STAT = "shanggao/fallback_parsed"
FILTERED_STAT = "shanggao/keyword_filtered"
NEXT_PAGE_TEXTS = ("下一页", "下页", "后一页", "下一頁")
_ENTRY_TAGS = ("li", "tr", "dd", "dt", "p", "div", "td", "span")


@dataclass(frozen=True)
class ListingEntry:
    url: str            # canonical article URL
    title: str          # link text (or the list item's title field)
    day: date | None    # from the URL or the entry's own date text; None when neither shows one


def split_arg(value: Any) -> list[str] | None:
    """``"a,b"`` / ``["a", "b"]`` -> list; None when the argument was not given."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[,，\s]+", str(value)) if part.strip()]


def keyword_hit(text: str, keywords: Sequence[str]) -> bool:
    return not keywords or any(word in text for word in keywords)


def matches_template(parser: type[ArticleParser], sel: Selector) -> bool:
    """True when the page has the parser's ``MARKER`` element (default: its body container)."""
    marker = getattr(parser, "MARKER", None) or parser.BODY
    return bool(marker) and bool(first_match(sel, marker))


def js_array(script: str, name: str) -> list[dict[str, Any]]:
    """The array literal assigned to ``name`` in inline JavaScript, as Python objects.

    Handles ``var X = [...]`` and bare ``X=[...]``, double or single quotes
    (12371 writes ``item=[{'title':'…'}]``).  Returns [] when absent or unreadable.
    """
    m = re.search(r"(?<![\w$.])" + re.escape(name) + r"\s*=\s*\[", script)
    if not m:
        return []
    start = m.end() - 1
    end = _matching_bracket(script, start)
    if end is None:
        return []
    literal = script[start:end + 1]
    requoted = _single_to_double_quotes(literal)
    for candidate in (literal, requoted, _quote_bare_keys(requoted)):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
    return []


def _matching_bracket(text: str, start: int) -> int | None:
    depth = 0
    quote = ""
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
    return None


def _single_to_double_quotes(literal: str) -> str:
    """Rewrite a JS literal whose strings are quoted with ``'`` as JSON strings."""
    out = []
    quote = ""
    escaped = False
    for ch in literal:
        if quote:
            if escaped:
                out.append(ch if ch == "'" else "\\" + ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                out.append('"')
                quote = ""
            elif ch == '"':
                out.append('\\"')
            else:
                out.append(ch)
        elif ch in "'\"":
            quote = ch
            out.append('"')
        else:
            out.append(ch)
    return re.sub(r",\s*([}\]])", r"\1", "".join(out))


def _quote_bare_keys(literal: str) -> str:
    """``{title:"…"}`` -> ``{"title":"…"}`` (only tried when plain parsing failed)."""
    return re.sub(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:", r'\1"\2":', literal)


def next_page_link(sel: Selector, base_url: str) -> str | None:
    """The href of a "下一页" anchor (by its text), absolute; None when there is none."""
    for anchor in sel.xpath("//a[@href]"):
        text = node_text(anchor)
        if text and any(word == text or text.startswith(word) for word in NEXT_PAGE_TEXTS):
            href = (anchor.xpath("@href").get() or "").strip()
            if href and not href.startswith(("javascript:", "#")):
                return urljoin(base_url, href)
    return None


def entry_date_text(anchor: Selector, is_article: Callable[[str], bool], base_url: str) -> date | None:
    """A date printed beside a listing link: in the nearest block that holds only this link."""
    node = anchor
    for _ in range(3):
        parents = node.xpath("..")
        if not parents:
            return None
        node = parents[0]
        tag = node.root.tag if isinstance(node.root.tag, str) else ""
        if tag.lower() not in _ENTRY_TAGS:
            return None
        hrefs = {urljoin(base_url, h.strip()) for h in node.xpath(".//a/@href").getall()}
        if sum(1 for h in hrefs if is_article(h)) > 1:
            return None  # the block lists several entries: its dates are not this link's
        day = find_date(node_text(node))
        if day:
            return day
    return None


class PortalSpider(OutletSpider):
    """Walks channel listing pages with pagination; subclasses declare the URL grammar.

    Arguments beyond the window: ``listings=URL,URL`` (replace the default
    channel pages), ``keywords=泸溪,湘西`` (keyword-filtered outlets; empty turns
    the filter off), ``max_pages=N`` (listing pages followed per channel).
    """

    listing_urls: ClassVar[Sequence[str]] = ()
    # Anchors of the list proper (CSS/XPath); None or no match: every anchor on the page.
    # Keeps sidebars ("热点", "推荐") from dating the page.
    listing_links: str | None = None  # an instance may override it (the generic spider)
    # Article URL grammar(s), matched against absolute URLs.
    article_url: ClassVar[re.Pattern[str] | tuple[re.Pattern[str], ...]] = ()
    keyword_filtered: ClassVar[bool] = False
    max_listing_pages: ClassVar[int] = 10
    # Set when the outlet's layout is unknown (docs/outlets.md): every page goes to the generic
    # extractor and the drift problem is expected, not a sign of change.
    layout_known: ClassVar[bool] = True

    def __init__(self, *args: Any, listings: Any = None, keywords: Any = None, max_pages: Any = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.start_listings: list[str] = split_arg(listings) or list(self.listing_urls)
        self._keywords_arg = split_arg(keywords)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else self.max_listing_pages
        self._fallback_reported = False
        if self.keyword_filtered:
            self.expects_articles = False  # a quiet day for 泸溪 is not drift

    # -- configuration -----------------------------------------------------------

    @property
    def keywords(self) -> tuple[str, ...]:
        if not self.keyword_filtered:
            return ()
        if self._keywords_arg is not None:
            return tuple(self._keywords_arg)
        settings = getattr(self, "settings", None)
        configured = settings.getlist("SHANGGAO_KEYWORDS") if settings is not None else []
        return tuple(configured) if configured else DEFAULT_KEYWORDS

    # -- URL grammar (subclasses refine) -------------------------------------------

    def url_date(self, url: str) -> date | None:
        """The publication date a URL spells out, or None (most grammars carry one)."""
        return self.parsers[0]().date_from_url(url)

    def is_article_url(self, url: str) -> bool:
        grammars = self.article_url if isinstance(self.article_url, tuple) else (self.article_url,)
        return any(g.search(url) for g in grammars)

    # -- the walk -------------------------------------------------------------------

    def start_requests(self) -> Iterator[Request]:
        for url in self.start_listings:
            yield self.listing_request(url, 1)

    def listing_request(self, url: str, depth: int) -> Request:
        return Request(url, callback=self.parse_listing, cb_kwargs={"depth": depth},
                       meta={"page_kind": "listing"}, dont_filter=depth == 1)

    def listing_entries(self, response: Response) -> list[ListingEntry]:
        """Article links on a listing page, in page order, deduplicated by canonical URL."""
        sel = Selector(text=response.text, base_url=response.url)
        found: dict[str, ListingEntry] = {}
        anchors = select(sel, self.listing_links) if self.listing_links else []
        for anchor in anchors or sel.xpath("//a[@href]"):
            if not anchor.xpath("@href"):
                continue
            url = urljoin(response.url, (anchor.xpath("@href").get() or "").strip())
            if not self.is_article_url(url):
                continue
            canonical = self.canonical_url(url)
            title = node_text(anchor) or anchor.xpath("@title").get("").strip()
            day = self.url_date(canonical) or entry_date_text(anchor, self.is_article_url, response.url)
            previous = found.get(canonical)
            if previous is None or (not previous.title and title):
                found[canonical] = ListingEntry(canonical, title or (previous.title if previous else ""),
                                                day or (previous.day if previous else None))
        return list(found.values())

    def next_listing_url(self, response: Response, depth: int) -> str | None:
        return next_page_link(Selector(text=response.text, base_url=response.url), response.url)

    def parse_listing(self, response: Response, depth: int) -> Iterator[Any]:
        entries = self.listing_entries(response)
        if not entries:
            yield self.problem(response.url, "no_links", "listing page shows no article links")
            return
        first, last = self.window[0], self.window[-1]
        dated = [entry.day for entry in entries if entry.day is not None]
        # Lists run newest first: once the page's last dated entry is older than the
        # window, later pages hold nothing we want.
        past_window = bool(dated) and dated[-1] < first
        for entry in entries:
            if entry.day is not None and entry.day < first:
                continue
            if entry.day is not None and entry.day > last:
                continue
            if not keyword_hit(entry.title, self.keywords):
                self.crawler.stats.inc_value(FILTERED_STAT)
                continue
            request = self.article_request(entry.url, day=entry.day, page_url=response.url)
            if request is not None:
                yield request
        if past_window or depth >= self.max_pages:
            return
        next_url = self.next_listing_url(response, depth)
        if next_url and next_url != response.url:
            yield self.listing_request(next_url, depth + 1)

    # -- articles ---------------------------------------------------------------------

    def choose_parser(self, sel: Selector, day: date | None) -> ArticleParser | None:
        """The first date-valid template whose body container is on the page, else None."""
        for parser in self.parsers:
            if parser.valid_on(day) and matches_template(parser, sel):
                return parser()
        return None

    def parse_article(self, response: Response, day: date | None = None, page_no: int | None = None,
                      page_name: str | None = None, page_url: str | None = None) -> Iterator[Any]:
        sel = Selector(text=response.text, base_url=response.url)
        parser = self.choose_parser(sel, day or self.url_date(response.url))
        if parser is None:
            parser = GenericParser()
            self.crawler.stats.inc_value(FALLBACK_STAT)
            if not self._fallback_reported:
                self._fallback_reported = True
                yield self.problem(response.url, "missing_field", self.fallback_detail())
        fields = parser.parse(response)
        fields["published_date"] = self.checked_date(response, fields.get("published_date"))
        yield self.article_item(response, fields, published_date=day, page_url=page_url)

    def fallback_detail(self) -> str:
        if not self.layout_known:
            return (f"{self.name}: article layout unknown (docs/outlets.md); parsed with the generic "
                    "extractor — confirm the markup and add a parser")
        names = ", ".join(p.__name__ for p in self.parsers)
        return f"{self.name}: no known template matched ({names}); parsed with the generic extractor"

    def checked_date(self, response: Response, parsed: date | None) -> date | None:
        """Hook for outlets whose URL date is authoritative; default: the page's date."""
        return parsed
