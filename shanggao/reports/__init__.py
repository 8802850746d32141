"""Monthly 通报 and year-end assessment reports (html, md, docx, xlsx), and the 工作底稿 beside them.

Public API (used by ``shanggao report``, ``shanggao nightly`` and the offline demo)::

    from shanggao.periods import parse_period
    from shanggao.reports import publish, write_report
    from shanggao.rules import load_rules

    done = publish(store, parse_period("2022-06"), load_rules(), "docx", Path("reports/2022-06.docx"))
    done.report, done.working_sheet, done.number, done.warnings

``collect`` (shanggao.reports.data) reads everything once; each renderer lays
the same sections (shanggao.reports.sections) out in its format, on the page
GB/T 9704-2012 prescribes (shanggao.reports.gongwen).  The 通报 carries no ids,
links or commands: those go to the 工作底稿 (shanggao.reports.working).  A
report on unverified claims returns warnings for the terminal.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from shanggao.db import Store
from shanggao.periods import Period
from shanggao.progress import QUIET, Steps
from shanggao.reports.chart import ChartFontError
from shanggao.reports.data import collect
from shanggao.reports.numbers import ReportNumberError, assign_number
from shanggao.rules import Rules

FORMATS = ("html", "md", "docx", "xlsx")
TEXT_FORMATS = ("html", "md")

__all__ = ["FORMATS", "TEXT_FORMATS", "ChartFontError", "Published", "ReportNumberError", "default_report_name",
           "publish", "write_report"]


def _renderer(fmt: str) -> Callable[..., Path]:
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


@dataclass
class Published:
    report: Path | None                    # None: written to a stream
    working_sheet: Path | None
    number: str                            # 发文字号, "" without one
    warnings: list[str] = field(default_factory=list)


def publish(store: Store, period: Period, rules: Rules, fmt: str, out: Path | IO[str],
            progress: Steps = QUIET, *, number: int | None = None, working_sheet: bool = True) -> Published:
    """Write the period's 通报 in ``fmt`` to ``out`` (a path, parent folders created, or a text stream
    for html/md) and the 工作底稿 beside a path.  ``number`` sets the 发文字号's counter.

    ``progress`` (shanggao.progress) takes four steps: load the writer, read the store, write, the sheet."""
    progress.set_total(4)
    progress.describe(f"report: loading the {fmt} writer")
    render = _renderer(fmt)
    progress()
    progress.describe(f"report: reading {period.label}")
    data = collect(store, period, rules)
    document_number = assign_number(store, period, rules.report, number)
    progress()
    from shanggao.reports.working import render_working_sheet, report_warnings, working_sheet_name
    warnings = report_warnings(data)
    sheet = None
    if isinstance(out, Path):
        progress.describe(f"report: writing {out.name}" + (" and its 工作底稿" if working_sheet else ""))
        out.parent.mkdir(parents=True, exist_ok=True)
        # Rendered beside nothing of the user's first, then copied: a failed write (a full disk,
        # /dev/full) is one OSError and never leaves a half-written report or a writer's open zip behind.
        with tempfile.TemporaryDirectory(prefix="shanggao-report-") as scratch:
            made = render(data, Path(scratch) / out.name, document_number)
            progress()
            if working_sheet:
                made_sheet = render_working_sheet(data, working_sheet_name(made), document_number, warnings)
                sheet = working_sheet_name(out)
                shutil.copyfile(made_sheet, sheet)
            shutil.copyfile(made, out)
        written: Path | None = out
    else:
        if fmt not in TEXT_FORMATS:
            raise ValueError(f"a {fmt} report cannot go to a text stream")
        if fmt == "html":
            from shanggao.reports.html import html_document
            out.write(html_document(data, document_number))
        else:
            from shanggao.reports.markdown import markdown_document
            out.write(markdown_document(data, document_number))
        written = None
        progress()
    progress()
    return Published(written, sheet, document_number, warnings)


def write_report(store: Store, period: Period, rules: Rules, fmt: str, out: Path,
                 progress: Steps = QUIET, *, number: int | None = None) -> Path:
    """Write the period's report in ``fmt`` to ``out`` (and the 工作底稿 beside it); return the report's path."""
    published = publish(store, period, rules, fmt, out, progress, number=number)
    assert published.report is not None
    return published.report
