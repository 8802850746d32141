"""Text helpers shared by every outlet parser: whitespace, 版次 labels, bylines (dates: :mod:`shanggao.dates`).

Chinese newspaper pages mix NBSP, ideographic spaces and ``　　`` paragraph
indents; dates come as ``2022年03月28日 星期一`` or ``(2026年07月29日 05版)``;
reporter names sit either in a byline element or at the head of the body
(``本报北京3月27日电　（记者陆娅楠）``).  These functions normalise all of that.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from shanggao.unit_names import is_unit_name

# NBSP, ideographic space, the en/em/thin spaces, zero-width characters and BOM.
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_RUNS = re.compile(r"[ \t\r\f\v]+")


def clean_text(text: str | None) -> str:
    """Strip, turn odd spaces into plain ones, collapse runs; keep paragraph breaks.

    Each line is trimmed and blank lines are dropped, so the result is
    paragraphs separated by a single ``\\n``.
    """
    if not text:
        return ""
    text = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", text))
    lines = (_RUNS.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def clean_inline(text: str | None) -> str:
    """Like :func:`clean_text` but folds everything onto one line (titles, labels)."""
    return " ".join(clean_text(text).split("\n"))


# 版次 as printed or typed: 第01版：要闻, 05版:评论, (… 05版), A4版, 第十二版, 头版, or a bare A4 / 04.
_PAGE_LABEL = re.compile(r"第?\s*[A-Za-z]?\s*(\d{1,3})\s*版\s*(?:[：:]\s*(.*))?")
_CN_PAGE_LABEL = re.compile(r"第?\s*([〇零一二两三四五六七八九十]{1,3})\s*版\s*(?:[：:]\s*(.*))?")
_BARE_PAGE = re.compile(r"[A-Za-z]?\s*(\d{1,3})")
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}


def _cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20 (the small numbers page labels use); None for anything else."""
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if "十" in ones:
        return None
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def parse_page_label(text: str | None) -> tuple[int | None, str | None]:
    """A 版次 label, printed on an e-paper page or typed into a claims register -> (page_no, page_name).

    ``第01版：要闻`` / ``第01版:要闻`` -> (1, "要闻"); ``05版：评论`` -> (5, "评论");
    ``(2026年07月29日 05版)`` -> (5, None); ``第十二版`` -> (12, None); ``头版`` -> (1, None);
    a label that is only a page number (``A4``, ``04``) -> (4, None); ``要闻`` -> (None, None).
    """
    if not text:
        return None, None
    text = clean_inline(str(text))
    # the label as printed first (its name kept as printed), then with full-width forms folded (Ａ４版)
    for variant in dict.fromkeys((text, unicodedata.normalize("NFKC", text))):
        for pattern in (_PAGE_LABEL, _CN_PAGE_LABEL):
            m = pattern.search(variant)
            if not m:
                continue
            number = int(m.group(1)) if m.group(1).isdigit() else _cn_number(m.group(1))
            if number is not None:
                name = (m.group(2) or "").strip(" )）")
                return number, name or None
    text = unicodedata.normalize("NFKC", text)
    if text.startswith("头版"):
        return 1, None
    m = _BARE_PAGE.fullmatch(text)
    return (int(m.group(1)), None) if m else (None, None)


# -- bylines ----------------------------------------------------------------------

# A role word introduces names: 记者, 全媒体记者, 通讯员, 实习生, 文/图 ...  An optional
# publisher prefix (本报, 湖南日报, 团结报) belongs to the printed byline.
_ROLE = (r"(?:(?:全媒体|融媒体|特约|见习|首席|实习)?(?:记者|通讯员|实习生|摄影记者|摄影|撰稿)"
         r"|(?:文|图)\s*[/／]\s*(?:文|图|摄))")
_ROLE_RE = re.compile(_ROLE)
# A name: 2-4 Han characters (or a minority-style name with ·), standing alone.
_NAME = r"[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{1,6})?"
_NAME_RE = re.compile(_NAME)
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]+(?:·[\u4e00-\u9fff]+)?")
# Two-character names are padded to three columns in typesetting: "符　军".
_PADDED_NAME = re.compile(r"([\u4e00-\u9fff]) ([\u4e00-\u9fff])(?=$|[ 、,，)）\]】])")
# Words closing a byline.  After 报道/供稿 the word before is a place or an organisation
# ("泸溪报道", "县委宣传部供稿"); before 摄/摄影/整理 it is the person ("张晓明摄").
_PLACE_SUFFIX = re.compile(r"^(?:[\u4e00-\u9fff]{0,8}?)(?:报道|供稿)$")
_PERSON_SUFFIX = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,4})?(?:摄影|摄|整理)$")
_NAME_END = " 、,，)）]】"
# A wire dateline: 本报北京3月27日电 / 湖南日报3月28日讯 / 新华社长沙3月27日电
_DATELINE = re.compile(
    r"^(?:本报|本网|新华社|中新社|中新网|[\u4e00-\u9fff]{2,8}?(?:日报|晚报|报|网|客户端))"
    r"[\u4e00-\u9fff]{0,8}?(?:\d{1,2}月\d{1,2}日)?(?:电|讯)"
)
_EDITOR = re.compile(r"[【\[（(]\s*(?:责任)?编辑\s*[:：][^】\]）)]*[】\]）)]")
_STOP_WORDS = {"报道", "摄影", "摄", "文图", "本报", "日电", "讯", "电", "记者", "通讯员", "供稿", "整理"}


