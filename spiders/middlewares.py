"""Downloader middlewares: evidence archive, charset repair, interstitial guard,
retry backoff, and failures recorded as crawl problems.

Order (see settings.DOWNLOADER_MIDDLEWARES) — a response travels from the
downloader (high numbers) to the spider (low numbers):

610 ArchiveMiddleware        every response as received (3xx, 4xx, 5xx, each retry) -> WARC + pages row
600 RedirectMiddleware       (Scrapy)
590 HttpCompressionMiddleware(Scrapy)
585 ResponseGuardMiddleware  charset repair; interstitial / anti-bot pages dropped as problems
550 BackoffRetryMiddleware   Scrapy's retry, waiting 2 s, 4 s, 8 s … before each retry
 90 ProblemMiddleware        what survives retries: HTTP errors, timeouts, offsite redirects, robots
"""

from __future__ import annotations

import logging
import re
from typing import Any

from scrapy import exceptions as scrapy_errors
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, reactor, task

from shanggao.spiders.recorder import RunRecorder


class ArchiveMiddleware:
    """Archives every response (raw bytes, status, headers, time, sha256) before anything else sees it."""

    def __init__(self, crawler: Crawler):
        self.recorder = RunRecorder.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        sha = self.recorder.record_response(request, response)
        request.meta["evidence_sha256"] = sha
        return response


# -- charset repair ----------------------------------------------------------------

_CJK_LEGACY = ("gb2312", "gbk", "gb18030", "gb_2312", "x-gbk", "big5", "cp936", "hz-gb-2312")
_SINGLE_BYTE = ("latin-1", "latin1", "iso-8859-1", "cp1252", "windows-1252", "ascii", "us-ascii")


def best_encoding(body: bytes, declared: str | None) -> str:
    """The encoding that decodes ``body`` to the right text.

    Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the label says (GBK text
    is almost never valid UTF-8).  Otherwise a declared Chinese legacy charset
    is widened to its superset GB18030 (GB2312 pages routinely contain GBK-only
    characters); a page labelled UTF-8 or Latin-1 that is not valid UTF-8 but
    is valid GB18030 is GB18030.
    """
    declared = (declared or "").lower()
    try:
        body.decode("utf-8")
        if not body[:65536].isascii() or not declared:
            return "utf-8"
    except UnicodeDecodeError:
        pass
    else:
        return declared or "utf-8"
    if declared.startswith("big5"):
        return "big5hkscs"
    if declared in _CJK_LEGACY or declared.startswith("gb"):
        return "gb18030"
    try:
        body.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return declared or "gb18030"


# -- interstitials -----------------------------------------------------------------

# Tokens of WAF / anti-bot challenge pages (Jiasule, Aliyun, Yunsuo, Cloudflare, WeChat's check).
_CHALLENGE_TOKENS = re.compile(
    r"__jsl_clearance|acw_sc__v2|yunsuo_session_verify|_waf_|cf-chl-|cf_chl_opt|"
    r"secitptpage|wappoc_appmsgcaptcha|/cdn-cgi/challenge-platform",
    re.I,
)
# Phrases of challenge, block and deleted-content pages; trusted only on short pages.
_CHALLENGE_PHRASES = re.compile(
    r"滑动验证|安全验证|访问验证|人机验证|环境异常|请开启JavaScript|请启用JavaScript|Checking your browser|"
    r"Just a moment\.\.\.|Access Denied|访问被拒绝|您的访问过于频繁|请输入验证码",
    re.I,
)
_GONE_PHRASES = re.compile(
    r"该内容已被发布者删除|此内容因违规无法查看|内容已删除|页面不存在|您访问的页面不存在|404 Not Found")
SHORT_PAGE_CHARS = 6000


