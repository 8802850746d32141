"""The Word 通报, laid out as GB/T 9704-2012 has a Party and government document.

版头: the 发文机关标志 in red 小标宋, the 发文字号, the red separator line the
width of the type area; then 标题 (2号小标宋), 主送, the body (3号仿宋_GB2312,
一级标题 黑体, 二级标题 楷体_GB2312, the chart), 附件说明, 落款 and 成文日期;
then each 附件 on a new page.  A4 portrait with the standard's margins;
``— 1 —`` page numbers from a PAGE field, right on odd pages and left on even.
Styles are the document's own (never Word's blue built-in headings), and every
font is named for East Asian text (``w:eastAsia``) with the fallbacks listed in
the font table (``w:altName``), see shanggao.reports.gongwen.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from shanggao.reports import gongwen as gw
from shanggao.reports.chart import chart_png
from shanggao.reports.data import ReportData
from shanggao.reports.sections import CHART_CAPTION, Section, Table, build_sections, clean, closing

# paragraph style name -> (font role, size in pt, bold)
STYLES = {
    "公文-发文机关标志": ("title", 42.0),
    "公文-发文字号": ("body", gw.BODY_PT),
    "公文-标题": ("title", gw.TITLE_PT),
    "公文-主送": ("body", gw.BODY_PT),
    "公文-正文": ("body", gw.BODY_PT),
    "公文-一级标题": ("heading1", gw.BODY_PT),
    "公文-二级标题": ("heading2", gw.BODY_PT),
    "公文-附件说明": ("body", gw.BODY_PT),
    "公文-落款": ("body", gw.BODY_PT),
    "公文-附件标识": ("heading1", gw.BODY_PT),
    "公文-图题": ("heading2", gw.SIZES_PT["四号"]),
    "公文-表格": ("body", gw.TABLE_PT),
    "公文-表头": ("heading1", gw.TABLE_PT),
    "公文-页码": ("page_number", gw.PAGE_NUMBER_PT),
}
INDENT = Pt(gw.BODY_PT * 2)        # 首行缩进二字
LINE = Pt(gw.LINE_PITCH_PT)


def _set_fonts(rpr, role: str) -> None:
    """w:rFonts: East Asian text in the role's first font, Latin text and digits in Times New Roman.
    Theme font attributes are removed: Word would prefer them over the names."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), gw.LATIN_FONT)
    fonts.set(qn("w:hAnsi"), gw.LATIN_FONT)
    fonts.set(qn("w:cs"), gw.LATIN_FONT)
    fonts.set(qn("w:eastAsia"), gw.FONTS[role][0])
    fonts.set(qn("w:hint"), "eastAsia")


