"""中国组织人事报 (www.zuzhirenshi.com) — slug ``zzrsb``.  Two generations, chosen by issue date.

**JSON API (issues from 2023-03-01 on)** — the site is now an SPA over
``/api/welcome`` (docs/outlets.md §2, one source, a 2026 adapter):
1. ``POST selectPastDianZiBao {"years": "2026", "months": "07"}`` -> the month's issues
   ``data[] = {id, releaseDate, columnName}``; the paper is not daily, so this list,
   not the calendar, says which window days have an issue;
2. ``POST dianZiBaoHomePage {"id": issueId}`` -> ``data.dianzibaoShowList[]``, one entry per
   版面 in print order: ``columnName`` (版名) and ``areaCoordinateList[] = {newsId, newsName}``.
   The page number is not given: it is the entry's position in that list (1-based);
3. ``GET selectNews?id={newsId}`` -> ``data = {showTitle|newName, newContent (HTML), author,
   createTime, columnName}``.  ``author`` is often empty, so bylines are also read from
   the head of ``newContent``.
Articles are stored under the SPA's detail URL ``/detailpage/{newsId}``; the
``selectNews`` response is the archived evidence.

**Static e-paper (issues before 2023-03-01)** — ``/dianzibao/{YYYY-MM-DD}/{page}/index.htm``
(docs/outlets.md §2, code); the page is filled by inline JavaScript: ``var SubLanMuList``
(the day's pages, ``lmmc`` = 版名) and ``var InfoList`` (this page's articles,
``infoid``), articles at ``…/{page}/{infoid}.htm`` with title ``div.listhottitle3``,
date ``.innertop`` (``YYYY/MM/DD``) and body ``.innercontent``.  A day without an
issue answers 404 there, which is expected, not a problem.

The cut-over date: the last static URL in the evidence is dated 2023-02-21 and the
API is seen from 2025 on; nothing shows which one served the months between.  The
API's ``selectPastDianZiBao`` exists to list back issues, so every date from
2023-03-01 goes to the API.  ``scheme=api`` or ``scheme=html`` forces one
generation for a whole run (e.g. to try the static pages for a 2024 back issue).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from parsel import Selector
from scrapy.http import JsonRequest, Request, Response

from shanggao.dates import find_date
from shanggao.spiders.base import OutletSpider
from shanggao.spiders.outlets.base import ArticleParser, node_text, parser_for
from shanggao.spiders.outlets.portal import js_array
from shanggao.spiders.text import clean_inline, clean_text

SITE = "https://www.zuzhirenshi.com"
API = f"{SITE}/api/welcome"
OLD_SITE = "http://www.zuzhirenshi.com"
API_FROM = date(2023, 3, 1)
DETAIL_URL = SITE + "/detailpage/{}"
_NEWS_ID = re.compile(r"[?&]id=([0-9A-Za-z-]+)")
_DETAIL = re.compile(r"/detailpage/([0-9A-Za-z-]+)")


class DianzibaoHtmlParser(ArticleParser):
    """The static e-paper's article page (``/dianzibao/{date}/{page}/{uuid}.htm``)."""

    valid_until = API_FROM
    TITLE = ("div.listhottitle3", "h1")
    BODY = ".innercontent"
    DROP = ("script", "style")

    def published_date(self, sel: Selector, url: str) -> date | None:
        # .innertop's own text nodes hold "2023/02/21"; its children are links and labels.
        own = clean_inline(" ".join(sel.css(".innertop")[:1].xpath("./text()").getall()))
        return find_date(own) or find_date(node_text(sel.css(".innertop")[:1])) or self.date_from_url(url)


class ApiNewsParser(ArticleParser):
    """A ``selectNews`` JSON answer: fields straight from ``data``, body from ``newContent``."""

    valid_from = API_FROM
    URL_DATE = None

    def parse(self, response: Response) -> dict[str, Any]:
        data = news_data(response)
        if not isinstance(data, dict):
            data = {}
        html = str(data.get("newContent") or data.get("content") or "")
        paragraphs = html_paragraphs(html)
        author = clean_inline(str(data.get("author") or "")) or None
        byline, names = self.authors(author, paragraphs)
        return {
            "title": clean_inline(str(data.get("showTitle") or data.get("newName") or "")) or None,
            "subtitle": clean_inline(str(data.get("subTitle") or data.get("subtitle") or "")) or None,
            "byline": byline,
            "authors": names,
            "published_date": find_date(str(data.get("createTime") or "")),
            "page_no": None,
            "page_name": clean_inline(str(data.get("columnName") or "")) or None,
            "body": "\n".join(paragraphs),
        }


def news_data(response: Response) -> dict[str, Any] | list[Any]:
    """``data`` of an API answer ({} when the answer is not a code-200 JSON object)."""
    try:
        payload = json.loads(response.body.decode(getattr(response, "encoding", None) or "utf-8"))
    except (ValueError, LookupError):
        return {}
    if not isinstance(payload, dict) or payload.get("code") not in (200, "200"):
        return {}
    data = payload.get("data")
    return data if isinstance(data, (dict, list)) else {}


def html_paragraphs(html: str) -> list[str]:
    """Paragraph texts of an HTML fragment (``<p>`` when present, else ``<br>``-separated lines)."""
    if not html.strip():
        return []
    sel = Selector(text=f"<div id='frag'>{html}</div>")
    root = sel.css("#frag")[0]
    paragraphs = root.xpath(".//p")
    if paragraphs:
        texts = [node_text(p) for p in paragraphs]
    else:
        texts = clean_text("\n".join(root.xpath(".//text()[not(ancestor::script)]").getall())).split("\n")
    return [t for t in texts if t]


