"""Running crawls from Python: ``shanggao crawl``/``fetch``, the nightly job and the demo.

Twisted's reactor can be started only once per process, so there are two entry points:

* :func:`crawl_in_process` / :func:`fetch_in_process` start the reactor here and
  return when the crawl is over.  Call them at most once per process — the CLI
  commands do exactly that.
* :func:`crawl` / :func:`fetch` run the same thing in a fresh Python subprocess
  (``python -m shanggao.spiders.run``) and can be called any number of times from one
  process (the nightly job, the demo, tests).  Results are read back from the
  store's ``crawl_runs`` rows of the job.

Both honour ``http_proxy`` / ``https_proxy`` (the subprocess inherits the
environment, or pass ``env=``), so a :class:`shanggao.spiders.replay.ReplayProxy` can
stand in for the internet.

Example::

    from shanggao.db import Store
    from shanggao.spiders.run import crawl
    results = crawl(Store("s.duckdb"), ["rmrb", "hnrb"], date(2024, 12, 24), date(2024, 12, 25))
    for r in results:
        print(r.line())
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import logging
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from types import FrameType
from typing import TYPE_CHECKING, Any

from shanggao.db import Store, crawls

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

NOT_DEFAULT = ("generic",)  # spiders that need their own arguments; never part of "all outlets"


@dataclass
class OutletResult:
    """One crawl_runs row: how one outlet's crawl went."""

    outlet: str | None
    status: str
    pages: int
    articles: int
    new_articles: int
    errors: int
    drift_warnings: int
    message: str
    run_id: int
    job_id: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        return (f"{self.outlet or 'fetch':<10} {self.status:<6} pages={self.pages} articles={self.articles} "
                f"new={self.new_articles} errors={self.errors} drift={self.drift_warnings}")


class CrawlError(Exception):
    """A crawl could not be started (bad outlet name, bad dates, subprocess failure)."""


