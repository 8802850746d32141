"""Parser and listing unit tests for the portal outlets, one group per outlet and parser version.

Pages come from tests/fixtures/portals/mirror (markup as docs/outlets.md documents it, our own text).
"""

from __future__ import annotations

from datetime import date

import pytest
from parsel import Selector
from portals_support import fixture_response, json_response
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from shanggao.spiders.items import ProblemItem
from shanggao.spiders.outlets.base import parser_for
from shanggao.spiders.outlets.chinanews import (
    ChinanewsSpider,
    ContentDescParser,
    LeftZwParser,
    T3Parser,
    chinanews_url_date,
)
from shanggao.spiders.outlets.cpc12371 import ConParser, Cpc12371Spider, WordParser, url_date_12371
from shanggao.spiders.outlets.hxw import HxwSpider
from shanggao.spiders.outlets.portal import js_array, next_page_link
from shanggao.spiders.outlets.rednet import RednetParser, RednetSpider, dated_url
from shanggao.spiders.outlets.xinhunan import HuashengParser, XinhunanSpider, canonical_xhn_url
from shanggao.spiders.outlets.zzrsb import API_FROM, ApiNewsParser, DianzibaoHtmlParser, ZzrsbSpider, html_paragraphs
from shanggao.spiders.replay import post_key_url

WINDOW = {"start": "2026-07-20", "end": "2026-07-22"}


def spider(cls, **kwargs):
    return get_crawler(cls).spidercls.from_crawler(get_crawler(cls), **{**WINDOW, **kwargs})


def sel_of(response):
    return Selector(text=response.text, base_url=response.url)


# -- chinanews ------------------------------------------------------------------------------

def test_chinanews_url_grammars():
    assert chinanews_url_date("https://www.chinanews.com.cn/gn/2026/09-07/10691909.shtml") == date(2026, 9, 7)
    assert chinanews_url_date("https://www.hn.chinanews.com.cn/news/gnxw/2026/0911/533649.html") == date(2026, 9, 11)
    assert chinanews_url_date("http://www.hn.chinanews.com/news/0327/2016/262080.html") == date(2016, 3, 27)
    assert chinanews_url_date("https://www.chinanews.com.cn/scroll-news/news1.html") is None


def test_chinanews_left_zw_template():
    response = fixture_response("https://www.chinanews.com.cn/gn/2026/07-22/10612345.shtml")
    spider_ = spider(ChinanewsSpider)
    parser = spider_.choose_parser(sel_of(response), date(2026, 7, 22))
    assert isinstance(parser, LeftZwParser)
    fields = parser.parse(response)
    assert fields["title"] == "湖南湘西：泸溪椪柑产业带动村民增收"
    assert fields["published_date"] == date(2026, 7, 22)
    assert fields["authors"] == ["向明远"]  # 【编辑:周小青】 is the editor
    assert "广告" not in fields["body"] and fields["body"].endswith("【编辑:周小青】")
    assert parser.source(sel_of(response)) == "中国新闻网"
    assert parser.meta_line(sel_of(response)).startswith("2026年07月22日 09:15")


def test_chinanews_content_desc_template():
    response = fixture_response("https://www.chinanews.com.cn/df/2026/07-21/10611111.shtml")
    assert isinstance(spider(ChinanewsSpider).choose_parser(sel_of(response), None), ContentDescParser)
    fields = ContentDescParser().parse(response)
    assert fields["title"] == "泸溪县推进乡村人才驿站建设"
    assert fields["published_date"] == date(2026, 7, 21)
    assert ContentDescParser().source(sel_of(response)) == "中国新闻网"


def test_chinanews_t3_template_gbk_page():
    url = "https://www.chinanews.com/gn/2012/03-05/3717001.shtml"
    response = fixture_response(url)
    assert response.encoding == "gb18030"
    assert isinstance(spider(ChinanewsSpider).choose_parser(sel_of(response), None), T3Parser)
    fields = T3Parser().parse(response)
    assert fields["title"] == "湘西泸溪召开春耕生产现场会"
    assert fields["published_date"] == date(2012, 3, 5)
    assert fields["authors"] == ["彭南山"]
    assert "浦市镇" in fields["body"]


