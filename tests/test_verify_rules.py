"""The rules file: validation with clear errors, the points formula, re-verification, quotas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from verify_support import june_office

from shanggao.cli import main
from shanggao.periods import parse_period
from shanggao.reports.data import collect
from shanggao.rules import RulesError, load_rules
from shanggao.verify import verify_claims

JUNE = (dt.date(2022, 6, 1), dt.date(2022, 6, 30))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults():
    rules = load_rules()
    assert rules.source == "default"
    assert rules.tier_points["central"] == 20 and rules.outlet_points["rmrb"] == 30
    assert rules.quotas.minimum("白沙镇") == 2 and rules.quotas.minimum("县委组织部") == 4
    assert rules.quotas.unit_key("组织科") == "县委组织部"


def test_points_formula():
    rules = load_rules()
    points, detail = rules.placement_points(outlet_slug="hnrb", tier="provincial", outlet_kind="epaper",
                                            page_no=1, placed_chars=2500, match_kind="full")
    assert points == 30 and "头版×2" in detail and "2500字×1.5" in detail
    online, _ = rules.placement_points(outlet_slug="rednet", tier="provincial", outlet_kind="portal",
                                       page_no=None, placed_chars=500, match_kind="roundup")
    assert online == 2.5  # 10 x online 0.5 x excerpt 0.5
    capped, detail = rules.placement_points(outlet_slug="rmrb", tier="central", outlet_kind="epaper",
                                            page_no=1, placed_chars=3000, match_kind="full")
    assert capped == 60 and "封顶60" in detail


def test_partial_file_keeps_other_defaults(tmp_path):
    rules = load_rules(write(tmp_path, '[points]\nprovincial = 12\n[quotas.units]\n"白沙镇" = 3\n'))
    assert rules.tier_points["provincial"] == 12 and rules.tier_points["central"] == 20
    assert rules.quotas.minimum("白沙镇") == 3 and rules.quotas.minimum("武溪镇") == 2
    assert rules.outlet_points["rmrb"] == 30  # per-outlet table merged, not replaced
    assert rules.digest != load_rules().digest


@pytest.mark.parametrize("text, message", [
    ("[points]\ncentrall = 3\n", "unknown rules key 'points.centrall'"),
    ("[points]\ncentral = \"many\"\n", "points.central must be a number"),
    ("[points]\ncentral = -1\n", "points.central must be ≥ 0"),
    ("[points.outlets]\n\"No Such\" = 5\n", "points.outlets.No Such: not an outlet slug"),
    ("[coauthors]\nsplit = \"half\"\n", "coauthors.split must be one of equal, full, first_author"),
    ("[verification]\npaying_statuses = [\"ok\"]\n", "unknown status 'ok'"),
    ("[quotas]\ndefault_monthly = 1.5\n", "quotas.default_monthly must be a whole number"),
    ("[[multipliers.length]]\nmin_chars = 10\n", "needs exactly min_chars and factor"),
    ("points = 3\n", "points must be a table"),
    ("[points\n", "not valid TOML"),
])
def test_validation_errors(tmp_path, text, message):
    with pytest.raises(RulesError) as caught:
        load_rules(write(tmp_path, text))
    assert message in str(caught.value) and "rules.toml" in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(RulesError, match="rules file not found"):
        load_rules(tmp_path / "nope.toml")


def test_changing_rules_recomputes_points(tmp_path):
    s = june_office(tmp_path)
    verify_claims(s.store, *JUNE, load_rules())
    assert s.verdict("C01")["points"] == 20 and s.verdict("C03")["points"] == 15
    old_hash = s.verdict("C01")["rules_hash"]
    custom = load_rules(write(tmp_path, '[points]\nprovincial = 50\n[coauthors]\nsplit = "full"\n'
                                        '[caps]\nper_article = 80\n'))
    verify_claims(s.store, *JUNE, custom)
    c01 = s.verdict("C01")
    assert c01["points"] == 80 and "封顶80" in c01["points_detail"]  # 50 x front page 2 = 100, capped
    assert c01["rules_hash"] == custom.digest != old_hash
    assert s.verdict("C03")["points"] == 30 and s.verdict("C04")["points"] == 30  # co-authors each get it all
    first = load_rules(write(tmp_path, '[coauthors]\nsplit = "first_author"\n'))
    verify_claims(s.store, *JUNE, first)
    assert (s.verdict("C03")["points"], s.verdict("C04")["points"]) == (30, 0)  # 李四 is the first author
    # a report under other rules than the verdicts' says so
    data = collect(s.store, parse_period("2022-06"), load_rules())
    assert data.stale_verdicts == 15 and any("其他规则" in n for n in data.notes)


def test_paying_statuses(tmp_path):
    s = june_office(tmp_path)
    verify_claims(s.store, *JUNE, load_rules(write(tmp_path, '[verification]\npaying_statuses = ["verified"]\n')))
    assert s.verdict("C06")["status"] == "verified_with_discrepancy" and s.verdict("C06")["points"] == 0


def test_quotas_in_report_data(tmp_path):
    s = june_office(tmp_path)
    for i in range(2):  # 白沙镇 sends two more: three in June
        s.manuscript(f"MB{i}", f"白沙镇六月稿{i}", "泸溪县白沙镇" if i else "白沙镇", ["张三"], f"2022-06-1{i}")
    rules = load_rules(write(tmp_path, '[quotas.units]\n"兴隆场镇" = 0\n[quotas]\nroster = ["解放岩乡"]\n'))
    verify_claims(s.store, *JUNE, rules)
    units = {u.unit: u for u in collect(s.store, parse_period("2022-06"), rules).units}
    june = (2022, 6)
    # 泸溪县白沙镇 is 白沙镇: one unit, three manuscripts
    assert units["白沙镇"].months[june].submitted == 3 and "泸溪县白沙镇" not in units
    assert units["白沙镇"].months[june].label == "达标"
    assert units["兴隆场镇"].quota == 0 and units["兴隆场镇"].months[june].met
    assert units["武溪镇"].months[june].label == "未达标"
    assert units["解放岩乡"].months[june].submitted == 0 and not units["解放岩乡"].months[june].met
    office = units["县委组织部"]  # the 组织科 manuscript counts for the office, against 4
    assert (office.quota, office.months[june].submitted, office.months[june].label) == (4, 1, "未达标")
    assert office.tiers["central"] == 1


@pytest.mark.parametrize("written, unit", [
    ("白沙镇", "白沙镇"),
    ("泸溪县白沙镇", "白沙镇"),
    ("湘西州泸溪县白沙镇", "白沙镇"),
    ("中共泸溪县白沙镇委员会", "白沙镇"),
    ("白沙镇人民政府", "白沙镇"),
    (" 泸溪县　兴隆场镇 ", "兴隆场镇"),
    ("泸溪县教育和体育局", "县教育和体育局"),
    ("县教育和体育局", "县教育和体育局"),
    ("泸溪县住房和城乡建设局", "县住房和城乡建设局"),   # 城乡 inside a name is no township
    ("中共泸溪县委宣传部", "县委宣传部"),
    ("泸溪县委宣传部", "县委宣传部"),
    # the office and its sections (office_units are aliases and prefixes of the office)
    ("县委组织部", "县委组织部"),
    ("县委组织部信息宣传室", "县委组织部"),
    ("中共泸溪县委组织部", "县委组织部"),
    ("泸溪县委组织部研究室", "县委组织部"),
    ("组织科", "县委组织部"),
    ("", "（未填单位）"),
    (None, "（未填单位）"),
])
def test_unit_names_are_normalised(written, unit):
    assert load_rules().quotas.unit_key(written) == unit


def test_county_prefixes_and_unit_quotas_are_configurable(tmp_path):
    rules = load_rules(write(tmp_path, '[quotas]\ncounty_prefixes = ["凤凰县"]\nroster = ["凤凰县廖家桥镇"]\n'
                                       '[quotas.units]\n"凤凰县沱江镇" = 5\n'))
    assert rules.quotas.unit_key("凤凰县沱江镇") == "沱江镇" and rules.quotas.minimum("沱江镇") == 5
    assert rules.quotas.roster == ("廖家桥镇",)
    assert rules.quotas.unit_key("凤凰县公安局") == "县公安局"
    assert rules.quotas.unit_key("泸溪县公安局") == "泸溪县公安局"  # 泸溪县 is no longer a prefix
    with pytest.raises(RulesError, match="are the same unit"):
        load_rules(write(tmp_path, '[quotas.units]\n"白沙镇" = 3\n"泸溪县白沙镇" = 4\n'))


def test_report_folds_office_sections_and_prefixed_units(tmp_path):
    s = june_office(tmp_path)
    s.manuscript("MO1", "信息宣传室六月稿", "县委组织部信息宣传室", ["覃某"], "2022-06-12")
    s.manuscript("MO2", "研究室六月稿", "中共泸溪县委组织部研究室", ["覃某"], "2022-06-13")
    s.claim("C20", "M04", ["孙八"], "泸溪县兴隆场镇", "湖南日报", "2022-06-18", row=20)
    rules = load_rules()
    verify_claims(s.store, *JUNE, rules)
    data = collect(s.store, parse_period("2022-06"), rules)
    units = [u.unit for u in data.units]
    assert units.count("县委组织部") == 1 and units[0] == "县委组织部"
    assert not any("信息宣传室" in u or "研究室" in u or u.startswith("泸溪县") for u in units)
    assert data.units[0].months[(2022, 6)].submitted == 3  # 组织科 + 信息宣传室 + 研究室
    placement = next(p for p in data.placements if p.manuscript_id == "M04")
    assert placement.units == ["兴隆场镇"]


def test_cli_rules_errors_are_one_line(tmp_path):
    s = june_office(tmp_path)
    bad = write(tmp_path, "[caps]\nper_article = \"lots\"\n")
    result = CliRunner().invoke(main, ["--db", str(s.store.path), "verify", "--period", "2022-06", "--rules", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error:") and "caps.per_article must be a number" in result.output
    assert "Traceback" not in result.output


def test_config_rules_relative_to_config(tmp_path):
    s = june_office(tmp_path)
    (tmp_path / "office").mkdir()
    (tmp_path / "office" / "rules.toml").write_text("[points]\nprovincial = 7\n", encoding="utf-8")
    config = tmp_path / "office" / "shanggao.toml"
    config.write_text('rules = "rules.toml"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(s.store.path), "--config", str(config), "verify",
                                       "--period", "2022-06"])
    assert result.exit_code == 0, result.output
    assert s.verdict("C01")["points"] == 14
