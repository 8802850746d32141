"""Live progress of a crawl in a terminal: one line per outlet (days, pages, articles).

``shanggao crawl`` turns it on (setting ``SHANGGAO_PROGRESS``) only when stderr
is a terminal and Scrapy's log is not shown; otherwise nothing extra is
printed.  :class:`ProgressExtension` is the Scrapy side: one per crawler
(= outlet), reading its :class:`spiders.recorder.RunRecorder` counters twice
a second.  All crawlers of the process share one :class:`CrawlProgress`
display on stderr, which stops (and is erased, like the bars of
:mod:`shanggao.progress`) when the last of them closes; the command's
one-line-per-outlet summary follows.  It is separate from
``shanggao.progress.progress_steps`` because it shows several outlets at once,
each with its own counters, fed from inside Scrapy.

"days" counts the window days the outlet has yielded articles for so far — the
honest measure available while e-paper days are walked in parallel and portal
listings run newest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from shanggao.spiders.recorder import RunRecorder

REFRESH_SECONDS = 0.5


@dataclass(frozen=True)
class OutletProgress:
    """What one line shows."""

    days_done: int
    days_total: int
    pages: int
    articles: int
    errors: int = 0


class CrawlProgress:
    """A rich progress display with a line per outlet; safe to start and stop repeatedly."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description:<10}", style="bold", markup=False),  # a slug is text, never markup
            BarColumn(bar_width=24),
            TextColumn("days {task.completed:>3.0f}/{task.total:<3.0f}"),
            TextColumn("pages {task.fields[pages]:>6}  articles {task.fields[articles]:>6}  "
                       "errors {task.fields[errors]:>4}  {task.fields[status]}"),
            TimeElapsedColumn(),
            console=self.console,
            refresh_per_second=4,
            transient=True,  # erased at the end, as shanggao.progress does: the summary lines follow
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.active: set[TaskID] = set()
        self.started = False

    def add(self, outlet: str, days_total: int) -> TaskID:
        if not self.started:
            self.progress.start()
            self.started = True
        task_id = self.progress.add_task(outlet, total=max(days_total, 1), pages=0, articles=0, errors=0,
                                         status="")
        self.active.add(task_id)
        return task_id

    def update(self, task_id: TaskID, state: OutletProgress) -> None:
        self.progress.update(task_id, completed=min(state.days_done, max(state.days_total, 1)),
                             pages=state.pages, articles=state.articles, errors=state.errors)

    def finish(self, task_id: TaskID, state: OutletProgress, status: str) -> None:
        """Final figures; the bar is filled (the window is walked) whatever was found."""
        self.update(task_id, state)
        self.progress.update(task_id, completed=max(state.days_total, 1), status=status)
        self.active.discard(task_id)
        if not self.active:
            self.stop()

    def stop(self) -> None:
        if self.started:
            self.progress.stop()
            self.started = False


_shared: CrawlProgress | None = None


def shared_display() -> CrawlProgress:
    """The process's display on stderr (every crawler of one ``shanggao crawl`` adds its line)."""
    global _shared
    if _shared is None:
        _shared = CrawlProgress()
    return _shared


def stop_shared_display() -> None:
    """Leave the terminal clean even when a crawl ended abnormally."""
    if _shared is not None:
        _shared.stop()


class ProgressExtension:
    """Feeds one crawler's counters to the shared display (only with ``SHANGGAO_PROGRESS``)."""

    def __init__(self, crawler: Crawler, display: CrawlProgress):
        self.crawler = crawler
        self.display = display
        self.recorder = RunRecorder.for_crawler(crawler)
        self.task_id: TaskID | None = None
        self.days_total = 0
        self._loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        if not crawler.settings.getbool("SHANGGAO_PROGRESS"):
            raise NotConfigured  # no message: Scrapy would log a warning for it
        return cls(crawler, shared_display())

    def state(self) -> OutletProgress:
        c = self.recorder.counts
        return OutletProgress(len(c.days), self.days_total, c.pages, c.articles, c.errors)

    def spider_opened(self, spider: Spider) -> None:
        self.days_total = len(getattr(spider, "window", None) or []) or 1
        self.task_id = self.display.add(getattr(spider, "outlet", None) or spider.name, self.days_total)
        self._loop = task.LoopingCall(self.refresh)
        self._loop.start(REFRESH_SECONDS, now=False)

    def refresh(self) -> None:
        if self.task_id is not None:
            self.display.update(self.task_id, self.state())

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.task_id is not None:
            self.display.finish(self.task_id, self.state(), "done" if reason == "finished" else reason)
