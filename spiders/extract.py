"""The generic article extractor: headline, publication date and body of a page of any site.

``shanggao fetch`` settles claims on WeChat posts, county government sites and every outlet without a
parser of its own with this module (through :class:`shanggao.spiders.outlets.base.GenericParser`), so it
reads pages the way a person does:

* **Characters** (:func:`decoded`): a page that declares ``gb2312`` but whose bytes are UTF-8 (saved
  pages, misconfigured sites), or declares nothing at all, is decoded by what its bytes are.
* **Date** (:func:`publication_date`): the page's own publication markers first — WeChat's
  ``var ct = "<unix seconds>"`` / ``publish_time``, meta tags (``article:published_time``, ``PubDate``,
  ``publishdate`` …), elements such as ``#paperdate`` / ``#pubtime_baidu`` —, then the date line beside
  the headline, then a date labelled 发布时间/发表于, then the URL, and last htmldate's quick (markup-only)
  search, believed only when that date is printed in full on the page.  A year alone is never a date,
  dates in scripts or build comments never count, and neither do copyright lines.
* **Title** (:func:`headline`): headline elements (``h1`` that is not just a logo, title-classed
  blocks such as ``div.h-title`` / ``.title h2`` / ``div.Heading``, ``og:title``, WeChat's
  ``#activity-name``) confirmed against ``<title>``, whose site suffixes (``--经济·科技--人民网``,
  ``-新华网``, ``_新闻频道_中国青年网``) are split off; with no headline anywhere the title is a guess and
  says so.
* **Body** (:func:`body_paragraphs`): trafilatura's main text with tables kept (layout tables hold whole
  articles on older sites); when that is much shorter than the page's densest text block, the block is
  read instead.  Chrome is removed: lines that are links of the page (teaser streams, 推荐阅读 lists),
  share and navigation lines, copyright/ICP footers.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html
from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding

from shanggao.dates import beijing_date_of_timestamp, dates_in, find_date
from shanggao.spiders.text import clean_inline, clean_text

__all__ = ["Extracted", "body_paragraphs", "decoded", "extract", "headline", "publication_date"]


@dataclass
class Extracted:
    """What the generic extractor found on a page."""

    title: str | None
    published_date: date | None
    paragraphs: list[str]
    author: str | None = None
    warnings: list[str] = field(default_factory=list)


# -- characters ------------------------------------------------------------------------

_CHARSET_IN_HEADER = re.compile(rb"charset\s*=\s*[\"']?([-\w.:]+)", re.I)


def decoded(response: Response) -> Response:
    """The response with the encoding its bytes really have.

    A charset sent in the ``Content-Type`` header is kept when the bytes decode with it.  Otherwise
    bytes that are valid UTF-8 (and not plain ASCII) are UTF-8 whatever a ``<meta charset>`` says;
    bytes that are not are read with the encoding the page declares when they decode with it, else as
    GB18030 (the superset of GB2312/GBK that Chinese sites use without saying so) — never with a
    guessed single-byte code page, which decodes anything into nonsense.
    """
    if not isinstance(response, TextResponse):
        return response
    body = response.body
    header = _CHARSET_IN_HEADER.search(response.headers.get(b"Content-Type") or b"")
    choices = [header.group(1).decode("ascii", "ignore")] if header else []
    if not body.isascii():
        choices.append("utf-8")
    declared = html_body_declared_encoding(body)
    choices += [declared] if declared else []
    choices.append("gb18030")
    for encoding in choices:
        try:
            body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        return response if _same_codec(encoding, response.encoding) else response.replace(encoding=encoding)
    # Nothing decodes cleanly (a stray byte): the candidate with the fewest undecodable bytes.
    best = min(choices, key=lambda enc: _undecodable(body, enc))
    return response if _same_codec(best, response.encoding) else response.replace(encoding=best)


def _undecodable(body: bytes, encoding: str) -> int:
    try:
        return body.decode(encoding, "replace").count("\ufffd")
    except LookupError:
        return len(body)


def _same_codec(a: str, b: str) -> bool:
    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


# -- the page --------------------------------------------------------------------------

_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "textarea", "select", "option", "iframe")


def _parse(html: str) -> etree._Element | None:
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _visible_text(tree: etree._Element) -> str:
    """The body's visible text in document order, whitespace folded (dates, headline lines)."""
    body = tree.find("body")
    root = body if body is not None else tree
    parts = _VISIBLE(root)
    return clean_inline(" ".join(parts))


