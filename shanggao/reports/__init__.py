"""Monthly 通报 and year-end assessment reports (html, md, docx, xlsx).

Public API (used by ``shanggao report`` and the offline demo)::

    from shanggao.periods import parse_period
    from shanggao.reports import write_report
    from shanggao.rules import load_rules

    path = write_report(store, parse_period("2022-06"), load_rules(), "html", Path("reports/2022-06.html"))

``collect`` (shanggao.reports.data) reads everything once; each renderer lays
the same sections (shanggao.reports.sections) out in its format.  Verdicts
must exist (``shanggao.verify.verify_claims``); a report on unverified claims
says so in its summary.
"""

from __future__ import annotations

import shutil
import tempfile

from collections.abc import Callable
from pathlib import Path

from shanggao.db import Store
from shanggao.periods import Period
from shanggao.progress import QUIET, Steps
from shanggao.reports.data import ReportData, collect
from shanggao.rules import Rules

FORMATS = ("html", "md", "docx", "xlsx")


def _renderer(fmt: str) -> Callable[[ReportData, Path], Path]:
    # Imported on demand: matplotlib (docx) is slow to load and html/md do not need it.
    if fmt == "html":
        from shanggao.reports.html import render_html
        return render_html
    if fmt == "md":
        from shanggao.reports.markdown import render_markdown
        return render_markdown
    if fmt == "docx":
        from shanggao.reports.docx import render_docx
        return render_docx
    if fmt == "xlsx":
        from shanggao.reports.xlsx import render_xlsx
        return render_xlsx
    raise ValueError(f"unknown report format {fmt!r} (known: {', '.join(FORMATS)})")


def default_report_name(period: Period, fmt: str) -> str:
    kind = "年度考核" if period.is_year else "上稿通报"
    return f"{kind}-{period.label}.{fmt}"


def write_report(store: Store, period: Period, rules: Rules, fmt: str, out: Path,
                 progress: Steps = QUIET) -> Path:
    """Write the period's report in ``fmt`` to ``out`` (parent folders created) and return the path.

    ``progress`` (shanggao.progress) takes three steps: load the renderer, read the store, write."""
    progress.set_total(3)
    progress.describe(f"report: loading the {fmt} writer")
    render = _renderer(fmt)
    progress()
    progress.describe(f"report: reading {period.label}")
    data = collect(store, period, rules)
    progress()
    progress.describe(f"report: writing {out.name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Rendered beside nothing of the user's first, then copied: a failed write (a full disk,
    # /dev/full) is one OSError and never leaves a half-written report or a writer's open zip behind.
    with tempfile.TemporaryDirectory(prefix="shanggao-report-") as scratch:
        written = render(data, Path(scratch) / out.name)
        for made in sorted(Path(scratch).iterdir()):
            shutil.copyfile(made, out if made.name == out.name else out.parent / made.name)
    progress()
    return out.parent / written.name
