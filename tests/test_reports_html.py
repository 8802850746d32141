"""The HTML report: escaping and highlighting, then rendered by headless Chromium and checked."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from test_reports import hostile_placements
from verify_support import june_office

from shanggao.periods import parse_period
from shanggao.reports import write_report
from shanggao.reports.chart import TIER_COLOURS
from shanggao.reports.html import highlight
from shanggao.rules import load_rules
from shanggao.verify import verify_claims

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed "
                                                            "(Debian: apt-get install chromium fonts-noto-cjk)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    s = june_office(folder)
    hostile_placements(s)
    verify_claims(s.store, dt.date(2022, 1, 1), dt.date(2022, 12, 31), load_rules())
    return write_report(s.store, parse_period("2022-06"), load_rules(), "html", folder / "report.html")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=True,
    )


def test_highlight_escapes_and_numbers():
    text = "甲<b>乙</b>\n丙&丁"
    out = highlight(text, [(1, 4, 1), (2, 3, 2), (10, 99, 3), (50, 60, 4)])
    assert out == '甲<mark title="第1处"><sup>1</sup>&lt;b&gt;</mark>乙&lt;/b&gt;<br>\n' \
                  '<mark title="第3处"><sup>3</sup>丙&amp;丁</mark>'


def test_html_is_self_contained_and_escaped(report):
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert 'href="javascript:' not in html
    assert "http://" not in html.replace('href="http://', "").split("<body>")[0]  # nothing loaded from outside
    assert "<svg" in html and 'class="tier-central"' in html
    assert html.count("<details>") == 7  # 5 verified/claimed placements + 2 unclaimed, each comparable


@needs_chromium
def test_chromium_dom(report, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    assert "<title>中共泸溪县委组织部2022年6月新闻上稿情况通报</title>" in dom  # no injected script renamed it
    assert "<script" not in dom.lower() and "<img" not in dom.lower()
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom
    assert "<mark" in dom and "各单位报送与上稿情况" in dom


@needs_chromium
def test_chromium_screenshot(report, tmp_path):
    png = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,1600", report.as_uri())
    image = Image.open(png).convert("RGB")
    assert image.size == (1280, 1600)
    colours = {colour for _count, colour in image.getcolors(maxcolors=1 << 20)}
    assert len(colours) > 50  # text and tables drawn, not a blank page
    for tier in ("central", "provincial"):  # June's bars, in the chart near the top of the page
        rgb = tuple(int(TIER_COLOURS[tier][i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, f"no {tier} bar colour {TIER_COLOURS[tier]} on the page"
    # the red 通报 heading rule is there: dark red pixels in the top band
    top = image.crop((0, 0, 1280, 120))
    assert any(r > 150 and g < 60 and b < 60 for _n, (r, g, b) in top.getcolors(maxcolors=1 << 20))