_VISIBLE = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::textarea"
    " or ancestor::select or ancestor::template)]", smart_strings=False)


def _text(element: etree._Element) -> str:
    return clean_inline(" ".join(_VISIBLE(element)))


_TAG_TEXT = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")


def _headline_text(element: etree._Element) -> str:
    """An element's text as a headline: markup a CMS left in it as text (``标题<div>``) taken out."""
    return clean_inline(_TAG_TEXT.sub("", _text(element)))


# -- title -----------------------------------------------------------------------------

# Separators between a headline and the site's names in <title>: 标题--频道--人民网, 标题-新华网,
# 标题_新闻频道_中国青年网, 标题 | 某某网, 博客 » 标题.  A hyphen between letters or digits (COVID-19, 2022-2023) is
# no separator, and neither is a dash (——) that introduces a subtitle.
_TITLE_SEPARATORS = re.compile(
    r"\s*(?:--+|_+|\s[-–—|｜»]\s|[|｜»]|::|-(?![0-9A-Za-z])|(?<![0-9A-Za-z])-)\s*")
_SITE_WORDS = re.compile(
    r"(?:网|网站|频道|在线|新闻|日报|晚报|早报|报社|政府|人民政府|门户|中心|百科|官网|首页|平台|客户端|公众号|融媒|博客|论坛|社区|"
    r"\.com|\.cn|\.net|www\.)\s*$|^www\.|^[\x00-\x7f]+$", re.I)
_HEADLINE_QUERIES = etree.XPath(
    "//*[self::div or self::h1 or self::h2 or self::h3 or self::p or self::span or self::td or self::strong"
    " or self::header][contains(translate(concat(' ', @class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
    " 'abcdefghijklmnopqrstuvwxyz'), 'title') or contains(translate(concat(@class, ' ', @id),"
    " 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'heading') or contains(translate("
    "concat(@class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'headline')]")
_META_TITLES = ("og:title", "twitter:title", "articletitle", "headline")


def _title_segments(title_tag: str) -> list[str]:
    return [s for s in (clean_inline(p) for p in _TITLE_SEPARATORS.split(title_tag)) if s]


def _site_like(segment: str) -> bool:
    return bool(_SITE_WORDS.search(segment)) and len(segment) <= 16


def _logo_only(element: etree._Element, text: str) -> bool:
    """An h1 that holds the site's logo (an image, a link home, or a name of a few characters)."""
    if len(text) < 2:
        return True
    links = element.xpath(".//a[@href]")
    if links and element.xpath(".//img"):
        return True
    for link in links:
        path = urlsplit(link.get("href") or "").path
        if path in ("", "/", "/index.html", "/index.htm", "/index.shtml") and _text(link) == text:
            return True
    return False


def _similar(candidate: str, segment: str) -> bool:
    if not candidate or not segment:
        return False
    if candidate == segment:
        return True
    short, long_ = sorted((candidate, segment), key=len)
    return short in long_ and len(short) >= 0.6 * len(long_)


