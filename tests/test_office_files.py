"""The office's own files as they really are: Word 97/WPS/PDF/UTF-16 manuscripts, .xls/.et
registers with title rows, two-row headers, totals and yearless dates, bylines, forms and
newsletter templates.  Files are made in the tests (LibreOffice for binary formats)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pypdfium2 as pdfium
import pytest
from office_support import convert, make_docx

from shanggao.dates import parse_date

BODY = ["白沙镇党委把屋场会开到群众家门口，今年以来共收集意见建议八十余条，逐条建立台账限期办结。",
        "镇里组建了十二支志愿服务队，帮助留守老人解决生产生活中的实际困难。"]
BODY2 = ["浦市镇依托古镇资源发展乡村旅游，带动两百余户群众增收致富。",
         "镇党委在景区设立党员先锋岗，引导党员亮身份、作表率、当先锋。"]


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def blank_pdf(path: Path) -> Path:
    """What a scanner produces, as far as text goes: a page without a text layer."""
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.save(str(path))
    pdf.close()
    return path


# -- file formats -----------------------------------------------------------------

def test_folder_of_mixed_office_files_accounts_for_every_file(cli, db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "稿件"
    folder.mkdir()
    src = tmp_path / "src"
    src.mkdir()
    make_docx(folder / "白沙.docx", ["白沙镇屋场会开到家门口", "作者：张三", *BODY])
    convert(make_docx(src / "浦市.docx", ["浦市镇古镇旅游带富一方", "通讯员 符晓燕 覃雪", *BODY2]), "doc",
            folder / "浦市.doc")
    # WPS Writer's .wps is a Word binary file under another name
    convert(make_docx(src / "武溪.docx", ["武溪镇党建引领基层治理", "作者：王五", "武溪镇推行网格化管理，"
                                         "把支部建在网格上，让党员在网格里发挥作用。"]), "doc", folder / "武溪.wps")
    convert(make_docx(src / "潭溪.docx", ["潭溪镇产业振兴见实效", "作者：赵六", "潭溪镇发展椪柑产业，"
                                         "建成标准化果园三千亩，户均增收五千元。"]), "pdf", folder / "潭溪.pdf")
    blank_pdf(folder / "扫描件.pdf")
    (folder / "兴隆场.txt").write_bytes("兴隆场镇办好民生实事\n作者：钱七\n兴隆场镇今年完成十件民生实事，"
                                        "群众满意度明显提升。\n".encode("utf-16"))
    (folder / "照片.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    (folder / "~$白沙.docx").write_bytes(b"lock")
    result = cli("manuscripts", "import", folder, expect=1)
    out = result.output
    assert f"{folder / '扫描件.pdf'}: a scanned PDF (no text layer)" in out
    assert f"{folder / '照片.jpg'}: unsupported file type '.jpg'" in out and "另存为 .docx" in out
    assert f"{folder / '~$白沙.docx'}: lock or system file, ignored" in out
    assert "7 file(s): 5 manuscripts added" in out and "2 file(s) skipped" in out
    got = dict(rows(db_path, "SELECT title, authors FROM manuscripts"))
    assert got == {"白沙镇屋场会开到家门口": ["张三"], "浦市镇古镇旅游带富一方": ["符晓燕", "覃雪"],
                   "武溪镇党建引领基层治理": ["王五"], "潭溪镇产业振兴见实效": ["赵六"],
                   "兴隆场镇办好民生实事": ["钱七"]}


def test_word_binary_without_libreoffice_says_how_to_convert(cli, tmp_path: Path, monkeypatch) -> None:
    doc = convert(make_docx(tmp_path / "a.docx", ["标题", "正文"]), "doc", tmp_path / "稿件.doc")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = cli("manuscripts", "import", doc, expect=1)
    assert f"{doc}: .doc files need LibreOffice to be read (apt-get install libreoffice-writer-nogui); " \
           "or open it in Word/WPS and 另存为 .docx [skipped]" in result.output


def test_xls_et_and_misnamed_registers(cli, db_path: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "6月"
    sheet.append(["稿件名称", "作者姓名", "所在单位", "刊载媒体", "见报时间", "版面"])
    sheet.append(["白沙镇屋场会", "张三", "白沙镇", "湖南日报", dt.date(2022, 6, 24), "5"])
    xlsx = tmp_path / "登记.xlsx"
    book.save(xlsx)
    xls = convert(xlsx, "xls", tmp_path / "登记97.xls")
    et = tmp_path / "登记wps.et"
    et.write_bytes(xls.read_bytes())            # WPS 表格's .et is the same binary workbook
    misnamed = tmp_path / "改名.xls"
    misnamed.write_bytes(xlsx.read_bytes())     # an .xlsx someone renamed to .xls
    for path in (xls, et, misnamed):
        result = cli("claims", "import", path)
        assert "BadZipFile" not in result.output
    got = rows(db_path, "SELECT DISTINCT title, claimant, unit, outlet, published_date, page FROM claims")
    assert got == [("白沙镇屋场会", ["张三"], "白沙镇", "湖南日报", dt.date(2022, 6, 24), "5")]


def test_utf16_and_gbk_text(cli, db_path: Path, tmp_path: Path) -> None:
    be = tmp_path / "be.txt"
    be.write_bytes("\ufeff浦市镇旅游\n".encode("utf-16-be") + "\n".join(BODY2).encode("utf-16-be"))
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(("白沙镇屋场会\n" + "\n".join(BODY)).encode("gb18030"))
    cli("manuscripts", "import", be, gbk)
    assert sorted(r[0] for r in rows(db_path, "SELECT title FROM manuscripts")) == ["浦市镇旅游", "白沙镇屋场会"]


# -- registers as offices write them --------------------------------------------------

def office_register(path: Path) -> Path:
    """A June register: title row, two-row header, pre-numbered blank rows, totals, a notes sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "6月上稿"
    sheet.append(["2022年6月上稿登记表"])
    sheet.merge_cells("A1:I1")
    sheet.append(["序号", "稿件信息", None, None, "刊发情况", None, None, None, "备注"])
    sheet.merge_cells("B2:D2")
    sheet.merge_cells("E2:H2")
    sheet.append([None, "稿件名称", "作者姓名", "报送单位", "刊载媒体", "见报时间", "版次", "链接地址", None])
    sheet.append([1, "白沙镇屋场会开到家门口", "向 明  田 芳", "白沙镇", "湖南日报（第5版）", "6月24日",
                  None, None, None])
    sheet.append([2, "浦市镇古镇旅游", "符晓燕、覃雪", "浦市镇", "《人民日报》海外版", 6.28, None, None, "重点稿件"])
    sheet.append([None] * 9)
    sheet.append([3, None, None, None, None, None, None, None, None])   # pre-numbered, never filled
    sheet.append(["合计", None, None, None, "2篇", None, None, None, None])
    notes = book.create_sheet("填表说明")
    notes.append(["请各单位于每月25日前报送。"])
    book.save(path)
    return path


