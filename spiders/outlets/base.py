"""Declarative, versioned page parsers (the Fundus pattern).

An outlet module defines one :class:`ArticleParser` subclass per markup
generation: selectors are class constants, each field has one method, and
``valid_from`` / ``valid_until`` (exclusive) say which issue dates the markup
applies to.  :func:`parser_for` picks the version for a day.

E-papers also get an :class:`IndexParser` per generation for their 版面 (page
index) pages: where the day's pages and the page's articles are linked.

Selectors are CSS unless they start with ``/``, ``./`` or ``(`` (then XPath).
:class:`GenericParser` is the fallback for unknown layouts: it asks
trafilatura for the main text and metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar, TypeVar
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector, SelectorList
from scrapy.http import Response

from shanggao.dates import date_in_url, find_date
from shanggao.spiders.text import (
    author_in_info_line,
    clean_inline,
    clean_text,
    extract_byline,
    names_in_byline,
    parse_page_label,
)


def select(sel: Selector, query: str) -> SelectorList:
    """Run a CSS or XPath query (XPath when it starts with ``/``, ``./`` or ``(``)."""
    if not query:
        return SelectorList([])
    if query.startswith(("/", "./", "(")):
        return sel.xpath(query)
    return sel.css(query)


def first_match(sel: Selector, queries: str | Sequence[str]) -> SelectorList:
    """The result of the first query (of several alternatives) that matches anything."""
    for query in [queries] if isinstance(queries, str) else queries:
        found = select(sel, query)
        if found:
            return found
    return SelectorList([])


def has_class(*tokens: str) -> str:
    """An XPath predicate body true when ``@class`` holds every one of ``tokens`` as a whole word.

    ``contains(@class, "m_t_5")`` would also match ``m_t_50``; padding the
    normalised attribute with spaces makes each test a whole-token test.
    """
    padded = "concat(' ', normalize-space(@class), ' ')"
    return " and ".join(f"contains({padded}, ' {token} ')" for token in tokens)


# Compiled once and run on the lxml element: parsel would wrap every text node in a Selector.
_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False)


def node_text(nodes: SelectorList | Selector) -> str:
    """All text under the nodes, scripts and styles excluded, on one line."""
    if isinstance(nodes, Selector):
        nodes = SelectorList([nodes])
    parts: list[str] = []
    for node in nodes:
        root = node.root
        if isinstance(root, str):  # an attribute or text selection (::attr(content), text())
            parts.append(root)
        else:
            parts.extend(_VISIBLE_TEXT(root))
    return clean_inline(" ".join(parts))


class Versioned:
    """A markup generation valid for issue dates in [valid_from, valid_until)."""

    valid_from: ClassVar[date | None] = None
    valid_until: ClassVar[date | None] = None  # exclusive

    @classmethod
    def valid_on(cls, day: date | None) -> bool:
        if day is None:
            return True
        if cls.valid_from is not None and day < cls.valid_from:
            return False
        if cls.valid_until is not None and day >= cls.valid_until:
            return False
        return True


V = TypeVar("V", bound=Versioned)


def parser_for(parsers: Sequence[type[V]], day: date | None) -> V:
    """An instance of the version valid on ``day``.

    With no day (or no version claiming it) the newest version wins: the one
    with the latest ``valid_from``, i.e. the markup the site serves today.
    """
    if not parsers:
        raise ValueError("no parser versions given")
    if day is not None:
        for parser in parsers:
            if parser.valid_on(day):
                return parser()
    newest = max(parsers, key=lambda p: p.valid_from or date.min)
    return newest()


class ArticleParser(Versioned):
    """Selectors as constants, one method per field; ``parse`` assembles the item fields.

    Subclasses usually only set constants.  ``BODY`` selects the container and
    ``PARAGRAPHS`` the paragraphs inside it (their text, one per line);
    ``DROP`` lists nodes inside the body to ignore (ads, scripts, share bars).
    """

    TITLE: ClassVar[str | Sequence[str]] = ("h1",)
    SUBTITLE: ClassVar[Sequence[str]] = ()     # each query's text is one subtitle line (引题, 副题)
    BYLINE: ClassVar[str | Sequence[str]] = ()
    DATE: ClassVar[str | Sequence[str]] = ()   # element whose text holds the date
    PAGE: ClassVar[str | Sequence[str]] = ()   # element whose text holds "第05版：评论" or "(… 05版)"
    BODY: ClassVar[str | Sequence[str]] = ()
    PARAGRAPHS: ClassVar[str] = "p"
    URL: ClassVar[re.Pattern[str] | None] = None  # article URLs this generation serves (picks it for fetch)
    DROP: ClassVar[Sequence[str]] = ("script", "style")
    # the date in the article URL: named groups year, month, day (shanggao.dates.date_in_url)
    URL_DATE: ClassVar[re.Pattern[str] | None] = re.compile(
        r"(?<!\d)(?P<year>20\d{2})[-/]?(?P<month>\d{2})[-/]?(?P<day>\d{2})(?!\d)"
    )

    def title(self, sel: Selector) -> str | None:
        return node_text(first_match(sel, self.TITLE)[:1]) or None

    def subtitle(self, sel: Selector) -> str | None:
        lines = [node_text(select(sel, q)[:1]) for q in self.SUBTITLE]
        lines = [line for line in lines if line]
        return "\n".join(lines) or None

    def byline(self, sel: Selector) -> str | None:
        return node_text(first_match(sel, self.BYLINE)[:1]) or None

    def published_date(self, sel: Selector, url: str) -> date | None:
        found = find_date(node_text(first_match(sel, self.DATE)[:1])) if self.DATE else None
        return found or self.date_from_url(url)

    def date_from_url(self, url: str) -> date | None:
        return date_in_url(self.URL_DATE, url)

    def page(self, sel: Selector) -> tuple[int | None, str | None]:
        if not self.PAGE:
            return None, None
        return parse_page_label(node_text(first_match(sel, self.PAGE)[:1]))

    def body(self, sel: Selector) -> list[str]:
        """The body's paragraphs, cleaned, empty ones dropped."""
        container = first_match(sel, self.BODY)[:1]
        if not container:
            return []
        root = container[0]
        for query in self.DROP:
            for node in select(root, query):
                node.drop()
        paragraphs = select(root, self.PARAGRAPHS) if self.PARAGRAPHS else SelectorList([])
        if paragraphs:
            texts = [node_text(p) for p in paragraphs]
        else:  # text straight in the container, separated by <br>
            texts = clean_text("\n".join(root.xpath(".//text()[not(ancestor::script)]").getall())).split("\n")
        return [t for t in texts if t]

    def authors(self, byline: str | None, paragraphs: Sequence[str]) -> tuple[str | None, list[str]]:
        """(printed byline, names): the byline element first, then the body lead."""
        names = names_in_byline(byline)
        lead_byline, lead_names = extract_byline(paragraphs[:2])
        for name in lead_names:
            if name not in names:
                names.append(name)
        return byline or lead_byline, names

    def parse(self, response: Response) -> dict[str, Any]:
        """The ArticleItem fields this page yields (url/outlet/page_url are the spider's)."""
        sel = Selector(text=response.text, base_url=response.url)
        paragraphs = self.body(sel)
        byline, names = self.authors(self.byline(sel), paragraphs)
        page_no, page_name = self.page(sel)
        return {
            "title": self.title(sel),
            "subtitle": self.subtitle(sel),
            "byline": byline,
            "authors": names,
            "published_date": self.published_date(sel, response.url),
            "page_no": page_no,
            "page_name": page_name,
            "body": "\n".join(paragraphs),
        }


class IndexParser(Versioned):
    """An e-paper's 版面 (page index) page: links to the day's pages and to this page's articles."""

    FIRST_PAGE: ClassVar[str] = ""                     # URL template of a day's first page: "{d:%Y%m}/{d:%d}"
    PERIOD_XML: ClassVar[str] = ""                     # Founder issue calendar of a month, when the site has one
    ARTICLE_PARSER: ClassVar[type[ArticleParser] | None] = None  # the article markup of this generation
    PAGE_LINKS: ClassVar[str | Sequence[str]] = ()     # links to the other 版面 pages of the day
    PAGE_URL: ClassVar[re.Pattern[str] | None] = None  # keep only page links matching this
    PAGE_LABEL: ClassVar[str | Sequence[str]] = ()     # "第01版：要闻"
    ARTICLE_LINKS: ClassVar[Sequence[str]] = ()        # every query contributes (list + image map)
    ARTICLE_URL: ClassVar[re.Pattern[str] | None] = None  # keep only hrefs matching this
    SKIP_TITLES: ClassVar[re.Pattern[str] | None] = re.compile(r"责编|责任编辑|本版编辑")

    def first_page_url(self, day: date) -> str:
        return self.FIRST_PAGE.format(d=day)

    def page_links(self, sel: Selector, base_url: str) -> list[str]:
        hrefs = first_match(sel, self.PAGE_LINKS).xpath("@href").getall() if self.PAGE_LINKS else []
        urls = (urljoin(base_url, h.strip()) for h in hrefs if h.strip() and not h.startswith("javascript:"))
        return _unique(u for u in urls if self.PAGE_URL is None or self.PAGE_URL.search(u))

    def period_url(self, day: date) -> str:
        return self.PERIOD_XML.format(d=day)

    @staticmethod
    def front_pages(xml_text: str) -> dict[date, str]:
        """Issue day -> front page file name, from a Founder ``period.xml`` calendar."""
        sel = Selector(text=xml_text, type="xml")
        found: dict[date, str] = {}
        for period in sel.xpath("//*[period_date]"):
            day = find_date(period.xpath("string(period_date)").get())
            front = (period.xpath("string(front_page)").get() or "").strip()
            if day and front:
                found[day] = front
        return found

    PAGE_NO_URL: ClassVar[re.Pattern[str] | None] = None  # page number from the index URL when the label lacks it

    def page_label(self, sel: Selector, url: str = "") -> tuple[int | None, str | None]:
        """(版次, 版名); a label without a number ("要闻") is all name, the number then comes from the URL."""
        text = node_text(first_match(sel, self.PAGE_LABEL)[:1]) if self.PAGE_LABEL else ""
        page_no, page_name = parse_page_label(text)
        if page_no is None and text:
            page_name = text
        if page_no is None and self.PAGE_NO_URL is not None:
            m = self.PAGE_NO_URL.search(url)
            page_no = int(m.group(1)) if m else None
        return page_no, page_name

    def article_links(self, sel: Selector, base_url: str) -> list[tuple[str, str]]:
        """(absolute URL, link text) for each article, editor credits dropped, deduplicated.

        Image-map areas carry no text; a URL whose list entry was dropped as an
        editor credit stays dropped even when the map links it too.
        """
        found: dict[str, str] = {}
        dropped: set[str] = set()
        for query in self.ARTICLE_LINKS:
            for node in select(sel, query):
                href = (node.xpath("@href").get() or "").strip()
                if not href or href.startswith(("javascript:", "#")):
                    continue
                url = urljoin(base_url, href)
                if self.ARTICLE_URL is not None and not self.ARTICLE_URL.search(url):
                    continue
                text = node_text(node)
                if self.SKIP_TITLES is not None and text and self.SKIP_TITLES.search(text):
                    dropped.add(url)
                    continue
                if url not in found or (text and not found[url]):
                    found[url] = text
        return [(url, text) for url, text in found.items() if url not in dropped]


def _unique(items) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _info_line_byline(sel: Selector) -> tuple[str | None, list[str]]:
    """The 作者 a portal prints in its information line (来源 … 作者：向明 … 发布时间 …)."""
    for text in (t.strip() for t in sel.xpath("//body//text()").getall()):
        credit = author_in_info_line(text) if len(text) < 160 else None
        names = names_in_byline(credit)
        if names:
            return credit, names
    return None, []


class GenericParser(ArticleParser):
    """Any page of an unknown layout: the generic extractor (:mod:`shanggao.spiders.extract`).

    Headline, publication date and body come from the extractor (trafilatura for the main text, the
    page's own date markers, headline elements confirmed by ``<title>``); bylines are read from the
    body's lead like every parser's.  ``warnings`` lists what a person should check (a guessed title).
    """

    def parse(self, response: Response) -> dict[str, Any]:
        from shanggao.spiders.extract import decoded, extract

        response = decoded(response)
        found = extract(response.text, response.url)
        paragraphs = found.paragraphs
        byline, names = self.authors(None, paragraphs)
        if not names:  # extractors drop short lead lines such as "记者 X 通讯员 Y 报道"
            sel = Selector(text=response.text, base_url=response.url)
            leads = [t for t in (node_text(p) for p in sel.css("p")[:8]) if t][:4]
            byline, names = extract_byline(leads)
            if not names and not found.author:   # 作者：向明 in the line with the source and the date
                byline, names = _info_line_byline(sel)
        return {
            "title": found.title,
            "subtitle": None,
            "byline": byline or found.author,
            "authors": names or names_in_byline(found.author),
            "published_date": found.published_date,
            "page_no": None,
            "page_name": None,
            "body": "\n".join(paragraphs),
            "warnings": found.warnings,
        }