@dataclass(frozen=True)
class CrawlOptions:
    """What a crawl or fetch takes from the office's configuration (``Config.crawl_options()``).

    Without options (``None``) a crawl runs on the project's settings (spiders/settings.py).
    Creating options checks ``allow_internal`` (:class:`AllowListError` for a bad entry).
    """

    contact: str = ""                       # goes into the User-Agent; "" = the project's
    download_delay: float = 1.0             # seconds between requests to one domain
    concurrency_per_domain: int = 2
    autothrottle: bool = True
    obey_robots: bool = True
    http_cache: bool = False
    allow_internal: tuple[str, ...] = ()    # intranet hosts/networks fetching may reach
    max_response_mb: float | None = None    # a bigger response is dropped; None = the project's 8 MB
    max_links_per_page: int | None = None   # links followed from one page; None = the project's 500

    def __post_init__(self) -> None:
        from shanggao.spiders.address_guard import AllowList

        object.__setattr__(self, "allow_internal", tuple(self.allow_internal))
        AllowList(self.allow_internal)  # raises AllowListError for a bad entry

    def with_allowed_hosts(self, hosts: Iterable[str]) -> CrawlOptions:
        """These options with ``hosts`` added to ``allow_internal`` (checked)."""
        hosts = tuple(hosts)
        return replace(self, allow_internal=(*self.allow_internal, *hosts)) if hosts else self

    def as_json(self) -> dict[str, Any]:
        """A plain dict for the crawl subprocess (:meth:`from_json` reads it back)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CrawlOptions:
        return cls(**{**data, "allow_internal": tuple(data.get("allow_internal") or ())})


def available_outlets() -> list[str]:
    from shanggao.spiders.outlets import spider_classes

    return sorted(spider_classes())


def default_outlets(configured: Sequence[str] = ()) -> list[str]:
    return list(configured) or [name for name in available_outlets() if name not in NOT_DEFAULT]


def _spider(name: str) -> type[Spider]:
    from shanggao.spiders.outlets import spider_for

    spider = spider_for(name)
    if spider is None:
        raise CrawlError(f"unknown outlet {name}")
    return spider


def check_outlets(outlets: Sequence[str]) -> list[str]:
    known = available_outlets()
    unknown = [o for o in outlets if o not in known]
    if unknown:
        raise CrawlError(f"unknown outlet(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return list(outlets)


def crawl_settings(store: Store, *, job_id: str, command: str, options: CrawlOptions | None = None,
                   overrides: Mapping[str, Any] | None = None) -> Settings:
    """Scrapy settings: the project's, the configured politeness choices and limits, then ``overrides``."""
    from scrapy.settings import Settings

    from shanggao.spiders import settings as project
    from shanggao.spiders.settings import user_agent

    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.set("SHANGGAO_DB", str(store.path), priority="cmdline")
    settings.set("SHANGGAO_ARCHIVE_DIR", str(store.archive_dir), priority="cmdline")
    settings.set("SHANGGAO_JOB_ID", job_id, priority="cmdline")
    settings.set("SHANGGAO_COMMAND", command, priority="cmdline")
    if options is not None:
        contact = options.contact or project.SHANGGAO_CONTACT
        settings.set("SHANGGAO_CONTACT", contact, priority="cmdline")
        settings.set("USER_AGENT", user_agent(contact), priority="cmdline")
        settings.set("DOWNLOAD_DELAY", float(options.download_delay), priority="cmdline")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", int(options.concurrency_per_domain), priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", bool(options.autothrottle), priority="cmdline")
        settings.set("ROBOTSTXT_OBEY", bool(options.obey_robots), priority="cmdline")
        settings.set("HTTPCACHE_ENABLED", bool(options.http_cache), priority="cmdline")
        settings.set("SHANGGAO_ALLOW_INTERNAL", list(options.allow_internal), priority="cmdline")
        if options.max_response_mb:
            settings.set("DOWNLOAD_MAXSIZE", int(options.max_response_mb * 1024 * 1024), priority="cmdline")
        if options.max_links_per_page:
            settings.set("SHANGGAO_MAX_LINKS_PER_PAGE", int(options.max_links_per_page), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def results_for_job(store: Store, job_id: str, after_run_id: int = 0) -> list[OutletResult]:
    """The job's crawl_runs rows (only those after ``after_run_id``: one call's share of a shared job)."""
    if not store.path.exists():
        return []
    with store.read() as con:
        return [OutletResult(*row) for row in crawls.job_runs(con, job_id, after_run_id)]


def _last_run_id(store: Store, job_id: str) -> int:
    if not store.path.exists():
        return 0
    with store.read() as con:
        return crawls.last_run_id(con, job_id)


SHUTDOWN_GRACE = 5.0  # seconds downloads in flight get after SIGTERM/SIGINT before the runs are recorded killed


def _prompt_process(settings: Settings) -> CrawlerProcess:
    """Scrapy's CrawlerProcess, stopping promptly on SIGTERM/SIGINT.

    Scrapy's graceful stop waits for every download in flight (up to
    DOWNLOAD_TIMEOUT each); after SHUTDOWN_GRACE seconds this records every
    run as ``killed`` and stops the reactor.  A second signal stops at once,
    as in Scrapy.
    """
    from scrapy.crawler import CrawlerProcess

    from shanggao.spiders.recorder import RunRecorder

    class PromptCrawlerProcess(CrawlerProcess):
        def _signal_shutdown(self, signum: int, frame: FrameType | None) -> None:
            from twisted.internet import reactor

            super()._signal_shutdown(signum, frame)
            reactor.callFromThread(reactor.callLater, SHUTDOWN_GRACE, self._give_up)

        def _give_up(self) -> None:
            from twisted.internet import reactor

            for crawler in list(self.crawlers):
                if crawler.spider is not None:
                    RunRecorder.for_crawler(crawler).close(crawler.spider, "shutdown")
            if reactor.running:
                reactor.stop()  # type: ignore[misc]  # twisted types the installed reactor as its module

    return PromptCrawlerProcess(settings)


def _run_crawlers(settings: Settings, jobs: Sequence[tuple[type[Spider], Mapping[str, Any]]]) -> None:
    process = _prompt_process(settings)
    if settings.getbool("LOG_ENABLED"):
        # Scrapy's handler drops records below LOG_LEVEL; stopping them at the root logger
        # spares building two DEBUG records (crawled, scraped) per page first.
        logging.root.setLevel(settings.get("LOG_LEVEL"))
    for spider_cls, kwargs in jobs:
        process.crawl(spider_cls, **kwargs)
    process.start()


def crawl_in_process(store: Store, outlets: Sequence[str], start: date | None = None, end: date | None = None,
                     refresh: bool = False, settings_overrides: Mapping[str, Any] | None = None,
                     options: CrawlOptions | None = None, job_id: str | None = None, command: str = "crawl",
                     outlet_files: Sequence[str] = ()) -> list[OutletResult]:
    """Crawl ``outlets`` for ``start``..``end`` in this process (starts the reactor: once per process).

    Each of ``outlet_files`` (TOML outlet files) adds one run of the ``generic`` spider.
    """
    from shanggao.spiders.base import date_window

    outlets = check_outlets(outlets)
    try:
        date_window(None, start, end)
    except ValueError as exc:
        raise CrawlError(str(exc)) from exc
    store.ensure()
    before = _last_run_id(store, job_id) if job_id else 0
    job_id = job_id or uuid.uuid4().hex[:12]
    settings = crawl_settings(store, job_id=job_id, command=command, options=options, overrides=settings_overrides)
    args = {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
            "refresh": "1" if refresh else ""}
    jobs: list[tuple[type[Spider], Mapping[str, Any]]] = [(_spider(name), args) for name in outlets]
    jobs += [(_spider("generic"), {**args, "outlet_file": str(path)}) for path in outlet_files]
    _run_crawlers(settings, jobs)
    return results_for_job(store, job_id, before)


def fetch_in_process(store: Store, urls: Sequence[str], settings_overrides: Mapping[str, Any] | None = None,
                     options: CrawlOptions | None = None, job_id: str | None = None) -> list[OutletResult]:
    """Fetch exactly ``urls`` (any site), parse, archive and store them, in this process."""
    from shanggao.spiders.fetch import FetchSpider

    store.ensure()
    before = _last_run_id(store, job_id) if job_id else 0
    job_id = job_id or uuid.uuid4().hex[:12]
    settings = crawl_settings(store, job_id=job_id, command="fetch", options=options, overrides=settings_overrides)
    _run_crawlers(settings, [(FetchSpider, {"urls": list(urls)})])
    return results_for_job(store, job_id, before)


# -- subprocess variants -------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child get SIGKILL when this process dies (Linux).

    A ``kill -9`` of the nightly job then takes its crawl subprocess with it
    instead of leaving an orphan that keeps writing.  The signal follows the
    *thread* that started the child, so call from a thread that outlives the
    crawl (the main thread).  None (no-op) off Linux or without a usable libc.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def set_death_signal() -> None:  # runs in the child between fork and exec: no allocation-heavy work
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return set_death_signal


def _spawn(payload: dict[str, Any], env: Mapping[str, str] | None, timeout: float | None) -> None:
    # With live progress (SHANGGAO_PROGRESS, a terminal) the child draws it on our stderr; else its
    # stderr is kept for the error message.
    live = bool(payload.get("overrides", {}).get("SHANGGAO_PROGRESS"))
    proc = subprocess.run([sys.executable, "-m", "shanggao.spiders.run"], input=json.dumps(payload), text=True,
                          env=dict(env) if env is not None else None, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=None if live else subprocess.PIPE,
                          preexec_fn=die_with_parent())
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-5:] or ["see the lines above"]
        raise CrawlError(f"crawl subprocess failed (exit {proc.returncode}): " + " | ".join(tail))


