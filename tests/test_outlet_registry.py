"""The outlet registry (shanggao.db.outlets): its lookups, its stored copy, and its agreement with the spiders."""

from __future__ import annotations

import tomllib

import pytest

from shanggao.db import Store
from shanggao.db.outlets import (
    BUILTIN,
    CRAWLS,
    TIERS,
    OutletError,
    OutletInfo,
    load_registry,
    outlet_for_host,
    read_outlets,
    resolve_outlet,
    sync_outlets,
    upsert_outlet,
)
from shanggao.spiders.outlets import spider_classes
from shanggao.spiders.outlets.outlet_file import shipped_outlet_files
from shanggao.spiders.run import NOT_DEFAULT

NOT_OUTLET_SPIDERS = {*NOT_DEFAULT, "fetch"}  # spiders that serve any outlet, not one


def shipped_slugs() -> dict[str, str]:
    """slug -> file name of every outlet file shipped in shanggao.spiders/outlet_files."""
    return {tomllib.loads(path.read_text(encoding="utf-8"))["outlet"]["slug"]: path.name
            for path in shipped_outlet_files().values()}


def test_every_outlet_declares_how_it_is_crawled_and_the_spiders_agree():
    spiders = set(spider_classes()) - NOT_OUTLET_SPIDERS
    files = shipped_slugs()
    for info in BUILTIN.values():
        assert info.crawl in CRAWLS
        has_spider, has_file = info.slug in spiders, info.slug in files
        if info.crawl == "spider":
            assert has_spider, f"{info.slug}: declared crawl='spider' but no spider is named {info.slug}"
        else:
            assert not has_spider, f"{info.slug}: has a spider but is declared crawl={info.crawl!r}"
        if info.crawl == "generic":
            assert has_file, f"{info.slug}: declared crawl='generic' but no shipped outlet file has its slug"
        if info.crawl in ("fetch", "print"):
            assert not has_file, f"{info.slug}: {files.get(info.slug)} describes it, so crawl='generic'"
    assert spiders <= set(BUILTIN), f"spiders without a registry entry: {sorted(spiders - set(BUILTIN))}"
    for name, cls in spider_classes().items():
        if name not in NOT_OUTLET_SPIDERS:
            assert BUILTIN[cls.outlet].crawl == "spider", name


def test_registry_order_lookups_and_rules():
    assert [o.tier for o in BUILTIN.ordered()] == sorted((o.tier for o in BUILTIN.values()), key=TIERS.index)
    assert outlet_for_host("xx.rednet.cn:443").slug == "rednet"
    assert outlet_for_host("example.org") is None
    assert BUILTIN.name("rmrb") == "人民日报" and BUILTIN.name("nosuch") == "nosuch"
    assert resolve_outlet("《人民日报》").slug == "rmrb" and resolve_outlet("《人民日报》").confident
    unsure = resolve_outlet("湖南日报社")
    assert unsure.slug == "hnrb" and not unsure.confident and "新湖南" in unsure.note
    assert resolve_outlet("某某晚报").slug is None
    with pytest.raises(OutletError, match="tier 'national'"):
        OutletInfo("x", "某报", "national", "epaper", "", None, ())


@pytest.mark.parametrize(("written", "slug"), [
    ("人民网-湖南频道", "peoplecn"), ("人民网—湖南频道", "peoplecn"),   # a dash between the words
    ("泸溪县政府门户网站", "luxi"), ("红网 / 湘西站", "rednet"),
])
def test_outlet_names_as_registers_write_them(written, slug):
    found = resolve_outlet(written)
    assert (found.slug, found.confident) == (slug, True)


def test_stored_copy_round_trips_and_extends_the_registry(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.init()
    with store.write() as con:
        assert sync_outlets(con) == len(BUILTIN)
        extra = OutletInfo("xxrm", "湘西融媒", "prefectural", "portal", "http://xxrm.example/", None,
                           ("xxrm.example",), crawl="generic")
        assert upsert_outlet(con, extra)
        assert not upsert_outlet(con, OutletInfo("rmrb", "改名", "other", "portal", "", None, ()))
    with store.read() as con:
        stored = {o.slug: o for o in read_outlets(con)}
        registry = load_registry(con)
    assert stored["rmrb"] == BUILTIN["rmrb"]
    assert stored["xxrm"] == extra
    assert registry.for_host("www.xxrm.example") == extra
    assert registry.resolve("湘西融媒").slug == "xxrm"
    assert set(registry) == set(BUILTIN) | {"xxrm"}
