"""The Markdown report: the same sections as plain GitHub-style tables."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import quote

from shanggao.reports.data import ReportData
from shanggao.reports.sections import Link, Table, build_sections, chart_table, clean, footer


def _md(value: object) -> str:
    """Cell text that can neither break the table nor smuggle HTML into a renderer."""
    text = escape(clean(value), quote=False).replace("|", "\\|").replace("\n", " ")
    for ch in "*_`[]":
        text = text.replace(ch, "\\" + ch)
    return text


def _md_url(url: str) -> str:
    """A link destination that stays one: whitespace, <, >, quotes, backslashes and non-ASCII percent-encoded."""
    return quote(clean(url), safe=":/?#[]@!$&'()*+,;=%~")


def _cell(value: object) -> str:
    if isinstance(value, Link):
        if value.safe_url:
            return f"[{_md(value.text)}](<{_md_url(value.safe_url)}>)"
        return f"{_md(value.text)} ({_md(value.url)})"
    return _md(value)


def _table(table: Table) -> list[str]:
    if not table.rows:
        return [table.empty, ""]
    lines = ["| " + " | ".join(_md(c) for c in table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
    return lines + [""]


def render_markdown(data: ReportData, out: Path) -> Path:
    lines = [f"# {_md(data.title)}", "", f"统计期间：{data.period.start} 至 {data.period.end}", ""]
    for section in build_sections(data):
        lines += [f"## {_md(section.title)}", ""]
        lines += [_md(s) + "\n" for s in section.sentences]
        if section.table is not None:
            lines += _table(section.table)
        if section.key == "chart":
            lines += _table(chart_table(data))
    lines += ["---", "", _md(footer(data)), ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    return out
