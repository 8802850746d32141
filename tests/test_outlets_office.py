"""The registry the office extends: `outlets add` / `outlets alias`, the config's [outlet.SLUG],
outlets named loosely in `crawl`, and claims on outlets the registry lacked."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shlex
import subprocess
from pathlib import Path

import pytest
from cli_support import shanggao_command
from click.testing import CliRunner
from verify_support import Scenario, new_store

from shanggao.cli import main
from shanggao.db import Store
from shanggao.db.outlets import BUILTIN, OutletError, add_aliases, add_outlet, load_registry, office_outlet
from shanggao.rules import load_rules
from shanggao.spiders.plan import plan_crawl
from shanggao.spiders.run import available_outlets
from shanggao.verify import verify_claims
from shanggao.verify.judge import ASK_FOR_LINK

JUNE_DATES = (dt.date(2022, 6, 1), dt.date(2022, 6, 30))


def run(*args: str, db: Path, config: Path | None = None) -> tuple[int, str]:
    words = ["--db", str(db), *(["--config", str(config)] if config else []), *args]
    result = CliRunner().invoke(main, words)
    return result.exit_code, result.output


def listed(db: Path, config: Path | None = None) -> dict[str, dict[str, str]]:
    code, out = run("outlets", "--format", "csv", db=db, config=config)
    assert code == 0, out
    return {row["slug"]: row for row in csv.DictReader(io.StringIO(out))}


def test_the_names_a_county_office_writes_are_outlets_of_their_own():
    expected = {"学习强国": "xuexi", "新华网": "xinhua", "今日头条": "toutiao", "湖南卫视": "hntv",
                "湘西州融媒体中心": "xxrmt", "湘西头条": "xxrmt", "泸溪县融媒体中心": "lxrmt", "掌上泸溪": "lxrmt",
                "湖南组工": "hnzg", "湘西组工": "xxzg", "组工通讯": "zgtx", "湘组研究": "xzyj",
                "人民日报": "rmrb", "人民日报海外版": "rmrbhw", "《人民日报》海外版": "rmrbhw",
                "人民日报客户端": "rmrbapp", "人民网": "peoplecn"}
    for text, slug in expected.items():
        found = BUILTIN.resolve(text)
        assert (found.slug, found.confident) == (slug, True), text
    assert BUILTIN.for_url("https://paper.people.com.cn/rmrbhwb/html/2022-06/10/content_1.htm").slug == "rmrbhw"
    assert BUILTIN.for_url("https://paper.people.com.cn/rmrb/html/2022-06/10/nw.D110000renmrb_1.htm").slug == "rmrb"
    assert {BUILTIN[s].crawl for s in ("xuexi", "xinhua", "toutiao", "hntv", "xxrmt", "lxrmt", "hnzg", "xxzg")} \
        == {"fetch"}
    assert BUILTIN["zgtx"].crawl == "print"
    rules = load_rules()  # the rules decide whether the people.com.cn family scores alike: by default it does not
    points = {slug: rules.placement_points(outlet_slug=slug, tier=BUILTIN[slug].tier, outlet_kind=BUILTIN[slug].kind,
                                           page_no=2, placed_chars=800, match_kind="full")[0]
              for slug in ("rmrb", "rmrbhw", "peoplecn")}
    assert points["rmrb"] > points["rmrbhw"] > points["peoplecn"]


def test_outlets_add_alias_and_the_listing(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run("init", db=db)[0] == 0
    code, out = run("outlets", "add", "xxdj", "--name", "湘西党建", "--tier", "prefectural", "--alias", "湘西党建网",
                    "--domain", "https://www.xxdj.example/", db=db)
    assert code == 0 and "added xxdj 湘西党建 (prefectural, fetch-only)" in out
    code, out = run("outlets", "add", "hnzgyj", "--name", "湖南组工研究", "--tier", "provincial", "--print-only", db=db)
    assert code == 0 and "print-only" in out
    code, out = run("outlets", "alias", "rmrb", "人民日报纸质版", db=db)
    assert code == 0 and "added 人民日报纸质版" in out
    rows = listed(db)
    assert rows["xxdj"]["crawl"] == "fetch-only" and rows["xxdj"]["origin"] == "office"
    assert rows["xxdj"]["domains"] == "www.xxdj.example" and rows["xxdj"]["tier"] == "prefectural"
    assert rows["hnzgyj"]["crawl"] == "print-only"
    assert rows["rmrb"]["crawl"] == "spider" and "人民日报纸质版" in rows["rmrb"]["aliases"]
    assert rows["xxnet"]["crawl"] == "generic file" and rows["peoplecn"]["crawl"] == "fetch-only"
    assert rows["xzyj"]["crawl"] == "print-only"
    # Redefining an office outlet changes its tier; built-ins and names of other outlets are refused.
    code, out = run("outlets", "add", "xxdj", "--name", "湘西党建", "--tier", "county", db=db)
    assert code == 0 and "redefined" in out and listed(db)["xxdj"]["tier"] == "county"
    for args, message in [
        (("outlets", "add", "rmrb", "--name", "人民日报", "--tier", "other"), "is built in"),
        (("outlets", "add", "xx2", "--name", "学习强国", "--tier", "central"), "already means 学习强国 (xuexi)"),
        (("outlets", "add", "xx3", "--name", "某网", "--tier", "county", "--domain", "www.people.com.cn"),
         "already belongs to 人民网"),
        (("outlets", "add", "Bad Slug", "--name", "某网", "--tier", "county"), "outlet slug 'Bad Slug'"),
        (("outlets", "add", "xx4", "--name", "某网", "--tier", "national"), "'national' is not one of"),
        (("outlets", "alias", "nosuch", "某报"), "unknown outlet 'nosuch'"),
        (("outlets", "alias", "tjb", "人民日报"), "already means 人民日报 (rmrb)"),
    ]:
        code, out = run(*args, db=db)
        assert code == 1 and message in out and "Traceback" not in out, (args, out)
        assert len(out.strip().splitlines()) == 1, out


def test_outlets_declared_in_the_config_file(tmp_path):
    config = tmp_path / "shanggao.toml"
    config.write_text('[shanggao]\noutlets = ["rmrb"]\n\n[outlet.xxdj]\nname = "湘西党建"\ntier = "prefectural"\n'
                      'aliases = ["湘西党建网"]\ndomains = ["www.xxdj.example"]\n\n'
                      '[outlet.lxzz]\nname = "泸溪组织工作"\ntier = "county"\nprint_only = true\n', encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert listed(db, config)["xxdj"]["origin"] == "config"   # before init: what init will write
    code, out = run("init", db=db, config=config)
    assert code == 0, out
    rows = listed(db, config)
    assert rows["xxdj"]["crawl"] == "fetch-only" and rows["lxzz"]["crawl"] == "print-only"
    assert rows["xxdj"]["origin"] == "config" and "湘西党建网" in rows["xxdj"]["aliases"]
    # The office's own redefinition is not overwritten by the config on the next command.
    assert run("outlets", "add", "xxdj", "--name", "湘西党建", "--tier", "county", db=db, config=config)[0] == 0
    assert listed(db, config)["xxdj"]["tier"] == "county"
    bad = tmp_path / "bad.toml"
    for text, message in [('[outlet.x1]\nname = "某"\ntier = "national"\n', "[outlet.x1]: outlet x1: tier"),
                          ('[outlet.x1]\nname = "某"\ntier = "county"\ncolour = "red"\n', "unknown key 'colour'"),
                          ('[outlet.x1]\nname = "某"\ntier = "county"\ndomains = "a.example"\n', "list of strings"),
                          ('[outlet.luxi]\ntier = "central"\n', "luxi is built in (泸溪县人民政府网); only aliases "
                                                                 "and domains can be added to it, not 'tier'")]:
        bad.write_text(text, encoding="utf-8")
        code, out = run("outlets", db=db, config=bad)
        assert code == 1 and message in out and len(out.strip().splitlines()) == 1, out


def test_crawl_takes_names_and_aliases_and_names_the_fetch_only_outlets(tmp_path):
    plan = plan_crawl(BUILTIN, ["人民日报", "rmrb", "团结报", "xxnet", "学习强国", "湘组研究", "luxi"],
                      available_outlets())
    assert plan.spiders == ["rmrb", "tjb"]
    assert [Path(p).name for p in plan.outlet_files] == ["xxnet.toml"]
    reasons = {n.info.slug: n.reason for n in plan.not_crawled}
    assert set(reasons) == {"xuexi", "xzyj", "luxi"}
    assert "fetch-only" in reasons["xuexi"] and "shanggao fetch URL" in reasons["xuexi"]
    assert "print-only" in reasons["xzyj"] and "shanggao evidence add" in reasons["xzyj"]
    assert "base_url is empty" in reasons["luxi"]   # its outlet file awaits the site's address
    db = tmp_path / "s.duckdb"
    out = subprocess.run([*shanggao_command(), "--db", str(db), "crawl", "人民网", "掌上泸溪", "--date", "2022-06-24"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "peoplecn (人民网): fetch-only" in out.stderr and "lxrmt (泸溪县融媒体中心): fetch-only" in out.stderr
    out = subprocess.run([*shanggao_command(), "--db", str(db), "crawl", "人民日", "--date", "2022-06-24"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and out.stderr.strip().splitlines() == [
        "Error: unknown outlet(s) 人民日 (did you mean 人民日报 rmrb?); `shanggao outlets` lists them "
        "(a slug, a name or an alias), `shanggao outlets add` adds one"]


def unrated_scenario(tmp_path: Path) -> Scenario:
    """Claims on outlets the registry lacks, on platforms and on fetch-only outlets."""
    s = Scenario(new_store(tmp_path))
    s.crawl_run("rmrb", "2022-06-01", "2022-06-10")
    s.manuscript("M1", "屋场会开到群众家门口", "白沙镇", ["张三"], "2022-06-01")
    s.article("mmfb", "https://www.mmfb.example/2022/0612/1.html", "www.mmfb.example", "屋场会开到群众家门口",
              "2022-06-12", byline="张三")
    s.match("M1", "mmfb")
    s.claim("U1", "M1", ["张三"], "白沙镇", "某某发布", "2022-06-12", url="https://www.mmfb.example/2022/0612/1.html",
            row=1)
    s.manuscript("M2", "党员积分超市开张了", "浦市镇", ["李四"], "2022-06-01")
    s.claim("U2", "M2", ["李四"], "浦市镇", "某某晚报", "2022-06-13", url="https://www.mmwb.example/a/2.html", row=2)
    s.claim("U3", "M2", ["李四"], "浦市镇", "某某晚报", "2022-06-13", row=3)
    # 湖南组工 is a WeChat account: its post is on mp.weixin.qq.com (the platform), the placement is 湖南组工's.
    s.manuscript("M3", "组织员队伍建设的泸溪做法", "组织科", ["王五"], "2022-06-01")
    s.article("wx", "https://mp.weixin.qq.com/s/AbCdEf123", "wechat", "组织员队伍建设的泸溪做法", "2022-06-14",
              byline="王五")
    s.match("M3", "wx")
    s.claim("U4", "M3", ["王五"], "组织科", "湖南组工", "2022-06-14", url="https://mp.weixin.qq.com/s/AbCdEf123", row=4)
    # fetch-only outlet, no link; a spider outlet whose days were not crawled; a print-only journal.
    s.manuscript("M4", "年轻干部墩苗记", "组织科", ["赵六"], "2022-06-01")
    s.claim("U5", "M4", ["赵六"], "组织科", "学习强国", "2022-06-15", row=5)
    s.claim("U6", "M4", ["赵六"], "组织科", "人民日报", "2022-06-20", row=6)
    s.claim("U7", "M4", ["赵六"], "组织科", "组工通讯", "2022-06-20", row=7)
    s.claim("U8", "M4", ["赵六"], "组织科", "团结报", "2022-06-21", row=8)
    s.claim("U9", "M4", ["赵六"], "组织科", "湘西网", "2022-06-22", row=9)
    s.claim("U10", "M4", ["赵六"], "组织科", "人民网", "2022-06-22", url="http://hn.people.com.cn/n2/2022/0622/c1.html",
            row=10)
    return s


def test_a_claim_on_an_unregistered_outlet_is_verified_and_scored_once_the_office_assigns_a_tier(tmp_path):
    s = unrated_scenario(tmp_path)
    verify_claims(s.store, *JUNE_DATES, load_rules())
    u1 = s.verdict("U1")
    assert u1["status"] == "verified" and u1["points"] == 0 and u1["outlet_slug"] is None
    assert any("尚未定级" in w for w in u1["warnings"]) and "尚未定级" in u1["points_detail"]
    assert u1["suggestion"] == "shanggao outlets add mmfb --name '某某发布' --tier other --domain www.mmfb.example"
    u2, u3 = s.verdict("U2"), s.verdict("U3")
    assert u2["status"] == "not_covered" and u2["suggestion"] == "shanggao fetch https://www.mmwb.example/a/2.html"
    assert u3["status"] == "unknown_outlet" and u3["suggestion"] == ASK_FOR_LINK
    u4 = s.verdict("U4")   # provincial × online
    assert u4["status"] == "verified" and u4["points"] == 5 and u4["evidence_outlet"] == "hnzg"
    assert any("微信公众号平台" in w for w in u4["warnings"])
    assert s.verdict("U5")["status"] == "not_covered" and s.verdict("U5")["suggestion"] == ASK_FOR_LINK
    assert s.verdict("U6")["suggestion"] == "shanggao crawl rmrb --from 2022-06-19 --to 2022-06-21"
    assert s.verdict("U7")["suggestion"].startswith("shanggao evidence add page.jpg --outlet zgtx --date 2022-06-20")
    assert s.verdict("U8")["suggestion"] == "shanggao crawl tjb --from 2022-06-20 --to 2022-06-22"
    assert s.verdict("U9")["suggestion"] == "shanggao crawl xxnet --from 2022-06-21 --to 2022-06-23"
    assert s.verdict("U10")["suggestion"] == "shanggao fetch http://hn.people.com.cn/n2/2022/0622/c1.html"

    # The report lists the outlet without a tier; the working sheet gives the command.
    db = s.store.path
    code, out = run("report", "--period", "2022-06", "--format", "md", "--out", str(tmp_path / "r.md"), db=db)
    assert code == 0, out
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "刊于尚未定级媒体的上稿（某某发布1篇）已核实，待媒体定级后计分" in report
    assert "| 某某发布（未定级） | 2022-06-12 |" in report   # the placement is listed under the claimed name
    from openpyxl import load_workbook
    sheet = load_workbook(tmp_path / "r-工作底稿.xlsx")["未定级媒体"]
    assert any(u1["suggestion"] in str(c.value) for row in sheet.iter_rows() for c in row)

    # The office assigns a tier with the printed command (county instead of other): the article fetched from
    # that host is attributed to the new outlet and the placement is scored.
    words = shlex.split(u1["suggestion"])[1:]
    words[words.index("other")] = "county"
    code, out = run(*words, db=db)
    assert code == 0 and "1 stored article(s) from www.mmfb.example now belong to mmfb" in out
    verify_claims(s.store, *JUNE_DATES, load_rules())
    u1 = s.verdict("U1")
    assert u1["status"] == "verified" and u1["outlet_slug"] == "mmfb" and u1["points"] == 1   # county 2 × online 0.5
    assert not any("尚未定级" in w for w in u1["warnings"])


def test_aliases_the_office_adds_count_without_reimporting(tmp_path):
    s = Scenario(new_store(tmp_path))
    s.crawl_run("tjb", "2022-06-01", "2022-06-30")
    s.manuscript("M1", "红马甲走进古镇", "浦市镇", ["符晓燕"], "2022-06-01")
    s.article("t", "http://www.xxnet.com.cn/szb/tjbpc/20220610/content_1.html", "tjb", "红马甲走进古镇", "2022-06-10",
              page_no=3, byline="符晓燕")
    s.match("M1", "t")
    s.claim("C1", "M1", ["符晓燕"], "浦市镇", "湘西日报", "2022-06-10", row=1)
    with s.store.write() as con:
        add_aliases(con, "tjb", ["湘西日报"])
        with pytest.raises(OutletError, match="already means"):
            add_aliases(con, "hnrb", ["湘西日报"])
        with pytest.raises(OutletError, match="is built in"):
            add_outlet(con, office_outlet("tjb", "团结报", "other"))
    with s.store.read() as con:
        assert load_registry(con).resolve("湘西日报").slug == "tjb"
    verify_claims(s.store, *JUNE_DATES, load_rules())
    assert s.verdict("C1")["status"] == "verified" and s.verdict("C1")["outlet_slug"] == "tjb"


def test_the_config_file_adds_spellings_and_hosts_to_a_built_in_outlet(tmp_path):
    config = tmp_path / "shanggao.toml"
    config.write_text('[outlet.luxi]\naliases = ["泸溪政府门户"]\ndomains = ["https://www.luxi.example/"]\n',
                      encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert run("init", db=db, config=config)[0] == 0
    luxi = listed(db, config)["luxi"]
    assert luxi["origin"] == "builtin" and "泸溪政府门户" in luxi["aliases"] and luxi["domains"] == "www.luxi.example"
    with Store(db).read() as con:
        assert load_registry(con).for_url("http://www.luxi.example/a/1.html").slug == "luxi"
    assert run("outlets", db=db, config=config)[0] == 0   # the next command finds it there and changes nothing


def test_a_host_the_office_confirms_for_a_built_in_outlet(tmp_path):
    """泸溪县人民政府网 is built in without an address: a claim's link on the county's host is scored with a
    warning that prints the command registering the host; once run, the host's articles belong to the outlet."""
    s = Scenario(new_store(tmp_path))
    s.manuscript("M1", "白沙镇屋场会开到家门口", "白沙镇", ["向明"], "2022-06-01")
    s.article("a", "http://www.luxi.example/zwgk/t20220624_1.html", "www.luxi.example", "白沙镇屋场会开到家门口",
              "2022-06-24", byline="向明")
    s.match("M1", "a")
    s.claim("C1", "M1", ["向明"], "白沙镇", "泸溪县人民政府网", "2022-06-24",
            url="http://www.luxi.example/zwgk/t20220624_1.html", row=1)
    verify_claims(s.store, *JUNE_DATES, load_rules())
    c1 = s.verdict("C1")
    assert c1["status"] == "verified" and c1["points"] == 1   # county 2 × online 0.5
    command = "shanggao outlets alias luxi --domain www.luxi.example"
    assert any(command in w for w in c1["warnings"]), c1["warnings"]

    db = s.store.path
    code, out = run(*shlex.split(command)[1:], db=db)
    assert code == 0 and "luxi: added host(s) www.luxi.example" in out
    assert "1 stored article(s) from www.luxi.example now belong to luxi" in out
    assert "www.luxi.example" in listed(db)["luxi"]["domains"]
    verify_claims(s.store, *JUNE_DATES, load_rules())
    c1 = s.verdict("C1")
    assert c1["status"] == "verified" and c1["evidence_outlet"] == "luxi" and c1["points"] == 1
    assert not any("未登记" in w for w in c1["warnings"])
    with s.store.read() as con:
        assert load_registry(con).for_url("http://www.luxi.example/zwgk/t20220625_2.html").slug == "luxi"

    for words, message in [
        (("outlets", "alias", "luxi", "--domain", "www.xxnet.com.cn"), "already belongs to 团结报 (tjb)"),
        (("outlets", "alias", "luxi"), "give at least one NAME or --domain HOST"),
    ]:
        code, out = run(*words, db=db)
        assert code == 1 and message in out and len(out.strip().splitlines()) == 1, out


