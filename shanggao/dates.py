"""Calendar, time zone and date parsing: the one home for both.

A leaf module (standard library only), so ``spiders``, ``matcher`` and ``db``
may import it as well as the rest of ``shanggao``.

* Clocks.  The store keeps naive UTC timestamps (:func:`utc_now`); the outlets
  publish, and the office reads, on Beijing time (:data:`BEIJING`,
  :func:`beijing_now`, :func:`beijing_today`).
* Two date parsers for two jobs.  :func:`parse_date` is STRICT: a register's
  cell or a command-line value is a date in one of the accepted forms or it is
  an error with a reason.  :func:`find_date` is LENIENT: the first plausible
  date anywhere in a piece of page text, or None.  :func:`parse_month` reads a
  period (``2022-06`` / ``2022``).
* Dates in URLs.  Every URL pattern (an outlet class's ``URL_DATE``, an outlet
  file's ``url_date``) names its groups ``year``, ``month`` and ``day``;
  :func:`date_in_url` / :func:`date_from_match` read them.

Example::

    >>> parse_date("2022年6月24日")
    datetime.date(2022, 6, 24)
    >>> find_date("(2026年07月29日 05版)")
    datetime.date(2026, 7, 29)
    >>> date_in_url(re.compile(r"/(?P<year>\\d{4})(?P<month>\\d{2})/(?P<day>\\d{2})/"), "/202403/28/x.html")
    datetime.date(2024, 3, 28)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator

__all__ = [
    "BEIJING",
    "DateWithoutYear",
    "MAX_YEAR",
    "MIN_YEAR",
    "URL_DATE_GROUPS",
    "beijing_date_of_timestamp",
    "beijing_now",
    "beijing_today",
    "date_from_match",
    "date_in_url",
    "dates_in",
    "find_date",
    "parse_date",
    "parse_month",
    "utc_now",
]

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
"""China Standard Time (UTC+8, no daylight saving): the outlets' publication calendar and the office's clock."""


# -- clocks --------------------------------------------------------------------------

def utc_now() -> dt.datetime:
    """Now in UTC without tzinfo, to the second: every TIMESTAMP column of the store is UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def beijing_now() -> dt.datetime:
    """Now on the office's clock (aware, Beijing time), to the second."""
    return dt.datetime.now(BEIJING).replace(microsecond=0)


def beijing_today() -> dt.date:
    """Today's date in Beijing: the day an outlet's issue of today carries."""
    return dt.datetime.now(BEIJING).date()


def beijing_date_of_timestamp(seconds: float) -> dt.date:
    """The Beijing calendar day of a Unix timestamp (WeChat's ``ct``, APIs' epoch seconds)."""
    return dt.datetime.fromtimestamp(seconds, BEIJING).date()


