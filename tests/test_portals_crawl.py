"""Real Scrapy crawls of the portal spiders against a loopback mirror, through the replay proxy.

The mirror (tests/fixtures/portals/mirror) holds listing pages that run past the
window 2026-07-20..22 and continue on further pages, every article template,
a GB2312 site, the 12371 JS list and three days of the 中国组织人事报 JSON API.
One crawl of all portal outlets runs once per module; a second run checks that
no stored article page is fetched again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from cli_support import shanggao_command
from portals_support import FAST, GENERIC_SITES, MIRROR, OUTLET_FILES, loopback_site

from shanggao.db import Store
from shanggao.spiders.replay import ReplayProxy
from shanggao.spiders.run import crawl

START, END = date(2026, 7, 20), date(2026, 7, 22)
PORTALS = ["chinanews", "xinhunan", "rednet", "hxw", "12371", "zzrsb"]
REPO = Path(__file__).resolve().parents[1]


def _articles(store: Store, outlet: str) -> dict[str, dict]:
    with store.read() as con:
        cur = con.execute("SELECT * FROM articles WHERE outlet = ? ORDER BY url", [outlet])
        cols = [d[0] for d in cur.description]
        return {row[cols.index("url")]: dict(zip(cols, row, strict=True)) for row in cur.fetchall()}


def _problems(store: Store, outlet: str) -> list[tuple[str, str, str]]:
    with store.read() as con:
        return con.execute("SELECT problem, url, detail FROM crawl_problems WHERE outlet = ? ORDER BY problem_id",
                           [outlet]).fetchall()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """(store, first-run results, first-run requests, second-run results, second-run requests)."""
    store = Store(tmp_path_factory.mktemp("portals") / "portals.duckdb")
    with ReplayProxy(MIRROR) as proxy:
        env = {**os.environ, **proxy.env()}
        first = crawl(store, PORTALS, START, END, settings_overrides=FAST, env=env, timeout=120)
        first_requests = [url for _method, url, _status in proxy.requests]
        proxy.clear_log()
        second = crawl(store, PORTALS, START, END, settings_overrides=FAST, env=env, timeout=120)
        second_requests = [url for _method, url, _status in proxy.requests]
    return store, first, first_requests, second, second_requests


def test_every_portal_run_is_ok(crawled):
    _store, first, _req, second, _req2 = crawled
    assert sorted(r.outlet for r in first) == sorted(PORTALS)
    for result in first + second:
        assert result.status == "ok", result.line() + " " + result.message


def test_chinanews_rolling_list_hunan_channel_and_keywords(crawled):
    store, _first, requests, *_ = crawled
    got = _articles(store, "chinanews")
    assert set(got) == {
        "https://www.chinanews.com.cn/gn/2026/07-22/10612345.shtml",
        "https://www.chinanews.com.cn/df/2026/07-21/10611111.shtml",
        "https://www.chinanews.com.cn/cj/2026/07-20/10610000.shtml",
        "https://www.hn.chinanews.com.cn/news/sxxw/2026/0721/533001.html",
    }
    lead = got["https://www.chinanews.com.cn/gn/2026/07-22/10612345.shtml"]
    assert lead["title"] == "湖南湘西：泸溪椪柑产业带动村民增收"
    assert lead["published_date"] == date(2026, 7, 22)
    assert lead["authors"] == ["向明远"]
    assert "广告" not in lead["body"]
    # linked from both listings: whichever was read first is the page it was found on
    assert lead["page_url"] in ("https://www.chinanews.com.cn/scroll-news/news1.html", "https://www.hn.chinanews.com.cn/")
    desc = got["https://www.chinanews.com.cn/df/2026/07-21/10611111.shtml"]
    assert desc["title"] == "泸溪县推进乡村人才驿站建设" and desc["published_date"] == date(2026, 7, 21)
    gbk = got["https://www.hn.chinanews.com.cn/news/sxxw/2026/0721/533001.html"]
    assert "镕、堃、喆" in gbk["body"] and gbk["authors"] == ["符军"]
    # pagination: news2 holds the window's last day and goes past it, so news3 is never asked for
    assert "https://www.chinanews.com.cn/scroll-news/news2.html" in requests
    assert not any("news3.html" in url for url in requests)
    # keyword filter (no 泸溪/湘西 in the title) and the old sidebar link: not fetched
    assert not any("/sh/2026/07-22/10612400" in url or "/cj/2026/07-21/" in url for url in requests)
    assert not any("06-30/10500001" in url or "/0705/2016/" in url for url in requests)


def test_xinhunan_canonical_mirror_and_fallback(crawled):
    store, _first, requests, *_ = crawled
    got = _articles(store, "xinhunan")
    assert set(got) == {
        "https://www.hunantoday.cn/news/xhn/202607/32500001.html",
        "https://www.hunantoday.cn/news/xhn/202607/32500002.html",  # linked via m.voc.com.cn
        "https://hn.voc.com.cn/article/202607/33100003.html",
    }
    hooked = got["https://www.hunantoday.cn/news/xhn/202607/32500001.html"]
    assert hooked["byline"] == "张湘 李沅" and hooked["authors"] == ["张湘", "李沅"]
    assert hooked["published_date"] == date(2026, 7, 22) and "var share" not in hooked["body"]
    unknown = got["https://www.hunantoday.cn/news/xhn/202607/32500002.html"]
    assert unknown["published_date"] == date(2026, 7, 21) and unknown["authors"] == ["向阳", "龙飞"]
    assert not any("m.voc.com.cn" in url for url in requests)
    assert not any("index_2.html" in url or "/202606/" in url or "/202605/" in url for url in requests)
    drift = [p for p in _problems(store, "xinhunan") if p[0] == "missing_field"]
    assert len(drift) == 1 and "generic extractor" in drift[0][2]


def test_rednet_channels_both_url_grammars_and_page_dates(crawled):
    store, _first, requests, *_ = crawled
    got = _articles(store, "rednet")
    assert set(got) == {
        "https://xx.rednet.cn/content/646856/56/15800001.html",
        "https://xx.rednet.cn/content/2026/07/21/15800002.html",
        "https://xx.rednet.cn/content/646856/57/15800003.html",
        "https://xx.rednet.cn/content/646856/58/15800004.html",
        "https://hn.rednet.cn/content/646840/67/15800010.html",
    }
    first = got["https://xx.rednet.cn/content/646856/56/15800001.html"]
    assert first["authors"] == ["向红", "吴青"] and first["published_date"] == date(2026, 7, 22)
    assert "作者" not in first["body"] and "当前位置" not in first["body"]
    assert got["https://hn.rednet.cn/content/646840/67/15800010.html"]["published_date"] == date(2026, 7, 22)
    assert "https://xx.rednet.cn/channel/270_2.html" in requests
    assert not any("270_3.html" in url or "15799000" in url for url in requests)


def test_hxw_inferred_scheme_speaks_up(crawled):
    store, *_ = crawled
    got = _articles(store, "hxw")
    assert set(got) == {"https://www.hxw.gov.cn/content/646900/12/16000001.html",
                        "https://www.hxw.gov.cn/content/646900/13/16000002.html"}
    assert got["https://www.hxw.gov.cn/content/646900/12/16000001.html"]["authors"] == ["张华"]
    drift = [p for p in _problems(store, "hxw") if p[0] == "missing_field"]
    assert len(drift) == 1 and "layout unknown" in drift[0][2]


def test_12371_js_list_keywords_and_url_dates(crawled):
    store, _first, requests, *_ = crawled
    got = _articles(store, "12371")
    assert set(got) == {
        "https://www.12371.cn/2026/07/22/ARTI1784709000000123.shtml",
        "https://www.12371.cn/2026/07/21/VIDE1784599500000654.shtml",
        "https://news.12371.cn/2026/07/20/ARTI1784509920000222.shtml",
    }
    # i.time says 07-19 on this page; the URL's date is authoritative
    assert got["https://news.12371.cn/2026/07/20/ARTI1784509920000222.shtml"]["published_date"] == date(2026, 7, 20)
    assert got["https://www.12371.cn/2026/07/22/ARTI1784709000000123.shtml"]["authors"] == ["杨晓燕"]
    assert not any("ARTI1784602800000111" in url or "/2026/07/23/" in url or "/2026/07/18/" in url
                   for url in requests)


def test_zzrsb_api_issues_pages_and_dates(crawled):
    store, _first, requests, *_ = crawled
    got = _articles(store, "zzrsb")
    assert len(got) == 8
    assert all(url.startswith("https://www.zuzhirenshi.com/detailpage/") for url in got)
    by_title = {a["title"]: a for a in got.values()}
    talent = by_title["县域人才驿站的泸溪样本"]
    assert (talent["page_no"], talent["page_name"], talent["published_date"]) == (2, "人才", date(2026, 7, 21))
    assert talent["byline"] == "本报记者 李人才" and talent["authors"] == ["李人才"]
    # author field empty: the byline comes from the head of newContent
    assert by_title["就业帮扶车间开到家门口"]["authors"] == ["钱工", "孙帮"]
    # createTime (upload, the evening before) loses to the issue's releaseDate
    assert by_title["组织工作高质量发展综述"]["published_date"] == date(2026, 7, 22)
    assert by_title["湘西州：党员积分管理见实效"]["page_no"] == 3
    assert not any("issue-a17" in url for url in requests)


def test_second_run_fetches_no_stored_article(crawled):
    store, first, _req, second, second_requests = crawled
    article_urls = set()
    for outlet in PORTALS:
        article_urls |= set(_articles(store, outlet))
    # articles are fetched under their canonical URL, except zzrsb's selectNews API answers
    fetched_again = [url for url in second_requests if url in article_urls or "selectNews" in url]
    assert fetched_again == []
    assert sum(r.articles for r in second) == 0
    assert sum(r.new_articles for r in first) == len(article_urls) == 4 + 3 + 5 + 2 + 3 + 8
    with store.read() as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == len(article_urls)


def test_zzrsb_static_back_issue(tmp_path):
    store = Store(tmp_path / "old.duckdb")
    with ReplayProxy(MIRROR) as proxy:
        results = crawl(store, ["zzrsb"], date(2023, 2, 20), date(2023, 2, 21), settings_overrides=FAST,
                        env={**os.environ, **proxy.env()}, timeout=60)
    assert [r.status for r in results] == ["ok"]
    got = _articles(store, "zzrsb")
    assert len(got) == 3
    village = next(a for a in got.values() if a["title"] == "泸溪县：小院落里议大事")
    assert (village["page_no"], village["page_name"]) == (2, "基层党建")
    assert village["published_date"] == date(2023, 2, 21)
    assert village["page_url"] == "http://www.zuzhirenshi.com/dianzibao/2023-02-21/2/index.htm"
    # 2023-02-20 has no issue (404): expected, not a problem
    assert [p for p in _problems(store, "zzrsb") if p[0] == "http_error"] == []


# -- the generic spider on plain loopback sites ------------------------------------------------

def test_generic_scrapy_crawl_xxnet_shape(tmp_path):
    db = tmp_path / "xxnet.duckdb"
    with loopback_site(GENERIC_SITES / "xxnet") as (base, paths):
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "generic",
             "-a", f"outlet_file={OUTLET_FILES / 'xxnet.toml'}", "-a", f"base_url={base}",
             "-a", "start=2026-07-20", "-a", "end=2026-07-22",
             "-s", f"SHANGGAO_DB={db}", "-s", "SHANGGAO_ALLOW_INTERNAL=127.0.0.1",
             *sum((["-s", f"{k}={v}"] for k, v in FAST.items()), [])],
            cwd=REPO, capture_output=True, text=True, timeout=60,
            env={k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = _articles(Store(db), "xxnet")
    assert {url.split(base)[-1] for url in got} == {"/content/2026-07/22/content_332901.html",
                                                    "/content/2026-07/20/content_332850.html"}
    drowning = next(a for a in got.values() if a["title"] == "泸溪县：夏季防溺水宣传进村入户")
    assert drowning["published_date"] == date(2026, 7, 22) and drowning["authors"] == ["杨青", "龙江"]
    assert "版权所有" not in drowning["body"] and "防溺水宣传" in drowning["body"]
    assert "/news/index_2.html" in paths and "/news/index_3.html" not in paths


def test_generic_shanggao_crawl_outlet_file_county_shape(tmp_path):
    db = tmp_path / "luxi.duckdb"
    with loopback_site(GENERIC_SITES / "luxi") as (base, paths):
        outlet_file = tmp_path / "luxi.toml"
        text = (OUTLET_FILES / "luxi_gov.toml").read_text(encoding="utf-8")
        outlet_file.write_text(text.replace('base_url = ""', f'base_url = "{base}"', 1), encoding="utf-8")
        config = tmp_path / "shanggao.toml"
        config.write_text("download_delay = 0\nautothrottle = false\nconcurrency_per_domain = 4\n"
                          'allow_internal = ["127.0.0.1"]\n',
                          encoding="utf-8")
        proc = subprocess.run(
            [*shanggao_command(), "--db", str(db), "--config", str(config),
             "crawl", "--outlet-file", str(outlet_file), "--from", "2026-07-20", "--to", "2026-07-22"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
            env={k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")})
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.startswith("luxi")
    got = {a["title"]: a for a in _articles(Store(db), "luxi").values()}
    assert set(got) == {"泸溪县召开县委常委会会议", "泸溪县开展“四下基层”主题活动", "泸溪县组织部召开干部工作座谈会"}
    meeting = got["泸溪县召开县委常委会会议"]  # GB2312 pages, date via date_regex + date_format
    assert meeting["published_date"] == date(2026, 7, 22) and meeting["byline"] == "县委办 向文"
    assert "分享" not in meeting["body"] and "泸溪县委组织部" in meeting["body"]
    assert "/zwgk/xwzx/lxyw/index_1.html" in paths and "/zwgk/xwzx/lxyw/index_2.html" not in paths
    assert not any("t20260105" in p or "t20260716" in p for p in paths)


def test_generic_crawl_records_an_unregistered_outlet(tmp_path):
    store = Store(tmp_path / "jsxw.duckdb")
    with loopback_site(GENERIC_SITES / "xxnet") as (base, _paths):
        outlet_file = tmp_path / "jsxw.toml"
        text = (OUTLET_FILES / "xxnet.toml").read_text(encoding="utf-8")
        outlet_file.write_text(text.replace('slug = "xxnet"', 'slug = "jsxw"').replace(
            'name = "湘西网"', 'name = "吉首新闻网"\nkind = "portal"').replace(
            'base_url = "http://www.xxnet.com.cn"', f'base_url = "{base}"'), encoding="utf-8")
        results = crawl(store, [], START, END, settings_overrides={**FAST, "SHANGGAO_ALLOW_INTERNAL": ["127.0.0.1"]},
                        outlet_files=[outlet_file], timeout=60,
                        env={k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")})
    assert [(r.outlet, r.status) for r in results] == [("jsxw", "ok")]
    with store.read() as con:
        row = con.execute("SELECT name, tier, kind, home_url FROM outlets WHERE slug = 'jsxw'").fetchone()
        joined = con.execute("SELECT count(*) FROM articles a JOIN outlets o ON o.slug = a.outlet "
                             "WHERE a.outlet = 'jsxw'").fetchone()[0]
    assert row == ("吉首新闻网", "prefectural", "portal", base + "/")
    assert joined == 2


def test_fetch_zzrsb_detail_page_reads_the_api(tmp_path):
    """The SPA's /detailpage/{id} is an empty shell: fetch asks selectNews?id= and stores under the page URL."""
    from spiders_support import run_cli, write_fast_config

    from shanggao.spiders.replay import add_page

    news_id = "n20-1-0000-4000-8000-202607200000"
    detail = f"https://www.zuzhirenshi.com/detailpage/{news_id}"
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR / "www.zuzhirenshi.com", mirror / "www.zuzhirenshi.com")
    add_page(mirror, detail, '<!DOCTYPE html><html><head><title>中国组织人事报</title></head>'
                             '<body><div id="app"></div><script src="/js/app.js"></script></body></html>')
    db = tmp_path / "fetch.duckdb"
    with ReplayProxy(mirror) as proxy:
        proc = run_cli(["fetch", detail, "--format", "csv"], db, write_fast_config(tmp_path / "shanggao.toml"),
                       proxy.env())
        requested = [url for _method, url, _status in proxy.requests]
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "深化干部人事制度改革的基层实践" in proc.stdout
    assert f"https://www.zuzhirenshi.com/api/welcome/selectNews?id={news_id}" in requested
    assert detail not in requested
    with Store(db).read() as con:
        row = con.execute("SELECT a.url, a.outlet, a.title, a.published_date, a.source, p.url "
                          "FROM articles a JOIN pages p ON p.page_id = a.evidence_page_id").fetchall()
    assert row == [(detail, "zzrsb", "深化干部人事制度改革的基层实践", date(2026, 7, 20), "fetch",
                    f"https://www.zuzhirenshi.com/api/welcome/selectNews?id={news_id}")]
