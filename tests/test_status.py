"""`shanggao status`: last runs, articles per day, drift, pending claims, size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shanggao.dates import BEIJING
from shanggao.db import Store
from shanggao.status import sparkline


def test_sparkline_scales_to_the_busiest_day() -> None:
    assert sparkline([0, 1, 2, 4]) == "·▂▄█"
    assert sparkline([0, 0]) == "··"


def test_status_shows_runs_days_drift_and_pending_claims(cli, db_path: Path) -> None:
    cli("init")
    today = dt.datetime.now(BEIJING).date()
    store = Store(db_path)
    with store.write() as con:
        con.execute("INSERT INTO crawl_runs (job_id, command, outlet, window_start, window_end, started_at, "
                    "finished_at, status, pages, articles, new_articles) VALUES "
                    "('j1', 'nightly', 'rmrb', ?, ?, now()::TIMESTAMP - INTERVAL 1 HOUR, now()::TIMESTAMP, "
                    "'ok', 40, 20, 20),"
                    "('j1', 'nightly', 'tjb', ?, ?, now()::TIMESTAMP - INTERVAL 1 HOUR, now()::TIMESTAMP, "
                    "'drift', 3, 0, 0)",
                    [today, today, today, today])
        con.execute("INSERT INTO crawl_problems (run_id, outlet, url, problem, detail, seen_at) VALUES "
                    "(2, 'tjb', 'http://www.xxnet.com.cn/szb/tjbpc/l01.html', 'no_links', 'no article links', "
                    "now()::TIMESTAMP)")
        for n, day in enumerate([today, today, today - dt.timedelta(days=1)]):
            con.execute("INSERT INTO articles (url, outlet, title, body, body_hash, published_date, source, "
                        "first_fetched_at, last_fetched_at) "
                        "VALUES (?, 'rmrb', 't', 'b', 'h', ?, 'crawl', now(), now())",
                        [f"https://paper.people.com.cn/{n}.html", day])
        con.execute("INSERT INTO claims (claim_id, claimant, outlet, published_date, imported_at) "
                    "VALUES ('C1', ['张三'], '人民日报', ?, now())", [today])
    out = cli("status", "--days", "7").output
    assert "rmrb" in out and "ok" in out and "tjb" in out and "drift" in out
    assert "·····▄█" in out  # 0 … 0, 1 yesterday, 2 today
    assert "no_links" in out and "tjbpc/l01.html" in out
    assert "(not verified yet)" in out
    assert "Store size: database" in out


def test_status_of_an_empty_store(cli) -> None:
    cli("init")
    out = cli("status").output
    assert "No crawls recorded yet" in out
    assert "No claims pending verification" in out


def test_status_shows_the_matcher_index_share_once_documents_are_indexed(cli, db_path: Path) -> None:
    from matcher_support import TEA_TEXT, background, insert_articles, insert_manuscripts

    cli("init")
    assert "Matcher index" not in cli("status").output
    store = Store(db_path)
    insert_articles(store, [(f"https://news.example.cn/{i}.html", f"动态{i}", body)
                            for i, body in enumerate(background(30))])
    insert_manuscripts(store, [("M-TEA", "马王溪村的黄金茶", TEA_TEXT)])
    cli("match")
    out = cli("status").output
    line = next(line for line in out.splitlines() if line.startswith("Matcher index:"))
    assert "31 documents" in line and "% of" not in line and "%)" in line
    with store.read() as con:
        from shanggao.db.matcher_index import storage_share
        index, tables, documents = storage_share(con)
    assert 0 < index < tables and documents == 31
