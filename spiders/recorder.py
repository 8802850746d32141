"""Per-crawl bookkeeping: the crawl_runs row, buffered rows, batched writes.

One :class:`RunRecorder` exists per Scrapy crawler (one spider run = one
outlet).  The archive middleware hands it every response, the item pipeline
every article and problem, the problem middleware every failure.  Rows are
buffered and written in one short ``Store.write()`` transaction when the
buffer reaches ``SHANGGAO_BATCH_ITEMS`` rows, every ``SHANGGAO_BATCH_SECONDS``
and when the spider closes — never one transaction per item, and never a
connection held open between batches.

Status of a run (``crawl_runs.status``):
  ok      the spider collected articles (new, changed or already stored);
  drift   it should have and collected none, or most of its article pages
          lacked a title or body — the site's markup or URL scheme moved;
  failed  no page could be fetched at all (every request errored);
  killed  the crawl was interrupted (Ctrl-C, signal).
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.internet import task

from shanggao.db import Store, crawls, utcnow
from shanggao.db.articles import upsert_crawled_articles
from shanggao.spiders.archive import WarcArchive, sha256_hex
from shanggao.spiders.items import DRIFT_PROBLEMS, ArticleItem, ProblemItem

log = logging.getLogger(__name__)

# Problems that mean the site could not be reached at all, and how the one line says why.
NETWORK_PROBLEMS = {"dns_error": "DNS lookup failed", "connection_refused": "connection refused",
                    "connection_error": "connection failed", "timeout": "timed out"}
UNREACHABLE = "cannot reach"


def unreachable_line(host: str, why: str) -> str:
    """``cannot reach www.xxnet.com.cn (DNS lookup failed) — check the network``: a run that
    reached nothing says so first (``shanggao crawl`` prints this part alone)."""
    return f"{UNREACHABLE} {host} ({why}) — check the network"

_ATTR = "_shanggao_recorder"


@dataclass
class RunCounts:
    pages: int = 0
    ok_pages: int = 0
    articles: int = 0
    new_articles: int = 0
    errors: int = 0
    drift_warnings: int = 0
    problems: Counter = field(default_factory=Counter)
    drift_urls: list[str] = field(default_factory=list)
    days: set[date] = field(default_factory=set)   # window days articles were found for (progress display)


class RunRecorder:
    """Buffers one crawler's pages, articles and problems and writes them in batches."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.store = Store(settings.get("SHANGGAO_DB"), settings.get("SHANGGAO_ARCHIVE_DIR") or None)
        self.job_id = settings.get("SHANGGAO_JOB_ID") or uuid.uuid4().hex[:12]
        self.command = settings.get("SHANGGAO_COMMAND") or "crawl"
        self.batch_items = settings.getint("SHANGGAO_BATCH_ITEMS", 500)
        self.batch_seconds = settings.getfloat("SHANGGAO_BATCH_SECONDS", 5.0)
        self.run_id: int | None = None
        self.outlet: str | None = None
        self.window_days: set[date] = set()
        self.counts = RunCounts()
        self.known_pages: set[tuple[str, str]] = set()
        self.last_sha: dict[str, str] = {}
        self._pages: dict[tuple[str, str], dict[str, Any]] = {}
        self._articles: dict[str, dict[str, Any]] = {}
        self._problems: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._archive: WarcArchive | None = None
        self._loop: task.LoopingCall | None = None
        self.opened = False
        self.closed = False
        self.unreachable: tuple[str, str] | None = None   # (host, why) of the first network failure

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> RunRecorder:
        recorder = getattr(crawler, _ATTR, None)
        if recorder is None:
            recorder = cls(crawler)
            setattr(crawler, _ATTR, recorder)
        return recorder

    # -- lifecycle ---------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        self.outlet = getattr(spider, "outlet", None) or (None if self.command == "fetch" else spider.name)
        window = getattr(spider, "window", None) or [None]
        self.window_days = {day for day in window if day is not None}
        self.store.ensure()
        with self.store.write() as con:
            self.run_id = crawls.start_run(
                con, job_id=self.job_id, command=self.command, outlet=self.outlet,
                window_start=min(window) if window[0] else None, window_end=max(window) if window[0] else None,
                started_at=utcnow(), pid=os.getpid())
        scope_urls = list(getattr(spider, "start_urls", []) or [])
        with self.store.read() as con:
            self.known_pages = crawls.known_pages(con, self.outlet, scope_urls)
        self._archive = WarcArchive(self.store.archive_dir, f"{self.job_id}-{self.outlet or 'fetch'}")
        self._loop = task.LoopingCall(self._periodic_flush)
        self._loop.start(max(self.batch_seconds, 0.5), now=False)
        self.opened = True

    def close(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if not self.opened or self.closed or self.run_id is None:
            return
        self.closed = True  # a crawl stopped by a signal is closed once, by whoever comes first
        failure = None
        try:
            self.flush()
        except Exception as exc:  # keep the run row truthful even when the last batch failed
            log.exception("%s: the final write failed", self.outlet or "fetch")
            failure = f"final write failed: {exc}"
        if self._archive is not None:
            self._archive.close()
        status, message = self.verdict(spider, reason)
        if failure:
            status, message = "failed", f"{failure}; {message}"
        with self.store.write() as con:
            crawls.finish_run(con, self.run_id, self._totals(), finished_at=utcnow(), status=status,
                              message=message)
        log.info("%s: %s — %s", self.outlet or "fetch", status, message)

    def verdict(self, spider: Spider, reason: str) -> tuple[str, str]:
        c = self.counts
        skipped = self.crawler.stats.get_value("shanggao/known_skipped", 0) or 0
        collected = c.articles + skipped
        parts = [f"{c.pages} pages, {c.articles} articles ({c.new_articles} new or changed, "
                 f"{skipped} already stored), {c.errors} errors, {c.drift_warnings} drift warnings"]
        if c.problems:
            parts.append("problems: " + ", ".join(f"{k}×{v}" for k, v in sorted(c.problems.items())))
        if c.drift_urls:
            parts.append("drift at: " + " ".join(c.drift_urls[:5]))
        message = "; ".join(parts)
        if reason not in ("finished", "closespider_itemcount", "closespider_pagecount"):
            return "killed", f"stopped ({reason}); " + message
        if c.ok_pages == 0 and c.pages + c.errors > 0 and collected == 0:
            if c.pages == 0 and self.unreachable and set(c.problems) <= set(NETWORK_PROBLEMS):
                host, why = self.unreachable
                return "failed", f"{unreachable_line(host, why)}; {message}"
            return "failed", "no page could be fetched; " + message
        if c.ok_pages == 0 and c.pages == 0 and c.errors == 0:
            return "failed", "nothing was requested; " + message
        expects = getattr(spider, "expects_articles", True)
        missing = c.problems.get("missing_field", 0)
        if expects and collected == 0:
            return "drift", "collected no articles; " + message
        if missing > c.articles:
            return "drift", "most article pages lacked a title or body; " + message
        return "ok", message

    # -- inputs ------------------------------------------------------------------

    def record_response(self, request: Request, response: Response) -> str:
        """Archive a response (unless these exact bytes of this URL are archived already)."""
        body = response.body
        sha = sha256_hex(body)
        url = response.url
        self.last_sha[url] = sha
        self.counts.pages += 1
        if 200 <= response.status < 300:
            self.counts.ok_pages += 1
        now = utcnow()
        key = (url, sha)
        if key in self._pages:
            self._pages[key]["fetched_at_last"] = now
            return sha
        headers = [(k.decode("latin-1"), v.decode("latin-1"))
                   for k, values in response.headers.items() for v in values]
        row = {
            "url": url, "fetched_at": now, "status": response.status,
            "headers": json.dumps(_merge_headers(headers), ensure_ascii=False), "sha256": sha,
            "content_length": len(body),
            "content_type": (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
            "outlet": request.meta.get("outlet", self.outlet),
            "page_kind": request.meta.get("page_kind") or _guess_kind(url),
            "run_id": self.run_id, "warc_file": None, "warc_offset": None, "warc_length": None,
        }
        if key not in self.known_pages and self._archive is not None:
            pointer = self._archive.write_response(
                url, response.status, _reason(response.status), headers, body, now,
                protocol=(response.protocol or "HTTP/1.1").upper() if hasattr(response, "protocol") else "HTTP/1.1",
            )
            row.update(warc_file=pointer.warc_file, warc_offset=pointer.offset, warc_length=pointer.length)
        self._pages[key] = row
        self.known_pages.add(key)
        self._maybe_flush()
        return sha

    def record_article(self, item: ArticleItem, source: str = "crawl") -> None:
        title, body = item["title"], item["body"]
        response_url = item.get("response_url") or item["url"]
        published = item.get("published_date")
        self._articles[item["url"]] = {
            "url": item["url"], "outlet": item.get("outlet") or self.outlet or "unknown",
            "title": title, "subtitle": item.get("subtitle"), "byline": item.get("byline"),
            "authors": list(item.get("authors") or []),
            "published_date": published if isinstance(published, date) else None,
            "page_no": item.get("page_no"), "page_name": item.get("page_name"),
            "page_url": item.get("page_url"), "body": body, "source": source, "response_url": response_url,
            "response_sha256": self.last_sha.get(response_url), "fetched_at": utcnow(),
        }
        self.counts.articles += 1
        if published in self.window_days:
            self.counts.days.add(published)
        self._maybe_flush()

    def record_problem(self, url: str, problem: str, detail: str = "", outlet: str | None = None) -> None:
        self._problems.append({"outlet": outlet or self.outlet, "url": url, "problem": problem,
                               "detail": (detail or "")[:500], "seen_at": utcnow()})
        self.counts.problems[problem] += 1
        if problem in NETWORK_PROBLEMS and self.unreachable is None:
            self.unreachable = (urlsplit(url).hostname or url, NETWORK_PROBLEMS[problem])
        if problem in DRIFT_PROBLEMS:
            self.counts.drift_warnings += 1
            if len(self.counts.drift_urls) < 20:
                self.counts.drift_urls.append(url)
        else:
            self.counts.errors += 1
        self._maybe_flush()

    def record_problem_item(self, item: ProblemItem) -> None:
        self.record_problem(item["url"], item["problem"], item.get("detail") or "", item.get("outlet"))

    # -- writing -------------------------------------------------------------------

    def _pending(self) -> int:
        return len(self._pages) + len(self._articles) + len(self._problems)

    def _maybe_flush(self) -> None:
        pending = self._pending()
        if pending and (pending >= self.batch_items
                        or time.monotonic() - self._last_flush >= self.batch_seconds):
            self.flush()

    def flush(self) -> None:
        """Write everything buffered in one short transaction."""
        self._last_flush = time.monotonic()
        if not self._pending() or self.run_id is None:
            return
        # Buffers are cleared only after the commit: a failed write (a lock held too
        # long by another process) is retried with the next batch, nothing is lost.
        pages, articles, problems = list(self._pages.values()), list(self._articles.values()), self._problems
        if self._archive is not None:
            self._archive.flush()  # evidence on disk before rows point at it
        for row in pages:
            row["last_seen_at"] = row.get("fetched_at_last", row["fetched_at"])
        new_articles = 0
        with self.store.write() as con:
            crawls.insert_pages(con, pages)
            if articles:
                new_articles = upsert_crawled_articles(con, articles)
            crawls.insert_problems(con, self.run_id, problems)
            crawls.update_run_totals(con, self.run_id, self._totals(new_articles))
        self.counts.new_articles += new_articles
        self._pages, self._articles, self._problems = {}, {}, []

    def _totals(self, unsaved_new_articles: int = 0) -> crawls.RunTotals:
        c = self.counts
        return crawls.RunTotals(pages=c.pages, articles=c.articles, new_articles=c.new_articles + unsaved_new_articles,
                                errors=c.errors, drift_warnings=c.drift_warnings)

    def _periodic_flush(self) -> None:
        try:
            self._maybe_flush()
        except Exception:
            log.exception("%s: a batch write failed; it will be retried", self.outlet or "fetch")


def _merge_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for key, value in headers:
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def _guess_kind(url: str) -> str:
    return "robots" if url.endswith("/robots.txt") else "other"


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class RunRecorderExtension:
    """Opens and closes each crawler's :class:`RunRecorder` with its spider."""

    def __init__(self, crawler: Crawler):
        self.recorder = RunRecorder.for_crawler(crawler)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorderExtension:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.recorder.open(spider)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.recorder.close(spider, reason)
