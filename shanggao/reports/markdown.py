"""The Markdown report: the same parts as plain GitHub-style tables, the chart as its figures."""

from __future__ import annotations

from html import escape
from pathlib import Path

from shanggao.reports.data import ReportData
from shanggao.reports.sections import CHART_CAPTION, Table, build_sections, chart_table, clean, closing


def _md(value: object) -> str:
    """Cell text that can neither break the table nor smuggle HTML into a renderer."""
    text = escape(clean(value), quote=False).replace("|", "\\|").replace("\n", " ")
    for ch in "*_`[]":
        text = text.replace(ch, "\\" + ch)
    return text


def _table(table: Table) -> list[str]:
    if not table.rows:
        return [_md(table.empty), ""]
    lines = ["| " + " | ".join(_md(c) for c in table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in table.rows]
    return lines + [""]


def markdown_document(data: ReportData, number: str = "") -> str:
    org = data.rules.report
    lines = [f"**{_md(org.masthead)}**", ""]
    if number:
        lines += [_md(number), ""]
    lines += ["---", "", f"# {_md(data.title)}", ""]
    if org.recipients:
        lines += [_md(org.recipients), ""]
    sections = build_sections(data)
    annexes = [s for s in sections if s.annex]
    for section in (s for s in sections if not s.annex):
        lines += [f"{'##' if section.level == 1 else '###'} {_md(section.heading)}", ""]
        lines += [_md(s) + "\n" for s in section.sentences]
        if section.chart:
            lines += [f"*{_md(CHART_CAPTION)}*", ""] + _table(chart_table(data))
        if section.table is not None:
            lines += _table(section.table)
    if annexes:
        lines += ["附件：" + "；".join(f"{i}．{_md(s.title)}" for i, s in enumerate(annexes, 1)), ""]
    end = closing(data)
    lines += [f"{_md(end.signatory)}  ", _md(end.date), ""]
    for section in annexes:
        lines += ["---", "", f"{_md(section.heading)}", "", f"## {_md(section.title)}", ""]
        lines += [_md(s) + "\n" for s in section.sentences]
        if section.table is not None:
            lines += _table(section.table)
    return "\n".join(lines)


def render_markdown(data: ReportData, out: Path, number: str = "") -> Path:
    out.write_text(markdown_document(data, number), encoding="utf-8")
    return out