def headline(tree: etree._Element) -> tuple[str | None, str]:
    """(title, how it was found): ``confirmed`` — a headline element that ``<title>`` or ``og:title``
    confirms, or ``og:title`` itself; ``element`` — an ``h1`` nothing confirms; ``title`` — only the
    headline part of ``<title>``; ``none``."""
    title_tag = clean_inline(_TAG_TEXT.sub("", " ".join(tree.xpath("//head/title//text()")
                                                       or tree.xpath("//title//text()"))))
    segments = _title_segments(title_tag)
    metas = []
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key in _META_TITLES:
            metas.append(clean_inline(_TAG_TEXT.sub("", meta.get("content") or "")))
    candidates: list[str] = []   # in order of trust: WeChat's title, h1s, title-classed blocks, h2/h3
    for query in ("//*[@id='activity-name']", "//h1"):
        for element in tree.xpath(query):
            text = _headline_text(element)
            if text and not (query == "//h1" and _logo_only(element, text)):
                candidates.append(text)
    for element in _HEADLINE_QUERIES(tree):
        if "subtitle" in (element.get("class") or "").lower():
            continue
        inner = element.xpath(".//h1|.//h2|.//h3")
        text = _headline_text(inner[0]) if inner else _headline_text(element)
        if 4 <= len(text) <= 120:
            candidates.append(text)
    candidates += [_headline_text(e) for e in tree.xpath("//h2|//h3")]
    candidates = [c for c in candidates if c and len(c) <= 120]
    # A headline element confirmed by <title> (or by og:title) is the title: the same words first (the
    # most trusted element first; the whole <title> only when it has no site part), then one holding the
    # other (an element with a kicker in it gives the words <title> confirms).
    exact = {*segments, *metas} | ({title_tag} if len(segments) <= 1 else set())
    for candidate in candidates:
        if candidate in exact and not (len(segments) > 1 and _site_like(candidate)):
            return candidate, "confirmed"
    confirms = [c for c in (_best_segment(segments), *segments, *metas, title_tag) if c]
    for confirm in confirms:
        for candidate in candidates:
            if _similar(candidate, confirm):
                truncated = confirm.endswith(("…", "..."))
                return (confirm if confirm in candidate and not truncated else candidate), "confirmed"
    for meta in metas:
        if meta:
            best = _best_segment(_title_segments(meta)) or meta
            return best, "confirmed"
    for element in tree.xpath("//*[@id='activity-name']|//h1"):
        text = _headline_text(element)
        if text and not _logo_only(element, text) and len(text) <= 120:
            return text, "element"
    guess = _best_segment(segments)
    return (guess, "title") if guess else (None, "none")


def _best_segment(segments: list[str]) -> str | None:
    """The headline part of a <title>: its first segment that is not a site or channel name
    (``标题--经济·科技--人民网``, ``千龙网--汽车--标题``)."""
    if not segments:
        return None
    own = [s for s in segments if not _site_like(s)]
    return own[0] if own else segments[0]


# -- date --------------------------------------------------------------------------------

_WECHAT_CT = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{9,10})\b""")
_JS_TIMESTAMPS = re.compile(r"""\b(?:create_time|publish_time|ori_create_time)\s*[:=]\s*["']?(\d{9,10})\b""")
_JS_DATES = re.compile(r"""\b(?:publish_time|publishTime|pubDate|pubtime)\s*[:=]\s*["'](\d{4}-\d{1,2}-\d{1,2})""")
_DATE_METAS = {
    "article:published_time", "og:article:published_time", "og:published_time", "og:release_date",
    "publishdate", "pubdate", "publish_date", "publish-date", "publishtime", "publish_time", "published_time",
    "date.published", "datepublished", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
    "sailthru.date", "weibo:article:create_at", "release_date", "firstpublishedtime", "contentpublishtime",
}
_DATE_ELEMENTS = etree.XPath(
    "//*[@id='paperdate' or @id='pubtime_baidu' or @id='publish_time' or @id='pubtime' or @id='pub_time'"
    " or @id='publishtime' or @id='pubDate' or @id='publishDate' or @itemprop='datePublished']"
    " | //time[@pubdate or @itemprop='datePublished']")
# A date introduced (or followed) by the words that say it is the publication's.
_STRONG_LABEL = re.compile(
    r"(?:发表于|发布于|发布时间|发布日期|发表时间|发表日期|发稿时间|刊发时间|出版日期)\s*[:：]?\s*$")
_WEAK_LABEL = re.compile(r"(?:时间|日期)\s*[:：]\s*$")
_AFTER_LABEL = re.compile(r"[日号]?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:发表|发布|更新)")
# 9/17/2004 5:54:13 AM: month first, as US-made content systems print it (only after a label).
_US_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?!\d)")
_COPYRIGHT = re.compile(r"©|&copy;|copyright|版权所有|all rights reserved", re.I)


