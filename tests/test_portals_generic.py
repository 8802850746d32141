"""Outlet files for the generic spider: the shipped examples load, bad files fail with clear messages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from portals_support import GENERIC_SITES, OUTLET_FILES
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from shanggao.db import Store
from shanggao.db.outlets import sync_outlets
from shanggao.spiders.outlets.generic import (
    GenericSpider,
    OutletFileError,
    build_parser,
    load_outlet_file,
    register_outlet,
)

GOOD = """
[outlet]
slug = "demo"
name = "示例网"
tier = "county"
base_url = "http://127.0.0.1:9"

[listing]
start = ["/news/"]
article = ['^/news/\\d+\\.html$']
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "outlet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_examples_load():
    xxnet = load_outlet_file(OUTLET_FILES / "xxnet.toml")
    assert (xxnet.slug, xxnet.tier, xxnet.hosts) == ("xxnet", "prefectural", ("www.xxnet.com.cn", "m.xxnet.com.cn"))
    assert xxnet.start_urls == ("http://www.xxnet.com.cn/news/",)
    luxi = load_outlet_file(OUTLET_FILES / "luxi_gov.toml", base_url="http://127.0.0.1:8000")
    assert luxi.start_urls == ("http://127.0.0.1:8000/zwgk/xwzx/lxyw/index.html",)
    assert luxi.fields["date_format"] == "%Y-%m-%d %H:%M"


def test_county_example_needs_the_confirmed_host():
    with pytest.raises(OutletFileError, match=r"luxi_gov.toml: \[outlet\] base_url is empty"):
        load_outlet_file(OUTLET_FILES / "luxi_gov.toml")


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace('slug = "demo"\n', ""), r"\[outlet\] missing key 'slug'"),
    (lambda t: t.replace("[listing]", "[listings]"), r"unknown section \[listings\]"),
    (lambda t: t.split("[listing]")[0], r"missing section \[listing\]"),
    (lambda t: t.replace("['^/news/\\d+\\.html$']", "['^/news/(\\d+\\.html$']"),
     r"\[listing\] article\[0\]: bad regex"),
    (lambda t: t.replace('tier = "county"', 'tier = "township"'), r"tier 'township': one of central"),
    (lambda t: t.replace('slug = "demo"', 'slug = "Demo Site"'), r"slug 'Demo Site'"),
    (lambda t: t.replace('base_url = "http://127.0.0.1:9"', 'base_url = "127.0.0.1"'), r"needs http\(s\)://host"),
    (lambda t: t + '\n[article]\ntitle = "h1[[["\n', r"\[article\] title: bad selector 'h1\[\[\['"),
    (lambda t: t + '\n[article]\nbody = "//div[@class="\n', r"\[article\] body: bad selector"),
    (lambda t: t + '\n[article]\ntitel = "h1"\n', r"\[article\] unknown key 'titel'"),
    (lambda t: t + '\n[article]\ndate_format = "YYYY-MM-DD"\n', r"no strptime directives"),
    (lambda t: t.replace("start = [\"/news/\"]", "start = \"/news/\""), r"\[listing\] start must be a list"),
    (lambda t: t.replace("[listing]", "[listing]\nurl_date = '(\\d{4})'"), r"named groups year, month and day"),
    (lambda t: t.replace("[listing]", "[listing]\nmax_pages = 0"), r"max_pages must be at least 1"),
    (lambda t: t.replace('tier = "county"', 'tier = "county"\ncharset = "klingon"'), r"not a known encoding"),
    (lambda t: t.replace("[outlet]", "[outlet"), r"not valid TOML"),
    (lambda t: t.replace('tier = "county"', 'tier = "county"\nkind = "blog"'), r"kind 'blog': one of epaper"),
    (lambda t: t.replace('tier = "county"', 'tier = "county"\nhome = "www.example.cn"'), r"home 'www.example.cn'"),
])
def test_bad_outlet_files_say_what_is_wrong(tmp_path, edit, message):
    with pytest.raises(OutletFileError, match=message) as info:
        load_outlet_file(write(tmp_path, edit(GOOD)))
    assert str(info.value).startswith("outlet.toml:")


def test_missing_file_and_missing_argument(tmp_path):
    with pytest.raises(OutletFileError, match="outlet file not found"):
        load_outlet_file(tmp_path / "nope.toml")
    with pytest.raises(OutletFileError, match="needs -a outlet_file"):
        GenericSpider()


