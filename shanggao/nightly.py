"""The nightly job: crawl the window, match what is new, verify claims, write the month's report.

Safe to run unattended:

* one at a time — an advisory ``flock`` on ``<db>.nightly.lock``; the kernel
  drops it when the holder dies, so a stale lock of a killed run is simply
  taken over;
* resumable — every step is idempotent (articles upsert by URL, matching is
  incremental, verdicts are recomputed) and writes in short transactions, so
  after ``kill -9`` the next run finishes the work; the killed run's
  ``crawl_runs`` rows are marked ``failed`` when the next run starts;
* catching up — each outlet's window starts after the last day that outlet was
  crawled successfully (at most ``max_catchup_days`` back), so a missed night
  is crawled the next night.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shanggao.config import Config
from shanggao.dates import beijing_today, utc_now
from shanggao.db import Store, StoreError, crawls

log = logging.getLogger("shanggao.nightly")

class NightlyBusy(StoreError):
    """Another nightly run holds the lock."""


def lock_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".nightly.lock")


class NightlyLock:
    """An exclusive, non-blocking lock file that the kernel releases when its holder dies."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> NightlyLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown process"
            os.close(fd)
            raise NightlyBusy(
                f"another nightly run is in progress ({holder}; lock {self.path}); not starting a second one"
            ) from None
        os.ftruncate(fd, 0)
        owner = f"pid {os.getpid()} on {socket.gethostname()} since {utc_now():%Y-%m-%d %H:%M:%S} UTC"
        os.pwrite(fd, owner.encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _alive(pid: int | None) -> bool:
    """Whether the process exists and is not a zombie (killed, waiting to be reaped)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def mark_dead_runs(store: Store) -> int:
    """crawl_runs rows still 'running' whose process is gone → 'failed'; return how many."""
    with store.read() as con:
        running = crawls.running_runs(con)
    dead = [run_id for run_id, pid in running if not _alive(pid)]
    if dead:
        with store.write() as con:
            crawls.fail_dead_runs(con, dead, utc_now())
    return len(dead)


def crawl_windows(store: Store, outlets: Sequence[str], today: dt.date, window_days: int,
                  max_catchup_days: int) -> dict[tuple[dt.date, dt.date], list[str]]:
    """Outlets grouped by the window each needs: the usual window, reaching back to
    the last day the outlet was crawled successfully when a night was missed."""
    usual_start = today - dt.timedelta(days=max(window_days, 1) - 1)
    oldest = today - dt.timedelta(days=max_catchup_days)
    with store.read() as con:
        last_ok = crawls.last_ok_window_ends(con)
    windows: dict[tuple[dt.date, dt.date], list[str]] = {}
    for outlet in outlets:
        start = usual_start
        if outlet in last_ok and last_ok[outlet] < usual_start:
            # The last good day is re-read too: an issue may have been incomplete then.
            start = max(last_ok[outlet], oldest)
        windows.setdefault((start, today), []).append(outlet)
    return windows


@dataclass
class NightlyResult:
    job_id: str
    outlet_lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # outlets that failed or drifted, with why
    matched: str = ""
    verified: str = ""
    report: Path | None = None
    marked_failed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _record_job(store: Store, job_id: str, start: dt.date, end: dt.date) -> int:
    with store.write() as con:
        return crawls.start_run(con, job_id=job_id, command="nightly", outlet=None, window_start=start,
                                window_end=end, started_at=utc_now(), pid=os.getpid())


def _finish_job(store: Store, run_id: int, status: str, message: str) -> None:
    with store.write() as con:
        crawls.close_run(con, run_id, status=status, finished_at=utc_now(), message=message)


def run_nightly(store: Store, config: Config, *, today: dt.date | None = None,
                outlets: Sequence[str] | None = None, env: Mapping[str, str] | None = None,
                stage: Callable[[str], None] = lambda name: None,
                settings_overrides: Mapping[str, object] | None = None) -> NightlyResult:
    """Run one night's work under the lock and return what happened."""
    from shanggao.matcher import match_store
    from shanggao.periods import parse_period
    from shanggao.reports import default_report_name, write_report
    from shanggao.rules import rules_for
    from shanggao.spiders.run import crawl, default_outlets
    from shanggao.verify import verify_claims

    today = today or beijing_today()
    chosen = list(outlets) if outlets else default_outlets(config.outlets)
    rules = rules_for(config.rules, config.source)  # a broken rules file stops us before any crawling
    with NightlyLock(lock_path(store)):
        store.ensure()
        result = NightlyResult(job_id=uuid.uuid4().hex[:12])
        result.marked_failed = mark_dead_runs(store)
        windows = crawl_windows(store, chosen, today, config.window_days, config.max_catchup_days)
        first = min((s for s, _ in windows), default=today)
        job_run = _record_job(store, result.job_id, first, today)
        try:
            for (start, end), group in sorted(windows.items()):
                stage(f"crawling {', '.join(group)} {start}..{end}")
                for outcome in crawl(store, group, start, end, options=config.crawl_options(), command="nightly",
                                     env=env, settings_overrides=settings_overrides, job_id=result.job_id):
                    result.outlet_lines.append(outcome.line())
                    if not outcome.ok:
                        result.problems.append(f"{outcome.outlet}: {outcome.status} — {outcome.message}")
            stage("matching new articles and manuscripts")
            matched = match_store(store)
            result.matched = (f"{matched.added} new link(s), {matched.removed} withdrawn, "
                              f"{matched.candidates} candidate pair(s) checked")
            stage("verifying claims")
            summary = verify_claims(store, None, None, rules)
            counts = ", ".join(f"{status} {n}" for status, n in summary.counts.items())
            result.verified = f"{len(summary.verdicts)} claim(s) verified" + (f" ({counts})" if counts else "")
            stage("writing this month's report")
            month = parse_period(f"{today:%Y-%m}")
            result.report = write_report(store, month, rules, "html",
                                         Path(config.reports_dir or ".") / default_report_name(month, "html"))
        except BaseException as exc:
            _finish_job(store, job_run, "failed", f"{exc.__class__.__name__}: {exc}")
            raise
        # a crawl of a killed run may have outlived its parent a little; settle it now
        result.marked_failed += mark_dead_runs(store)
        status = "ok" if result.ok else ("drift" if all("drift" in p for p in result.problems) else "failed")
        _finish_job(store, job_run, status, "; ".join([result.matched, result.verified, *result.problems]))
        return result