def crawl(store: Store, outlets: Sequence[str], start: date | None = None, end: date | None = None,
          refresh: bool = False, settings_overrides: Mapping[str, Any] | None = None,
          options: CrawlOptions | None = None,
          command: str = "crawl", env: Mapping[str, str] | None = None,
          timeout: float | None = None, outlet_files: Sequence[str] = (),
          job_id: str | None = None) -> list[OutletResult]:
    """Like :func:`crawl_in_process`, in a subprocess: callable many times per process.

    ``job_id`` groups the outlets' crawl_runs rows under a caller's job (the nightly
    run's); by default each call is a job of its own.  The subprocess is killed
    when this process dies (:func:`die_with_parent`).
    """
    outlets = check_outlets(outlets)
    before = _last_run_id(store, job_id) if job_id else 0
    job_id = job_id or uuid.uuid4().hex[:12]
    _spawn({"action": "crawl", "db": str(store.path), "archive_dir": str(store.archive_dir), "outlets": outlets,
            "start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
            "refresh": refresh, "overrides": dict(settings_overrides or {}),
            "options": options.as_json() if options else None, "job_id": job_id, "command": command,
            "outlet_files": [str(p) for p in outlet_files]}, env, timeout)
    return results_for_job(store, job_id, before)


def fetch(store: Store, urls: Sequence[str], settings_overrides: Mapping[str, Any] | None = None,
          options: CrawlOptions | None = None, env: Mapping[str, str] | None = None,
          timeout: float | None = None, job_id: str | None = None) -> list[OutletResult]:
    """Like :func:`fetch_in_process`, in a subprocess (``job_id`` as in :func:`crawl`)."""
    before = _last_run_id(store, job_id) if job_id else 0
    job_id = job_id or uuid.uuid4().hex[:12]
    _spawn({"action": "fetch", "db": str(store.path), "archive_dir": str(store.archive_dir), "urls": list(urls),
            "overrides": dict(settings_overrides or {}), "options": options.as_json() if options else None,
            "job_id": job_id},
           env, timeout)
    return results_for_job(store, job_id, before)


def _main() -> None:
    """``python -m shanggao.spiders.run`` reads one JSON job from stdin (see :func:`crawl`)."""
    job = json.load(sys.stdin)
    store = Store(job["db"], job.get("archive_dir") or None)
    options = CrawlOptions.from_json(job["options"]) if job.get("options") else None
    if job["action"] == "fetch":
        fetch_in_process(store, job["urls"], job.get("overrides"), options, job["job_id"])
    else:
        crawl_in_process(store, job["outlets"], date.fromisoformat(job["start"]) if job.get("start") else None,
                         date.fromisoformat(job["end"]) if job.get("end") else None, bool(job.get("refresh")),
                         job.get("overrides"), options, job["job_id"], job.get("command", "crawl"),
                         job.get("outlet_files") or ())


if __name__ == "__main__":
    _main()
