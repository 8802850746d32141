"""Crawl speed: fetch + parse + archive + store, against trafilatura alone.

Builds a loopback mirror of People's Daily e-paper days (new URL scheme,
fixture markup, made-up text) holding at least --articles article pages,
serves it through the replay proxy, and crawls it with `spiders.run.crawl`
(the real spiders, pipeline, WARC archive and DuckDB store) with politeness
off.  Then it parses the same article pages with trafilatura alone.

    .venv/bin/python benchmarks/crawl_speed.py [--articles 5000] [--concurrency 32]

Prints pages/s for both and their ratio.  The crawl figure includes the
subprocess start (about a second) and the index pages it also fetches.

The replay proxy runs in this process and the crawl in its own subprocess, so
they never share a GIL; the CPU seconds each used are printed to show which
one bounds the rate (on 2 cores they still share the machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from spiders_support import Mirror  # noqa: E402

from shanggao.db import Store  # noqa: E402
from shanggao.spiders.replay import ReplayProxy, mirror_path  # noqa: E402
from shanggao.spiders.run import crawl  # noqa: E402

PER_PAGE = 25
PAGES = 5          # 要闻 评论 广告 地方 理论: four pages carry articles


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="shanggao-bench-") as tmp:
        tmp = Path(tmp)
        mirror = Mirror(tmp / "mirror")
        per_day = PER_PAGE * (PAGES - 1)
        days = -(-args.articles // per_day)
        first = date(2024, 6, 1)   # old scheme: plain http, so the proxy spends no time on TLS
        t0 = time.perf_counter()
        for i in range(days):
            mirror.rmrb_day(first + timedelta(days=i), pages=PAGES, per_page=PER_PAGE, body_paragraphs=12)
        build = time.perf_counter() - t0
        article_files = [mirror_path(mirror.root, e.fetch_url) for e in mirror.articles.values()]
        mb = sum(p.stat().st_size for p in article_files) / 1e6
        print(f"mirror: {len(article_files)} article pages ({mb:.1f} MB), {len(mirror.index_pages)} index pages, "
              f"{days} days; built in {build:.1f}s")

        store = Store(tmp / "bench.duckdb")
        store.init()
        overrides = {"ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                     "CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
                     "LOG_LEVEL": "WARNING", "SHANGGAO_BATCH_ITEMS": 1000}
        with ReplayProxy(mirror.root) as proxy:
            server_cpu0 = _cpu(resource.RUSAGE_SELF)
            t0 = time.perf_counter()
            results = crawl(store, ["rmrb"], first, first + timedelta(days=days - 1), settings_overrides=overrides,
                            env={**os.environ, **proxy.env()})
            elapsed = time.perf_counter() - t0
            server_cpu = _cpu(resource.RUSAGE_SELF) - server_cpu0
        crawl_cpu = _cpu(resource.RUSAGE_CHILDREN)
        result = results[0]
        with store.read() as con:
            stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        crawl_rate = result.pages / elapsed
        print(f"crawl: {result.status}; {result.pages} responses ({stored} articles stored) in {elapsed:.1f}s "
              f"-> {crawl_rate:.0f} pages/s, {stored / elapsed:.0f} articles/s (fetch+parse+archive+store)")
        print(f"cpu: crawl subprocess {crawl_cpu:.1f}s ({result.pages / crawl_cpu:.0f} pages per cpu-second), "
              f"replay proxy {server_cpu:.1f}s")

        import trafilatura

        bodies = [p.read_text(encoding="utf-8") for p in article_files]
        t0 = time.perf_counter()
        for html in bodies:
            trafilatura.bare_extraction(html, with_metadata=True)
        alone = time.perf_counter() - t0
        alone_rate = len(bodies) / alone
        print(f"trafilatura alone: {len(bodies)} pages in {alone:.1f}s -> {alone_rate:.0f} pages/s")
        print(f"ratio crawl/trafilatura: {crawl_rate / alone_rate:.2f}")


if __name__ == "__main__":
    main()
