"""团结报 (湘西州委机关报) e-paper at www.xxnet.com.cn/szb/tjbpc (docs/outlets.md §7).

Day index ``/szb/tjbpc/{YYYYMM}/{DD}/l01.html`` ("layout 01"); page links in
``div.nav-list``, page name in ``div.tabs h3``, article links in ``div.news-list``;
article title ``#Title`` and body ``#ozoom``.  One crawler seed is the only
source and the article URL pattern is unknown, so the spider follows whatever
the list links to on the same site; 引题/副题/author selectors are unknown
(the seed leaves them blank), so reporters are read from the body lead
(``团结报全媒体记者 X 通讯员 Y``).  Not to be confused with 民革中央's 《团结报》
(tuanjiebao.com).
"""

from __future__ import annotations

import re

from shanggao.spiders.base import EpaperSpider
from shanggao.spiders.outlets.base import ArticleParser, IndexParser


class TjbArticle(ArticleParser):
    URL = re.compile(r"xxnet\.com\.cn/szb/tjbpc/\d{6}/\d{2}/")
    TITLE = ("#Title", "h1", "h2")
    SUBTITLE = ("#PreTitle", "#SubTitle")   # Founder ids; [inferred], absent pages just give None
    DATE = ()
    BODY = ("#ozoom",)
    URL_DATE = re.compile(r"/(?P<year>20\d{2})(?P<month>\d{2})/(?P<day>\d{2})/")


class TjbIndex(IndexParser):
    FIRST_PAGE = "http://www.xxnet.com.cn/szb/tjbpc/{d:%Y%m}/{d:%d}/l01.html"
    ARTICLE_PARSER = TjbArticle
    PAGE_LINKS = ("div.nav-list ul li a",)
    PAGE_URL = re.compile(r"/szb/tjbpc/\d{6}/\d{2}/l\d+\.html?$")
    PAGE_LABEL = ("div.tabs h3",)
    PAGE_NO_URL = re.compile(r"/l(\d+)\.html?$")
    ARTICLE_LINKS = ("div.news-list ul li a",)
    ARTICLE_URL = re.compile(r"xxnet\.com\.cn/")


class TjbSpider(EpaperSpider):
    outlet = "tjb"
    parsers = (TjbArticle,)
    index_parsers = (TjbIndex,)
