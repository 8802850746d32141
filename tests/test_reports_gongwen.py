"""The 通报 as an official document (GB/T 9704-2012): read back with python-docx and openpyxl, printed by
headless Chromium and LibreOffice to PDF, and checked for what must not be in a circulated document."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from test_reports import hostile_placements
from test_reports_html import chromium, needs_chromium
from verify_support import june_office

from shanggao.periods import parse_period
from shanggao.reports import publish
from shanggao.reports.chart import ChartFontError, find_cjk_font
from shanggao.reports.numbers import assign_number
from shanggao.reports.sections import ranks
from shanggao.rules import load_rules
from shanggao.verify import verify_claims

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed (Debian: apt-get install "
                                                          "libreoffice-writer-nogui libreoffice-calc-nogui)")
# What must never reach a circulated 通报: register/manuscript ids, hashes, links, commands.
INTERNAL = re.compile(r"\bC\d{2}\b|\bM\d{2}\b|\bC-[0-9a-f]{6,}|\bMS-[0-9a-f]{6,}|shanggao |https?://|[0-9a-f]{12}")
A4 = (595.3, 841.9)       # points
CRAWLED = '=HYPERLINK("http://evil.example","点我")'   # a crawled title (test_reports.hostile_placements)


def internal(text: str) -> re.Match | None:
    return INTERNAL.search(text.replace(CRAWLED, "").replace("http://evil.example", ""))


def pdf_text(pdf: Path, pages: slice = slice(None)) -> str:
    """The PDF's text, compatibility forms folded (⽉ -> 月) and without the spaces PDF layout puts in."""
    document = pdfium.PdfDocument(pdf)
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document))[pages])
    return re.sub(r"[ \t]+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gongwen")
    s = june_office(folder)
    hostile_placements(s)
    verify_claims(s.store, dt.date(2022, 1, 1), dt.date(2022, 12, 31), load_rules())
    out = {fmt: publish(s.store, parse_period("2022-06"), load_rules(), fmt, folder / f"通报.{fmt}")
           for fmt in ("docx", "xlsx", "html", "md")}
    return s, out


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_docx_page_is_a4_portrait_with_the_standard_margins(office):
    doc = Document(office[1]["docx"].report)
    for section in doc.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert section.orientation == 0  # portrait
        assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                      section.right_margin)] == [37, 35, 28, 26]
        type_area = (section.page_width - section.left_margin - section.right_margin,
                     section.page_height - section.top_margin - section.bottom_margin)
        assert [round(x / 36000) for x in type_area] == [156, 225]  # EMU -> mm


def test_docx_fonts_and_no_builtin_headings(office):
    doc = Document(office[1]["docx"].report)
    used = {p.style.name for p in doc.paragraphs}
    assert not any(name.startswith(("Heading", "Title")) for name in used)  # never Word's blue headings

    def east_asian(style_name: str) -> str:
        return doc.styles[style_name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    assert east_asian("公文-标题") == "方正小标宋简体" and doc.styles["公文-标题"].font.size.pt == 22
    assert east_asian("公文-正文") == "仿宋_GB2312" and doc.styles["公文-正文"].font.size.pt == 16
    assert east_asian("公文-一级标题") == "黑体" and east_asian("公文-二级标题") == "楷体_GB2312"
    assert doc.styles["公文-一级标题"].font.color.rgb == doc.styles["公文-正文"].font.color.rgb  # black
    assert doc.styles["公文-发文机关标志"].font.color.rgb == (0xFF, 0, 0)
    fonts = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob.decode()
    assert 'w:name="仿宋_GB2312"' in fonts and 'w:altName w:val="仿宋"' in fonts  # the fallback named


def test_docx_parts_in_order(office):
    doc = Document(office[1]["docx"].report)
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    red_line = [p for p in doc.paragraphs if p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}") is not None]
    assert len(red_line) == 1 and red_line[0].text == "县组通〔2022〕1号"
    assert red_line[0]._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}").get(qn("w:color")) == "FF0000"
    wanted = ["中共泸溪县委组织部", "县组通〔2022〕1号", "中共泸溪县委组织部2022年6月新闻上稿情况通报",
              "各乡镇党委，县直各单位党组（党委），县委组织部各科室：", "一、总体情况", "二、排名情况",
              "（一）单位排名",
              "（二）个人排名", "三、表扬", "四、未完成报送任务的单位", "五、下一步工作要求",
              "附件：1．各单位报送与上稿情况",
              "中共泸溪县委组织部", "附件1", "各单位报送与上稿情况", "附件2", "已核实上稿明细"]
    positions, start = [], 0
    for want in wanted:
        start = texts.index(want, start) + 1
        positions.append(start)
    date = texts[texts.index("附件1") - 1]
    assert re.fullmatch(r"20\d\d年[1-9]\d?月[1-9]\d?日", date)  # 成文日期 in Arabic numerals, no leading zeros
    assert len(doc.inline_shapes) == 1  # the chart


