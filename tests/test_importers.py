"""Importing articles, manuscripts and claims through the CLI into real temp DuckDB files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import duckdb
import openpyxl
import pytest

from shanggao.dates import parse_date
from shanggao.importers.claims import split_outlet
from shanggao.importers.common import split_names

BODY_A = ("白沙镇党委把屋场会开到群众家门口，今年以来共收集意见建议八十余条。\n"
          "镇里组建了十二支志愿服务队，帮助留守老人解决实际困难。")
BODY_B = ("浦市镇依托古镇资源发展乡村旅游，带动两百余户群众增收。\n"
          "镇党委还在景区设立了党员先锋岗，引导党员亮身份、作表率。")


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records),
                    encoding="utf-8")
    return path


def article(n: int, **extra) -> dict:
    return {"url": f"https://www.example.cn/a/{n}.html", "outlet": "rednet", "title": f"标题{n}",
            "published": "2022-06-24", "body": BODY_A, **extra}


# -- dates --------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2022-06-24", "2022/6/24", "2022.6.24", "2022年6月24日", "2022年06月24日 星期五",
                                  "20220624", "２０２２－０６－２４", dt.datetime(2022, 6, 24, 8, 0), 44736])
def test_parse_date_accepts_register_forms(text: object) -> None:
    assert parse_date(text) == dt.date(2022, 6, 24)


@pytest.mark.parametrize("text", ["6月24日", "2022-13-01", "yesterday"])
def test_parse_date_rejects_with_reason(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


# -- articles -------------------------------------------------------------------

def test_articles_import_reports_bad_lines_and_keeps_good_ones(cli, db_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [
        article(1, byline="本报记者 张三", authors=["张三"], page_no="05", page_name="市州"),
        article(2, published="2022/6/25", authors="李四、王五"),
        {k: v for k, v in article(3).items() if k != "title"},
        article(4, published="next week"),
        "{not json",
        article(5, url="ftp://x/5"),
    ])
    result = cli("articles", "import", path, expect=1)
    assert f"{path}:3: missing title" in result.output
    assert f"{path}:4: unparseable date" in result.output
    assert f"{path}:5: not valid JSON" in result.output
    assert f"{path}:6: url 'ftp://x/5' is not an http(s) URL" in result.output
    assert "2 articles added" in result.output
    got = rows(db_path, "SELECT url, authors, page_no, page_name, published_date FROM articles ORDER BY url")
    assert got == [
        ("https://www.example.cn/a/1.html", ["张三"], 5, "市州", dt.date(2022, 6, 24)),
        ("https://www.example.cn/a/2.html", ["李四", "王五"], None, None, dt.date(2022, 6, 25)),
    ]


def test_articles_fast_path_numbers_lines_like_the_slow_path(cli, tmp_path: Path) -> None:
    # Without blank lines or broken JSON DuckDB reads the file; reasons must name the same lines.
    path = write_jsonl(tmp_path / "a.jsonl", [article(1), article(2, published="2022-02-30"), article(3, body="")])
    result = cli("articles", "import", path, expect=1)
    assert f"{path}:2: unparseable date" in result.output
    assert f"{path}:3: missing body" in result.output


def test_articles_import_is_idempotent_and_keeps_versions(cli, db_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [article(1), article(2)])
    cli("articles", "import", path)
    result = cli("articles", "import", path)
    assert "0 articles added, 0 updated, 2 already present" in result.output
    changed = write_jsonl(tmp_path / "b.jsonl", [article(1, body=BODY_B)])
    assert "1 updated" in cli("articles", "import", changed).output
    assert rows(db_path, "SELECT version, body FROM articles WHERE url LIKE '%/1.html'") == [(2, BODY_B)]
    assert rows(db_path, "SELECT version, body FROM article_versions") == [(1, BODY_A)]
    assert rows(db_path, "SELECT count(*) FROM articles") == [(2,)]


def test_articles_import_accepts_news_please_json(cli, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "np.json"
    path.write_text(json.dumps({
        "url": "https://xx.rednet.cn/content/2022/06/24/1.html", "title": "泸溪县开展主题党日活动",
        "maintext": BODY_A, "date_publish": "2022-06-24 09:30:00", "authors": ["张三"],
        "source_domain": "xx.rednet.cn", "language": "zh",
    }, ensure_ascii=False), encoding="utf-8")
    cli("articles", "import", path)
    got = rows(db_path, "SELECT outlet, published_date, body FROM articles")
    assert got == [("rednet", dt.date(2022, 6, 24), BODY_A)]


def test_articles_import_empty_file(cli, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    assert f"{path}: empty file" in cli("articles", "import", path, expect=1).output
    path.write_text("\n  \n\n", encoding="utf-8")   # blank lines only
    assert f"{path}: empty file (no JSON lines)" in cli("articles", "import", path, expect=1).output


def test_articles_import_every_line_rejected(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps({"url": f"https://a.example/{i}", "outlet": "tjb", "title": "甲",
                                          "published": "2022-13-01", "body": "正文"}) for i in range(2)) + "\n",
                    encoding="utf-8")
    output = cli("articles", "import", path, expect=1).output
    assert f"{path}:1: unparseable date 2022-13-01" in output and f"{path}:2:" in output
    assert "0 articles added" in output


# -- manuscripts ---------------------------------------------------------------

def make_docx(path: Path, lines: list[str]) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def test_manuscripts_from_docx_txt_md_and_folders(cli, db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "稿件"
    (folder / "六月").mkdir(parents=True)
    make_docx(folder / "白沙.docx", ["白沙镇屋场会开到家门口", "作者：张三 李四", "单位：白沙镇",
                                    "报送日期：2022年6月1日", *BODY_A.split("\n")])
    (folder / "六月" / "浦市.txt").write_bytes(("浦市镇古镇旅游带富一方\n\n" + BODY_B).encode("gb18030"))
    (folder / "六月" / "武溪.md").write_text("# 武溪镇党建引领基层治理\n\n编号：LX-2022-031\n\n" + BODY_A,
                                         encoding="utf-8")
    (folder / "~$白沙.docx").write_bytes(b"lock file")
    cli("manuscripts", "import", folder, "--unit", "县委组织部", "--author", "王五", "--submitted", "2022-06-05")
    got = rows(db_path, "SELECT manuscript_id, title, authors, unit, submitted_date, source_file FROM manuscripts "
                        "ORDER BY title")
    by_title = {r[1]: r for r in got}
    assert by_title["白沙镇屋场会开到家门口"][2:5] == (["张三", "李四"], "白沙镇", dt.date(2022, 6, 1))
    assert by_title["浦市镇古镇旅游带富一方"][2:5] == (["王五"], "县委组织部", dt.date(2022, 6, 5))
    assert by_title["武溪镇党建引领基层治理"][0] == "LX-2022-031"
    assert by_title["白沙镇屋场会开到家门口"][0].startswith("MS-")
    body = rows(db_path, "SELECT body FROM manuscripts WHERE title = '白沙镇屋场会开到家门口'")[0][0]
    assert body == BODY_A  # the 作者/单位 lines are not part of the body
    again = cli("manuscripts", "import", folder)
    assert "0 manuscripts added, 0 updated, 3 already present" in again.output


def test_manuscripts_register_with_chinese_headers(cli, db_path: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2022年6月稿件报送登记表"])
    sheet.append(["稿件编号", "标题", "正文", "作者", "单位", "报送日期"])
    sheet.append(["LX-001", "白沙镇屋场会", BODY_A, "张三、李四", "白沙镇", dt.datetime(2022, 6, 1)])
    sheet.append(["LX-002", "浦市镇旅游", BODY_B, "王五", "浦市镇", "2022.6.3"])
    sheet.append(["LX-003", "", BODY_B, "王五", "浦市镇", "2022.6.3"])
    sheet.append(["LX-004", "日期不对", BODY_B, "王五", "浦市镇", "六月下旬"])
    sheet.append(["LX-001", "重复编号", BODY_B, "王五", "浦市镇", "2022.6.3"])
    path = tmp_path / "登记.xlsx"
    book.save(path)
    result = cli("manuscripts", "import", path, expect=1)
    assert f"{path}:Sheet:5: empty title" in result.output
    assert f"{path}:Sheet:6: unparseable date '六月下旬'" in result.output
    assert f"{path}:Sheet:7: duplicate manuscript id LX-001" in result.output
    assert rows(db_path, "SELECT manuscript_id, authors, submitted_date FROM manuscripts ORDER BY 1") == [
        ("LX-001", ["张三", "李四"], dt.date(2022, 6, 1)), ("LX-002", ["王五"], dt.date(2022, 6, 3))]


def test_manuscripts_bad_files_get_clear_messages(cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,phone\n张三,123\n", encoding="utf-8")
    only_title = tmp_path / "title.txt"
    only_title.write_text("只有标题\n", encoding="utf-8")
    result = cli("manuscripts", "import", broken, empty, wrong, only_title, expect=1)
    assert f"{broken}: not a readable .docx file" in result.output
    assert f"{empty}: empty file" in result.output
    assert (f"{wrong}: not a register: no recognisable header in the first 12 rows "
            "(missing required column(s) title") in result.output
    assert f"{only_title}: no body below the title" in result.output


# -- claims ----------------------------------------------------------------------

def claims_book(path: Path, data: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["泸溪县2022年6月上稿登记"])
    sheet.append(["稿件编号", "标题", "作者", "单位", "媒体", "刊发日期", "版次", "链接"])
    for row in data:
        sheet.append(row)
    book.save(path)
    return path


def test_claims_import_chinese_headers_dates_and_outlets(cli, db_path: Path, tmp_path: Path) -> None:
    path = claims_book(tmp_path / "claims.xlsx", [
        ["LX-001", "白沙镇屋场会", "张三 李四", "白沙镇", "《湖南日报》", "2022年6月24日", "05", ""],
        ["LX-002", "浦市镇旅游", "王五", "浦市镇", "红网湘西站", "2022/6/25", "", "https://xx.rednet.cn/content/2022/06/25/1.html"],
        ["LX-002", "浦市镇旅游", "王五", "浦市镇", "红网湘西站", "2022/6/25", "", "https://xx.rednet.cn/content/2022/06/25/1.html"],
        ["LX-003", "武溪镇", "赵六", "武溪镇", "不知名报", "2022.6.26", "", ""],
        ["LX-004", "日期错", "赵六", "武溪镇", "人民日报", "上周五", "", ""],
    ])
    result = cli("claims", "import", path, expect=1)
    assert f"{path}:Sheet:7: unparseable date '上周五'" in result.output
    got = rows(db_path, "SELECT manuscript_id, claimant, outlet, outlet_slug, published_date FROM claims "
                        "ORDER BY source_row")
    assert got == [
        ("LX-001", ["张三", "李四"], "《湖南日报》", "hnrb", dt.date(2022, 6, 24)),
        ("LX-002", ["王五"], "红网湘西站", "rednet", dt.date(2022, 6, 25)),
        ("LX-002", ["王五"], "红网湘西站", "rednet", dt.date(2022, 6, 25)),  # a duplicate claim stays visible
        ("LX-003", ["赵六"], "不知名报", None, dt.date(2022, 6, 26)),
    ]
    again = cli("claims", "import", path, expect=1)
    assert "0 claims added, 0 updated, 4 already present" in again.output


def test_claims_csv_english_headers(cli, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("manuscript_id,title,claimant,unit,outlet,published,page,url\n"
                    "LX-001,白沙镇屋场会,张三,白沙镇,人民日报,2022-06-24,第05版,\n", encoding="utf-8")
    cli("claims", "import", path)
    assert rows(db_path, "SELECT outlet_slug, page FROM claims") == [("rmrb", "第05版")]


def test_claims_wrong_columns(cli, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("姓名,电话\n张三,123\n", encoding="utf-8")
    result = cli("claims", "import", path, expect=1)
    assert "missing required column(s) outlet" in result.output


# -- query and outlets ---------------------------------------------------------

def test_query_is_read_only_and_formats(cli, tmp_path: Path) -> None:
    cli("init")
    out = cli("query", "SELECT slug, tier FROM outlets WHERE slug = 'rmrb'", "--format", "json").output
    assert json.loads(out) == [{"slug": "rmrb", "tier": "central"}]
    assert "slug,name" in cli("query", "SELECT slug, name FROM outlets", "--format", "csv").output
    failed = cli("query", "DELETE FROM outlets", expect=1)
    assert "read-only" in failed.output.lower()
    assert "人民日报" in cli("outlets").output


def test_db_option_beats_environment(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from shanggao.cli import main

    env_db = tmp_path / "env.duckdb"
    monkeypatch.setenv("SHANGGAO_DB", str(env_db))
    CliRunner().invoke(main, ["init"], catch_exceptions=False)
    assert env_db.exists()
    cli("init")  # --db given by the fixture
    assert (tmp_path / "test.duckdb").exists()


def test_articles_fast_path_cleans_bodies_and_keeps_the_last_duplicate(cli, db_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [
        article(1, body="\u3000\u3000第一段。\r\n第二段。\n"),
        article(2, title="旧标题"),
        article(2, title="新标题"),
    ])
    assert "2 articles added" in cli("articles", "import", path).output
    assert rows(db_path, "SELECT title, body FROM articles ORDER BY url") == [
        ("标题1", "第一段。\n第二段。"), ("新标题", BODY_A)]
    assert rows(db_path, "SELECT count(*) FROM article_versions") == [(0,)]


def test_articles_bad_lines_are_named_correctly_after_blank_lines(cli, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join([json.dumps(article(1), ensure_ascii=False), "   ", "",
                               json.dumps(article(2, published="soon"), ensure_ascii=False)]) + "\n", encoding="utf-8")
    result = cli("articles", "import", path, expect=1)
    assert f"{path}:4: unparseable date 'soon'" in result.output
    assert "1 articles added" in result.output


def test_articles_slow_path_keeps_the_last_duplicate_too(cli, db_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [article(7, title="旧"), "", article(7, title="新")])
    assert "1 articles added" in cli("articles", "import", path).output
    assert rows(db_path, "SELECT title, version FROM articles") == [("新", 1)]


def test_body_hash_is_the_same_in_python_and_sql(db_path: Path) -> None:
    from shanggao.db.articles import body_hash

    con = duckdb.connect()
    sql = con.execute("SELECT sha256('标题' || chr(10) || '正文第一段。\n第二段。')").fetchone()[0]
    assert body_hash("标题", "正文第一段。\n第二段。") == sql


@pytest.mark.parametrize(("cell", "names"), [
    ("向 明  田 芳", ["向明", "田芳"]),      # two-character names padded to three, two spaces between people
    ("向  明、田芳", ["向明", "田芳"]),      # padded with two spaces: still one person, never 向 and 明
    ("符晓燕 覃雪", ["符晓燕", "覃雪"]),
    ("张三、李四；王五", ["张三", "李四", "王五"]),
    ("向明（白沙镇）、田芳(浦市镇)", ["向明", "田芳"]),   # the unit in brackets is not part of the name
    ("向明等", ["向明"]),
    ("（张三）", ["张三"]),
])
def test_register_names_are_people_never_lone_characters(cell: str, names: list[str]) -> None:
    assert split_names(cell) == names


@pytest.mark.parametrize(("written", "outlet", "page"), [
    ("湖南日报（第5版）", "湖南日报", "第5版"), ("湖南日报 A3版", "湖南日报", "A3版"),
    ("团结报第三版", "团结报", "第三版"), ("湖南日报·第5版", "湖南日报", "第5版"),
    ("中国组织人事报第3版（组织工作）", "中国组织人事报", "第3版"),   # the page's name is dropped
    ("《人民日报》海外版", "人民日报海外版", None), ("红网（湘西站）", "红网（湘西站）", None),
])
def test_the_page_written_into_the_outlet(written: str, outlet: str, page: str | None) -> None:
    assert split_outlet(written) == (outlet, page)