def test_register_title_row_two_row_header_totals_and_yearless_dates(cli, db_path: Path, tmp_path: Path) -> None:
    path = office_register(tmp_path / "登记表.xlsx")
    result = cli("claims", "import", path)
    out = result.output
    assert f"{path}:6月上稿:8: totals row (合计) skipped" in out
    assert f"{path}:填表说明: not a register" in out and "sheet skipped" in out
    got = rows(db_path, "SELECT title, claimant, unit, outlet, page, published_date, row_key, note FROM claims "
                        "ORDER BY source_row")
    assert got == [
        ("白沙镇屋场会开到家门口", ["向明", "田芳"], "白沙镇", "湖南日报", "第5版", dt.date(2022, 6, 24), "1", None),
        ("浦市镇古镇旅游", ["符晓燕", "覃雪"], "浦市镇", "人民日报海外版", None, dt.date(2022, 6, 28), "2", "重点稿件"),
    ]
    again = cli("claims", "import", path)
    assert "0 claims added, 0 updated, 2 already present, 0 rejected" in again.output


def test_yearless_dates_need_a_year(cli, db_path: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["标题", "作者", "媒体", "日期"])
    book.active.append(["白沙镇屋场会", "张三", "湖南日报", "6月24日"])
    book.active.append(["浦市镇旅游", "李四", "团结报", "2022年6月25日"])
    path = tmp_path / "上稿登记.xlsx"
    book.save(path)
    result = cli("claims", "import", path, expect=1)
    assert f"{path}:Sheet:2: 刊发日期 date '6月24日' has no year: put the year in the title row " \
           "(2022年6月上稿登记表) or the file name, or pass --year 2022" in result.output
    assert "1 claims added" in result.output   # the good row is kept
    cli("claims", "import", path, "--year", "2022")
    assert sorted(r[0] for r in rows(db_path, "SELECT published_date FROM claims")) == [
        dt.date(2022, 6, 24), dt.date(2022, 6, 25)]
    named = tmp_path / "2023年1月上稿.xlsx"
    path.rename(named)
    cli("claims", "import", named)
    assert dt.date(2023, 6, 24) in [r[0] for r in rows(db_path, "SELECT published_date FROM claims")]