def _own_markers(tree: etree._Element, html: str) -> date | None:
    for pattern in (_WECHAT_CT, _JS_TIMESTAMPS):
        m = pattern.search(html)
        if m and int(m.group(1)) > 0:
            return beijing_date_of_timestamp(int(m.group(1)))
    m = _JS_DATES.search(html)
    if m and find_date(m.group(1)):
        return find_date(m.group(1))
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _DATE_METAS:
            day = _full_date(meta.get("content"))
            if day:
                return day
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        m = re.search(r'"datePublished"\s*:\s*"([^"]+)"', script)
        if m and _full_date(m.group(1)):
            return _full_date(m.group(1))
    for element in _DATE_ELEMENTS(tree):
        day = _full_date(element.get("datetime") or element.get("content") or _text(element))
        if day:
            return day
    return None


def _full_date(value: str | None) -> date | None:
    """A Y-M-D date written in ``value`` (ISO timestamps included); a year or a month alone is None."""
    if not value:
        return None
    for day, _, _ in dates_in(value):
        return day
    m = re.match(r"\s*(\d{4})(\d{2})(\d{2})(?:\D|$)", value)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _plausible(day: date, today: date) -> bool:
    return date(1995, 1, 1) <= day <= today


def _date_beside(text: str, title: str | None, today: date) -> date | None:
    """The first date printed within a line or two after the headline (its date/source line); a
    headline of a few characters (a name) is too common on a page to anchor anything."""
    if not title or len(title) < 6:
        return None
    start = 0
    while True:
        at = text.find(title, start)
        if at < 0:
            return None
        window = text[at + len(title): at + len(title) + 200]
        for day, pos, _ in dates_in(window):
            if _plausible(day, today) and not _COPYRIGHT.search(window[max(0, pos - 20):pos]):
                return day
        start = at + len(title)


def _labelled_date(text: str, today: date, label: re.Pattern[str]) -> date | None:
    for day, pos, end in dates_in(text):
        if not _plausible(day, today):
            continue
        if label.search(text[max(0, pos - 10):pos]) or (label is _STRONG_LABEL and _AFTER_LABEL.match(text, end)):
            return day
    for m in _US_DATE.finditer(text):
        if label.search(text[max(0, m.start() - 10):m.start()]):
            try:
                day = date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
            except ValueError:
                continue
            if _plausible(day, today):
                return day
    return None


_URL_DATE = re.compile(
    r"(?<!\d)(?P<year>20\d{2}|19\d{2})[-/_]?(?P<month>0[1-9]|1[0-2])[-/_]?(?P<day>[0-2]\d|3[01])(?!\d)")


def _url_date(url: str, today: date) -> date | None:
    for m in _URL_DATE.finditer(urlsplit(url).path):
        try:
            day = date(int(m["year"]), int(m["month"]), int(m["day"]))
        except ValueError:
            continue
        if _plausible(day, today):
            return day
    return None


def _printed(day: date, text: str) -> bool:
    return any(found == day for found, _, _ in dates_in(text))


def publication_date(tree: etree._Element, html: str, url: str, title: str | None,
                     text: str | None = None) -> date | None:
    """The page's publication day (see the module docstring for the order of the evidence)."""
    today = date.today()
    day = _own_markers(tree, html)
    if day and _plausible(day, today):
        return day
    text = _visible_text(tree) if text is None else text
    for found in (_date_beside(text, title, today), _labelled_date(text, today, _STRONG_LABEL),
                  _labelled_date(text, today, _WEAK_LABEL), _url_date(url, today)):
        if found:
            return found
    guess = _htmldate_quick(tree, url)
    if guess and _plausible(guess, today) and _printed(guess, text):
        return guess
    return None


