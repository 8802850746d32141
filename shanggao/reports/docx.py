"""The Word report, as an office circulates a 通报: headings, tables, the chart as a PNG."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from shanggao.reports.chart import chart_png
from shanggao.reports.data import ReportData
from shanggao.reports.sections import Link, Table, build_sections, clean, footer

BODY_FONT = "宋体"       # East Asian font Word substitutes sensibly everywhere
HEADING_FONT = "黑体"


def _east_asian(style_or_run, name: str) -> None:
    """Word takes Chinese glyphs from w:eastAsia, which python-docx's font.name does not set."""
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _text(value: object) -> str:
    if isinstance(value, Link):
        return f"{clean(value.text)}\n{clean(value.url)}" if value.url else clean(value.text)
    return clean(value)


def _table(doc, table: Table) -> None:
    if not table.rows:
        doc.add_paragraph(clean(table.empty))
        return
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, table.columns):
        cell.text = clean(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = _text(value)
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def render_docx(data: ReportData, out: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE  # the unit and placement tables are wide
    section.page_width, section.page_height = section.page_height, section.page_width
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(1.8))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    _east_asian(normal, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(doc.styles[name], HEADING_FONT)

    title = doc.add_heading(clean(data.title), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in title.runs:
        run.font.color.rgb = RGBColor(0xB2, 0x22, 0x22)
    period = doc.add_paragraph(f"统计期间：{data.period.start} 至 {data.period.end}")
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER

    for part in build_sections(data):
        doc.add_heading(clean(part.title), level=1)
        for sentence in part.sentences:
            doc.add_paragraph(clean(sentence))
        if part.table is not None:
            _table(doc, part.table)
        if part.key == "chart":
            doc.add_picture(io.BytesIO(chart_png(data.chart)), width=Cm(22))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = doc.add_paragraph(clean(footer(data)))
    for run in note.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x77, 0x77, 0x77)
    doc.save(out)
    return out