def _styles(doc) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, "body")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(gw.BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), "body")
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    for name, (role, size) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element.get_or_add_rPr(), role)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.widow_control = True
    for name in ("公文-正文", "公文-一级标题", "公文-二级标题", "公文-附件说明"):
        doc.styles[name].paragraph_format.first_line_indent = INDENT
        doc.styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, level in (("公文-一级标题", 0), ("公文-二级标题", 1)):
        doc.styles[name].paragraph_format.keep_with_next = True
        ppr = doc.styles[name].element.get_or_add_pPr()
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(level))
        ppr.append(outline)
    masthead = doc.styles["公文-发文机关标志"]
    masthead.font.color.rgb = RGBColor.from_string(gw.RED)
    masthead.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    masthead.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name in ("公文-发文字号", "公文-标题", "公文-图题"):
        doc.styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.styles["公文-标题"].paragraph_format.line_spacing = Pt(gw.TITLE_PT * 1.5)
    doc.styles["公文-标题"].paragraph_format.keep_with_next = True
    doc.styles["公文-附件标识"].paragraph_format.keep_with_next = True
    doc.styles["公文-图题"].paragraph_format.keep_with_next = False
    doc.styles["公文-落款"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for name in ("公文-表格", "公文-表头"):
        fmt = doc.styles[name].paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.first_line_indent = Pt(0)
    doc.styles["公文-表头"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.styles["公文-页码"].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _font_table(doc) -> None:
    """Name every font the document asks for in word/fontTable.xml, each with its fallbacks as w:altName
    (Word and WPS substitute the alternative when the font is missing) and its Chinese charset."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    present = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    wanted = {fonts[0]: fonts[1:] for fonts in gw.FONTS.values()}
    for name, fallbacks in wanted.items():
        if name in present:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if fallbacks:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), fallbacks[0])
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")      # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if "仿宋" in name else "auto")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(gw.PAGE_MM[0]), Mm(gw.PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(gw.MARGIN_MM["top"]), Mm(gw.MARGIN_MM["bottom"])
    section.left_margin, section.right_margin = Mm(gw.MARGIN_MM["left"]), Mm(gw.MARGIN_MM["right"])
    section.footer_distance = Mm(gw.MARGIN_MM["bottom"] - 7 - 5)   # 一字线 7 mm below the type area
    section.header_distance = Mm(15)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE): begin, instruction, separate, the last computed value, end."""
    def char(kind: str) -> None:
        run = paragraph.add_run()
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run._r.append(fld)
    char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _page_numbers(doc, section) -> None:
    """— 1 —: odd pages right-aligned one character in, even pages left-aligned one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles["公文-页码"]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
        indent = Pt(gw.PAGE_NUMBER_PT)
        if odd:
            p.paragraph_format.right_indent = indent
        else:
            p.paragraph_format.left_indent = indent
        p.add_run("— ")
        _field(p, "PAGE", "1")
        p.add_run(" —")


def _para(doc, style: str, text: str = "", before_lines: float = 0):
    p = doc.add_paragraph(clean(text), style=doc.styles[style])
    if before_lines:
        p.paragraph_format.space_before = Pt(gw.LINE_PITCH_PT * before_lines)
    return p


def _masthead(doc, data: ReportData, number: str) -> None:
    name = data.rules.report.masthead
    type_area_pt = gw.TYPE_AREA_MM[0] * 72 / 25.4
    size = min(42.0, type_area_pt * 0.95 / max(gw.display_width(name) / 2, 1))
    p = _para(doc, "公文-发文机关标志", name)
    p.paragraph_format.space_before = Pt(35 * 72 / 25.4 - size)   # its upper edge 35 mm below the type area's
    for run in p.runs:
        run.font.size = Pt(size)
    # 发文字号 two lines below; the red line 4 mm under it, as wide as the type area.
    p = _para(doc, "公文-发文字号", number or "", before_lines=2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "11"), ("w:color", gw.RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _fit(table: Table, size_pt: float) -> list[float]:
    """Column widths in mm for the type area: text of ``size_pt`` with 1 mm padding each side."""
    half_mm = size_pt / 2 * 25.4 / 72
    usable = gw.TYPE_AREA_MM[0] - 2 * len(table.columns)
    cells = [[clean(v) for v in row] for row in table.rows]
    return [w * half_mm + 2 for w in gw.fit_widths(table.columns, cells, usable / half_mm)]


def _cell_margins(tbl, mm: float) -> None:
    tblpr = tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(round(mm * 56.7)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tblpr.append(margins)


def _row_flag(row, tag: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _table(doc, table: Table) -> None:
    if not table.rows:
        _para(doc, "公文-正文", table.empty)
        return
    size = gw.SIZES_PT["小五"] if len(table.columns) >= 8 else gw.TABLE_PT
    widths = _fit(table, size)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    grid._tbl.tblPr.append(layout)
    _cell_margins(grid._tbl, 1.0)
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=False):
        cell.paragraphs[0].style = doc.styles["公文-表头"]
        cell.paragraphs[0].add_run(clean(name)).font.size = Pt(size)
    _row_flag(grid.rows[0], "w:tblHeader")      # repeated on every page
    # a column of short values (numbers, dates, 版次, short names) is centred, one with long text is not
    centred = [all(gw.display_width(clean(row[i])) <= 10 for row in table.rows) for i in range(len(table.columns))]
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value, centre in zip(cells, row, centred, strict=False):
            p = cell.paragraphs[0]
            p.style = doc.styles["公文-表格"]
            p.add_run(clean(value)).font.size = Pt(size)
            if centre:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in grid.rows[:2]:                    # the header stays with the first row
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    for row in grid.rows:
        _row_flag(row, "w:cantSplit")            # no row split across pages
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Mm(width)
    for column, width in zip(grid.columns, widths, strict=False):
        column.width = Mm(width)


def _section(doc, section: Section, data: ReportData) -> None:
    style = "公文-一级标题" if section.level == 1 else "公文-二级标题"
    _para(doc, style, section.heading)
    for sentence in section.sentences:
        _para(doc, "公文-正文", sentence)
    if section.chart:
        doc.add_picture(io.BytesIO(chart_png(data.chart)), width=Mm(gw.TYPE_AREA_MM[0]))
        picture = doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        _para(doc, "公文-图题", CHART_CAPTION)
    if section.table is not None:
        _table(doc, section.table)


def _closing(doc, data: ReportData, annexes: list[Section]) -> None:
    end = closing(data)
    if annexes:
        label = "附件："
        for i, s in enumerate(annexes, 1):
            p = _para(doc, "公文-附件说明", f"{label if i == 1 else ''}{i}．{s.title}", before_lines=1 if i == 1 else 0)
            if i > 1:   # later names line up under the first
                p.paragraph_format.first_line_indent = Pt(gw.BODY_PT * (2 + len(label)))
    # 落款 one line below, two characters in from the right; the date's first character two to the right
    # of the signatory's first (GB/T 9704-2012 7.3.5.2, a document without a seal).
    sig = gw.display_width(end.signatory) / 2
    date = gw.display_width(end.date) / 2
    sig_right, date_right = (2, sig - date) if date <= sig - 2 else (date + 4 - sig, 2)
    p = _para(doc, "公文-落款", end.signatory, before_lines=1)
    p.paragraph_format.right_indent = Pt(gw.BODY_PT * sig_right)
    p.paragraph_format.keep_with_next = True
    p = _para(doc, "公文-落款", end.date)
    p.paragraph_format.right_indent = Pt(gw.BODY_PT * date_right)


def _annex(doc, section: Section) -> None:
    p = _para(doc, "公文-附件标识", section.heading)
    p.paragraph_format.page_break_before = True
    _para(doc, "公文-标题", section.title, before_lines=0.5)
    for sentence in section.sentences:
        _para(doc, "公文-正文", sentence)
    if section.table is not None:
        _table(doc, section.table)


def render_docx(data: ReportData, out: Path, number: str = "") -> Path:
    doc = Document()
    section = doc.sections[0]
    _page(section)
    _styles(doc)
    _font_table(doc)
    _page_numbers(doc, section)
    doc.core_properties.title = data.title
    doc.core_properties.author = data.rules.report.organization

    _masthead(doc, data, number)
    _para(doc, "公文-标题", data.title, before_lines=2)
    if data.rules.report.recipients:
        _para(doc, "公文-主送", data.rules.report.recipients, before_lines=1)
    sections = build_sections(data)
    body = [s for s in sections if not s.annex]
    annexes = [s for s in sections if s.annex]
    for part in body:
        _section(doc, part, data)
    _closing(doc, data, annexes)
    for part in annexes:
        _annex(doc, part)
    doc.save(str(out))
    return out

