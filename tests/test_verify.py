"""Verification on a real temp DuckDB store: every status, evidence, duplicates, re-runs, the CLI."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from click.testing import CliRunner
from verify_support import EXPECTED_JUNE, Scenario, june_office, new_store, paragraph

from shanggao.cli import main
from shanggao.db import utcnow
from shanggao.db.outlets import resolve_outlet
from shanggao.periods import parse_period
from shanggao.reports.data import collect
from shanggao.rules import load_rules
from shanggao.spiders.text import parse_page_label
from shanggao.verify import verify_claims

JUNE = (dt.date(2022, 6, 1), dt.date(2022, 6, 30))


@pytest.fixture(scope="module")
def june(tmp_path_factory) -> Scenario:
    scenario = june_office(tmp_path_factory.mktemp("june"))
    verify_claims(scenario.store, *JUNE, load_rules())
    return scenario


@pytest.mark.parametrize("claim_id, status", sorted(EXPECTED_JUNE.items()))
def test_every_status(june, claim_id, status):
    assert june.verdict(claim_id)["status"] == status


def test_one_verdict_per_claim_of_the_period(june):
    with june.store.read() as con:
        rows = con.execute("SELECT claim_id FROM verdicts ORDER BY claim_id").fetchall()
    assert [r[0] for r in rows] == sorted(EXPECTED_JUNE)  # C16 (May) is not in June


def test_verified_carries_its_evidence(june):
    v = june.verdict("C01")
    assert v["article_id"] == june.articles["hnrb-0608"]
    assert v["evidence_outlet"] == "hnrb"
    assert v["evidence_date"] == dt.date(2022, 6, 8)
    assert v["evidence_page"] == 1
    assert v["evidence_url"].endswith("2022-06/08/content_1.htm")
    assert v["match_score"] == 92 and v["match_kind"] == "full"
    assert v["points"] == 20  # provincial 10 x front page 2
    assert "头版" in v["points_detail"]
    assert v["outlet_slug"] == "hnrb" and v["manuscript_id"] == "M01"


def test_discrepancies_list_each_difference(june):
    group = june.verdict("C06")
    assert any(d.startswith("媒体：") and "同属人民日报社" in d for d in group["discrepancies"])
    assert any(d.startswith("日期：") for d in group["discrepancies"])
    assert any("报社名" in w for w in group["warnings"])  # 人民日报社 is a publisher, not a paper
    page_title = june.verdict("C07")
    kinds = sorted(d.split("：")[0] for d in page_title["discrepancies"])
    assert kinds == ["标题", "版次"]


def test_not_covered_says_what_to_run(june):
    assert june.verdict("C11")["suggestion"] == "shanggao crawl tjb --from 2022-06-22 --to 2022-06-24"
    assert june.verdict("C12")["suggestion"] == "shanggao fetch https://hn.rednet.cn/content/2022/06/24/1.html"
    assert "2022-06-22" in june.verdict("C10")["reasons"][0]  # not_found names the days it checked


def test_duplicates_and_coauthors(june):
    assert june.verdict("C02")["duplicate_of"] == "C01"
    assert june.verdict("C02")["points"] == 0
    assert june.verdict("C05")["duplicate_of"] == "C03"
    assert "陈某 不在稿件作者中" in june.verdict("C05")["reasons"][0]
    # co-authors 李四 and 王五 share 人民日报's 30 points equally
    assert june.verdict("C03")["points"] == 15 and june.verdict("C04")["points"] == 15
    assert "合作作者" in june.verdict("C04")["warnings"][0]


def test_reasons_explain_failures(june):
    assert "长沙地铁新线开通" in june.verdict("C09")["reasons"][0]
    assert "早于稿件报送日期" in june.verdict("C13")["reasons"][1]
    assert "吴十" in june.verdict("C08")["reasons"][1]
    assert "M99" in june.verdict("C14")["reasons"][0]
    assert "新华社" in june.verdict("C15")["reasons"][0]
    for claim_id in ("C08", "C09", "C10", "C11", "C13", "C14", "C15"):
        assert june.verdict(claim_id)["points"] == 0


def test_unclaimed_placements_view(june):
    with june.store.read() as con:
        rows = con.execute("SELECT article_id, outlet, manuscript_id FROM unclaimed_placements").fetchall()
    assert rows == [(june.articles["tjb-0609"], "tjb", "M01")]


def test_rerun_replaces_and_follows_new_crawls(tmp_path):
    s = june_office(tmp_path)
    rules = load_rules()
    verify_claims(s.store, *JUNE, rules)
    first = s.verdict("C11")
    assert first["status"] == "not_covered"
    s.crawl_run("tjb", "2022-06-20", "2022-06-26")
    summary = verify_claims(s.store, *JUNE, rules)
    assert s.verdict("C11")["status"] == "not_found"
    assert len(summary.verdicts) == len(EXPECTED_JUNE)
    with s.store.read() as con:
        assert con.execute("SELECT count(*), count(DISTINCT claim_id) FROM verdicts").fetchone() == (15, 15)


def test_verified_at_is_utc(tmp_path, monkeypatch):
    """The store's TIMESTAMP columns are naive UTC (db.utcnow), even on a machine set to Beijing time."""
    s = june_office(tmp_path)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        verify_claims(s.store, *JUNE, load_rules())
    finally:
        monkeypatch.undo()
        time.tzset()
    verified_at = s.verdict("C01")["verified_at"]
    assert verified_at.tzinfo is None
    assert abs(utcnow() - verified_at) < dt.timedelta(hours=1)  # local time would be 8 hours off