def _htmldate_quick(tree: etree._Element, url: str) -> date | None:
    """htmldate on the markup only: no opportunistic text search, so no dateparser locale loading."""
    from htmldate import find_date as htmldate_find

    try:
        found = htmldate_find(tree, extensive_search=False, original_date=True, url=url,
                              max_date=datetime.now().strftime("%Y-%m-%d"))
    except Exception:  # htmldate does not promise to raise nothing on hostile markup
        return None
    return _full_date(found) if found else None


# -- body ------------------------------------------------------------------------------------

_CHROME_HEADS = re.compile(
    r"^(?:[【\[（(]?\s*)(?:推荐阅读|相关阅读|相关新闻|相关文章|相关报道|相关链接|延伸阅读|热点推荐|精彩推荐|热门推荐|猜你喜欢|往期推荐|"
    r"往期回顾|更多精彩|今日推荐|编辑推荐|热门文章|热门新闻|最新文章|点击排行|阅读排行|热点排行)")
_CHROME_LINES = re.compile(
    r"分享让更多人看到|^分享到|分享到[:：]|^扫一扫|扫码关注|长按.{0,6}识别|关注公众号|^返回顶部|打印本页|关闭窗口|【纠错】|"
    r"^字号[:：]|[大中小]字号|上一篇|下一篇|网站地图|ICP备|公网安备|违法和不良信息举报|^点击进入|"
    r"(?:网友|查看|最新|更多|发表|我要|全部|热门)评论|[条篇]评论|^\(?责任编辑[:：]\s*\)?$|^【\d+】")
# Words of the site's controls: chrome in a short line, prose in a long one.
_UI_WORDS = re.compile(r"登录|注册|二维码|排行榜|评论|收藏|点赞|转发|打印|字体|订阅")
_SENTENCE_END = re.compile(r"[。！？!?…”」]$")


_MAX_LINKS = 3000  # a page with more links is read with its first ones (bounded work on hostile pages)


def _link_texts(tree: etree._Element) -> set[str]:
    texts = set()
    for a in tree.iter("a"):
        text = _text(a)
        if 2 <= len(text) <= 200:
            texts.add(text)
            if len(texts) >= _MAX_LINKS:
                break
    return texts


_NOT_COUNTED = re.compile(r"[\s|｜·•>»/\\\-–—_:：,，.。、()（）\[\]【】<>《》\"“”'‘’!！?？]+")


def _is_link_line(line: str, links: set[str]) -> bool:
    """A line made of the page's link texts: a teaser, a related article's title, a menu
    (``博客首页 | 注册 | 控制面板``): at least 70 % of its letters are inside links."""
    if len(line) > 2000:  # a long paragraph is prose
        return False
    if line in links:
        return len(line) >= 4
    letters = len(_NOT_COUNTED.sub("", line))
    if letters < 4:
        return False
    covered = [False] * len(line)
    for text in links:
        if len(text) > len(line):
            continue
        start = line.find(text)
        while start >= 0:
            covered[start:start + len(text)] = [True] * len(text)
            start = line.find(text, start + len(text))
    inside = len(_NOT_COUNTED.sub("", "".join(ch for ch, c in zip(line, covered, strict=False) if c)))
    return inside >= 0.7 * letters


def _chrome_line(line: str) -> bool:
    if len(line) <= 60 and _CHROME_LINES.search(line):
        return True
    if len(line) <= 30 and _UI_WORDS.search(line) and not _SENTENCE_END.search(line):
        return True
    return len(line) <= 160 and bool(_COPYRIGHT.search(line))


def _strip_chrome(paragraphs: list[str], links: set[str]) -> list[str]:
    kept: list[str] = []
    in_list = False  # after a 推荐阅读 / 相关新闻 head: the list of links that follows goes too
    for line in paragraphs:
        rest = _CHROME_HEADS.sub("", line).strip(" ：:】]）)")
        if _CHROME_HEADS.match(line) and (len(line) <= 60 or _is_link_line(rest, links)):
            in_list = True
            continue
        if _chrome_line(line):
            continue
        linked = _is_link_line(line, links)
        if in_list and (linked or len(line) <= 40):
            continue
        in_list = False
        kept.append(line)
    kept = _cut_footer(kept, links)
    # runs of three or more link lines inside are lists of other articles
    out: list[str] = []
    run: list[str] = []
    for line in kept:
        if _is_link_line(line, links) and not _SENTENCE_END.search(line):
            run.append(line)
            continue
        if len(run) < 3:
            out += run
        run = []
        out.append(line)
    if len(run) < 3:
        out += run
    return out