def _literals(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The lower-cased alternatives of a pattern that is a plain union of literals."""
    return tuple(re.sub(r"\\(.)", r"\1", alt).lower() for alt in pattern.pattern.split("|"))


# Every page passes through here: a substring scan for the patterns' literals (C speed)
# decides whether the regexes need to run at all.
_ANY_TOKEN = _literals(_CHALLENGE_TOKENS)
_ANY_PHRASE = _literals(_CHALLENGE_PHRASES) + _literals(_GONE_PHRASES)


def interstitial_reason(text: str) -> tuple[str, str] | None:
    """(problem, detail) when a 200 page is a challenge/blocked/deleted page rather than content."""
    head = text[:30000]
    folded = head.lower()
    if any(token in folded for token in _ANY_TOKEN):
        token = _CHALLENGE_TOKENS.search(head)
        if token:
            return "interstitial", f"anti-bot challenge ({token.group(0)})"
    if not any(phrase in folded for phrase in _ANY_PHRASE):
        return None  # the common case: no need to measure the visible text
    if not (_CHALLENGE_PHRASES.search(head) or _GONE_PHRASES.search(head)):
        return None
    visible = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", head, flags=re.S | re.I)
    visible = re.sub(r"\s+", " ", visible)
    if len(visible) <= SHORT_PAGE_CHARS:
        phrase = _CHALLENGE_PHRASES.search(visible)
        if phrase:
            return "interstitial", f"challenge or block page ({phrase.group(0)})"
        gone = _GONE_PHRASES.search(visible)
        if gone:
            return "not_article", f"content gone ({gone.group(0)})"
    return None


class ResponseGuardMiddleware:
    """Re-decodes mislabelled or legacy-charset pages; drops interstitials as problems."""

    def __init__(self, crawler: Crawler):
        self.recorder = RunRecorder.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not (200 <= response.status < 300):
            return response
        encoding = best_encoding(response.body, _declared_encoding(response))
        if encoding != response.encoding:
            response = response.replace(encoding=encoding)
        if request.meta.get("page_kind") == "robots" or response.url.endswith("/robots.txt"):
            return response
        found = interstitial_reason(response.text)
        if found:
            problem, detail = found
            self.recorder.record_problem(response.url, problem, detail, request.meta.get("outlet"))
            raise IgnoreRequest(f"{problem}: {detail}")
        return response


def _declared_encoding(response: TextResponse) -> str | None:
    """What the server or the page itself claims (header first, then <meta>)."""
    header = response._declared_encoding()  # header, BOM or <meta>, as Scrapy reads them
    return header


# -- retries with backoff ------------------------------------------------------------

class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, but a retry waits RETRY_BACKOFF_BASE × 2^(n-1) seconds first."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def _wait(self, result: Any) -> Any:
        if isinstance(result, Request) and self.backoff_base > 0:
            tries = result.meta.get("retry_times", 1)
            delay = min(self.backoff_base * 2 ** (tries - 1), self.backoff_max)
            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        return result

    # Scrapy (>= 2.13) takes coroutine hooks; the synchronous supertype cannot say so.
    async def process_response(  # type: ignore[override]
            self, request: Request, response: Response) -> Request | Response:
        return await self._wait(super().process_response(request, response))

    async def process_exception(  # type: ignore[override]
            self, request: Request, exception: Exception) -> Request | Response | None:
        return await self._wait(super().process_exception(request, exception))


# -- redirects and decompression that record why they gave up ---------------------------

class RecordingRedirectMiddleware(RedirectMiddleware):
    """Scrapy's RedirectMiddleware; a redirect loop (too many redirects) becomes a ``redirect_loop`` problem."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            origin = (request.meta.get("redirect_urls") or [request.url])[0]
            RunRecorder.for_crawler(self.crawler).record_problem(
                origin, "redirect_loop", f"{exc} after {len(request.meta.get('redirect_urls') or [])} redirects "
                f"(last: {request.url})", request.meta.get("outlet"))
            raise


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, which stops at DOWNLOAD_MAXSIZE; a body over it becomes a ``too_large`` problem."""

    recorder: RunRecorder

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoundedDecompressionMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.recorder = RunRecorder.for_crawler(crawler)
        return middleware

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            limit = request.meta.get("download_maxsize", self._max_size)
            self.recorder.record_problem(
                request.url, "too_large", f"body larger than {limit / 1048576:g} MB once decompressed "
                f"({len(response.body)} bytes compressed; max_response_mb in the config)", request.meta.get("outlet"))
            raise


# -- failures as data ------------------------------------------------------------------

_TIMEOUT_NAMES = ("TimeoutError", "TCPTimedOutError")
_DNS_ERRORS = tuple(e for e in (getattr(scrapy_errors, "CannotResolveHostError", None),) if e)
_CONNECTION_ERRORS = tuple(e for e in (getattr(scrapy_errors, name, None) for name in (
    "DownloadConnectionRefusedError", "DownloadFailedError", "ResponseDataLossError")) if e)


def failure_kind(exception: BaseException) -> str:
    """The crawl_problems kind for a download that raised ``exception``."""
    name = type(exception).__name__
    message = str(exception)
    if "larger than download max size" in message:
        return "too_large"
    if any(t in name for t in _TIMEOUT_NAMES) or "timed out" in message.lower() or "DownloadTimeout" in name:
        return "timeout"
    if isinstance(exception, _DNS_ERRORS) or "DNSLookup" in name or "resolve" in message.lower():
        return "dns_error"
    if "refused" in message.lower() or "Refused" in name:
        return "connection_refused"
    if isinstance(exception, _CONNECTION_ERRORS) or "Connection" in name or "ResponseNeverReceived" in name \
            or "connection" in message.lower():
        return "connection_error"
    return "other"


class _RecordedFailures(logging.Filter):
    """Drops Scrapy's ERROR records (with tracebacks) about downloads that failed — robots.txt
    that could not be fetched, retries given up: each failure is a crawl_problems row and
    the one line the command prints.  Only when Scrapy's log is not asked for (-v)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.ERROR:
            return True
        if record.name == "scrapy.core.scraper":   # spider errors stay; download failures were recorded
            return not record.getMessage().startswith("Error downloading")
        return False


def _quiet_download_failures() -> None:
    for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry",
                 "scrapy.core.scraper"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RecordedFailures) for f in logger.filters):
            logger.addFilter(_RecordedFailures())


