"""Reports in every format, opened with the libraries that read them (openpyxl, python-docx)."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from verify_support import Scenario, june_office

from shanggao.cli import main
from shanggao.periods import parse_period
from shanggao.reports import publish, write_report
from shanggao.reports.data import collect, parse_evidence
from shanggao.rules import load_rules
from shanggao.verify import verify_claims

HOSTILE = "<script>document.title='PWNED'</script>\"'><img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","点我")'


def hostile_placements(s: Scenario) -> None:
    """Crawled strings an attacker controls: a title with markup, a formula, a javascript: URL."""
    s.manuscript("MX", "浦市镇稿件", "浦市镇", ["周九"], "2022-06-02",
                 body="浦市镇<b>加强</b>基层组织建设。\n第二段落内容。")
    s.article("hostile", "https://hn.rednet.cn/content/2022/06/26/9.html", "rednet", HOSTILE, "2022-06-26",
              byline="周九", body="<script>alert(2)</script>浦市镇<b>加强</b>基层组织建设。")
    s.match("MX", "hostile", evidence={"passages": [{"manuscript": [3, 16], "article": [28, 41]}]})
    s.claim("CX", "MX", ["周九"], "浦市镇", "红网", "2022-06-26")
    s.article("formula", "javascript:alert(3)", "rednet", FORMULA, "2022-06-29", byline="周九")
    s.match("MX", "formula")  # unclaimed, with a URL that must never become a link


@pytest.fixture(scope="module")
def june(tmp_path_factory) -> Scenario:
    s = june_office(tmp_path_factory.mktemp("reports"))
    hostile_placements(s)
    verify_claims(s.store, dt.date(2022, 1, 1), dt.date(2022, 12, 31), load_rules())
    return s


def test_report_data(june):
    data = collect(june.store, parse_period("2022-06"), load_rules())
    assert data.title == "中共泸溪县委组织部2022年6月新闻上稿情况通报"
    assert [p.title for p in data.placements][:2] == ["白沙镇“党建+产业”带富一方", "建强组织体系 夯实执政根基"]
    assert {p.title for p in data.unclaimed} == {"白沙：党建引领产业兴", FORMULA}
    assert {c.claim_id for c in data.needs_look} >= {"C02", "C06", "C11", "C15"}
    assert data.chart.labels[-2:] == ["5月", "6月"]
    assert data.chart.counts["central"][-1] == 2 and data.chart.counts["provincial"][-2] == 1


def test_xlsx(june, tmp_path):
    path = write_report(june.store, parse_period("2022-06"), load_rules(), "xlsx", tmp_path / "r.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["总体情况", "月度走势", "单位排名", "个人排名", "各单位情况", "已核实上稿", "未申报上稿"]
    assert wb["总体情况"]["A1"].value == "中共泸溪县委组织部2022年6月新闻上稿情况通报"
    rows = [[c.value for c in row] for row in wb["各单位情况"].iter_rows()]
    header = rows.index(["单位", "报送稿件", "任务数", "核实上稿", "中央", "省级", "积分"])  # tiers with placements
    assert rows[header + 1][:3] == ["县委组织部", 1, 4]
    placed = wb["已核实上稿"]
    titles = {row[4].value: row[4] for row in placed.iter_rows(min_row=3)}
    assert titles[HOSTILE].value == HOSTILE  # stored as text, as it was crawled
    assert all(cell.hyperlink is None for cell in titles.values())  # links go to the 工作底稿
    unclaimed = {row[4].value: row[4] for row in wb["未申报上稿"].iter_rows(min_row=3)}
    assert unclaimed[FORMULA].data_type == "s" and unclaimed[FORMULA].hyperlink is None
    chart = wb["月度走势"]._charts[0]
    assert chart.grouping == "stacked" and len(chart.series) == 5
    sheet = load_workbook(tmp_path / "r-工作底稿.xlsx")
    look = [row[0].value for row in sheet["需核查"].iter_rows(min_row=4)]
    assert "C15" in look and "C01" not in look


def test_markdown_escapes(june, tmp_path):
    path = write_report(june.store, parse_period("2022-06"), load_rules(), "md", tmp_path / "r.md")
    text = path.read_text(encoding="utf-8")
    assert "\n# 中共泸溪县委组织部2022年6月新闻上稿情况通报\n" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "](<javascript:" not in text
    assert "## 五、下一步工作要求" in text and "C15" not in text and "shanggao" not in text


def test_year_report_has_monthly_quota_matrix(june, tmp_path):
    data = collect(june.store, parse_period("2022"), load_rules())
    assert data.title == "中共泸溪县委组织部2022年度新闻上稿考核情况"
    assert len(data.chart.months) == 12
    path = write_report(june.store, parse_period("2022"), load_rules(), "md", tmp_path / "y.md")
    text = path.read_text(encoding="utf-8")
    assert "各单位逐月报送情况" in text and "| 单位 | 1月 | 2月 |" in text
    # counted from May, the first month with data: January to April are "—", not missed months
    assert "| 县委组织部 | — | — | — | — | 0✗ | 1✗ |" in text
    assert "报送任务按2022年5月至12月共8个月统计" in text


def test_cli_report_default_path(june, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--db", str(june.store.path), "report", "--period", "2022-06"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "上稿通报-2022-06.html").exists()
    result = CliRunner().invoke(main, ["--db", str(june.store.path), "report", "--period", "2022",
                                       "--format", "pdf"])
    assert result.exit_code == 1 and "pdf" in result.output and len(result.output.strip().splitlines()) == 1


def test_generated_at_is_beijing_time_and_labelled(june, tmp_path):
    data = collect(june.store, parse_period("2022-06"), load_rules())
    assert data.generated_at.utcoffset() == dt.timedelta(hours=8)
    path = write_report(june.store, parse_period("2022-06"), load_rules(), "md", tmp_path / "r.md")
    day = data.generated_at.date()
    assert f"{day.year}年{day.month}月{day.day}日" in path.read_text(encoding="utf-8")  # 成文日期
    about = [c.value for c in load_workbook(tmp_path / "r-工作底稿.xlsx")["说明"]["A"]]
    assert any(f"生成时间：{data.generated_at:%Y-%m-%d} " in (v or "") and "（北京时间）" in v for v in about)


def test_report_notes_unverified_claims(tmp_path):
    s = june_office(tmp_path)
    data = collect(s.store, parse_period("2022-06"), load_rules())
    assert all(c.status_label == "未核验" for c in data.claims)
    done = publish(s.store, parse_period("2022-06"), load_rules(), "md", tmp_path / "r.md")
    assert any("no verdict" in w and "shanggao verify --period 2022-06" in w for w in done.warnings)
    assert "shanggao" not in done.report.read_text(encoding="utf-8")  # warned on the terminal, not in the 通报


@pytest.mark.parametrize("raw, count", [
    ('[{"manuscript_start": 0, "manuscript_end": 5, "article_start": 2, "article_end": 7}]', 1),
    ({"passages": [{"manuscript_start": 0, "manuscript_end": 5, "article_start": 2, "article_end": 7}]}, 1),
    ({"passages": [{"manuscript": [0, 5], "article": [2, 7], "matched_chars": 5}], "evidence": 40.0}, 1),
    ("not json", 0), (None, 0), ('[{"manuscript_start": "x"}]', 0), ({"passages": [{"manuscript": [1]}]}, 0),
])
def test_parse_evidence(raw, count):
    assert len(parse_evidence(raw)) == count
