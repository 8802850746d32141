"""Crawl progress: a live line per outlet on a terminal, nothing extra when stderr is not one."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
import scrapy
from rich.console import Console
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from spiders_support import Mirror, run_cli, write_fast_config

from shanggao.spiders.items import ArticleItem
from shanggao.spiders.progress import CrawlProgress, OutletProgress, ProgressExtension
from shanggao.spiders.recorder import RunRecorder
from shanggao.spiders.replay import ReplayProxy

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def terminal() -> Console:
    return Console(force_terminal=True, file=StringIO(), width=140, color_system="standard")


def plain(console: Console) -> str:
    return ANSI.sub("", console.file.getvalue())


def test_progress_lines_on_a_terminal():
    console = terminal()
    display = CrawlProgress(console)
    rmrb, hnrb = display.add("rmrb", 3), display.add("hnrb", 3)
    display.update(rmrb, OutletProgress(days_done=1, days_total=3, pages=40, articles=31))
    display.progress.refresh()
    assert "\x1b[" in console.file.getvalue()  # a live, coloured display
    shown = plain(console)
    assert re.search(r"rmrb\s.*days\s+1/3\s+pages\s+40\s+articles\s+31", shown)
    assert re.search(r"hnrb\s.*days\s+0/3\s+pages\s+0\s+articles\s+0", shown)
    display.finish(rmrb, OutletProgress(3, 3, 120, 100, errors=2), "done")
    assert display.started  # hnrb still running
    display.finish(hnrb, OutletProgress(0, 3, 6, 0), "done")
    assert not display.started  # the last outlet closed the display
    final = plain(console)
    assert re.search(r"rmrb\s.*days\s+3/3\s+pages\s+120\s+articles\s+100\s+errors\s+2\s+done", final)
    assert re.search(r"hnrb\s.*days\s+3/3\s+pages\s+6\s+articles\s+0", final)


class _WindowSpider(scrapy.Spider):
    name = "progress-test"
    outlet = "rmrb"
    window = [date(2024, 12, 24), date(2024, 12, 25)]


def test_extension_reads_the_recorders_counters(tmp_path):
    crawler = get_crawler(_WindowSpider, {"SHANGGAO_PROGRESS": True, "SHANGGAO_DB": str(tmp_path / "s.duckdb")})
    console = terminal()
    extension = ProgressExtension(crawler, CrawlProgress(console))
    spider = _WindowSpider()
    recorder = RunRecorder.for_crawler(crawler)
    recorder.window_days = set(spider.window)
    extension.spider_opened(spider)
    for day in (date(2024, 12, 25), date(2024, 12, 25), date(2024, 11, 1)):  # one window day, one outside
        recorder.record_article(ArticleItem(url=f"https://example.invalid/{day}/{recorder.counts.articles}",
                                            outlet="rmrb", title="标题", body="正文", published_date=day))
    assert extension.state() == OutletProgress(days_done=1, days_total=2, pages=0, articles=3, errors=0)
    extension.refresh()
    extension.display.progress.refresh()
    assert re.search(r"rmrb\s.*days\s+1/2\s+pages\s+0\s+articles\s+3", plain(console))
    extension.spider_closed(spider, "finished")
    assert not extension.display.started


def test_extension_is_off_unless_asked():
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler(_WindowSpider, {"SHANGGAO_PROGRESS": False}))


def test_crawl_prints_nothing_extra_when_not_a_terminal(tmp_path):
    mirror = Mirror(tmp_path / "mirror")
    mirror.rmrb_day(date(2024, 12, 25), pages=2)
    config = write_fast_config(tmp_path / "shanggao.toml")
    with ReplayProxy(mirror.root) as proxy:
        proc = run_cli(["crawl", "rmrb", "--date", "2024-12-25"], tmp_path / "s.duckdb", config, proxy.env())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == ""  # stderr is a pipe here: no progress, no escape codes
    # robots.txt + 2 版面 pages + 5 articles; just the one-line summary
    assert proc.stdout.splitlines() == ["rmrb       ok     pages=8 articles=5 new=5 errors=0 drift=0"]
