"""Progress bars for long work: drawn on stderr when it is a terminal, silent otherwise.

One helper for every long job (verification, report building, matching, crawling,
backfills).  The command that starts the work opens the bar; the function doing
the work only calls the :class:`Steps` it is given::

    from shanggao.progress import QUIET, Steps, progress_steps

    def work(items, progress: Steps = QUIET) -> None:
        progress.set_total(len(items))       # when the total is known only now
        for item in items:
            ...
            progress()                       # one step done; progress(5) for five

    with progress_steps(None, "verify") as steps:   # in the click command
        work(items, steps)

``progress_steps(total, label, console=None)`` is a context manager yielding a
``Steps``: call it to advance, ``set_total(n)`` to fix the total (``None`` =
unknown: the bar pulses), ``describe(text)`` to change the label.  The bar
(rich.progress) goes to ``console`` (default: a rich Console on stderr) only when
that console is a terminal; under cron, in a pipe, in CliRunner or pytest the
yielded ``Steps`` is :data:`QUIET`, whose calls do nothing.  The bar is transient:
it is erased when the work ends, so a command's own output is the same with or
without a terminal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class Steps:
    """Advances one task of a progress bar; without a bar every call is a no-op."""

    def __init__(self, progress: Progress | None = None, task: TaskID | None = None):
        self._progress = progress
        self._task = task

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def __call__(self, steps: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, steps)

    def set_total(self, total: int | None) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)

    def describe(self, label: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=label)


QUIET = Steps()


@contextmanager
def progress_steps(total: int | None, label: str, console: Console | None = None) -> Iterator[Steps]:
    """A progress bar on ``console`` (default stderr) while the block runs, if it is a terminal."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield QUIET
        return
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        yield Steps(progress, progress.add_task(label, total=total))
