"""`shanggao demo` end to end: a real subprocess, the real spiders over the bundled mirror, real files.

The demo runs once per module (about 10 s); the tests then read its store and
open its reports.  The bundled story (shanggao/demo.py) fixes what each claim
must come to.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from cli_support import shanggao_command

from shanggao.demo import DB_NAME, MARKER
from shanggao.rules import load_rules

PLACED_AS_IS = {"SB-2610-04", "SB-2610-05", "SB-2610-06", "SB-2610-07", "SB-2610-08", "SB-2610-09"}
ROUNDUP_CLAIMS = {"SB-2610-02": "LX-2026-102", "SB-2610-03": "LX-2026-103"}


def run_demo(out: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SHANGGAO_DB", "SHANGGAO_CONFIG")}
    return subprocess.run([*shanggao_command(), "demo", "--out", str(out)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    base = tmp_path_factory.mktemp("demo")
    result = run_demo(base / "out", base)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return base / "out", result


@pytest.fixture(scope="module")
def verdicts(demo) -> dict[str, dict]:
    out, _ = demo
    found = rows(out / DB_NAME, "SELECT claim_id, status, manuscript_id, evidence_url, evidence_outlet, evidence_date, "
                                "discrepancies, duplicate_of, match_kind, points FROM claim_verdicts")
    keys = ("status", "manuscript_id", "evidence_url", "evidence_outlet", "evidence_date", "discrepancies",
            "duplicate_of", "match_kind", "points")
    return {claim: dict(zip(keys, rest, strict=True)) for claim, *rest in found}


def test_every_outlet_was_crawled_from_the_mirror(demo):
    out, _ = demo
    runs = dict(rows(out / DB_NAME, "SELECT outlet, status FROM crawl_runs WHERE command = 'demo'"))
    assert runs == {"rmrb": "ok", "hnrb": "ok", "tjb": "ok", "rednet": "ok"}
    per_outlet = dict(rows(out / DB_NAME,
                           "SELECT outlet, count(*) FROM articles WHERE source = 'crawl' GROUP BY outlet"))
    assert set(per_outlet) == {"rmrb", "hnrb", "tjb", "rednet"}
    assert all(n >= 8 for n in per_outlet.values()), per_outlet
    days = {d for (d,) in rows(out / DB_NAME, "SELECT DISTINCT published_date FROM articles")}
    assert {d.isoformat() for d in days} == {"2026-10-13", "2026-10-14", "2026-10-15"}
    # every article is backed by its archived response
    assert rows(out / DB_NAME, "SELECT count(*) FROM articles WHERE evidence_page_id IS NULL")[0][0] == 0
    # 本版责编 entries on the 人民日报 pages are not articles
    assert rows(out / DB_NAME, "SELECT count(*) FROM articles WHERE title LIKE '%责编%'")[0][0] == 0


def test_every_claim_gets_its_intended_verdict(verdicts):
    assert len(verdicts) == 12
    for claim in PLACED_AS_IS:
        assert verdicts[claim]["status"] == "verified", (claim, verdicts[claim])


def test_wrong_date_is_a_discrepancy(verdicts):
    wrong_date = verdicts["SB-2610-01"]
    assert wrong_date["status"] == "verified_with_discrepancy"
    assert wrong_date["evidence_date"].isoformat() == "2026-10-13"
    assert any("2026-10-15" in d and "2026-10-13" in d for d in wrong_date["discrepancies"])


def test_false_claim_is_caught(verdicts):
    false_claim = verdicts["SB-2610-10"]
    assert false_claim["status"] in ("text_mismatch", "not_found")
    assert false_claim["points"] in (0, None)


def test_print_only_claim_is_verified_from_the_bundled_scan(demo, verdicts):
    out, _ = demo
    scan = verdicts["SB-2610-12"]
    assert scan["status"] == "verified" and scan["evidence_outlet"] == "xzyj", scan
    assert scan["match_kind"] in ("page", "full", "edited") and scan["points"] > 0
    (source, archived), = rows(out / DB_NAME, "SELECT a.source, v.evidence_file FROM verdicts v "
                                              "JOIN articles a USING (article_id) WHERE claim_id = 'SB-2610-12'")
    assert source == "scan" and Path(archived).is_file()


def test_duplicate_claim_is_flagged(verdicts):
    duplicate = verdicts["SB-2610-11"]
    assert duplicate["status"] == "duplicate_claim"
    assert duplicate["duplicate_of"] == "SB-2610-05"
    assert verdicts["SB-2610-05"]["status"] == "verified"


def test_roundup_carries_both_manuscripts(demo, verdicts):
    out, _ = demo
    links = rows(out / DB_NAME, "SELECT m.manuscript_id, m.kind, a.outlet, a.url FROM matches m "
                                "JOIN articles a USING (article_id) "
                                "WHERE m.manuscript_id IN ('LX-2026-102', 'LX-2026-103')")
    assert {ms for ms, *_ in links} == {"LX-2026-102", "LX-2026-103"}
    assert {kind for _, kind, *_ in links} <= {"roundup", "excerpt"}
    assert len({url for *_, url in links}) == 1 and links[0][2] == "hnrb"
    for claim, manuscript in ROUNDUP_CLAIMS.items():
        assert verdicts[claim]["status"] == "verified", (claim, verdicts[claim])
        assert verdicts[claim]["manuscript_id"] == manuscript
        assert verdicts[claim]["evidence_url"] == links[0][3]


def test_roundup_manuscripts_each_earn_full_points(demo, verdicts):
    """Two manuscripts in one 综合稿 are two placements, not co-authors of one: each claim gets
    the whole roundup-multiplied points (湖南日报 provincial 10 x 综合稿 0.5 = 5)."""
    out, _ = demo
    rules = load_rules()
    for claim, manuscript in ROUNDUP_CLAIMS.items():
        [(kind, coverage, chars, page)] = rows(
            out / DB_NAME, "SELECT m.kind, m.article_coverage, a.body_chars, a.page_no FROM matches m "
                           "JOIN articles a USING (article_id) WHERE m.manuscript_id = ?", [manuscript])
        full, _ = rules.placement_points(outlet_slug="hnrb", tier="provincial", outlet_kind="epaper", page_no=page,
                                         placed_chars=round(chars * coverage), match_kind=kind)
        assert verdicts[claim]["points"] == full == 5, (claim, verdicts[claim])
        assert verdicts[claim]["duplicate_of"] is None


def test_edited_versions_are_found_and_stock_phrases_do_not_fool_the_matcher(demo):
    out, _ = demo
    db = out / DB_NAME
    retitled = rows(db, "SELECT a.title, ms.title FROM matches m JOIN articles a USING (article_id) "
                        "JOIN manuscripts ms USING (manuscript_id) WHERE m.manuscript_id = 'LX-2026-104'")
    assert len(retitled) == 1 and retitled[0][0] != retitled[0][1]
    shortened = rows(db, "SELECT a.outlet, m.manuscript_coverage FROM matches m JOIN articles a USING (article_id) "
                         "WHERE m.manuscript_id = 'LX-2026-106'")
    assert len(shortened) == 1 and shortened[0][0] == "rmrb" and shortened[0][1] < 0.9
    # the never-placed manuscript shares stock phrases and its theme with 凤凰县's article: no link at all
    assert rows(db, "SELECT count(*) FROM matches WHERE manuscript_id = 'LX-2026-110'")[0][0] == 0
    # no article is linked to a manuscript it does not carry
    allowed = {"LX-2026-101": 1, "LX-2026-102": 1, "LX-2026-103": 1, "LX-2026-104": 1, "LX-2026-105": 1,
               "LX-2026-106": 1, "LX-2026-107": 2, "LX-2026-108": 1, "LX-2026-109": 1,
               "LX-2026-111": 1}
    assert dict(rows(db, "SELECT manuscript_id, count(*) FROM matches GROUP BY ALL")) == allowed


def test_unclaimed_repost_is_listed(demo):
    out, result = demo
    unclaimed = rows(out / DB_NAME, "SELECT manuscript_id, outlet FROM unclaimed_placements")
    assert unclaimed == [("LX-2026-107", "rednet")]
    assert "已刊发但无人申报" in result.stdout


def test_reports_exist_and_open(demo):
    import docx
    import openpyxl

    out, result = demo
    reports = sorted((out / "reports").iterdir())
    assert {p.suffix for p in reports} == {".xlsx", ".docx", ".html", ".md"}
    sheet = next(p for p in reports if p.name.endswith("-工作底稿.xlsx"))
    book = openpyxl.load_workbook(sheet)  # the 工作底稿 has the register's ids and the verdicts
    cells = " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value)
    assert "SB-2610-10" in cells and "内容不符" in cells
    book = openpyxl.load_workbook(next(p for p in reports if p.suffix == ".xlsx" and p != sheet))
    cells = " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value)
    assert "白沙镇" in cells and "SB-2610" not in cells  # the 通报 has none
    document = docx.Document(str(next(p for p in reports if p.suffix == ".docx")))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "2026年10月" in text and "未完成报送任务" in text and "SB-2610" not in text
    html = next(p for p in reports if p.suffix == ".html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "表扬" in html
    markdown = next(p for p in reports if p.suffix == ".md").read_text(encoding="utf-8")
    assert "未完成" in markdown
    # the office (县委组织部信息宣传室 in the inbox) is one row of the quota table, not two
    quota_rows = [line for line in markdown.splitlines() if line.startswith("| 县委组织部")]
    assert len(quota_rows) == 1 and quota_rows[0].startswith("| 县委组织部 | 1 | 4 | 2 |"), quota_rows
    for report in reports:
        assert str(report) in result.stdout


def test_output_names_the_verdicts_paths_and_queries(demo):
    out, result = demo
    for text in ("核验结论", "SB-2610-01", "内容不符", "重复申报", str(out / DB_NAME), "query 'SELECT"):
        assert text in result.stdout, text
    assert "LX-2026-110" in result.stdout  # listed as submitted but not placed


def test_inbox_holds_the_office_files_that_were_imported(demo):
    out, _ = demo
    inbox = out / "inbox"
    suffixes = {p.suffix for p in inbox.rglob("*") if p.is_file()}
    assert suffixes == {".docx", ".txt", ".md", ".csv", ".xlsx", ".jpg"}   # .jpg: the 佐证 scan
    sources = {name for (name,) in rows(out / DB_NAME, "SELECT DISTINCT source_file FROM manuscripts")}
    assert any(name.endswith(".docx") for name in sources) and any(name.endswith(".csv") for name in sources)
    assert rows(out / DB_NAME, "SELECT count(*) FROM manuscripts")[0][0] == 11


def test_rerun_starts_clean(demo):
    out, _ = demo
    before = rows(out / DB_NAME, "SELECT claim_id, status FROM verdicts ORDER BY claim_id")
    stray = out / "reports" / "old-report.html"
    stray.write_text("from an earlier run", encoding="utf-8")
    again = run_demo(out, out.parent)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert not stray.exists()
    assert rows(out / DB_NAME, "SELECT claim_id, status FROM verdicts ORDER BY claim_id") == before
    assert rows(out / DB_NAME, "SELECT count(*) FROM crawl_runs")[0][0] == 4


def test_refuses_a_folder_it_did_not_make(tmp_path: Path):
    foreign = tmp_path / "papers"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("the user's own file", encoding="utf-8")
    result = run_demo(foreign, tmp_path)
    assert result.returncode != 0
    assert "not made by `shanggao demo`" in result.stderr
    assert "Traceback" not in result.stderr
    assert (foreign / "keep.txt").exists() and not (foreign / MARKER).exists()
