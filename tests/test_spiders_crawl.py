"""Real Scrapy crawls of loopback mirrors through the replay proxy, with the real URLs.

Each crawl runs `shanggao crawl` / `shanggao fetch` in a subprocess (Twisted's
reactor starts once per process); the proxy runs in this process.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from spiders_support import Mirror, run_cli, template, write_fast_config

from shanggao.spiders.archive import read_record, sha256_hex
from shanggao.spiders.replay import ReplayProxy, add_page

RMRB_DAYS = (date(2024, 11, 30), date(2024, 12, 1), date(2024, 12, 2))   # old scheme, then new
HNRB_DAYS = (date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2))     # old host, then new host


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("epapers")
    mirror = Mirror(base / "mirror")
    for day in RMRB_DAYS:
        mirror.rmrb_day(day)
    for day in HNRB_DAYS:
        mirror.hnrb_day(day, mislabel=day == HNRB_DAYS[0])
        mirror.tjb_day(day)
    mirror.hnrb_period(list(HNRB_DAYS[1:]))
    config = write_fast_config(base / "shanggao.toml")
    db = base / "s.duckdb"
    with ReplayProxy(mirror.root) as proxy:
        first = [
            run_cli(["crawl", "rmrb", "--from", "2024-11-30", "--to", "2024-12-02"], db, config, proxy.env()),
            run_cli(["crawl", "hnrb", "tjb", "--from", "2024-12-31", "--to", "2025-01-02"], db, config, proxy.env()),
        ]
        first_requests = proxy.requests
        yield {"mirror": mirror, "db": db, "config": config, "proxy": proxy, "first": first,
               "first_requests": first_requests}


def query(db: Path, sql: str, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_first_crawl_stores_every_article_with_its_fields(site):
    for result in site["first"]:
        assert result.returncode == 0, result.stderr[-2000:]
    assert "rmrb       ok" in site["first"][0].stdout
    rows = query(site["db"], "SELECT url, outlet, title, subtitle, authors, published_date, page_no, page_name, "
                             "page_url, body, evidence_page_id, version FROM articles")
    stored = {row[0]: row for row in rows}
    expected = site["mirror"].articles
    assert set(stored) == set(expected)
    for url, exp in expected.items():
        _, outlet, title, subtitle, authors, day, page_no, page_name, page_url, body, evidence, version = stored[url]
        assert (outlet, title, day, page_no, page_name) == (exp.outlet, exp.title, exp.published_date, exp.page_no,
                                                             exp.page_name), url
        assert authors == exp.authors, url
        assert body.startswith(exp.body_start), url
        assert page_url and evidence and version == 1
        if exp.subtitle:
            assert subtitle == exp.subtitle
    # the editor credits were linked like articles but never fetched
    assert not any("本版责编" in row[2] for row in rows)
    assert not query(site["db"], "SELECT * FROM crawl_problems")
    statuses = query(site["db"], "SELECT outlet, status, articles, new_articles FROM crawl_runs ORDER BY outlet")
    assert statuses == [("hnrb", "ok", 12, 12), ("rmrb", "ok", 15, 15), ("tjb", "ok", 12, 12)]


def test_every_response_is_archived_and_linked(site):
    db = site["db"]
    pages = query(db, "SELECT url, status, sha256, warc_file, warc_offset, warc_length, page_kind FROM pages")
    served = {url for _, url, status in site["first_requests"]}
    assert {p[0] for p in pages} == served                          # robots.txt 404s included
    archive_dir = db.with_name(db.name + ".archive")
    for url, status, sha, warc_file, offset, length, _kind in pages:
        target, warc_status, body = read_record(archive_dir, warc_file, offset, length)
        assert (target, warc_status, sha256_hex(body)) == (url, status, sha)
    linked = query(db, "SELECT count(*) FROM articles a JOIN pages p ON p.page_id = a.evidence_page_id "
                       "WHERE p.page_kind = 'article' AND p.url IN (a.url, a.url || '?div=-1') "
                       "   OR replace(p.url, 'http://paper', 'https://paper') = a.url")
    assert linked[0][0] == len(site["mirror"].articles)
    # the GBK pages (one of them labelled UTF-8 by its server) decoded to the right text
    assert query(db, "SELECT count(*) FROM articles WHERE title LIKE '%喆镕%' OR title LIKE '%喆村%'")[0][0] == 4 + 12


def test_second_run_fetches_no_unchanged_article(site):
    proxy = site["proxy"]
    proxy.clear_log()
    result = run_cli(["crawl", "rmrb", "hnrb", "tjb", "--from", "2024-11-30", "--to", "2025-01-02"],
                     site["db"], site["config"], proxy.env())
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    fetched = [url for _, url, status in proxy.requests if status == 200]
    assert fetched, "index pages of the window are re-read"
    articles = set(site["mirror"].articles) | {e.fetch_url for e in site["mirror"].articles.values()}
    assert not [url for url in fetched if url in articles]
    assert set(site["mirror"].index_pages) <= set(fetched)
    # identical bytes: no duplicate pages rows
    assert query(site["db"], "SELECT count(*) FROM (SELECT url, sha256 FROM pages GROUP BY ALL HAVING count(*) > 1)"
                 )[0][0] == 0
    runs = query(site["db"], "SELECT outlet, status, new_articles FROM crawl_runs WHERE command = 'crawl' "
                             "ORDER BY run_id DESC LIMIT 3")
    assert sorted(runs) == [("hnrb", "ok", 0), ("rmrb", "ok", 0), ("tjb", "ok", 0)]


def test_changed_article_gets_a_new_version(site):
    mirror, db = site["mirror"], site["db"]
    url, exp = next((u, e) for u, e in mirror.articles.items() if e.outlet == "rmrb" and "/pc/content/" in u)
    page = mirror.root / "paper.people.com.cn" / url.split("paper.people.com.cn/")[1]
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("<p>　　", "<p>　　更正：", 1), encoding="utf-8")
    result = run_cli(["crawl", "rmrb", "--date", exp.published_date.isoformat(), "--refresh"], db, site["config"],
                     site["proxy"].env())
    assert result.returncode == 0, result.stderr[-2000:]
    (article_id, version, body, evidence), = query(
        db, "SELECT article_id, version, body, evidence_page_id FROM articles WHERE url = ?", [url])
    assert version == 2 and "更正：" in body
    old = query(db, "SELECT version, body, replaced_at IS NOT NULL, evidence_page_id FROM article_versions "
                    "WHERE article_id = ?", [article_id])
    assert len(old) == 1 and old[0][0] == 1 and "更正：" not in old[0][1] and old[0][2]
    assert old[0][3] != evidence                                      # each version keeps its own evidence
    # the unchanged articles of that day were re-fetched but stay at version 1
    assert query(db, "SELECT max(version) FROM articles WHERE url <> ?", [url])[0][0] == 1
    assert query(db, "SELECT new_articles FROM crawl_runs ORDER BY run_id DESC LIMIT 1")[0][0] == 1


def test_drifted_layout_warns_and_exits_non_zero(tmp_path):
    mirror = Mirror(tmp_path / "mirror")
    mirror.rmrb_day(date(2024, 12, 25), drifted=True)
    mirror.tjb_day(date(2024, 12, 25))
    config = write_fast_config(tmp_path / "shanggao.toml")
    db = tmp_path / "s.duckdb"
    with ReplayProxy(mirror.root) as proxy:
        result = run_cli(["crawl", "rmrb", "tjb", "--date", "2024-12-25"], db, config, proxy.env())
    assert result.returncode != 0
    assert "rmrb (drift)" in result.stderr and "tjb" not in result.stderr.split("Error:")[-1]
    assert "rmrb       drift" in result.stdout and "tjb        ok" in result.stdout
    problems = query(db, "SELECT problem, url FROM crawl_problems WHERE outlet = 'rmrb'")
    assert {p for p, _ in problems} == {"no_links"}
    assert len(problems) == 2                  # two news pages; the advertising page is expected to be empty
    assert query(db, "SELECT status, drift_warnings FROM crawl_runs WHERE outlet = 'rmrb'") == [("drift", 2)]
    assert query(db, "SELECT count(*) FROM articles WHERE outlet = 'rmrb'")[0][0] == 0


def test_fetch_unknown_layout_and_outlet_page(tmp_path):
    mirror = Mirror(tmp_path / "mirror")
    mirror.rmrb_day(date(2024, 12, 25), pages=1)
    rmrb_url = next(iter(mirror.articles))
    unknown = "http://www.luxi-news.invalid/xwzx/2025/0102/4567.html"
    add_page(mirror.root, unknown, template("unknown_layout.html").substitute(
        title="洗溪镇开展屋场会听民声", isodate="2025-01-02",
        paragraphs="\n".join(f"<p>{s}</p>" for s in [
            "记者 田小雨 通讯员 向明 报道", "洗溪镇把产业链党建延伸到合作社和企业，带动农户稳定增收。" * 3,
            "兴隆场镇开展屋场会活动，面对面听取意见建议，当场解决一批急难愁盼问题。" * 3])))
    missing = "http://www.luxi-news.invalid/xwzx/2025/0102/404.html"
    config = write_fast_config(tmp_path / "shanggao.toml")
    db = tmp_path / "s.duckdb"
    with ReplayProxy(mirror.root) as proxy:
        ok = run_cli(["fetch", unknown, rmrb_url, "--format", "csv"], db, config, proxy.env())
        bad = run_cli(["fetch", missing], db, config, proxy.env())
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert "洗溪镇开展屋场会听民声" in ok.stdout
    rows = dict((r[0], r[1:]) for r in query(
        db, "SELECT url, outlet, title, published_date, authors, source, evidence_page_id FROM articles"))
    assert rows[unknown][:5] == ("www.luxi-news.invalid", "洗溪镇开展屋场会听民声", date(2025, 1, 2),
                                 ["田小雨", "向明"], "fetch")
    assert rows[rmrb_url][0] == "rmrb" and rows[rmrb_url][1] == mirror.articles[rmrb_url].title
    assert all(r[5] for r in rows.values())
    assert bad.returncode != 0 and "http_error" in bad.stderr
    assert query(db, "SELECT outlet, status FROM crawl_runs ORDER BY run_id") == [(None, "ok"), (None, "failed")]