class ZzrsbSpider(OutletSpider):
    """中国组织人事报: JSON API issues (and the static /dianzibao/ pages for back issues)."""

    outlet = "zzrsb"
    parsers = (DianzibaoHtmlParser, ApiNewsParser)

    def __init__(self, *args: Any, scheme: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if scheme not in (None, "", "api", "html"):
            raise ValueError(f"scheme must be 'api' or 'html', not {scheme!r}")
        self.scheme = scheme or None

    @classmethod
    def canonical_url(cls, url: str) -> str:
        """``selectNews?id=X`` and ``/detailpage/X`` -> ``https://www.zuzhirenshi.com/detailpage/X``."""
        if "/api/welcome/selectNews" in url or "/detailpage/" in url:
            m = _NEWS_ID.search(url) or _DETAIL.search(url)
            if m:
                return DETAIL_URL.format(m.group(1))
        return super().canonical_url(url)

    @classmethod
    def fetch_url(cls, url: str) -> str:
        """``/detailpage/X`` is the SPA's empty shell: fetch ``selectNews?id=X`` instead."""
        canonical = cls.canonical_url(url)
        m = _DETAIL.search(canonical) if canonical.startswith(DETAIL_URL.format("")) else None
        return f"{API}/selectNews?id={m.group(1)}" if m else url

    @classmethod
    def parser_for_url(cls, url: str, day: date | None = None) -> ArticleParser:
        if "/api/welcome/" in url or "/detailpage/" in url:
            return ApiNewsParser()
        if "/dianzibao/" in url:
            return DianzibaoHtmlParser()
        return super().parser_for_url(url, day)

    def parse_article(self, response: Response, day: date | None = None, page_no: int | None = None,
                      page_name: str | None = None, page_url: str | None = None) -> Iterator[Any]:
        """The issue's date wins over the article's own (createTime is when it was uploaded)."""
        fields = self.parser_for_url(response.url, day).parse(response)
        if day is not None:
            fields["published_date"] = day
        yield self.article_item(response, fields, page_no=page_no, page_name=page_name, page_url=page_url)

    def uses_api(self, day: date) -> bool:
        if self.scheme:
            return self.scheme == "api"
        return isinstance(parser_for(self.parsers, day), ApiNewsParser)

    # -- the walk -------------------------------------------------------------------

    def start_requests(self) -> Iterator[Request]:
        api_days = [d for d in self.window if self.uses_api(d)]
        for year, month in sorted({(d.year, d.month) for d in api_days}):
            yield JsonRequest(f"{API}/selectPastDianZiBao", data={"years": str(year), "months": f"{month:02d}"},
                              callback=self.parse_issue_list, meta={"page_kind": "index"}, dont_filter=True)
        for day in self.window:
            if not self.uses_api(day):
                yield self.static_page_request(day, 1)

    def parse_issue_list(self, response: Response) -> Iterator[Any]:
        issues = news_data(response)
        if not isinstance(issues, list):
            yield self.problem(response.url, "no_links", "selectPastDianZiBao: no issue list in the answer")
            return
        wanted = set(self.window)
        for issue in issues:
            if not isinstance(issue, dict):
                continue
            day = find_date(str(issue.get("releaseDate") or ""))
            if day in wanted and issue.get("id") not in (None, ""):
                yield JsonRequest(f"{API}/dianZiBaoHomePage", data={"id": issue["id"]},
                                  callback=self.parse_issue, cb_kwargs={"day": day},
                                  meta={"page_kind": "index"}, dont_filter=True)

    def parse_issue(self, response: Response, day: date) -> Iterator[Any]:
        data = news_data(response)
        pages = data.get("dianzibaoShowList") if isinstance(data, dict) else None
        if not pages:
            yield self.problem(response.url, "no_links", f"dianZiBaoHomePage {day}: no 版面 list")
            return
        for page_no, page in enumerate(pages, start=1):
            page_name = clean_inline(str(page.get("columnName") or "")) or None
            for area in page.get("areaCoordinateList") or []:
                news_id = str(area.get("newsId") or "").strip()
                if not news_id:
                    continue
                request = self.article_request(f"{API}/selectNews?id={news_id}", day=day, page_no=page_no,
                                               page_name=page_name, page_url=None)
                if request is not None:
                    yield request

    # -- static back issues -------------------------------------------------------------

    def static_page_request(self, day: date, page_no: int) -> Request:
        return Request(f"{OLD_SITE}/dianzibao/{day.isoformat()}/{page_no}/index.htm",
                       callback=self.parse_static_page, cb_kwargs={"day": day, "page_no": page_no},
                       meta={"page_kind": "index", "handle_httpstatus_list": [404]} if page_no == 1
                       else {"page_kind": "index"})

    def parse_static_page(self, response: Response, day: date, page_no: int) -> Iterator[Any]:
        if response.status == 404:
            self.logger.info("zzrsb: no issue on %s", day)  # not a publication day
            return
        script = "\n".join(response.xpath("//script[not(@src)]/text()").getall())
        pages = js_array(script, "SubLanMuList")
        if page_no == 1:
            for n in range(2, len(pages) + 1):
                yield self.static_page_request(day, n)
        page_name = clean_inline(str(pages[page_no - 1].get("lmmc") or "")) if len(pages) >= page_no else None
        infos = [row for row in js_array(script, "InfoList") if str(row.get("infoid") or "").strip()]
        if not infos:
            yield self.problem(response.url, "no_links", f"版面 page {page_no} ({page_name or 'no name'}): "
                               "InfoList is empty or missing")
            return
        for row in infos:
            url = response.urljoin(f"{str(row['infoid']).strip()}.htm")
            request = self.article_request(url, day=day, page_no=page_no, page_name=page_name or None,
                                           page_url=response.url)
            if request is not None:
                yield request
