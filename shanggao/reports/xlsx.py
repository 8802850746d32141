"""The Excel report: one sheet per section, and a native stacked bar chart."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shanggao.db.outlets import TIERS
from shanggao.reports.chart import TIER_COLOURS
from shanggao.reports.data import ReportData
from shanggao.reports.sections import Link, Section, Table, build_sections, chart_table, clean, footer

_HEAD_FILL = PatternFill("solid", fgColor="F0E6E6")
_SHEET_NAMES = {"summary": "总体情况", "units": "单位", "matrix": "逐月报送", "persons": "个人",
                "placements": "已核实上稿", "unclaimed": "未申报上稿", "look": "需核查", "chart": "月度走势"}


def _put(ws: Worksheet, row: int, col: int, value: object) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return
    text = clean(value)
    cell.value = text
    # A crawled title starting with "=" must stay text, never become a formula.
    cell.data_type = "s"
    if isinstance(value, Link) and value.safe_url:
        cell.hyperlink = value.safe_url
        cell.font = Font(color="0563C1", underline="single")


def _write_table(ws: Worksheet, table: Table, first_row: int) -> int:
    for col, name in enumerate(table.columns, 1):
        cell = ws.cell(row=first_row, column=col, value=clean(name))
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
    for r, row in enumerate(table.rows, first_row + 1):
        for col, value in enumerate(row, 1):
            _put(ws, r, col, value)
    if not table.rows:
        ws.cell(row=first_row + 1, column=1, value=clean(table.empty))
    for col, name in enumerate(table.columns, 1):
        longest = max([len(clean(name))] + [len(clean(row[col - 1])) for row in table.rows[:200]])
        ws.column_dimensions[get_column_letter(col)].width = min(60, max(6, longest * 1.8 + 2))
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    return first_row + max(len(table.rows), 1) + 1


def _sheet(wb: Workbook, section: Section, data: ReportData, first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = _SHEET_NAMES[section.key]
    ws.cell(row=1, column=1, value=clean(section.title)).font = Font(bold=True, size=13)
    row = 2
    for sentence in section.sentences:
        ws.cell(row=row, column=1, value=clean(sentence)).alignment = Alignment(wrap_text=False)
        row += 1
    if section.key == "chart":
        table = chart_table(data)
        last = _write_table(ws, table, row + 1)
        _bar_chart(ws, row + 1, last - 1, len(table.columns))
    elif section.table is not None:
        _write_table(ws, section.table, row + 1)


def _bar_chart(ws: Worksheet, header_row: int, last_row: int, columns: int) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "各月核实上稿数（按媒体级别）"
    chart.y_axis.title = "篇"
    chart.y_axis.majorUnit = 1
    data = Reference(ws, min_col=2, max_col=columns - 1, min_row=header_row, max_row=last_row)
    months = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(months)
    for series, tier in zip(chart.series, TIERS):
        series.graphicalProperties.solidFill = TIER_COLOURS[tier].lstrip("#")
        series.graphicalProperties.line.solidFill = TIER_COLOURS[tier].lstrip("#")
    chart.width, chart.height = 22, 10
    ws.add_chart(chart, f"A{last_row + 3}")


def render_xlsx(data: ReportData, out: Path) -> Path:
    wb = Workbook()
    for i, section in enumerate(build_sections(data)):
        _sheet(wb, section, data, first=i == 0)
    summary = wb.worksheets[0]
    summary.insert_rows(1, 2)
    summary.cell(row=1, column=1, value=clean(data.title)).font = Font(bold=True, size=15)
    summary.cell(row=2, column=1, value=f"统计期间：{data.period.start} 至 {data.period.end}")
    summary.cell(row=summary.max_row + 2, column=1, value=clean(footer(data))).font = Font(color="777777")
    wb.save(out)
    return out