def _outlet_file(path: Path, slug: str, base_url: str) -> Path:
    path.write_text(f'[outlet]\nslug = "{slug}"\nname = "网络测试{slug}"\ntier = "county"\nbase_url = "{base_url}"\n\n'
                    '[listing]\nstart = ["/news/"]\narticle = [\'^/content/\\\\d+\\\\.html$\']\nmax_pages = 1\n',
                    encoding="utf-8")
    return path


def test_a_site_that_cannot_be_reached_is_one_line_per_outlet(tmp_path):
    """A DNS failure and a refused connection (no real network: a .invalid host and a closed
    port on 127.0.0.1) are one line each and a crawl_problems kind that says so."""
    import os
    import socket

    with socket.socket() as probe:   # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dns = _outlet_file(tmp_path / "dns.toml", "nonet", "http://nosuch-outlet.invalid")
    refused = _outlet_file(tmp_path / "refused.toml", "refused", f"http://127.0.0.1:{port}")
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    db = tmp_path / "s.duckdb"
    out = subprocess.run([*shanggao_command(), "--db", str(db), "crawl", "--outlet-file", str(dns), "--outlet-file",
                          str(refused), "--allow-internal", "127.0.0.1", "--date", "2022-06-24"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 1
    errors = out.stderr.strip().splitlines()
    assert sorted(errors[:2]) == [
        "nonet: cannot reach nosuch-outlet.invalid (DNS lookup failed) — check the network",
        "refused: cannot reach 127.0.0.1 (connection refused) — check the network"]
    assert errors[2:] == ["Error: crawl problems in nonet (failed), refused (failed)"]
    code, rows = run("query", "SELECT outlet, problem FROM crawl_problems ORDER BY outlet", "--format", "csv", db=db)
    assert code == 0 and rows.split() == ["outlet,problem", "nonet,dns_error", "refused,connection_refused"]


def test_the_rules_file_scores_an_outlet_the_office_added(tmp_path):
    s = unrated_scenario(tmp_path)
    db = s.store.path
    assert run("outlets", "add", "mmfb", "--name", "某某发布", "--tier", "county", "--domain", "www.mmfb.example",
               db=db)[0] == 0
    rules = tmp_path / "office_rules.toml"
    rules.write_text("[points.outlets]\nmmfb = 8\nmmfbb = 3\n", encoding="utf-8")
    code, out = run("rules", "--rules", str(rules), db=db)
    assert code == 0 and "warning: " in out and "points.outlets.mmfbb: no such outlet in the registry" in out
    assert "points.outlets.mmfb:" not in out
    code, out = run("verify", "--period", "2022-06", "--rules", str(rules), "--format", "csv", db=db)
    assert code == 0 and "points.outlets.mmfbb" in out
    assert s.verdict("U1")["points"] == 4   # 8 for this outlet × online 0.5
