"""Issue 16, points 5–7: hostile stored text in reports and on the terminal."""

from __future__ import annotations

import html
import json
import zipfile
from pathlib import Path

import pytest

BODY = "\n".join(
    f"第{n}部分：泸溪县白沙镇在第{n}个村组织党员骨干开展“屋场会”，"
    f"听取群众关于产业路、饮水工程和集体经济的{n * 7}条意见，"
    f"逐条建立台账并明确责任人和办结时限{n * 3}天。" for n in range(1, 9))
EVIL_TITLE = "[/x][bold]泸溪县屋场会[/bold]\ufffe\uffff<script>alert(1)</script>"
EVIL_URL = "https://www.hunantoday.cn/article/x\t<img src=x onerror=alert(1)>\uffff"


@pytest.fixture
def hostile_store(cli, tmp_path: Path) -> Path:
    ms = tmp_path / "ms.txt"
    ms.write_text(f"{EVIL_TITLE}\n编号：LX-9\n作者：张三\n单位：白沙镇\n报送日期：2022-06-01\n\n{BODY}\n",
                  encoding="utf-8")
    cli("manuscripts", "import", ms)
    articles = tmp_path / "a.jsonl"
    articles.write_text(json.dumps({"url": EVIL_URL, "outlet": "xinhunan", "title": EVIL_TITLE,
                                    "published": "2022-06-24", "body": BODY}, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    cli("articles", "import", articles)
    return tmp_path


def test_markup_like_text_is_printed_as_text(cli, hostile_store: Path) -> None:
    matched = cli("match").output
    assert "LX-9" in matched and "Traceback" not in matched
    out = cli("query", "SELECT title FROM articles").output
    assert "[/x][bold]泸溪县屋场会[/bold]" in out
    claims = hostile_store / "c.csv"
    claims.write_text("申报编号,稿件编号,作者,单位,媒体,刊发日期\n[/x],LX-9,张三,白沙镇,新湖南,2022-06-24\n",
                      encoding="utf-8")
    cli("claims", "import", claims)
    verified = cli("verify").output
    assert "[/x]" in verified and "Traceback" not in verified


@pytest.mark.parametrize("fmt", ["md", "docx", "xlsx", "html"])
def test_reports_survive_hostile_titles_and_urls(cli, hostile_store: Path, fmt: str) -> None:
    cli("match")
    out = hostile_store / f"r.{fmt}"
    result = cli("report", "--period", "2022-06", "--format", fmt, "--out", out)
    assert "Traceback" not in result.output and out.exists()
    if fmt == "md":
        text = out.read_text(encoding="utf-8")
        assert "<img" not in text and "<script" not in text and "\t" not in text
        assert "hunantoday.cn" not in text  # the 通报 carries no links: they are in the 工作底稿
    if fmt in ("docx", "xlsx"):
        with zipfile.ZipFile(out) as z:
            xml = html.unescape("".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")))
        assert "泸溪县屋场会" in xml and "\ufffe" not in xml and "\uffff" not in xml


def test_text_that_starts_like_a_formula_stays_text_in_files_for_spreadsheets(cli, tmp_path: Path) -> None:
    """A register's unit =HYPERLINK(…) and title =1+2 reach no spreadsheet as formulas: the CSV file gets the
    apostrophe Excel/WPS use for text, every .xlsx cell is a string; standard output keeps the text as stored."""
    ms = tmp_path / "ms.txt"
    ms.write_text(f"=1+2 屋场会\n编号：LX-7\n作者：张三\n单位：=HYPERLINK(\"http://evil.example\",\"白沙镇\")\n"
                  f"报送日期：2022-06-01\n\n{BODY}\n", encoding="utf-8")
    cli("manuscripts", "import", ms)
    out = tmp_path / "稿件.csv"
    sql = "SELECT manuscript_id, title, unit FROM manuscripts"
    cli("query", sql, "--format", "csv", "--out", out)
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+2 屋场会" in text and '\'=HYPERLINK(""http://evil.example""' in text
    assert "\n=1+2" not in text and ",=" not in text
    assert ",=1+2 屋场会," in cli("query", sql, "--format", "csv").output
    articles = tmp_path / "a.jsonl"
    articles.write_text(json.dumps({"url": "https://www.hunantoday.cn/article/1.html", "outlet": "xinhunan",
                                    "title": "=1+2 屋场会", "published": "2022-06-24", "body": BODY},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
    cli("articles", "import", articles)
    cli("match")
    report = tmp_path / "r.xlsx"
    cli("report", "--period", "2022-06", "--format", "xlsx", "--out", report)
    from openpyxl import load_workbook
    for path in (report, tmp_path / "r-工作底稿.xlsx"):
        book = load_workbook(path)
        formulas = [c.coordinate for ws in book.worksheets for row in ws.iter_rows() for c in row
                    if c.data_type == "f"]
        assert formulas == [], (path.name, formulas)