def test_chinanews_title_falls_back_to_page_title():
    html = ("<html><head><title>泸溪新闻标题-中新网</title></head><body><div class='left_zw'><p>正文。</p></div>"
            "</body></html>")
    response = HtmlResponse("https://www.chinanews.com.cn/gn/2026/07-22/1.shtml", body=html.encode(), encoding="utf-8")
    assert LeftZwParser().parse(response)["title"] == "泸溪新闻标题"
    assert LeftZwParser().parse(response)["published_date"] == date(2026, 7, 22)  # URL date


def test_chinanews_rolling_list_entries_pagination_and_keywords():
    spider_ = spider(ChinanewsSpider)
    response = fixture_response("https://www.chinanews.com.cn/scroll-news/news1.html")
    entries = spider_.listing_entries(response)
    assert [e.day for e in entries] == [date(2026, 7, 22)] * 2 + [date(2026, 7, 21)] * 2
    assert all("10500001" not in e.url for e in entries)  # sidebar is not the list
    assert spider_.next_listing_url(response, 1) == "https://www.chinanews.com.cn/scroll-news/news2.html"
    requested = [r.url for r in spider_.parse_listing(response, 1)]
    assert requested == ["https://www.chinanews.com.cn/gn/2026/07-22/10612345.shtml",
                         "https://www.chinanews.com.cn/df/2026/07-21/10611111.shtml",
                         "https://www.chinanews.com.cn/scroll-news/news2.html"]
    unfiltered = spider(ChinanewsSpider, keywords="")
    assert len([r for r in unfiltered.parse_listing(response, 1)]) == 5
    past = [r.url for r in spider_.parse_listing(fixture_response(
        "https://www.chinanews.com.cn/scroll-news/news2.html"), 2)]
    assert past == ["https://www.chinanews.com.cn/cj/2026/07-20/10610000.shtml"]  # no news3


def test_keywords_come_from_setting_when_no_argument():
    crawler = get_crawler(ChinanewsSpider, {"SHANGGAO_KEYWORDS": ["浦市"]})
    assert ChinanewsSpider.from_crawler(crawler, **WINDOW).keywords == ("浦市",)
    assert spider(ChinanewsSpider).keywords == ("泸溪", "湘西")
    assert spider(RednetSpider).keywords == ()  # rednet has its 湘西 channel: no filter


# -- 12371 ------------------------------------------------------------------------------------

def test_12371_js_list():
    response = fixture_response("https://www.12371.cn/zxfb/")
    entries = spider(Cpc12371Spider).listing_entries(response)
    assert len(entries) == 6
    assert entries[1].url == "https://www.12371.cn/2026/07/22/ARTI1784709000000123.shtml"
    assert entries[1].title == "湘西泸溪：产业链上建支部" and entries[1].day == date(2026, 7, 22)
    assert entries[4].url.startswith("https://news.12371.cn/")


def test_js_array_quotes_and_absence():
    assert js_array("item=[{'title':'它\\'s','link_add':'x'}];", "item") == [{"title": "它's", "link_add": "x"}]
    assert js_array('var InfoList = [{"infoid":"a","id":1}];', "InfoList") == [{"infoid": "a", "id": 1}]
    assert js_array("var other = 1;", "item") == []
    assert js_array("item=[{'title':'unterminated'", "item") == []


def test_12371_url_grammar():
    assert url_date_12371("https://www.12371.cn/2022/02/08/ARTI1644275366322927.shtml") == date(2022, 2, 8)
    assert url_date_12371("https://www.12371.cn/2021/06/19/VIDE1624068600421689.shtml") == date(2021, 6, 19)
    assert url_date_12371("https://tougao.12371.cn/gaojian.php?tid=3") is None