def test_failed_crawl_does_not_count_as_covered(tmp_path):
    s = Scenario(new_store(tmp_path))
    s.manuscript("M1", "某镇稿件", "白沙镇", ["张三"], "2022-06-01")
    s.crawl_run("tjb", "2022-06-01", "2022-06-30", status="failed")
    s.claim("C1", "M1", ["张三"], "白沙镇", "团结报", "2022-06-10")
    verify_claims(s.store, *JUNE, load_rules())
    assert s.verdict("C1")["status"] == "not_covered"


@pytest.mark.parametrize("text, slug, confident", [
    ("湖南日报社", "hnrb", False),
    ("《人民日报》", "rmrb", True),
    ("人民网", "peoplecn", True),
    ("红网湘西站", "rednet", True),
    ("新湖南客户端", "xinhunan", True),
    ("红网泸溪站", "rednet", False),
    ("湖南曰报", "hnrb", False),
    ("https://www.hxw.gov.cn/content/1.html", "hxw", True),
    ("新华社", None, False),
    ("", None, False),
])
def test_resolve_outlet(text, slug, confident):
    found = resolve_outlet(text)
    assert (found.slug, found.confident) == (slug, confident)
    assert bool(found.note) != confident


def test_loose_outlet_names_verify(tmp_path):
    s = Scenario(new_store(tmp_path))
    s.manuscript("M1", "红网稿件", "白沙镇", ["张三"], "2022-06-01")
    s.article("a", "https://xx.rednet.cn/content/2022/06/10/1.html", "rednet", "红网稿件", "2022-06-10",
              byline="通讯员 张三")
    s.match("M1", "a")
    s.manuscript("M2", "湖南日报稿件", "白沙镇", ["张三"], "2022-06-01")
    s.article("b", "https://epaper.voc.com.cn/hnrb/html/2022-06/11/content_2.htm", "hnrb", "湖南日报稿件", "2022-06-11",
              page_no=2, byline="张三")
    s.match("M2", "b")
    s.claim("C1", "M1", ["张三"], "白沙镇", "红网湘西站", "2022-06-10")
    s.claim("C2", "M2", ["张三"], "白沙镇", "湖南日报社", "2022-06-11")
    # unknown outlet name, but the URL's host is registered
    s.claim("C3", "M1", ["张三"], "白沙镇", "某某融媒号", "2022-06-10",
            url="https://xx.rednet.cn/content/2022/06/10/1.html")
    verify_claims(s.store, *JUNE, load_rules())
    assert s.verdict("C1")["status"] == "verified" and s.verdict("C1")["warnings"] == []
    c2 = s.verdict("C2")
    assert c2["status"] == "verified" and "报社名" in c2["warnings"][0]
    c3 = s.verdict("C3")
    assert c3["outlet_slug"] == "rednet" and "按链接域名认定为红网" in c3["warnings"][0]