def test_file_parser_dates_and_selectors():
    config = load_outlet_file(OUTLET_FILES / "luxi_gov.toml", base_url="http://127.0.0.1:8000")
    parser = build_parser(config)()
    root = GENERIC_SITES / "luxi" / "zwgk" / "xwzx" / "lxyw" / "202607" / "t20260721_3000002.html"
    url = "http://127.0.0.1:8000/zwgk/xwzx/lxyw/202607/t20260721_3000002.html"
    response = HtmlResponse(url, body=root.read_bytes())
    fields = parser.parse(response)
    assert fields["title"] == "泸溪县开展“四下基层”主题活动"
    assert fields["published_date"] == date(2026, 7, 21)
    assert fields["byline"] == "组工信息 杨帆"
    assert "分享" not in fields["body"]
    assert parser.read_date("浏览 发布时间：2026-07-21 10:00 来源") == date(2026, 7, 21)
    assert parser.read_date("发布时间：昨天") is None
    assert parser.date_from_url(url) == date(2026, 7, 21)


def test_generic_spider_configuration(tmp_path):
    crawler = get_crawler(GenericSpider)
    spider = GenericSpider.from_crawler(crawler, outlet_file=str(OUTLET_FILES / "xxnet.toml"),
                                        base_url="http://127.0.0.1:8001", start="2026-07-20", end="2026-07-22")
    assert spider.outlet == "xxnet" and spider.allowed_domains == ["127.0.0.1", "m.xxnet.com.cn"]
    assert spider.start_listings == ["http://127.0.0.1:8001/news/"]
    assert spider.is_article_url("http://127.0.0.1:8001/content/2026-07/22/content_332901.html")
    assert spider.is_article_url("http://m.xxnet.com.cn/content/2026-07/20/content_332822.html")
    assert not spider.is_article_url("http://elsewhere.test/content/2026-07/22/content_1.html")
    assert spider.url_date("http://m.xxnet.com.cn/content/2026-07/20/content_332822.html") == date(2026, 7, 20)


def test_cli_rejects_a_bad_outlet_file_in_one_line(cli, tmp_path):
    bad = write(tmp_path, GOOD.replace("[listing]", "[listing]\nbogus = 1"))
    result = cli("crawl", "--outlet-file", str(bad), expect=1)
    assert "outlet.toml: [listing] unknown key 'bogus'" in result.output
    assert "Traceback" not in result.output


def _outlet_rows(store: Store) -> dict[str, tuple]:
    with store.read() as con:
        return {row[0]: row[1:] for row in con.execute(
            "SELECT slug, name, tier, kind, home_url, media_group, domains FROM outlets").fetchall()}


def test_an_unregistered_outlet_file_adds_its_outlets_row(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    with store.write() as con:
        sync_outlets(con)
    registry = _outlet_rows(store)
    demo = load_outlet_file(write(tmp_path, GOOD.replace('tier = "county"', 'tier = "county"\nkind = "portal"')))
    assert (demo.kind, demo.home_url) == ("portal", "http://127.0.0.1:9/")
    with store.write() as con:
        assert register_outlet(con, demo)
    assert _outlet_rows(store)["demo"] == ("示例网", "county", "portal", "http://127.0.0.1:9/", None, ["127.0.0.1"])
    # a later edit of the file (new name, tier, home page) refreshes the row
    renamed = load_outlet_file(write(tmp_path, GOOD.replace("示例网", "示例新闻网").replace(
        'tier = "county"', 'tier = "prefectural"\nhome = "http://www.example.cn/index.html"')))
    with store.write() as con:
        assert register_outlet(con, renamed)
    assert _outlet_rows(store)["demo"][:4] == ("示例新闻网", "prefectural", "portal", "http://www.example.cn/index.html")
    # a registered slug's row belongs to the registry: never overwritten
    xxnet = load_outlet_file(OUTLET_FILES / "xxnet.toml", base_url="http://127.0.0.1:8001")
    with store.write() as con:
        assert not register_outlet(con, xxnet)
    rows = _outlet_rows(store)
    assert rows["xxnet"] == registry["xxnet"]
    assert {k: v for k, v in rows.items() if k != "demo"} == registry