def _closing_word(word: str) -> tuple[bool, str | None]:
    """(closes the byline, the person it names) for suffix words such as 泸溪报道 / 张晓明摄."""
    if _PLACE_SUFFIX.match(word):
        return True, None
    m = _PERSON_SUFFIX.match(word)
    if m:
        name = m.group("name")
        return True, name if name and name not in _STOP_WORDS else None
    return False, None


def _names_after_role(text: str, pos: int) -> tuple[list[str], int]:
    """Names following a role word at ``pos``; returns them and where the byline ends.

    A name must be followed by a separator, a closing bracket, another role word
    or the end: ``本报记者 吴秋余 赵展慧``, ``（记者陆娅楠）``.  A padded two-character
    name (``符 军``) is one name; a closing word (``泸溪报道``, ``摄``, ``供稿``) ends the
    byline and is part of it but names nobody (``张晓明摄`` names 张晓明).  Two or
    more spaces end the list (crawler dumps join paragraphs with them).
    """
    names: list[str] = []
    i = pos
    n = len(text)
    while i < n and text[i] in " :：":
        i += 1
    while i < n:
        role = _ROLE_RE.match(text, i)
        if role:  # "记者 X 通讯员 Y": a second role continues the byline
            i = role.end()
            while i < n and text[i] in " :：":
                i += 1
            continue
        padded = _PADDED_NAME.match(text, i)
        if padded and not _closing_word(padded.group(2))[0]:
            name, end = padded.group(1) + padded.group(2), padded.end()
        else:
            word = _HAN_WORD.match(text, i)
            if not word:
                break
            closes, person = _closing_word(word.group(0))
            if closes:
                if person:
                    names.append(person)
                i = word.end()
                break
            m = _NAME_RE.match(text, i)
            if not m:
                break
            name, end = m.group(0), m.end()
            if end < n and not (text[end] in _NAME_END or _ROLE_RE.match(text, end)):
                # Attached to more text: "陆娅楠）" is a name, "今年以来" prose.
                break
            if name in _STOP_WORDS:
                break
        names.append(name)
        i = end
        if i < n and text[i] in ")）]】":
            break
        gap = re.compile(r"[ 、,，]+").match(text, i)
        if not gap:
            continue
        if gap.group(0).count(" ") >= 2:
            i = gap.start()
            break
        i = gap.end()
    return names, i


def extract_byline(first_paragraphs: Iterable[str] | str) -> tuple[str | None, list[str]]:
    """Find a byline at the head of an article body.

    Returns (byline as printed, author names).  Handles ``本报记者 X Y``,
    ``本报北京3月27日电　（记者陆娅楠）``, ``湖南日报全媒体记者 周帙恒 刘笑雪``,
    ``湖南日报3月28日讯（全媒体记者 孙敏坚 黄晗）``, ``通讯员 X``, ``（记者 X）``.
    ``【编辑:X】`` names an editor, not an author, and is ignored.  A bare wire
    dateline (``新华社北京3月28日电``) is returned as the byline with no authors.
    """
    if isinstance(first_paragraphs, str):
        first_paragraphs = [first_paragraphs]
    for raw in list(first_paragraphs)[:3]:
        para = _EDITOR.sub("", clean_inline(raw).replace("\u3000", " ")).strip()
        if not para:
            continue
        found = _byline_in(para)
        if found[0]:
            return found
    return None, []


def _byline_in(para: str) -> tuple[str | None, list[str]]:
    head = para[:80]
    dateline = _DATELINE.match(head)
    start = 0
    search_from = dateline.end() if dateline else 0
    # The role word must open the paragraph (after an optional publisher name,
    # dateline or bracket), not sit somewhere in the prose.
    role = re.compile(
        r"\s*[（(【\[]?\s*(?:[\u4e00-\u9fff]{0,6}?(?=" + _ROLE + r"))?(" + _ROLE + r")"
    ).match(head, search_from)
    if role:
        names, end = _names_after_role(head, role.end(1))
        if names:
            if end < len(head) and head[end] in ")）]】":
                end += 1
            return head[start:end].strip(), names
    if dateline:
        return dateline.group(0), []
    return None, []


# The information line of a portal's article page: 来源：白沙镇  作者：向明  发布时间：2022-06-24 …
_INFO_AUTHOR = re.compile(r"(?<![责任编辑审核校对])(?:作者|撰稿人?|文字|供稿人)\s*[:：]\s*")
_NOT_A_PERSON = {"本站", "本网", "佚名", "管理员", "admin", "系统管理员", "网站管理员"}
_MEDIA_ENDINGS = ("网", "报", "台")   # 作者：湘西网 / 团结报 / 县电视台 credits an outlet
_NEXT_LABEL = re.compile(r"\s+\S{2,6}\s*[:：]|\s*[|丨【\[]|\s{3,}")


def author_in_info_line(text: str) -> str | None:
    """The value after 作者： in a page's information line (not 责任编辑：), up to the next label."""
    m = _INFO_AUTHOR.search(text)
    if not m:
        return None
    rest = text[m.end():]
    end = _NEXT_LABEL.search(rest)
    value = clean_inline(rest[:end.start()] if end else rest).strip(" ，,；;")
    if not value or value in _NOT_A_PERSON or is_unit_name(value) or value.endswith(_MEDIA_ENDINGS):
        return None   # 作者：本站 / 作者：白沙镇 credit the site or a unit, not a writer
    return value


def names_in_byline(byline: str | None) -> list[str]:
    """Author names in a byline element's text (``本报记者 吴秋余 赵展慧`` -> two names)."""
    if not byline:
        return []
    text = _EDITOR.sub("", clean_inline(byline))
    found = _byline_in(text)
    if found[1]:
        return found[1]
    # A bare list of names with no role word (some templates print only names):
    # read it like the names after a role word.
    return _names_after_role(text, 0)[0]