@pytest.mark.parametrize("url,parser_cls", [
    ("https://www.12371.cn/2026/07/22/ARTI1784709000000123.shtml", WordParser),
    ("https://www.12371.cn/2026/07/21/VIDE1784599500000654.shtml", ConParser),
])
def test_12371_templates(url, parser_cls):
    response = fixture_response(url)
    parser = spider(Cpc12371Spider).choose_parser(sel_of(response), None)
    assert isinstance(parser, parser_cls)
    fields = parser.parse(response)
    assert fields["title"] and "泸溪" in fields["body"] and "分享到" not in fields["body"]
    assert fields["published_date"] == url_date_12371(url)


def test_12371_url_date_wins_over_i_time():
    url = "https://news.12371.cn/2026/07/20/ARTI1784509920000222.shtml"
    response = fixture_response(url)
    assert WordParser().parse(response)["published_date"] == date(2026, 7, 19)  # what i.time says
    spider_ = spider(Cpc12371Spider)
    (item,) = [i for i in spider_.parse_article(response) if not isinstance(i, ProblemItem)]
    assert item["published_date"] == date(2026, 7, 20)
    assert spider_.crawler.stats.get_value("shanggao/date_mismatch") == 1
    assert WordParser().source(sel_of(response)) == "湖南日报"


# -- xinhunan ---------------------------------------------------------------------------------

def test_xinhunan_canonical_urls():
    assert canonical_xhn_url("https://m.voc.com.cn/xhn/news/202502/27771467.html?from=app") == \
        "https://www.hunantoday.cn/news/xhn/202502/27771467.html"
    assert canonical_xhn_url("http://www.hunantoday.cn/news/xhn/202505/29577937.html#top") == \
        "https://www.hunantoday.cn/news/xhn/202505/29577937.html"
    assert XinhunanSpider.canonical_url("https://hn.voc.com.cn/article/202607/33100003.html?x=1") == \
        "https://hn.voc.com.cn/article/202607/33100003.html"


def test_huasheng_baidu_hooks():
    response = fixture_response("https://hn.voc.com.cn/article/202607/33100003.html")
    fields = HuashengParser().parse(response)
    assert fields["title"] == "泸溪县开展“组工干部走基层”活动"
    assert fields["published_date"] == date(2026, 7, 20)
    assert fields["byline"] == "田园" and fields["authors"] == ["田园"]
    assert HuashengParser().source(sel_of(response)) == "华声在线"
    assert "责编" not in fields["body"]


def test_xinhunan_listing_month_rule_and_mirror_dedup():
    spider_ = spider(XinhunanSpider)
    entries = spider_.listing_entries(fixture_response("https://www.hunantoday.cn/"))
    by_url = {e.url: e.day for e in entries}
    assert by_url["https://www.hunantoday.cn/news/xhn/202607/32500002.html"] == date(2026, 7, 21)
    assert by_url["https://www.hunantoday.cn/news/xhn/202605/31000001.html"] == date(2026, 5, 31)  # month only
    assert not any("m.voc.com.cn" in url for url in by_url)
    no_hooks = fixture_response("https://www.hunantoday.cn/news/xhn/202607/32500002.html")
    assert spider_.choose_parser(sel_of(no_hooks), None) is None  # -> generic extractor


# -- rednet -----------------------------------------------------------------------------------

def test_rednet_url_grammars():
    assert dated_url("https://xx.rednet.cn/content/2021/07/23/9697602.html") == date(2021, 7, 23)
    assert dated_url("https://hn.rednet.cn/content/646840/67/14024310.html") is None
    spider_ = spider(RednetSpider)
    assert spider_.is_article_url("https://hlj.rednet.cn/content/646047/61/15799082.html")
    assert not spider_.is_article_url("https://xx.rednet.cn/channel/270.html")