# -- strict: registers and command-line values ---------------------------------------

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_STRICT_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日.*$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),   # 22.6.24: this century
)
_YEARLESS_PATTERNS = (
    re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?.*$"),
    re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# 二〇二二年六月二十日, as official documents date themselves (○ is a common stand-in for 〇).
_CHINESE_DIGITS = {c: n for n, chars in enumerate(("〇零○", "一", "二", "三", "四", "五", "六", "七", "八", "九"))
                   for c in chars}
_CHINESE_NUMBER = re.compile(r"[〇零○一二三四五六七八九十]+(?=\s*[年月日号])")


def _arabic(m: re.Match[str]) -> str:
    """A year written digit by digit (二〇二二) or a month/day with 十 (十二, 二十, 三十一) in Arabic digits."""
    text = m.group()
    if "十" not in text:
        return "".join(str(_CHINESE_DIGITS[c]) for c in text)
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return text   # not a number a date holds; the patterns below refuse it
    return str((_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[units] if units else 0))

# Dates outside these years are typing mistakes; far ones would overflow date arithmetic later.
MIN_YEAR, MAX_YEAR = 1900, 2999


class DateWithoutYear(ValueError):
    """A date written without its year (6月24日, 6.28) and no year to complete it."""


def parse_date(value: object, year: int | None = None) -> dt.date | None:
    """STRICT: a date from the forms registers use; None for blank; ValueError otherwise.

    Accepts 2022-06-24, 2022/6/24, 2022.6.24, 2022年6月24日 (with a weekday or
    time after it), 二〇二二年六月二十四日, 20220624, 22.6.24, full-width digits, datetime/date objects and
    Excel day serials.  The whole value must be the date.  With ``year`` (a
    register's year, from its title row or file name) also 6月24日, 6.28, 6-28
    and 6/28; without it those raise :class:`DateWithoutYear`.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"unparseable date {value!r}")
        if 20000 < value < 80000:  # an Excel serial day that openpyxl did not convert
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        # 6.28 typed into a spreadsheet cell arrives as a number
        value = str(value) if isinstance(value, float) and not value.is_integer() else str(int(value))
    written = str(value).strip()   # as the user wrote it, for messages
    text = _CHINESE_NUMBER.sub(_arabic, written.translate(_FULLWIDTH_DIGITS))
    if not text:
        return None
    for pattern in _STRICT_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month, day = (int(g) for g in m.groups())
            year += 2000 if year < 100 else 0
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError(f"impossible date {written!r} (years {MIN_YEAR}–{MAX_YEAR})")
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"impossible date {written!r}") from exc
    for pattern in _YEARLESS_PATTERNS:
        m = pattern.match(text)
        if m:
            if year is None:
                raise DateWithoutYear(f"date {written!r} has no year")
            month, day = (int(g) for g in m.groups())
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"impossible date {written!r} in {year}") from exc
    raise ValueError(f"unparseable date {written!r} (use 2022-06-24, 2022/6/24, 2022.6.24 or 2022年6月24日)")


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """STRICT: '2022-06' → (first, last day of June); '2022' → the whole year; ValueError otherwise."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})月?)?", text)
    if not m:
        raise ValueError(f"period {text!r}: use YYYY-MM or YYYY")
    year = int(m.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"period {text!r}: year outside {MIN_YEAR}–{MAX_YEAR}")
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"period {text!r}: no month {month}")
        first = dt.date(year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return first, last
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# -- lenient: page text --------------------------------------------------------------

_TEXT_DATE = re.compile(
    r"(?<!\d)(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})(?!\d)"
)
_COMPACT_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")


def find_date(text: str | None) -> dt.date | None:
    """LENIENT: the first calendar date anywhere in ``text``, or None (never raises).

    Finds ``2022年03月28日 星期一``, ``2022-03-28``, ``2022/3/28``, ``2022.3.28``,
    ``(2026年07月29日 05版)`` and, as a last resort, a compact ``20220328``;
    impossible dates are skipped.
    """
    if not text:
        return None
    for found, _, _ in dates_in(text):
        return found
    for m in _COMPACT_DATE.finditer(text):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def dates_in(text: str) -> Iterator[tuple[dt.date, int, int]]:
    """LENIENT: every full calendar date written out in ``text`` (``2022年3月28日``, ``2022-03-28``,
    ``2022/3/28``, ``2022.3.28``) with where it starts and ends, in order; impossible dates and bare
    years or months are skipped (compact ``20220328`` is not read: in running text it is as often a number)."""
    for m in _TEXT_DATE.finditer(text):
        try:
            yield dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.start(), m.end()
        except ValueError:
            continue


# -- dates in URLs -------------------------------------------------------------------

URL_DATE_GROUPS = ("year", "month", "day")
"""The named groups every URL-date pattern uses."""


def date_from_match(m: re.Match[str] | None) -> dt.date | None:
    """The date in a URL pattern's named groups ``year``, ``month``, ``day``; None when absent or impossible."""
    if not m or not m.groupdict().get("year"):
        return None
    try:
        return dt.date(int(m["year"]), int(m["month"]), int(m["day"]))
    except (ValueError, IndexError):
        return None


def date_in_url(pattern: re.Pattern[str] | None, url: str) -> dt.date | None:
    """The date ``pattern`` (named groups ``year``/``month``/``day``) finds in ``url``; None without one."""
    return date_from_match(pattern.search(url)) if pattern is not None else None