def test_roundup_holds_one_placement_per_manuscript(tmp_path):
    """Two manuscripts merged into one 综合稿 are two placements: each claim gets the full
    (roundup-multiplied) points; only a second claim of the same manuscript is a duplicate."""
    s = Scenario(new_store(tmp_path))
    s.manuscript("M1", "浦市镇党员先锋在一线", "浦市镇", ["张永强"], "2022-06-01")
    s.manuscript("M2", "武溪镇党员服务暖人心", "武溪镇", ["李春兰"], "2022-06-02")
    s.article("roundup", "https://epaper.voc.com.cn/hnrb/html/2022-06/14/content_3.htm", "hnrb",
              "党员先锋在一线 服务群众暖人心", "2022-06-14", page_no=3, byline="本报记者 某某",
              body=paragraph("泸溪县各乡镇", 12))
    s.match("M1", "roundup", kind="roundup", article_coverage=0.3)
    s.match("M2", "roundup", kind="roundup", article_coverage=0.3)
    s.claim("C1", "M1", ["张永强"], "浦市镇", "湖南日报", "2022-06-14", row=1)
    s.claim("C2", "M2", ["李春兰"], "武溪镇", "《湖南日报》", "2022-06-14", row=2)
    s.claim("C3", "M2", ["向东"], "武溪镇", "湖南日报", "2022-06-14", row=3)  # no author of M2
    rules = load_rules()
    verify_claims(s.store, *JUNE, rules)
    with s.store.read() as con:
        chars = con.execute("SELECT body_chars FROM articles").fetchone()[0]
    full, _ = rules.placement_points(outlet_slug="hnrb", tier="provincial", outlet_kind="epaper", page_no=3,
                                     placed_chars=round(chars * 0.3), match_kind="roundup")
    assert full == 5  # provincial 10 x 综合稿 0.5
    for claim in ("C1", "C2"):
        v = s.verdict(claim)
        assert v["status"] == "verified" and v["points"] == full, v
        assert "分配" not in v["points_detail"] and not any("合作作者" in w for w in v["warnings"])
    assert s.verdict("C3")["status"] == "duplicate_claim" and s.verdict("C3")["duplicate_of"] == "C2"
    data = collect(s.store, parse_period("2022-06"), rules)
    assert sorted((p.manuscript_id, p.points, tuple(p.units)) for p in data.placements) == [
        ("M1", full, ("浦市镇",)), ("M2", full, ("武溪镇",))]
    assert sum(data.chart.counts["provincial"]) == 2
    assert {u.unit: u.placements for u in data.units if u.placements} == {"浦市镇": 1, "武溪镇": 1}


def test_manuscript_found_by_title_when_id_missing(tmp_path):
    s = Scenario(new_store(tmp_path))
    s.manuscript("M1", "乡村振兴的白沙答卷", "白沙镇", ["张三"], "2022-06-01")
    s.article("a", "https://epaper.voc.com.cn/hnrb/html/2022-06/10/content_1.htm", "hnrb", "乡村振兴的白沙答卷",
              "2022-06-10", page_no=5, byline="张三")
    s.match("M1", "a")
    s.claim("C1", None, ["张三"], "白沙镇", "湖南日报", "2022-06-10", title="乡村振兴的“白沙答卷”")
    verify_claims(s.store, *JUNE, load_rules())
    v = s.verdict("C1")
    assert v["status"] == "verified" and v["manuscript_id"] == "M1"
    assert "按标题对应到稿件 M1" in v["warnings"][0]


def test_date_tolerance_and_retitled(tmp_path):
    s = Scenario(new_store(tmp_path))
    s.manuscript("M1", "原稿标题", "白沙镇", ["张三"], "2022-06-01")
    s.article("a", "https://epaper.voc.com.cn/hnrb/html/2022-06/11/content_1.htm", "hnrb", "编辑改过的标题",
              "2022-06-11", page_no=5, byline="张三")
    s.match("M1", "a", kind="edited")
    s.claim("C1", "M1", ["张三"], "白沙镇", "湖南日报", "2022-06-10", title="原稿标题", page="第五版")
    verify_claims(s.store, *JUNE, load_rules())
    v = s.verdict("C1")
    assert v["status"] == "verified"
    assert any("相差 1 天" in w for w in v["warnings"]) and any("见报标题为" in w for w in v["warnings"])


def test_undated_claims_only_without_period(tmp_path):
    s = Scenario(new_store(tmp_path))
    s.manuscript("M1", "某稿", "白沙镇", ["张三"], "2022-06-01")
    s.claim("C1", "M1", ["张三"], "白沙镇", "湖南日报", None)
    summary = verify_claims(s.store, *JUNE, load_rules())
    assert summary.verdicts == [] and summary.undated_skipped == 1
    verify_claims(s.store, None, None, load_rules())
    assert s.verdict("C1")["status"] == "not_covered"
    assert "未填刊发日期" in s.verdict("C1")["reasons"][0]


@pytest.mark.parametrize("text, page", [("第4版", 4), ("04版", 4), ("A4", 4), ("头版", 1), ("第十二版", 12),
                                        ("要闻版", None), (None, None)])
def test_parse_page_label_of_claims(text, page):
    assert parse_page_label(text)[0] == page


def test_cli_verify(tmp_path):
    s = june_office(tmp_path)
    runner = CliRunner()
    db = str(s.store.path)
    result = runner.invoke(main, ["--db", db, "verify", "--period", "2022-06"])
    assert result.exit_code == 0, result.output
    assert "共 15 条核验结论" in result.output and "重复申报 2" in result.output
    result = runner.invoke(main, ["--db", db, "verify", "--from", "2022-06-01", "--to", "2022-06-30",
                                  "--problems-only", "--format", "json"])
    assert result.exit_code == 0 and '"C01"' not in result.output and '"C15"' in result.output
    result = runner.invoke(main, ["--db", db, "verify", "--from", "2022-06-01"])
    assert result.exit_code == 1 and "--from and --to go together" in result.output
    result = runner.invoke(main, ["--db", db, "verify", "--period", "June"])
    assert result.exit_code == 1 and "YYYY-MM" in result.output