class ProblemMiddleware:
    """Records HTTP errors, timeouts, offsite redirects and robots refusals as crawl problems.

    Sits nearest the engine, so it only sees what retries could not fix.  It
    never swallows anything: Scrapy still filters error responses from callbacks.
    """

    def __init__(self, crawler: Crawler):
        self.recorder = RunRecorder.for_crawler(crawler)
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        if logging.getLevelName(crawler.settings.get("LOG_LEVEL", "INFO")) in (logging.WARNING, logging.ERROR):
            _quiet_download_failures()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProblemMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        expected = request.meta.get("handle_httpstatus_list", ())  # the spider handles these itself
        if response.status >= 400 and not response.url.endswith("/robots.txt") and response.status not in expected:
            self.recorder.record_problem(response.url, "http_error", f"HTTP {response.status}",
                                         request.meta.get("outlet"))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        outlet = request.meta.get("outlet")
        message = str(exception)
        if isinstance(exception, IgnoreRequest):
            if "robots.txt" in message:
                self.recorder.record_problem(request.url, "robots", "forbidden by robots.txt", outlet)
            elif "offsite" in message and request.meta.get("redirect_urls"):
                origin = request.meta["redirect_urls"][0]
                self.recorder.record_problem(origin, "offsite_redirect", f"redirected to {request.url}", outlet)
            # interstitials were recorded by the guard; offsite links a spider yields are not problems
            return None
        kind = failure_kind(exception)
        if isinstance(exception, defer.CancelledError) and kind != "too_large":
            return None
        if request.url.endswith("/robots.txt"):
            return None
        name = type(exception).__name__
        detail = f"{name}: {message}".split(" in request <")[0]
        if kind == "too_large":
            limit = request.meta.get("download_maxsize") or self.max_size
            detail = f"response larger than {limit / 1048576:g} MB (max_response_mb in the config): {detail}"
        self.recorder.record_problem(request.url, kind, detail[:300], outlet)
        return None


# -- links followed from one page ----------------------------------------------------------

class LinkCapMiddleware:
    """Spider middleware: at most SHANGGAO_MAX_LINKS_PER_PAGE requests are followed from one response.

    A listing page stuffed with links (or a trap) cannot flood the crawl; the
    rest are dropped and one ``too_many_links`` problem names the page.
    """

    def __init__(self, crawler: Crawler):
        self.limit = crawler.settings.getint("SHANGGAO_MAX_LINKS_PER_PAGE", 500)
        self.recorder = RunRecorder.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LinkCapMiddleware:
        return cls(crawler)

    def _over(self, response: Response, count: int) -> bool:
        if count <= self.limit:
            return False
        if count == self.limit + 1:
            self.recorder.record_problem(response.url, "too_many_links",
                                         f"more than {self.limit} links on one page; the rest were not followed "
                                         "(max_links_per_page in the config)", response.meta.get("outlet"))
        return True

    def process_spider_output(self, response: Response, result: Any, spider: Any = None) -> Any:
        count = 0
        for item in result:
            if isinstance(item, Request):
                count += 1
                if self._over(response, count):
                    continue
            yield item

    async def process_spider_output_async(self, response: Response, result: Any, spider: Any = None) -> Any:
        count = 0
        async for item in result:
            if isinstance(item, Request):
                count += 1
                if self._over(response, count):
                    continue
            yield item
