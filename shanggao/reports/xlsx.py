"""The Excel report: one sheet per part, a native stacked bar chart, each sheet set up to print on A4.

Every sheet prints fitted to the page width with its table's header row repeated
on each page, portrait unless the table is too wide for it; header panes are
frozen, dates are Excel dates and columns are as wide as their Chinese text.
``write_sheet`` is shared with the 工作底稿 (shanggao.reports.working).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shanggao.db.outlets import TIERS
from shanggao.reports.chart import TIER_COLOURS
from shanggao.reports.data import ReportData
from shanggao.reports.gongwen import MARGIN_MM, display_width
from shanggao.reports.sections import CHART_CAPTION, Link, Section, Table, build_sections, chart_table, clean, closing

_HEAD_FILL = PatternFill("solid", fgColor="F0E6E6")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
DATE_FORMAT = "yyyy-mm-dd"
PORTRAIT_WIDTH = 100        # column-width units a portrait A4 page holds at a readable scale
MAX_WIDTH = 48              # a column wider than this wraps its text
SUMMARY_WIDTH = 70          # the summary sheet's one column of sentences: a portrait page at 100 %
_SHEET_NAMES = {"summary": "总体情况", "units_rank": "单位排名", "persons_rank": "个人排名", "praise": "表扬",
                "unmet": "未完成报送任务", "requirements": "工作要求", "units": "各单位情况", "matrix": "逐月报送",
                "placements": "已核实上稿", "unclaimed": "未申报上稿", "chart": "月度走势"}


def _text_cell(ws: Worksheet, row: int, col: int, value: object) -> Cell:
    """A cell holding text as text: a title or a unit name starting with "=" never becomes a formula."""
    cell = ws.cell(row=row, column=col)
    cell.value = clean(value)
    cell.data_type = "s"
    return cell


def _put(ws: Worksheet, row: int, col: int, value: object) -> None:
    cell = ws.cell(row=row, column=col)
    cell.border = _BOX
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        cell.alignment = Alignment(horizontal="center", vertical="top")
        return
    if isinstance(value, (dt.date, dt.datetime)):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return
    text = clean(value)
    cell.value = text
    # A crawled title starting with "=" must stay text, never become a formula.
    cell.data_type = "s"
    if isinstance(value, Link) and value.safe_url:
        cell.hyperlink = clean(value.safe_url)
        cell.font = Font(color="0563C1", underline="single")


def _width(value: object) -> int:
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return display_width(clean(value))


def write_table(ws: Worksheet, table: Table, first_row: int) -> int:
    """The table with its header at ``first_row``; returns the row after it.  Sets column widths,
    frozen panes and the rows repeated on every printed page."""
    for col, name in enumerate(table.columns, 1):
        cell = _text_cell(ws, first_row, col, name)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(table.rows, first_row + 1):
        for col, value in enumerate(row, 1):
            _put(ws, r, col, value)
    if not table.rows:
        _text_cell(ws, first_row + 1, 1, table.empty)
    total = 0
    for col, name in enumerate(table.columns, 1):
        longest = max([display_width(name)] + [_width(row[col - 1]) for row in table.rows[:500]])
        width = min(MAX_WIDTH, max(6, longest + 2))
        total += width
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    ws.print_title_rows = f"{first_row}:{first_row}"
    print_setup(ws, landscape=table.wide or total > PORTRAIT_WIDTH)
    return first_row + max(len(table.rows), 1) + 1


def print_setup(ws: Worksheet, landscape: bool = False) -> None:
    """A4, fitted to the page width (as many pages down as it takes), page numbers at the foot."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    inch = 25.4
    ws.page_margins.top, ws.page_margins.bottom = 25 / inch, 25 / inch
    ws.page_margins.left, ws.page_margins.right = MARGIN_MM["left"] * 0.7 / inch, MARGIN_MM["right"] * 0.7 / inch
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "— &P —"


def write_sheet(ws: Worksheet, title: str, sentences: list[str], table: Table | None) -> int:
    """A titled sheet: the title, its sentences (wrapped across the table's width), then the table."""
    _text_cell(ws, 1, 1, title).font = Font(bold=True, size=14)
    row = 2
    span = max(len(table.columns) if table else 1, 1)
    for sentence in sentences:
        _text_cell(ws, row, 1, sentence).alignment = Alignment(wrap_text=True, vertical="top")
        if span > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
        ws.row_dimensions[row].height = 15 * max(1, display_width(sentence) // max(span * 12, 40) + 1)
        row += 1
    if table is not None:
        return write_table(ws, table, row + 1)
    ws.column_dimensions["A"].width = SUMMARY_WIDTH
    print_setup(ws)
    return row


def _bar_chart(ws: Worksheet, header_row: int, last_row: int, columns: int) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = CHART_CAPTION
    chart.y_axis.title = "篇"
    chart.y_axis.majorUnit = 1
    data = Reference(ws, min_col=2, max_col=columns - 1, min_row=header_row, max_row=last_row)
    months = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(months)
    for series, tier in zip(chart.series, TIERS, strict=False):
        series.graphicalProperties.solidFill = TIER_COLOURS[tier].lstrip("#")
        series.graphicalProperties.line.solidFill = TIER_COLOURS[tier].lstrip("#")
    chart.width, chart.height = 16, 9
    ws.add_chart(chart, f"A{last_row + 2}")


def _title(section: Section) -> str:
    return f"{section.heading} {section.title}" if section.annex else section.heading


def render_xlsx(data: ReportData, out: Path, number: str = "") -> Path:
    wb = Workbook()
    summary = wb.active
    summary.title = _SHEET_NAMES["summary"]
    sections = build_sections(data)
    head = [data.title, *([number] if number else []), f"统计期间：{data.period.start} 至 {data.period.end}"]
    for row, text in enumerate(head, 1):
        cell = _text_cell(summary, row, 1, text)
        cell.font = Font(bold=row == 1, size=15 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, horizontal="center" if row == 1 else "left")
    summary.column_dimensions["A"].width = SUMMARY_WIDTH
    row = len(head) + 2
    body = [s for s in sections if not s.annex and s.table is None]
    for section in body:
        _text_cell(summary, row, 1, section.heading).font = Font(bold=True)
        row += 1
        for sentence in section.sentences:
            _text_cell(summary, row, 1, sentence).alignment = Alignment(wrap_text=True, vertical="top")
            summary.row_dimensions[row].height = 16 * -(-display_width(sentence) // (SUMMARY_WIDTH - 8))
            row += 1
    end = closing(data)
    _text_cell(summary, row + 1, 1, end.signatory).alignment = Alignment(horizontal="right")
    summary.cell(row=row + 2, column=1, value=end.date).alignment = Alignment(horizontal="right")
    print_setup(summary)
    summary.print_area = f"A1:A{row + 2}"      # the wrapped column only, never text spilling to the right

    chart_ws = wb.create_sheet(_SHEET_NAMES["chart"])
    table = chart_table(data)
    last = write_sheet(chart_ws, CHART_CAPTION, [], table)
    _bar_chart(chart_ws, 3, last - 1, len(table.columns))

    for section in sections:
        if section.table is None:
            continue
        write_sheet(wb.create_sheet(_SHEET_NAMES[section.key]), _title(section), section.sentences, section.table)
    wb.save(out)
    return out