def test_unknown_columns_are_named_and_mapped_by_option_or_config(cli, db_path: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["题目", "撰稿人", "单位名称", "发表媒体", "见报日子", "联系电话"])
    book.active.append(["白沙镇屋场会", "张三", "白沙镇", "湖南日报", "2022-06-24", "0743-1234567"])
    path = tmp_path / "登记.xlsx"
    book.save(path)
    result = cli("claims", "import", path, expect=1)
    assert "missing required column(s) published" in result.output
    result = cli("claims", "import", path, "--column", "见报日子=published")
    assert (f"{path}:Sheet: column '联系电话' not recognised, ignored "
            "(map it with --column 联系电话=FIELD") in result.output
    assert rows(db_path, "SELECT published_date, claimant FROM claims") == [(dt.date(2022, 6, 24), ["张三"])]
    config = tmp_path / "shanggao.toml"
    config.write_text('[shanggao]\n\n[columns]\n"见报日子" = "published"\n"联系电话" = "note"\n', encoding="utf-8")
    result = cli("--config", config, "claims", "import", path)
    assert "not recognised" not in result.output
    bad = cli("claims", "import", path, "--column", "见报日子=刊发", expect=1)
    assert "mapped to unknown field '刊发'" in bad.output


def test_every_sheet_is_read_or_one_is_picked(cli, db_path: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    for name, title in (("5月", "五月稿"), ("6月", "六月稿")):
        sheet = book.create_sheet(name)
        sheet.append(["标题", "媒体", "日期"])
        sheet.append([title, "团结报", "2022-06-01"])
        sheet.append([title + "二", "团结报", "昨天"])
    book.remove(book["Sheet"])
    path = tmp_path / "登记.xlsx"
    book.save(path)
    result = cli("claims", "import", path, expect=1)
    assert f"{path}:5月:3: unparseable date '昨天'" in result.output
    assert f"{path}:6月:3: unparseable date '昨天'" in result.output
    assert sorted(r[0] for r in rows(db_path, "SELECT title FROM claims")) == ["五月稿", "六月稿"]
    assert "no sheet '7月'" in cli("claims", "import", path, "--sheet", "7月", expect=1).output


def test_parse_date_yearless_forms() -> None:
    assert parse_date("6月24日", 2022) == dt.date(2022, 6, 24)
    assert parse_date("6.28", 2022) == dt.date(2022, 6, 28)
    assert parse_date(6.28, 2022) == dt.date(2022, 6, 28)
    assert parse_date("2021年6月24日", 2022) == dt.date(2021, 6, 24)
    with pytest.raises(ValueError, match="no year"):
        parse_date("6月24日")


# -- manuscripts as offices write them ------------------------------------------------

def test_bylines_padded_names_correspondents_and_photographers(cli, db_path: Path, tmp_path: Path) -> None:
    make_docx(tmp_path / "a.docx", ["白沙镇屋场会开到家门口", "（作者：向 明  田 芳）", *BODY])
    make_docx(tmp_path / "b.docx", ["浦市镇古镇旅游带富一方", "文/彭敏 图/杨丽", *BODY2])
    make_docx(tmp_path / "c.docx", ["武溪镇网格化管理", "武溪镇推行网格化管理，把支部建在网格上。",
                                    "（通讯员 李文华 覃雪）"])
    cli("manuscripts", "import", tmp_path / "a.docx", tmp_path / "b.docx", tmp_path / "c.docx")
    got = {r[0]: r[1:] for r in rows(db_path, "SELECT title, authors, photographers, body FROM manuscripts")}
    assert got["白沙镇屋场会开到家门口"][:2] == (["向明", "田芳"], [])
    assert got["浦市镇古镇旅游带富一方"][:2] == (["彭敏"], ["杨丽"])
    assert got["武溪镇网格化管理"] == (["李文华", "覃雪"], [], "武溪镇推行网格化管理，把支部建在网格上。")


@pytest.mark.parametrize("form", [
    [["稿件标题", "白沙镇屋场会开到家门口"], ["作者", "向明", "单位", "白沙镇"],
     ["报送日期", "2022年6月1日", "编号", "LX-2022-031"]],
    [["稿件标题", "白沙镇屋场会开到家门口"], ["作者", "向明"], ["单位", "白沙镇"], ["报送日期", "2022年6月1日"],
     ["编号", "LX-2022-031"]],
])
def test_form_style_table(cli, db_path: Path, tmp_path: Path, form: list[list[str]]) -> None:
    make_docx(tmp_path / "报送单.docx", ["泸溪县委组织部稿件报送单", *BODY], table=form, table_after=1)
    cli("manuscripts", "import", tmp_path / "报送单.docx")
    assert rows(db_path, "SELECT manuscript_id, title, authors, unit, submitted_date, body FROM manuscripts") == [
        ("LX-2022-031", "白沙镇屋场会开到家门口", ["向明"], "白沙镇", dt.date(2022, 6, 1), "\n".join(BODY))]


def test_newsletter_template_masthead(cli, db_path: Path, tmp_path: Path) -> None:
    make_docx(tmp_path / "组工信息.docx", ["泸溪组工信息", "第15期", "中共泸溪县委组织部编", "2022年6月20日",
                                           "白沙镇屋场会开到家门口", *BODY])
    result = cli("manuscripts", "import", tmp_path / "组工信息.docx")
    assert "newsletter template lines above the title skipped: 泸溪组工信息 / 第15期" in result.output
    assert rows(db_path, "SELECT title, submitted_date FROM manuscripts") == [
        ("白沙镇屋场会开到家门口", dt.date(2022, 6, 20))]


def test_masthead_with_editor_and_date_on_one_line_and_header_fields_on_one_line(cli, db_path: Path,
                                                                                     tmp_path: Path) -> None:
    make_docx(tmp_path / "组工信息.docx", ["泸溪组工信息", "第15期", "中共泸溪县委组织部编\t\t二〇二二年六月二十日",
                                           "白沙镇屋场会开到家门口", "（作者：向 明  田 芳）",
                                           "单位：白沙镇   报送日期：2022年6月1日   编号：LX-2022-031", *BODY])
    result = cli("manuscripts", "import", tmp_path / "组工信息.docx")
    assert "skipped: 泸溪组工信息 / 第15期 / 中共泸溪县委组织部编" in result.output
    assert rows(db_path, "SELECT manuscript_id, title, authors, unit, submitted_date, body FROM manuscripts") == [
        ("LX-2022-031", "白沙镇屋场会开到家门口", ["向明", "田芳"], "白沙镇", dt.date(2022, 6, 1), "\n".join(BODY))]


def test_masthead_date_in_chinese_numerals_is_the_submission_date(cli, db_path: Path, tmp_path: Path) -> None:
    make_docx(tmp_path / "组工信息.docx", ["泸溪组工信息", "第15期", "中共泸溪县委组织部编 二〇二二年六月二十日",
                                           "白沙镇屋场会开到家门口", *BODY])
    cli("manuscripts", "import", tmp_path / "组工信息.docx")
    assert rows(db_path, "SELECT title, submitted_date FROM manuscripts") == [
        ("白沙镇屋场会开到家门口", dt.date(2022, 6, 20))]


def test_register_links_behind_cell_text(cli, db_path: Path, tmp_path: Path) -> None:
    """链接 cells reading 点击查看 (a hyperlink or =HYPERLINK) and a title hyperlinked to the article."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "标题", "作者", "媒体", "刊发日期", "链接"])
    sheet.append([1, "白沙镇屋场会开到家门口", "向明", "湖南日报", "2022-06-24", "点击查看"])
    sheet["F2"].hyperlink = "https://hnrb.voc.com.cn/hnrb_epaper/html/2022-06/24/content_1.htm"
    sheet.append([2, "浦市镇古镇焕新颜", "符晓燕", "红网", "2022-06-28", None])
    sheet["B3"].hyperlink = "https://hn.rednet.cn/content/2022/06/28/1.html"
    sheet.append([3, "兴隆场镇积分超市", "覃雪", "新湖南", "2022-06-20",
                  '=HYPERLINK("https://m.voc.com.cn/xhn/news/202206/12345.html","查看")'])
    sheet.append([4, "潭溪镇党员积分", "田芳", "湘西网", "2022-06-21", "https://www.xxnet.com.cn/a/1.html"])
    path = tmp_path / "登记.xlsx"
    book.save(path)
    cli("claims", "import", path)
    assert rows(db_path, "SELECT source_row, title, url FROM claims ORDER BY source_row") == [
        (2, "白沙镇屋场会开到家门口", "https://hnrb.voc.com.cn/hnrb_epaper/html/2022-06/24/content_1.htm"),
        (3, "浦市镇古镇焕新颜", "https://hn.rednet.cn/content/2022/06/28/1.html"),
        (4, "兴隆场镇积分超市", "https://m.voc.com.cn/xhn/news/202206/12345.html"),
        (5, "潭溪镇党员积分", "https://www.xxnet.com.cn/a/1.html")]


@pytest.mark.parametrize(("lines", "expected", "note"), [
    (["标题：白沙镇屋场会开到家门口", "作者：向明（白沙镇）", "报送单位：白沙镇党委", "联系电话：13800000000", *BODY],
     (["向明"], "白沙镇党委", BODY), "header lines not kept: 联系电话：13800000000"),
    (["白沙镇屋场会开到家门口", "——泸溪县推动基层治理走深走实", "泸溪县委组织部 向明 田芳", *BODY],
     (["向明", "田芳"], "泸溪县委组织部", ["——泸溪县推动基层治理走深走实", *BODY]), None),
    (["白沙镇屋场会开到家门口", *BODY, "（白沙镇党委 向明）"], (["向明"], "白沙镇党委", BODY), None),
    (["白沙镇屋场会开到家门口", *BODY, "（县委组织部 供稿）"], ([], "县委组织部", BODY), None),
    (["稿件：白沙镇屋场会开到家门口", "撰稿人：向明 审核人：田芳", *BODY], (["向明"], None, BODY),
     "header lines not kept: 审核人：田芳"),
])
def test_manuscript_headers_as_offices_type_them(cli, db_path: Path, tmp_path: Path, lines, expected, note) -> None:
    """A labelled title, contact and review fields, a subtitle, and a unit with its writers above or below."""
    make_docx(tmp_path / "稿件.docx", lines)
    result = cli("manuscripts", "import", tmp_path / "稿件.docx")
    authors, unit, body = expected
    assert rows(db_path, "SELECT title, authors, unit, body FROM manuscripts") == [
        ("白沙镇屋场会开到家门口", authors, unit, "\n".join(body))]
    if note:
        assert note in result.output


# -- correcting what was imported ---------------------------------------------------------

def numbered_register(path: Path, data: list[list[object]], with_keys: bool = True) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "6月"
    sheet.append(["2022年6月上稿登记表"])
    sheet.append((["序号"] if with_keys else []) + ["标题", "作者", "媒体", "刊发日期"])
    for n, row in enumerate(data, start=1):
        sheet.append(([n] if with_keys else []) + row)
    book.save(path)
    return path


@pytest.mark.parametrize("with_keys", [True, False])
def test_corrected_register_updates_rows_and_withdraws_missing_ones(cli, db_path: Path, tmp_path: Path,
                                                                    with_keys: bool) -> None:
    path = tmp_path / "6月登记.xlsx"
    numbered_register(path, [["白沙镇屋场会", "张三", "湖南日报", "6月24日"],
                             ["浦市镇旅游", "李四", "团结报", "6月25日"],
                             ["武溪镇网格", "王五", "红网", "6月26日"]], with_keys)
    cli("claims", "import", path)
    ids = dict(rows(db_path, "SELECT title, claim_id FROM claims"))
    # corrected: row 1's date fixed, row 3 removed
    numbered_register(path, [["白沙镇屋场会", "张三", "湖南日报", "6月23日"],
                             ["浦市镇旅游", "李四", "团结报", "6月25日"]], with_keys)
    result = cli("claims", "import", path)
    assert "0 claims added, 1 updated, 1 already present, 0 rejected, 1 withdrawn" in result.output
    assert f"claim {ids['白沙镇屋场会']} corrected (published_date)" in result.output
    assert "(武溪镇网格) is no longer in the register" in result.output
    assert rows(db_path, "SELECT claim_id, published_date FROM claims ORDER BY source_row") == [
        (ids["白沙镇屋场会"], dt.date(2022, 6, 23)), (ids["浦市镇旅游"], dt.date(2022, 6, 25))]
    assert rows(db_path, "SELECT claim_id, title FROM withdrawn_claims") == [(ids["武溪镇网格"], "武溪镇网格")]


def test_edited_manuscript_replaces_its_earlier_version(cli, db_path: Path, tmp_path: Path) -> None:
    path = make_docx(tmp_path / "白沙.docx", ["白沙镇屋场会开到家门口", "作者：张三", *BODY])
    cli("manuscripts", "import", path)
    assert "1 already present" in cli("manuscripts", "import", path).output   # unchanged: a no-op
    make_docx(path, ["白沙镇屋场会开到群众家门口", "作者：张三", BODY[0], "新增一段：屋场会已经开了四十场。"])
    result = cli("manuscripts", "import", path)
    assert "0 manuscripts added, 1 updated" in result.output and "(version 2)" in result.output
    (current,) = rows(db_path, "SELECT manuscript_id, title, version FROM manuscripts")
    assert current[1:] == ("白沙镇屋场会开到群众家门口", 2)
    assert rows(db_path, "SELECT manuscript_id, version, title FROM manuscript_versions") == [
        (current[0], 1, "白沙镇屋场会开到家门口")]
    # an office number: the same 编号 in another file is the same manuscript
    make_docx(tmp_path / "v1.docx", ["浦市镇旅游", "编号：LX-9", *BODY2])
    make_docx(tmp_path / "v2.docx", ["浦市镇旅游（修改稿）", "编号：LX-9", *BODY2])
    cli("manuscripts", "import", tmp_path / "v1.docx")
    cli("manuscripts", "import", tmp_path / "v2.docx")
    assert rows(db_path, "SELECT title, version FROM manuscripts WHERE manuscript_id = 'LX-9'") == [
        ("浦市镇旅游（修改稿）", 2)]


def test_a_claim_title_matching_two_manuscripts_says_so(cli, db_path: Path, tmp_path: Path) -> None:
    cli("init")
    make_docx(tmp_path / "a.docx", ["白沙镇屋场会", "编号：LX-1", *BODY])
    make_docx(tmp_path / "b.docx", ["白沙镇屋场会", "编号：LX-2", *BODY2])
    cli("manuscripts", "import", tmp_path / "a.docx", tmp_path / "b.docx")
    register = tmp_path / "登记.csv"
    register.write_text("标题,作者,媒体,刊发日期\n白沙镇屋场会,张三,湖南日报,2022-06-24\n", encoding="utf-8")
    cli("claims", "import", register)
    cli("verify", expect=None)
    ((status, reasons),) = rows(db_path, "SELECT status, reasons FROM verdicts")
    assert status == "unknown_manuscript"
    assert "标题《白沙镇屋场会》对应 2 篇稿件（LX-1、LX-2）" in reasons[0] and "填写稿件编号" in reasons[0]


def test_list_and_delete_manuscripts_and_claims(cli, db_path: Path, tmp_path: Path) -> None:
    make_docx(tmp_path / "a.docx", ["白沙镇屋场会", "编号：LX-1", "单位：白沙镇", "报送日期：2022年6月1日", *BODY])
    make_docx(tmp_path / "b.docx", ["浦市镇旅游", "编号：LX-2", "单位：浦市镇", "报送日期：2022年7月1日", *BODY2])
    cli("manuscripts", "import", tmp_path / "a.docx", tmp_path / "b.docx")
    register = tmp_path / "登记.csv"
    register.write_text("申报编号,稿件编号,作者,单位,媒体,刊发日期\nC1,LX-1,张三,白沙镇,湖南日报,2022-06-24\n"
                        "C2,LX-2,李四,浦市镇,团结报,2022-07-02\n", encoding="utf-8")
    cli("claims", "import", register)
    listed = cli("manuscripts", "list", "--unit", "白沙", "--period", "2022-06", "--format", "csv").output
    assert listed.splitlines()[1].startswith("LX-1,unplaced,白沙镇屋场会") and len(listed.splitlines()) == 2
    assert "LX-2" in cli("manuscripts", "list", "--status", "unplaced").output
    claims = cli("claims", "list", "--period", "2022-07", "--status", "unverified", "--format", "csv").output
    assert [line.split(",")[0] for line in claims.splitlines()[1:]] == ["C2"]
    # a script must say --yes; a missing id removes nothing
    assert "add --yes" in cli("manuscripts", "delete", "LX-1", expect=1).output
    assert "no such manuscript(s): LX-9" in cli("manuscripts", "delete", "LX-1", "LX-9", "--yes", expect=1).output
    with duckdb.connect(str(db_path)) as con:  # something derived: a match and a verdict
        con.execute("INSERT INTO matches VALUES ('LX-1', 7, 90, 'full', 0.9, 0.9, NULL, 't', now())")
        con.execute("INSERT INTO verdicts (claim_id, status, manuscript_id, verified_at) "
                    "VALUES ('C1', 'verified', 'LX-1', now())")
    assert "1 manuscript(s) removed" in cli("manuscripts", "delete", "LX-1", "--yes").output
    assert rows(db_path, "SELECT manuscript_id FROM manuscripts") == [("LX-2",)]
    assert rows(db_path, "SELECT count(*) FROM matches") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM verdicts") == [(0,)]
    assert "1 claim(s) removed" in cli("claims", "delete", "C2", "--yes").output
    assert rows(db_path, "SELECT claim_id FROM claims") == [("C1",)]


def test_folder_of_registers_and_a_row_rejected_on_reimport_is_kept(cli, db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "登记"
    folder.mkdir()
    path = numbered_register(folder / "6月登记.xlsx", [["白沙镇屋场会", "张三", "湖南日报", "6月24日"],
                                                     ["浦市镇旅游", "李四", "团结报", "6月25日"]])
    (folder / "7月.csv").write_text("标题,作者,媒体,刊发日期\n武溪镇网格,王五,红网,2022-07-02\n", encoding="utf-8")
    make_docx(folder / "说明.docx", ["填表说明", "请于每月25日前报送。"])
    result = cli("claims", "import", folder, expect=1)
    assert f"{folder / '说明.docx'}: unsupported file type '.docx', not a claims register" in result.output
    assert "3 file(s): 3 claims added" in result.output and "1 file(s) skipped" in result.output
    # the corrected register has a typo in row 2's date: that row is rejected, its claim kept
    numbered_register(path, [["白沙镇屋场会", "张三", "湖南日报", "6月24日"],
                             ["浦市镇旅游", "李四", "团结报", "6月31日"]])
    again = cli("claims", "import", path, expect=1)
    assert f"{path}:6月:4: impossible date '6月31日' in 2022" in again.output
    assert "kept as imported before: this time its row was rejected" in again.output
    assert rows(db_path, "SELECT count(*) FROM claims") == [(3,)]
    assert rows(db_path, "SELECT count(*) FROM withdrawn_claims") == [(0,)]


def test_word_files_with_one_name_in_two_folders_are_both_read(cli, db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "稿件"
    for town, body in (("白沙镇", BODY), ("浦市镇", BODY2)):
        (folder / town).mkdir(parents=True)
        convert(make_docx(tmp_path / f"{town}.docx", [f"{town}工作动态", *body]), "doc", folder / town / "稿件.doc")
    (folder / "浦市镇" / "稿件.wps").write_bytes((folder / "白沙镇" / "稿件.doc").read_bytes())
    result = cli("manuscripts", "import", folder)
    assert "3 file(s): 2 manuscripts added, 0 updated, 1 already present" in result.output
    assert sorted(r[0] for r in rows(db_path, "SELECT title FROM manuscripts")) == ["浦市镇工作动态", "白沙镇工作动态"]


def test_a_renamed_corrected_copy_replaces_its_register(cli, db_path: Path, tmp_path: Path) -> None:
    numbered_register(tmp_path / "6月登记.xlsx", [["白沙镇屋场会", "张三", "湖南日报", "6月24日"]])
    cli("claims", "import", tmp_path / "6月登记.xlsx")
    fixed = numbered_register(tmp_path / "6月登记（修正）.xlsx", [["白沙镇屋场会", "张三", "湖南日报", "6月23日"]])
    result = cli("claims", "import", fixed, "--register", "6月登记.xlsx")
    assert "0 claims added, 1 updated" in result.output
    assert rows(db_path, "SELECT register, published_date FROM claims") == [("6月登记.xlsx", dt.date(2022, 6, 23))]
