"""The page a 通报 is laid out on: GB/T 9704-2012 《党政机关公文格式》, in one place for every format.

A4 portrait; margins 上 37 mm, 下 35 mm, 左 28 mm, 右 26 mm, so the type area
(版心) is 156 × 225 mm; 标题 in 2号 (22 pt) 小标宋, body in 3号 (16 pt) 仿宋,
一级标题 黑体, 二级标题 楷体; 22 lines of 28 characters; page numbers
``— 1 —`` in 4号 at the foot; the 发文机关标志 and the separator line in red;
dates in Arabic numerals (2022年7月5日).

Fonts are named as the office's Windows/WPS machines have them, most wanted
first: Word and WPS take the first installed one, a browser goes down the list,
and LibreOffice on Linux maps them to the Noto CJK fonts through fontconfig.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence

PAGE_MM = (210.0, 297.0)                     # A4 portrait, width × height
MARGIN_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
TYPE_AREA_MM = (PAGE_MM[0] - MARGIN_MM["left"] - MARGIN_MM["right"],
                PAGE_MM[1] - MARGIN_MM["top"] - MARGIN_MM["bottom"])     # 156 × 225
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
FOOTER_MM = 28.0                              # page number: 一字线 above the lower edge of the type area, 7 mm

# 字号 (Chinese point sizes) used by the standard.
SIZES_PT = {"初号": 42.0, "小初": 36.0, "一号": 26.0, "二号": 22.0, "小二": 18.0, "三号": 16.0, "四号": 14.0,
            "小四": 12.0, "五号": 10.5, "小五": 9.0}
TITLE_PT = SIZES_PT["二号"]
BODY_PT = SIZES_PT["三号"]
PAGE_NUMBER_PT = SIZES_PT["四号"]
TABLE_PT = SIZES_PT["五号"]
LINE_PITCH_PT = TYPE_AREA_MM[1] / LINES_PER_PAGE * 72 / 25.4       # ≈ 28.95 pt: 22 lines fill the type area

RED = "FF0000"                                 # 发文机关标志 and the separator line

# name -> fonts, most wanted first; the first is what Word/WPS is asked for (w:eastAsia).
FONTS = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "华文中宋", "宋体", "SimSun"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "华文仿宋"),
    "heading1": ("黑体", "SimHei", "方正黑体_GBK"),
    "heading2": ("楷体_GB2312", "楷体", "KaiTi", "华文楷体"),
    "page_number": ("宋体", "SimSun"),
}
LATIN_FONT = "Times New Roman"                 # digits and Latin letters beside the Chinese text
# What a browser (and the HTML's print) falls back to where the office's fonts are missing.
CSS_FALLBACK = {"title": ("Noto Serif CJK SC", "Source Han Serif SC", "serif"),
                "body": ("Noto Serif CJK SC", "Source Han Serif SC", "serif"),
                "heading1": ("Noto Sans CJK SC", "Source Han Sans SC", "sans-serif"),
                "heading2": ("Noto Serif CJK SC", "Source Han Serif SC", "serif"),
                "page_number": ("Noto Serif CJK SC", "serif")}

NUMERALS = "零一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十 (for 一、 and （一） headings; 1–99)."""
    if n < 11:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens] if tens > 1 else "") + "十" + (NUMERALS[ones] if ones else "")


def heading_number(level: int, n: int) -> str:
    """The standard's 结构层次序数: 一、 / （一） / 1． / （1）."""
    if level == 1:
        return f"{chinese_numeral(n)}、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}．"
    return f"（{n}）"


def chinese_date(day: dt.date) -> str:
    """成文日期 in Arabic numerals, no leading zeros: 2022年7月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def display_width(text: str) -> int:
    """Width in half-character cells: a Chinese character is 2, a digit or Latin letter 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_widths(columns: Sequence[str], rows: Sequence[Sequence[str]], total: float,
               longest: int = 60) -> list[float]:
    """Column widths (in the unit of ``total``) that share ``total`` by what each column holds.

    Short columns (numbers, dates, names) get their full width; when the table is
    wider than ``total``, only the long ones (titles) give way, all down to the same
    width, so a title wraps onto a few lines instead of every column breaking.
    A heading may wrap onto two lines."""
    need: list[float] = []
    for i, name in enumerate(columns):
        cells = [display_width(str(row[i])) for row in rows[:500]]
        need.append(max([math.ceil(display_width(name) / 2), *cells, 2]) + 1)
    need = [min(n, longest) for n in need]
    if sum(need) > total * 1.0:
        low, high = 1.0, float(max(need))
        for _ in range(40):                      # the cap at which the columns just fill ``total``
            cap = (low + high) / 2
            if sum(min(n, cap) for n in need) > total:
                high = cap
            else:
                low = cap
        need = [min(n, low) for n in need]
    scale = total / sum(need)
    return [n * scale for n in need]