def test_rednet_parser_hooks_and_fallback_body():
    response = fixture_response("https://xx.rednet.cn/content/646856/57/15800003.html")
    fields = RednetParser().parse(response)
    assert fields["title"] == "泸溪县举办年轻干部培训班"
    assert fields["byline"] == "田野" and fields["authors"] == ["田野"]
    assert fields["published_date"] == date(2026, 7, 21)  # from the page: the URL has no date
    assert fields["body"].startswith("为期五天的年轻干部培训班")
    assert "来源" not in fields["body"] and "推荐阅读" not in fields["body"]


_REDNET_REPOST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_红网</title></head><body>
<main><section class="overf block"><section class="f_left box_left">
<h1>{title}</h1>
<article>
<section class="m_b_10"><span>当前位置：红网 &gt; 湘西站</span></section>
<div class="meta">{meta}</div>
<section class="m_t_25 f18 lh35">
<p>　　泸溪县浦市镇组织党员志愿者走进椪柑园，帮助果农采摘、分拣、装箱，解决用工难题。</p>
<p>　　志愿者们还把电商直播搬进果园，当天线上销售椪柑两千多箱，果农们笑得合不拢嘴。</p>
<p>　　今年以来，全镇已开展这样的助农活动十余次。</p>
<p>　　浦市镇党委负责人表示，将继续组织党员干部下沉一线，把实事办到群众心坎上。</p></section>
</article></section></section></main></body></html>"""


def _rednet_page(meta: str) -> HtmlResponse:
    url = "https://xx.rednet.cn/content/646856/60/15800099.html"
    body = _REDNET_REPOST.format(title="浦市镇党员志愿者助农采摘椪柑", meta=meta)
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=Request(url))


def test_rednet_repost_without_author_line_has_no_source_byline():
    # Off the 2020 path (the meta lines sit in a div), so the class-token fallbacks are used;
    # the source line's m_t_50 must not pass for the byline's m_t_5.
    fields = RednetParser().parse(_rednet_page(
        '<p class="f14 m_t_50 m_b_5 h20">来源：湖南日报 2026-07-21 10:12:05</p>'))
    assert fields["byline"] is None and fields["authors"] == []
    assert fields["published_date"] == date(2026, 7, 21)
    assert "来源" not in fields["body"]


def test_rednet_byline_class_tokens_in_any_order():
    fields = RednetParser().parse(_rednet_page(
        '<p class="m_b_5  f14\th20 m_t_5">作者：向明远</p><p class="h20 m_t_50 f14">来源：红网 2026-07-21 10:12</p>'))
    assert fields["byline"] == "向明远" and fields["authors"] == ["向明远"]
    assert fields["published_date"] == date(2026, 7, 21)
    assert "作者" not in fields["body"] and "来源" not in fields["body"]


def test_rednet_listing_dates_from_list_items():
    spider_ = spider(RednetSpider)
    response = fixture_response("https://xx.rednet.cn/channel/270_2.html")
    assert [e.day for e in spider_.listing_entries(response)] == [date(2026, 7, 20), date(2026, 7, 18)]
    assert next_page_link(sel_of(response), response.url) == "https://xx.rednet.cn/channel/270_3.html"
    assert [r.url for r in spider_.parse_listing(response, 2)] == [
        "https://xx.rednet.cn/content/646856/58/15800004.html"]  # past the window: no 270_3


# -- hxw --------------------------------------------------------------------------------------

def test_hxw_home_follows_sections_and_articles():
    spider_ = spider(HxwSpider)
    urls = [r.url for r in spider_.parse_listing(fixture_response("https://www.hxw.gov.cn/"), 1)]
    assert set(urls) == {"https://www.hxw.gov.cn/channel/101.html", "https://www.hxw.gov.cn/topic/294/index.html",
                         "https://www.hxw.gov.cn/content/646900/12/16000001.html"}


def test_hxw_home_without_links_is_drift():
    spider_ = spider(HxwSpider)
    response = HtmlResponse("https://www.hxw.gov.cn/", body="<html><body><p>改版中</p></body></html>".encode(),
                            encoding="utf-8", request=Request("https://www.hxw.gov.cn/"))
    (problem,) = list(spider_.parse_listing(response, 1))
    assert problem["problem"] == "no_links"


# -- zzrsb ------------------------------------------------------------------------------------

def test_zzrsb_versions_by_date():
    assert isinstance(parser_for(ZzrsbSpider.parsers, date(2023, 2, 21)), DianzibaoHtmlParser)
    assert isinstance(parser_for(ZzrsbSpider.parsers, API_FROM), ApiNewsParser)
    assert isinstance(parser_for(ZzrsbSpider.parsers, None), ApiNewsParser)
    s = spider(ZzrsbSpider, start="2023-02-27", end="2023-03-01")
    assert [s.uses_api(d) for d in s.window] == [False, False, True]
    assert spider(ZzrsbSpider, scheme="html").uses_api(date(2026, 7, 20)) is False
    with pytest.raises(ValueError):
        spider(ZzrsbSpider, scheme="pdf")


def test_zzrsb_api_article():
    url = "https://www.zuzhirenshi.com/api/welcome/selectNews?id=n22-2-0000-4000-8000-202607220000"
    fields = ApiNewsParser().parse(json_response(url))
    assert fields["title"] == "就业帮扶车间开到家门口"
    assert fields["byline"] == "本报讯（记者 钱工 通讯员 孙帮）" and fields["authors"] == ["钱工", "孙帮"]
    assert fields["page_name"] == "人社工作" and fields["published_date"] == date(2026, 7, 22)
    assert ZzrsbSpider.canonical_url(url) == \
        "https://www.zuzhirenshi.com/detailpage/n22-2-0000-4000-8000-202607220000"


def test_zzrsb_api_issue_page_numbers_follow_show_list_order():
    spider_ = spider(ZzrsbSpider)
    url = post_key_url("https://www.zuzhirenshi.com/api/welcome/dianZiBaoHomePage", b'{"id": "issue-a22"}')
    requests = list(spider_.parse_issue(json_response(url), date(2026, 7, 22)))
    assert [(r.cb_kwargs["page_no"], r.cb_kwargs["page_name"]) for r in requests] == [
        (1, "要闻"), (2, "人社工作"), (3, "基层党建")]


def test_zzrsb_static_back_issue_pages():
    spider_ = spider(ZzrsbSpider, date="2023-02-21")
    first = fixture_response("http://www.zuzhirenshi.com/dianzibao/2023-02-21/1/index.htm")
    out = list(spider_.parse_static_page(first, date(2023, 2, 21), 1))
    assert out[0].url == "http://www.zuzhirenshi.com/dianzibao/2023-02-21/2/index.htm"
    assert out[1].url.endswith("/2023-02-21/1/49536450-8596-4d0d-b913-f5e0c5eea5db.htm")
    assert (out[1].cb_kwargs["page_no"], out[1].cb_kwargs["page_name"]) == (1, "要闻")
    article = fixture_response(out[1].url)
    fields = DianzibaoHtmlParser().parse(article)
    assert fields["title"] == "扎实做好新时代组织工作"
    assert fields["published_date"] == date(2023, 2, 21)
    assert fields["authors"] == ["周组"]


def test_zzrsb_empty_issue_is_drift():
    from scrapy.http import TextResponse

    spider_ = spider(ZzrsbSpider)
    response = TextResponse("https://www.zuzhirenshi.com/api/welcome/dianZiBaoHomePage",
                            body=b'{"code":200,"data":{"dianzibaoShowList":[]}}', encoding="utf-8")
    (problem,) = list(spider_.parse_issue(response, date(2026, 7, 22)))
    assert problem["problem"] == "no_links"
    assert html_paragraphs("第一行<br/>第二行") == ["第一行", "第二行"]


def test_post_key_url_is_order_independent():
    a = post_key_url("https://x.test/api", b'{"years":"2026","months":"07"}')
    b = post_key_url("https://x.test/api", b'{"months": "07", "years": "2026"}')
    assert a == b == "https://x.test/api?months=07&years=2026"