def test_docx_tables_repeat_headers_and_rows_do_not_split(office):
    doc = Document(office[1]["docx"].report)
    assert len(doc.tables) >= 4
    for table in doc.tables:
        first = table.rows[0]._tr.trPr
        assert first.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        widths = [c.width.mm for c in table.rows[0].cells]
        assert abs(sum(widths) - 156) < 1  # the type area's width
    detail = next(t for t in doc.tables if t.rows[0].cells[4].text == "标题")
    title_col = [c.width.mm for c in detail.rows[0].cells][4]
    assert title_col == max(c.width.mm for c in detail.rows[0].cells) and title_col > 30


def test_docx_page_numbers_are_a_page_field(office):
    doc = Document(office[1]["docx"].report)
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")


def test_no_ids_links_or_commands_in_the_circulated_report(office):
    s, out = office
    assert not internal(_text(Document(out["docx"].report)))
    assert not internal(out["md"].report.read_text(encoding="utf-8").replace("&quot;", '"'))
    wb = load_workbook(out["xlsx"].report)
    cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    assert not internal(cells)


def test_working_sheet_has_ids_remedies_and_links(office):
    _s, out = office
    sheet = out["docx"].working_sheet
    assert sheet.name == "通报-工作底稿.xlsx"
    wb = load_workbook(sheet)
    look = {row[0].value: [c.value for c in row] for row in wb["需核查"].iter_rows(min_row=4)}
    assert look["C11"][9].startswith("shanggao crawl") and look["C12"][9].startswith("shanggao fetch https://")
    assert isinstance(look["C11"][4], dt.datetime)  # a date cell
    placed = [[c for c in row] for row in wb["已核实上稿"].iter_rows(min_row=3)]
    assert any(row[12].hyperlink is not None for row in placed)


def test_xlsx_print_setup(office):
    wb = load_workbook(office[1]["xlsx"].report)
    for ws in wb:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
    placed = wb["已核实上稿"]
    assert placed.print_title_rows.replace("$", "") == "3:3" and placed.freeze_panes == "A4"
    assert wb["单位排名"].page_setup.orientation == "portrait"
    dates = [row[2] for row in placed.iter_rows(min_row=4) if row[2].value]
    assert dates and all(isinstance(c.value, dt.datetime) and c.number_format == "yyyy-mm-dd" for c in dates)
    assert placed.column_dimensions["E"].width > placed.column_dimensions["A"].width  # titles wider than 序号


def test_document_number_counter(tmp_path):
    s = june_office(tmp_path)
    settings = load_rules().report
    assert assign_number(s.store, parse_period("2022-06"), settings) == "县组通〔2022〕1号"
    assert assign_number(s.store, parse_period("2022-06"), settings) == "县组通〔2022〕1号"   # kept
    assert assign_number(s.store, parse_period("2022-07"), settings) == "县组通〔2022〕2号"
    assert assign_number(s.store, parse_period("2022-08"), settings, 12) == "县组通〔2022〕12号"  # given
    assert assign_number(s.store, parse_period("2022-09"), settings) == "县组通〔2022〕13号"
    assert assign_number(s.store, parse_period("2023-01"), settings) == "县组通〔2023〕1号"


def test_ranks_share_ties():
    assert ranks([30.0, 20.0, 20.0, 5.0, 0.0, 0.0]) == [1, 2, 2, 4, 5, 5]
    assert ranks([5.0, 20.0, 20.0]) == [3, 1, 1]


def test_chart_font_missing_fails_loudly(tmp_path):
    with pytest.raises(ChartFontError, match="apt-get install fonts-noto-cjk"):
        find_cjk_font([str(tmp_path)])


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(pdf)
    return [tuple(document[i].get_size()) for i in range(len(document))]


def _is_a4(size: tuple[float, float], landscape: bool = False) -> bool:
    want = (A4[1], A4[0]) if landscape else A4
    return abs(size[0] - want[0]) < 2 and abs(size[1] - want[1]) < 2


@needs_chromium
def test_html_prints_on_a4_without_screen_only_parts(office, tmp_path):
    report = office[1]["html"].report
    pdf = tmp_path / "print.pdf"
    chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri())
    pages = _pdf_pages(pdf)
    assert 3 <= len(pages) <= 12 and all(_is_a4(p) for p in pages)
    text = pdf_text(pdf)
    assert "新闻上稿情况通报" in text and "下一步工作要求" in text
    assert "点开" not in text  # the screen's comparisons are not printed
    assert not internal(text)
    assert "—1—" in text and f"—{len(pages)}—" in text  # page numbers at the foot


@needs_soffice
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_libreoffice_renders_a4(office, tmp_path, fmt):
    report = office[1][fmt].report
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(report)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / f"{report.stem}.pdf"
    pages = _pdf_pages(pdf)
    if fmt == "docx":
        assert 3 <= len(pages) <= 12 and all(_is_a4(p) for p in pages)
        text = pdf_text(pdf, slice(0, 1))
        assert "县组通〔2022〕1号" in text and "—1—" in text
    else:
        assert all(_is_a4(p) or _is_a4(p, landscape=True) for p in pages)
