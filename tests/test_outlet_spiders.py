"""Every registered outlet spider has fixture article pages, and on them every parser version yields typed,
non-empty fields through the spider's own article callback.

Adding an outlet (docs/adding-an-outlet.md) means adding its fixture pages here: a spider missing from
ARTICLE_FIXTURES fails ``test_every_spider_has_fixtures``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from parsel import Selector
from portals_support import MIRROR
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler
from spiders_support import Mirror

from shanggao.db.outlets import BUILTIN
from shanggao.spiders.items import ArticleItem, ProblemItem
from shanggao.spiders.middlewares import best_encoding
from shanggao.spiders.outlets import spider_classes
from shanggao.spiders.replay import mirror_path
from shanggao.spiders.run import NOT_DEFAULT

NOT_OUTLET_SPIDERS = {*NOT_DEFAULT, "fetch"}  # spiders that serve any outlet, not one
ZZRSB_API = "https://www.zuzhirenshi.com/api/welcome/selectNews?id="

# spider name -> article pages in tests/fixtures/portals/mirror (portal spiders) ...
PORTAL_ARTICLES: dict[str, list[str]] = {
    "chinanews": ["https://www.chinanews.com.cn/gn/2026/07-22/10612345.shtml",
                  "https://www.chinanews.com.cn/df/2026/07-21/10611111.shtml",
                  "https://www.chinanews.com.cn/cj/2026/07-20/10610000.shtml",
                  "https://www.hn.chinanews.com.cn/news/sxxw/2026/0721/533001.html",
                  "http://www.chinanews.com/gn/2012/03-05/3717001.shtml"],
    "xinhunan": ["https://www.hunantoday.cn/news/xhn/202607/32500001.html",
                 "https://www.hunantoday.cn/news/xhn/202607/32500002.html",
                 "https://hn.voc.com.cn/article/202607/33100003.html"],
    "rednet": ["https://xx.rednet.cn/content/646856/56/15800001.html",
               "https://xx.rednet.cn/content/2026/07/21/15800002.html",
               "https://hn.rednet.cn/content/646840/67/15800010.html"],
    "hxw": ["https://www.hxw.gov.cn/content/646900/12/16000001.html"],
    "12371": ["https://www.12371.cn/2026/07/22/ARTI1784709000000123.shtml",
              "https://news.12371.cn/2026/07/20/ARTI1784509920000222.shtml",
              "https://www.12371.cn/2026/07/21/VIDE1784599500000654.shtml"],
    "zzrsb": [ZZRSB_API + "n20-1-0000-4000-8000-202607200000",
              ZZRSB_API + "n22-2-0000-4000-8000-202607220000",
              "https://www.zuzhirenshi.com/dianzibao/2023-02-21/1/49536450-8596-4d0d-b913-f5e0c5eea5db.htm"],
}
# ... or days of the e-paper mirrors tests/spiders_support.py writes (each parser version's markup).
EPAPER_DAYS: dict[str, Callable[[Mirror], None]] = {
    "rmrb": lambda m: (m.rmrb_day(date(2024, 11, 30)), m.rmrb_day(date(2024, 12, 25))),
    "hnrb": lambda m: (m.hnrb_day(date(2024, 12, 31)), m.hnrb_day(date(2025, 1, 2))),
    "tjb": lambda m: m.tjb_day(date(2024, 12, 31)),
}


def outlet_spiders() -> list[str]:
    return sorted(set(spider_classes()) - NOT_OUTLET_SPIDERS)


def test_every_spider_has_fixtures():
    assert set(PORTAL_ARTICLES) | set(EPAPER_DAYS) == set(outlet_spiders())
    assert not set(PORTAL_ARTICLES) & set(EPAPER_DAYS)


def _response(url: str, body: bytes) -> TextResponse:
    if "/api/" in url:
        return TextResponse(url, body=body, encoding="utf-8", request=Request(url))
    response = HtmlResponse(url, body=body, request=Request(url))
    return response.replace(encoding=best_encoding(body, response._declared_encoding()))


def _pages(name: str, tmp_path: Path) -> list[tuple[TextResponse, date | None, int | None]]:
    """(response, issue day, page number) of every fixture article of one spider."""
    if name in PORTAL_ARTICLES:
        return [(_response(url, mirror_path(MIRROR, url).read_bytes()), None, None) for url in PORTAL_ARTICLES[name]]
    mirror = Mirror(tmp_path)
    EPAPER_DAYS[name](mirror)
    return [(_response(e.fetch_url, mirror_path(tmp_path, e.fetch_url).read_bytes()), e.published_date, e.page_no)
            for e in mirror.articles.values()]


def _chosen_parser(spider, response: TextResponse, day: date | None):
    if hasattr(spider, "choose_parser"):  # portal spiders pick the template whose body container is there
        sel = Selector(text=response.text, base_url=response.url)
        return spider.choose_parser(sel, day or spider.url_date(response.url))
    return spider.parser_for_url(response.url, day)


@pytest.mark.parametrize("name", outlet_spiders())
def test_spider_fields_are_typed_and_filled_on_its_fixtures(name, tmp_path):
    cls = spider_classes()[name]
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, start="2026-07-20", end="2026-07-22")
    pages = _pages(name, tmp_path)
    assert pages, f"{name}: no fixture pages"
    used, with_authors = set(), 0
    for response, day, page_no in pages:
        parser = _chosen_parser(spider, response, day)
        if parser is not None:
            used.add(type(parser))
        kwargs = {"day": day, "page_no": page_no} if day else {}
        items = list(spider.parse_article(response, **kwargs))
        articles = [i for i in items if isinstance(i, ArticleItem)]
        assert len(articles) == 1, (response.url, [dict(i) for i in items if isinstance(i, ProblemItem)])
        item = articles[0]
        where = f"{name} {response.url}"
        assert item["outlet"] == cls.outlet and item["outlet"] in BUILTIN, where
        for key in ("url", "title", "body", "response_url"):
            assert isinstance(item[key], str) and item[key].strip(), (where, key)
        assert len(item["body"]) >= 20, where
        assert isinstance(item["published_date"], date), where
        assert isinstance(item["authors"], list) and all(isinstance(a, str) and a for a in item["authors"]), where
        for key in ("subtitle", "byline", "page_name", "page_url"):
            assert item.get(key) is None or (isinstance(item[key], str) and item[key].strip()), (where, key)
        assert item.get("page_no") is None or (isinstance(item["page_no"], int) and item["page_no"] >= 1), where
        if day is not None:  # e-papers: the 版面 gives date and page
            assert item["published_date"] == day and item["page_no"] == page_no, where
        with_authors += bool(item["authors"])
    assert with_authors, f"{name}: no fixture page yields a byline"
    if name != "hxw":  # hxw's layout is unknown: every page goes to the generic extractor (docs/outlets.md §8)
        unused = [p.__name__ for p in spider.parsers if p not in used]
        assert not unused, f"{name}: parser versions without a fixture page: {unused}"
