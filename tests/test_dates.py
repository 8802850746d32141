"""shanggao.dates: the clocks, the strict and the lenient date parser, dates in URLs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from shanggao.cli import main
from shanggao.dates import (
    BEIJING,
    URL_DATE_GROUPS,
    beijing_date_of_timestamp,
    beijing_now,
    beijing_today,
    date_from_match,
    date_in_url,
    find_date,
    parse_date,
    parse_month,
    utc_now,
)
from shanggao.periods import PeriodError, parse_period, period_from_options

# -- clocks ---------------------------------------------------------------------------


def test_beijing_is_utc_plus_eight_without_daylight_saving() -> None:
    for month in (1, 7):
        moment = dt.datetime(2024, month, 1, 12, tzinfo=BEIJING)
        assert moment.utcoffset() == dt.timedelta(hours=8)
        assert moment.astimezone(dt.UTC).hour == 4


def test_utc_now_is_naive_whole_seconds_and_agrees_with_beijing() -> None:
    now = utc_now()
    assert now.tzinfo is None and now.microsecond == 0
    beijing = beijing_now()
    assert beijing.utcoffset() == dt.timedelta(hours=8)
    # the same instant on two clocks (allowing the two calls a minute apart)
    assert abs(beijing.astimezone(dt.UTC).replace(tzinfo=None) - now) < dt.timedelta(minutes=1)
    assert beijing_today() in {(now + dt.timedelta(hours=8)).date(), (now + dt.timedelta(hours=8, minutes=1)).date()}


def test_a_timestamp_late_in_the_utc_day_is_the_next_beijing_day() -> None:
    late_utc = dt.datetime(2024, 12, 24, 18, 30, tzinfo=dt.UTC).timestamp()  # 02:30 on the 25th in Luxi
    assert beijing_date_of_timestamp(late_utc) == dt.date(2024, 12, 25)


# -- strict vs lenient ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["2022-06-24", "2022/6/24", "2022.6.24", "2022年6月24日", "2022年06月24日 星期五",
                                  "20220624", "2022-06-24 08:30"])
def test_both_parsers_read_a_plain_date(text: str) -> None:
    assert parse_date(text) == dt.date(2022, 6, 24)
    assert find_date(text) == dt.date(2022, 6, 24)


@pytest.mark.parametrize("text", ["发布时间：2022-06-24 08:30", "(2022年06月24日 05版)", "来源：团结报 2022/6/24"])
def test_strict_rejects_a_date_inside_text_that_lenient_finds(text: str) -> None:
    with pytest.raises(ValueError, match="unparseable date"):
        parse_date(text)
    assert find_date(text) == dt.date(2022, 6, 24)


def test_impossible_dates() -> None:
    with pytest.raises(ValueError, match="impossible date"):
        parse_date("2022-02-30")
    assert find_date("2022-02-30") is None
    assert find_date("2022-02-30 或 2022-03-01") == dt.date(2022, 3, 1)  # lenient skips to the next one


@pytest.mark.parametrize(("text", "expected"), [
    ("二〇二二年六月二十日", dt.date(2022, 6, 20)),    # as official documents date themselves
    ("二○二二年十二月三十一日", dt.date(2022, 12, 31)),  # ○ typed for 〇
    ("二〇二二年六月十日", dt.date(2022, 6, 10)),
    ("六月三日", dt.date(2022, 6, 3)),                  # the year from the register
    ("22.6.20", dt.date(2022, 6, 20)),                  # a two-digit year is this century's
])
def test_dates_in_chinese_numerals(text: str, expected: dt.date) -> None:
    assert parse_date(text, year=2022) == expected


def test_a_chinese_numeral_that_is_no_day_is_refused_as_written() -> None:
    with pytest.raises(ValueError, match="unparseable date '二〇二二年六月二二十日'"):
        parse_date("二〇二二年六月二二十日")


def test_blank_and_typed_values() -> None:
    assert parse_date(None) is None and parse_date("  ") is None
    assert find_date(None) is None and find_date("") is None and find_date("第01版：要闻") is None
    assert parse_date(dt.datetime(2022, 6, 24, 23, 59)) == dt.date(2022, 6, 24)
    assert parse_date(44736) == dt.date(2022, 6, 24)  # an Excel day serial


@pytest.mark.parametrize("text, first, last", [
    ("2022-06", dt.date(2022, 6, 1), dt.date(2022, 6, 30)),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("2022年12月", dt.date(2022, 12, 1), dt.date(2022, 12, 31)),
    ("2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
])
def test_parse_month(text: str, first: dt.date, last: dt.date) -> None:
    assert parse_month(text) == (first, last)


@pytest.mark.parametrize("text", ["June", "2022-13", "22-06"])
def test_parse_month_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_month(text)


# -- dates in URLs --------------------------------------------------------------------

def test_url_dates_use_named_groups() -> None:
    pattern = re.compile(r"/(?P<year>\d{4})(?P<month>\d{2})/(?P<day>\d{2})/")
    assert set(URL_DATE_GROUPS) == set(pattern.groupindex)
    assert date_in_url(pattern, "https://example.test/202412/25/content_1.html") == dt.date(2024, 12, 25)
    assert date_in_url(pattern, "https://example.test/202413/25/content_1.html") is None  # no month 13
    assert date_in_url(pattern, "https://example.test/about.html") is None
    assert date_in_url(None, "https://example.test/202412/25/") is None


def test_date_from_match_with_an_optional_date_branch() -> None:
    grammar = re.compile(r"/content/(?:(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})|\d{6}/\d{2})/\d+\.html$")
    assert date_from_match(grammar.search("/content/2024/12/25/77.html")) == dt.date(2024, 12, 25)
    assert date_from_match(grammar.search("/content/202412/25/77.html")) is None  # matched, but no date groups
    assert date_from_match(None) is None


def test_every_outlet_class_url_date_uses_the_named_groups() -> None:
    from shanggao.spiders.outlets import spider_classes

    for spider in spider_classes().values():
        for parser in getattr(spider, "parsers", ()):
            pattern = getattr(parser, "URL_DATE", None)
            if pattern is not None:
                assert set(URL_DATE_GROUPS) <= set(pattern.groupindex), parser


# -- periods: the library's own error, one line from the CLI --------------------------

def test_periods_raise_their_own_error() -> None:
    assert parse_period("2022-06").label == "2022-06"
    with pytest.raises(PeriodError) as caught:
        parse_period("June")
    assert caught.value.option == "--period" and "YYYY-MM" in str(caught.value)
    with pytest.raises(PeriodError, match="not both"):
        period_from_options("2022-06", "2022-06-01", "2022-06-30")
    with pytest.raises(PeriodError, match="after"):
        period_from_options(None, "2022-06-30", "2022-06-01")


def test_cli_turns_a_bad_period_into_one_line(tmp_path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.duckdb"), "report", "--period", "June"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("Error: Invalid value for --period: period 'June': use YYYY-MM or YYYY")
