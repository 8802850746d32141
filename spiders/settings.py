"""Scrapy settings for shanggao's spiders (scrapy.cfg points here).

Polite by default: robots.txt obeyed, AutoThrottle on, at most 2 concurrent
requests per domain, a User-Agent naming shanggao with a contact, retries
with backoff on 5xx and timeouts.  ``shanggao crawl`` overrides some of these
from the config file (``contact``, ``download_delay``, ``concurrency_per_domain``,
``autothrottle``, ``obey_robots``, ``http_cache``).

shanggao's own settings:
  SHANGGAO_DB            DuckDB file (default: $SHANGGAO_DB or ./shanggao.duckdb)
  SHANGGAO_ARCHIVE_DIR   WARC evidence folder (default: <db>.archive beside the db)
  SHANGGAO_CONTACT       contact in the User-Agent (default: $SHANGGAO_CONTACT or the project URL)
  SHANGGAO_JOB_ID        groups the crawl_runs rows of one invocation (default: a fresh id)
  SHANGGAO_COMMAND       crawl | fetch | nightly | demo, recorded in crawl_runs
  SHANGGAO_BATCH_ITEMS   rows buffered before a write (default 500)
  SHANGGAO_BATCH_SECONDS seconds between writes at most (default 5)
  SHANGGAO_ALLOW_INTERNAL internal host names or networks that may be fetched (default none)
  SHANGGAO_PROGRESS      show a live progress line per outlet on stderr (default off)
"""

from __future__ import annotations

import os

from shanggao.db.store import default_db_path

BOT_NAME = "shanggao"
SPIDER_MIDDLEWARES = {
    "shanggao.spiders.middlewares.LinkCapMiddleware": 50,
}
SPIDER_MODULES = ["shanggao.spiders.outlets"]
NEWSPIDER_MODULE = "shanggao.spiders.outlets"

SHANGGAO_DB = str(default_db_path())
SHANGGAO_ARCHIVE_DIR = os.environ.get("SHANGGAO_ARCHIVE_DIR", "")
SHANGGAO_CONTACT = os.environ.get("SHANGGAO_CONTACT", "https://github.com/shanggao/shanggao")
SHANGGAO_COMMAND = "crawl"
SHANGGAO_JOB_ID = ""
SHANGGAO_BATCH_ITEMS = 500
SHANGGAO_BATCH_SECONDS = 5.0
SHANGGAO_ALLOW_INTERNAL: list[str] = []  # internal hosts/networks fetch and crawl may reach (config allow_internal)
SHANGGAO_PROGRESS = False      # live per-outlet progress on stderr; `shanggao crawl` sets it on a terminal


def user_agent(contact: str) -> str:
    return f"shanggao/0.1 (+{contact}; media monitoring for a county Party organization department)"


USER_AGENT = user_agent(SHANGGAO_CONTACT)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

# -- politeness ---------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_ITEMS = 16          # Scrapy starts this many item workers per response; few items per page here
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5     # ±50% random variation of the delay
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# No article, 版面 or listing page comes near this; a bigger response (or a gzip body inflating past it)
# is dropped and recorded as a too_large problem (config: max_response_mb).
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
SHANGGAO_MAX_LINKS_PER_PAGE = 500   # requests followed from one response at most (config: max_links_per_page)
COOKIES_ENABLED = False

# -- retries with backoff (spiders.middlewares.BackoffRetryMiddleware) ------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0      # seconds before the first retry, doubled each time
RETRY_BACKOFF_MAX = 60.0

# -- development cache (off by default; `http_cache = true` in shanggao.toml) -----------
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 0
HTTPCACHE_IGNORE_HTTP_CODES = [500, 502, 503, 504, 408, 429]

# -- shanggao components ------------------------------------------------------------------
# Downloader side (high numbers) to engine side (low numbers), responses flow downwards:
#   ArchiveMiddleware (610) sees every response as received — before redirects are
#   followed (600) and bodies decompressed (590) — and archives it;
#   ResponseGuardMiddleware (585) repairs the charset and drops interstitials;
#   BackoffRetryMiddleware replaces Scrapy's RetryMiddleware at 550;
#   AddressGuardMiddleware (50) refuses requests to internal addresses first (every redirect too);
#   ProblemMiddleware (90) records what is left after retries: HTTP errors, timeouts, robots.
DOWNLOADER_MIDDLEWARES = {
    "shanggao.spiders.address_guard.AddressGuardMiddleware": 50,
    "shanggao.spiders.middlewares.ArchiveMiddleware": 610,
    "shanggao.spiders.middlewares.ResponseGuardMiddleware": 585,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "shanggao.spiders.middlewares.RecordingRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "shanggao.spiders.middlewares.BoundedDecompressionMiddleware": 590,
    "shanggao.spiders.middlewares.BackoffRetryMiddleware": 550,
    "shanggao.spiders.middlewares.ProblemMiddleware": 90,
}
ITEM_PIPELINES = {
    "shanggao.spiders.pipelines.StorePipeline": 300,
}
EXTENSIONS = {
    "shanggao.spiders.recorder.RunRecorderExtension": 100,
    "shanggao.spiders.progress.ProgressExtension": 110,     # only with SHANGGAO_PROGRESS (a terminal)
    "scrapy.extensions.telnet.TelnetConsole": None,
}
REMOTE_CONTROL_ENABLED = False   # no listening port on a crawler machine

LOG_LEVEL = "INFO"
# crawl_runs holds shanggao's own counts; Scrapy's byte counters serialise every request
# and response again just to measure it.
DOWNLOADER_STATS = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