def _cut_footer(lines: list[str], links: set[str]) -> list[str]:
    """Cut the page's footer off the body's end, once past its first third: from a copyright line,
    or from a link line after which most lines are links or a few characters (a teaser stream,
    a menu, channel names)."""
    total = sum(map(len, lines))
    seen = 0
    for i, line in enumerate(lines):
        if seen >= total / 3:
            if _COPYRIGHT.search(line):
                return lines[:i]
            if _is_link_line(line, links) and not _SENTENCE_END.search(line):
                rest = lines[i:]
                weak = sum(1 for r in rest if _is_link_line(r, links) or len(r) <= 12 or _chrome_line(r))
                if len(rest) >= 2 and weak >= 0.6 * len(rest):
                    return lines[:i]
        seen += len(line)
    while lines and _is_link_line(lines[-1], links) and not _SENTENCE_END.search(lines[-1]):
        lines = lines[:-1]
    return lines


_PIPE = re.compile(r"(?<!\\)\|")


def _lines_of(text: str) -> list[str]:
    """trafilatura's text as paragraphs; its table rows (``| a | b |``) become one line per cell."""
    lines: list[str] = []
    for raw in clean_text(text).split("\n"):
        if raw.startswith("|") and raw.endswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in _PIPE.split(raw.strip("|"))]
            lines += [c for c in cells if c and not set(c) <= set("-: ")]
        else:
            lines.append(raw)
    return [clean_inline(line) for line in lines if line.strip()]


def body_paragraphs(tree: etree._Element, url: str | None = None) -> list[str]:
    """The article's paragraphs, chrome removed (see the module docstring).

    trafilatura reads the page twice, tables included: favouring precision (no comment blocks,
    sidebars or teaser lists), and with its defaults; the precise text is kept unless it threw away
    most of the article (a government page's text in a form-like table, a short post).
    """
    import trafilatura

    texts = []
    for favour_precision in (True, False):
        doc = trafilatura.bare_extraction(_copy(tree), url=url, with_metadata=False, include_comments=False,
                                          include_tables=True, favor_precision=favour_precision)
        texts.append(_lines_of(getattr(doc, "text", None) or ""))
    precise, plain = texts
    paragraphs = precise if sum(map(len, precise)) >= 0.3 * sum(map(len, plain)) else plain
    return _strip_chrome(paragraphs, _link_texts(tree))


def _copy(tree: etree._Element) -> etree._Element:
    from copy import deepcopy

    return deepcopy(tree)


def _author(tree: etree._Element) -> str | None:
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        if key in ("author", "article:author", "byl"):
            value = clean_inline(meta.get("content"))
            if value and not value.startswith("http"):
                return value
    return None


# -- the whole page ----------------------------------------------------------------------------

def extract(html: str, url: str) -> Extracted:
    """Headline, publication date, body and the byline hint (meta author) of a page."""
    tree = _parse(html)
    if tree is None:
        return Extracted(None, None, [])
    title, how = headline(tree)
    paragraphs = body_paragraphs(tree, url)
    text = _visible_text(tree)
    # <title>'s headline part printed on the page itself (in a <b>, a <font>, a table cell) is the headline;
    # anything else is a guess that a person should check.
    guessed = how == "none" or (how == "title" and (_site_like(title or "") or (title or "") not in text))
    warnings: list[str] = []
    if paragraphs and guessed:
        if not title:
            title = paragraphs[0][:40]
        warnings.append(f"no headline found on the page; title guessed as {title[:60]!r} — check it")
    # the date line counts beside a confirmed headline, or <title>'s headline printed on the page
    day = publication_date(tree, html, url, None if how == "element" or guessed else title, text)
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    return Extracted(title or None, day, paragraphs, _author(tree), warnings)
