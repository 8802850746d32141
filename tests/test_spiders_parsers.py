"""Parsers and text helpers: fixtures in the real markup, and the real samples in ../shared."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from spiders_support import SHARED, Mirror, template

from shanggao.dates import find_date
from shanggao.spiders.base import date_window
from shanggao.spiders.middlewares import best_encoding, interstitial_reason
from shanggao.spiders.outlets.base import GenericParser, parser_for
from shanggao.spiders.outlets.hnrb import HnrbArticle, HnrbArticleOld, HnrbIndex, HnrbIndexOld, HnrbSpider
from shanggao.spiders.outlets.rmrb import RmrbArticle, RmrbArticleOld, RmrbIndex, RmrbIndexOld, RmrbSpider
from shanggao.spiders.outlets.tjb import TjbIndex, TjbSpider
from shanggao.spiders.text import clean_text, extract_byline, parse_page_label


def html_response(url: str, body: str | bytes, encoding: str = "utf-8") -> HtmlResponse:
    return HtmlResponse(url, body=body if isinstance(body, bytes) else body.encode(encoding), encoding=encoding)


# -- text helpers ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2022年03月28日 星期一", date(2022, 3, 28)),
    ("(2026年07月29日 05版)", date(2026, 7, 29)),
    ("2022-03-28", date(2022, 3, 28)),
    ("2022/3/28", date(2022, 3, 28)),
    ("2022.3.28", date(2022, 3, 28)),
    ("第01版：要闻", None),
])
def test_parse_cn_date(text, expected):
    assert find_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("第01版：要闻", (1, "要闻")), ("第01版:要闻", (1, "要闻")), ("05版：评论", (5, "评论")),
    ("(2026年07月29日 05版)", (5, None)), ("要闻", (None, None)),
])
def test_parse_page_label(text, expected):
    assert parse_page_label(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("第十二版：专题", (12, "专题")), ("头版", (1, None)), ("Ａ４版", (4, None)), ("A4", (4, None)),
    ("要闻版", (None, None)), ("2026年07月29日", (None, None)),
])
def test_parse_page_label_reads_typed_and_chinese_numbered_labels(text, expected):
    """One reader for printed e-paper labels and the 版次 people type into claims registers."""
    assert parse_page_label(text) == expected


@pytest.mark.parametrize("lead, byline, authors", [
    ("本报记者 吴秋余 赵展慧", "本报记者 吴秋余 赵展慧", ["吴秋余", "赵展慧"]),
    ("本报北京3月27日电　（记者陆娅楠）今年以来，", "本报北京3月27日电 （记者陆娅楠）", ["陆娅楠"]),
    ("湖南日报全媒体记者 周帙恒 刘笑雪 刘燕娟  3月17日，习近平", "湖南日报全媒体记者 周帙恒 刘笑雪 刘燕娟",
     ["周帙恒", "刘笑雪", "刘燕娟"]),
    ("湖南日报3月28日讯（全媒体记者 孙敏坚 黄晗）近日", "湖南日报3月28日讯（全媒体记者 孙敏坚 黄晗）",
     ["孙敏坚", "黄晗"]),
    ("通讯员 张三", "通讯员 张三", ["张三"]),
    ("【编辑:张伟】（记者 王五）今天", "（记者 王五）", ["王五"]),
    ("新华社北京3月28日电 3月28日下午", "新华社北京3月28日电", []),
    ("今年以来，我国经济运行总体平稳。", None, []),
])
def test_extract_byline(lead, byline, authors):
    assert extract_byline([lead]) == (byline, authors)


def test_clean_text_keeps_paragraphs():
    assert clean_text("\u3000\u3000第一段\xa0 文字 \n\n  第二段 ") == "第一段 文字\n第二段"


def test_date_window():
    assert date_window("2024-12-25") == [date(2024, 12, 25)]
    assert date_window(None, "2024-11-30", "2024-12-02") == [date(2024, 11, 30), date(2024, 12, 1), date(2024, 12, 2)]
    assert len(date_window()) == 2
    with pytest.raises(ValueError):
        date_window(None, "2024-12-02", "2024-11-30")


def test_encoding_repair_and_interstitials():
    gbk = "<html><body>泸溪县喆镕</body></html>".encode("gbk")
    assert best_encoding(gbk, "utf-8") == "gb18030"          # mislabelled
    assert best_encoding(gbk, "gb2312") == "gb18030"         # GB2312 label, GBK-only characters
    assert best_encoding("泸溪".encode(), "gb2312") == "utf-8"
    assert interstitial_reason("<html><script>var __jsl_clearance=1</script></html>")[0] == "interstitial"
    assert interstitial_reason("<html><body>请完成安全验证</body></html>")[0] == "interstitial"
    assert interstitial_reason("<p>该内容已被发布者删除</p>")[0] == "not_article"
    assert interstitial_reason("<p>" + "正文" * 5000 + "安全验证</p>") is None


# -- versions ----------------------------------------------------------------------------

def test_versions_by_date_and_url():
    assert isinstance(parser_for(RmrbSpider.index_parsers, date(2024, 11, 30)), RmrbIndexOld)
    assert isinstance(parser_for(RmrbSpider.index_parsers, date(2024, 12, 1)), RmrbIndex)
    assert isinstance(parser_for(HnrbSpider.index_parsers, date(2024, 12, 31)), HnrbIndexOld)
    assert isinstance(parser_for(HnrbSpider.index_parsers, date(2025, 1, 1)), HnrbIndex)
    assert isinstance(RmrbSpider.parser_for_url(
        "https://paper.people.com.cn/rmrb/pc/content/202412/25/content_30048054.html"), RmrbArticle)
    assert isinstance(RmrbSpider.parser_for_url(
        "http://paper.people.com.cn/rmrb/html/2022-03/28/nw.D110000renmrb_20220328_1-01.htm"), RmrbArticleOld)
    assert isinstance(HnrbSpider.parser_for_url(
        "https://hnrb.voc.com.cn/hnrb_epaper/html/2022-03/29/content_1569937.htm?div=-1"), HnrbArticleOld)
    assert isinstance(HnrbSpider.parser_for_url(
        "https://epaper.voc.com.cn/hnrb/html/2026-01/27/content_1.htm"), HnrbArticle)
    assert HnrbSpider.canonical_url(
        "https://hnrb.voc.com.cn/hnrb_epaper/html/2022-03/29/./content_1569937.htm?div=-1"
    ) == "https://hnrb.voc.com.cn/hnrb_epaper/html/2022-03/29/content_1569937.htm"
    assert RmrbSpider.canonical_url(
        "http://paper.people.com.cn/rmrb/html/2022-03/28/./nw.D110000renmrb_20220328_1-01.htm"
    ) == "https://paper.people.com.cn/rmrb/html/2022-03/28/nw.D110000renmrb_20220328_1-01.htm"


# -- fixtures in each parser version's markup ---------------------------------------------

@pytest.mark.parametrize("day", [date(2024, 11, 30), date(2024, 12, 25)])
def test_rmrb_fixture_pages(tmp_path, day):
    mirror = Mirror(tmp_path)
    mirror.rmrb_day(day)
    index_url = mirror.index_pages[0]
    page = (tmp_path / "paper.people.com.cn" / index_url.split("paper.people.com.cn/")[1]).read_text(encoding="utf-8")
    index = parser_for(RmrbSpider.index_parsers, day)
    sel = html_response(index_url, page).selector
    assert index.page_label(sel, index_url) == (1, "要闻")
    links = index.article_links(sel, index_url)
    assert len(links) == 3                             # list + map-only article; editor credit dropped
    assert not any("责编" in text for _, text in links)
    assert len(index.page_links(sel, index_url)) == 3
    for expected in mirror.articles.values():
        if expected.page_no != 1:
            continue
        path = next(p for p in tmp_path.rglob("*") if p.is_file() and expected.fetch_url.endswith(p.name))
        fields = RmrbSpider.parser_for_url(expected.fetch_url).parse(
            html_response(expected.fetch_url, path.read_text(encoding="utf-8")))
        assert fields["title"] == expected.title
        assert fields["authors"] == expected.authors
        assert fields["published_date"] == day
        assert fields["page_no"] == 1
        assert fields["body"].startswith(expected.body_start)


def test_hnrb_and_tjb_fixture_pages_in_gbk(tmp_path):
    mirror = Mirror(tmp_path)
    mirror.hnrb_day(date(2024, 12, 31))
    mirror.tjb_day(date(2024, 12, 31))
    for expected in mirror.articles.values():
        path = next(p for p in tmp_path.rglob("*")
                    if p.is_file() and expected.fetch_url.split("/")[-1] == p.name.replace("%3F", "?"))
        body = path.read_bytes()
        response = HtmlResponse(expected.fetch_url, body=body, encoding=best_encoding(body, None))
        spider = HnrbSpider if expected.outlet == "hnrb" else TjbSpider
        fields = spider.parser_for_url(expected.fetch_url).parse(response)
        assert fields["title"] == expected.title
        assert fields["authors"] == expected.authors
        if expected.outlet == "hnrb":
            assert fields["published_date"] == expected.published_date
            assert (fields["page_no"], fields["page_name"]) == (expected.page_no, expected.page_name)
            assert fields["subtitle"] == expected.subtitle
    tjb_index = TjbIndex()
    url = "http://www.xxnet.com.cn/szb/tjbpc/202412/31/l02.html"
    page = (tmp_path / "www.xxnet.com.cn/szb/tjbpc/202412/31/l02.html").read_bytes()
    sel = HtmlResponse(url, body=page, encoding="gb18030").selector
    assert tjb_index.page_label(sel, url) == (2, "县市新闻")
    assert len(tjb_index.article_links(sel, url)) == 2


def test_generic_parser_on_unknown_layout():
    page = template("unknown_layout.html").substitute(
        title="洗溪镇开展屋场会听民声", isodate="2025-01-02",
        paragraphs="\n".join(f"<p>{s}</p>" for s in ["记者 田小雨 通讯员 向明 报道。",
                                                     "洗溪镇把产业链党建延伸到合作社和企业，带动农户稳定增收。" * 3,
                                                     "兴隆场镇开展屋场会活动，面对面听取意见建议。" * 3]))
    fields = GenericParser().parse(html_response("http://news.example.invalid/a/1.html", page))
    assert fields["title"] == "洗溪镇开展屋场会听民声"
    assert fields["published_date"] == date(2025, 1, 2)
    assert "合作社" in fields["body"]


# -- the real samples in ../shared ---------------------------------------------------------

def _shared(*parts: str) -> Path:
    path = SHARED.joinpath("outlets", *parts)
    if not path.exists():
        pytest.skip(f"../shared not present: {path} is needed for the real-sample check")
    return path


def test_real_rmrb_layout_page():
    path = _shared("rmrb", "layout_2024-12-25_node_01.html")
    url = "https://paper.people.com.cn/rmrb/pc/layout/202412/25/node_01.html"
    sel = html_response(url, path.read_bytes()).selector
    index = parser_for(RmrbSpider.index_parsers, date(2024, 12, 25))
    assert isinstance(index, RmrbIndex)
    assert index.page_label(sel, url) == (1, "要闻")
    pages = index.page_links(sel, url)
    assert len(pages) == 20 and pages[-1].endswith("/layout/202412/25/node_20.html")
    links = index.article_links(sel, url)
    assert len(links) == 7
    assert links[0][0] == "https://paper.people.com.cn/rmrb/pc/content/202412/25/content_30048054.html"
    assert all(re.search(r"/content/202412/25/content_\d{8}\.html$", u) for u, _ in links)
    assert not any(re.search("责编|责任编辑", t) for _, t in links)
    # the same page with an editor-credit entry added the way RSSHub describes it: dropped
    credit = path.read_text(encoding="utf-8").replace(
        "</ul>", '<li><a href="../../../content/202412/25/content_30048099.html">本版责编：某某</a></li></ul>', 1)
    links = index.article_links(html_response(url, credit).selector, url)
    assert len(links) == 7 and not any("30048099" in u for u, _ in links)


@pytest.mark.parametrize("name, outlet", [
    ("rmrb/crawled_2022-03-28_people_daily.xml", "rmrb"),
    ("hnrb/crawled_2022-03-29_hunan_daily.xml", "hnrb"),
])
def test_real_crawl_dumps(name, outlet):
    """The 2022 crawler dumps: page labels, dates and body-lead bylines as the sites printed them."""
    root = ET.parse(_shared(*name.split("/"))).getroot()
    news = root.findall("news")
    assert len(news) == (94 if outlet == "rmrb" else 48)
    with_names = 0
    for item in news:
        page_no, page_name = parse_page_label(item.findtext("page"))
        assert page_no and 1 <= page_no <= 20 and page_name
        assert find_date(item.findtext("time")) == (date(2022, 3, 28) if outlet == "rmrb" else date(2022, 3, 29))
        url = item.findtext("url")
        spider = RmrbSpider if outlet == "rmrb" else HnrbSpider
        assert isinstance(spider.parser_for_url(url), RmrbArticleOld if outlet == "rmrb" else HnrbArticleOld)
        content = item.findtext("content") or ""
        lead = re.split(r"\s{2,}|&#xA;|\n", content.strip())[:2]
        _, authors = extract_byline(lead)
        printed = (item.findtext("author") or "").split()
        if authors:
            with_names += 1
            assert all(re.fullmatch(r"[\u4e00-\u9fff·]{2,8}", a) for a in authors)
        if outlet == "rmrb" and printed and all(len(p) <= 4 for p in printed):
            # The dump's author field is the page's `.sec` byline without its 本报记者 prefix; read as the
            # spider reads `.sec`, it gives the same people, single characters printed apart (赵 成) joined.
            _, sec_names = extract_byline([f"本报记者 {' '.join(printed)}"])
            assert "".join(sec_names) == "".join(printed), (printed, sec_names)
            assert all(2 <= len(n) <= 4 for n in sec_names), sec_names
    # a good share of articles name their reporters in the first paragraph
    assert with_names >= (10 if outlet == "rmrb" else 15)
    if outlet == "hnrb":
        first = next(n for n in news if "周帙恒" in (n.findtext("content") or ""))
        assert extract_byline([first.findtext("content")])[1] == ["周帙恒", "刘笑雪", "刘燕娟"]
