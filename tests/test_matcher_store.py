"""Matcher against a real temporary DuckDB store: end to end, incremental, idempotent, flags, CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from matcher_support import (
    CHROME_HEAD,
    CHROME_TAIL,
    NIGHT_SCHOOL,
    NIGHT_TEXT,
    STOCK,
    TEA,
    TEA_TEXT,
    background,
    filler_article,
    insert_articles,
    insert_manuscripts,
    sha,
)

from shanggao.db import Store
from shanggao.matcher import MATCHER_VERSION, explain, match_store

URL = "https://news.example.cn/{}.html"


def _rows(store: Store) -> dict[tuple[str, str], tuple]:
    with store.read() as con:
        return {(m, u): (score, kind, version, at) for m, u, score, kind, version, at in con.execute(
            "SELECT m.manuscript_id, a.url, m.score, m.kind, m.matcher_version, m.matched_at "
            "FROM matches m JOIN articles a USING (article_id)").fetchall()}


@pytest.fixture()
def store(tmp_path) -> Store:
    """Genre background, two real manuscripts, bad ones, and their placements and decoys."""
    store = Store(tmp_path / "m.duckdb")
    store.init()
    insert_articles(store, [(URL.format(f"bg{i}"), f"工作动态{i}", body) for i, body in enumerate(background(40))])
    # the site that reposts manuscripts wraps every page in the same chrome
    insert_articles(store, [(URL.format(f"site{i}"), f"乡镇传真{i}",
                             CHROME_HEAD + filler_article(100 + i) + CHROME_TAIL)
                            for i in range(30)])
    insert_articles(store, [
        (URL.format("full"), "马王溪村的黄金茶", CHROME_HEAD + TEA_TEXT + CHROME_TAIL),
        (URL.format("edited"), "小小茶叶富了一村人",
         "\n".join(TEA[:3]).replace("多", "余").replace("，", ",").replace("去年春天", "去年春季")),
        (URL.format("roundup"), "各地基层党建经验集萃",
         filler_article(300) + TEA[2] + "\n" + NIGHT_SCHOOL[1] + NIGHT_SCHOOL[2][:60] + "\n" + filler_article(301)),
        (URL.format("decoy"), "扎实推进基层党建",
         filler_article(302) + STOCK[1] + "社区利用党群服务中心。" + STOCK[4] + "帮邻居们卖腊肉。"
         + filler_article(303)),
        (URL.format("twin"), "四点半夜校圆了搬迁群众就业梦", filler_article(304) + filler_article(305)),
    ])
    insert_manuscripts(store, [
        ("M-TEA", "马王溪村的黄金茶", TEA_TEXT),
        ("M-NIGHT", "四点半夜校圆了搬迁群众就业梦", NIGHT_TEXT),
        ("M-TEA-AGAIN", "马王溪村的黄金茶（重复提交）", TEA_TEXT.replace("，", ", ")),
        ("M-GENERIC", "党建工作总结", "".join(STOCK) + "今年以来成效明显。" + "".join(STOCK)),
        ("M-EMPTY", "空稿", " \n。"),
    ])
    return store


def test_end_to_end_links_placements_and_only_them(store):
    result = match_store(store)
    rows = _rows(store)
    assert set(rows) == {
        ("M-TEA", URL.format("full")), ("M-TEA", URL.format("edited")), ("M-TEA", URL.format("roundup")),
        ("M-TEA-AGAIN", URL.format("full")), ("M-TEA-AGAIN", URL.format("edited")),
        ("M-TEA-AGAIN", URL.format("roundup")), ("M-NIGHT", URL.format("roundup")),
    }
    assert rows[("M-TEA", URL.format("full"))][1] == "full"
    assert rows[("M-TEA", URL.format("edited"))][1] in ("edited", "full")
    assert rows[("M-TEA", URL.format("roundup"))][1] == "roundup"
    assert rows[("M-NIGHT", URL.format("roundup"))][1] == "roundup"
    assert all(r[2] == MATCHER_VERSION and 50 <= r[0] <= 100 for r in rows.values())
    flags = {(f.manuscript_id, f.flag) for f in result.flags}
    assert flags == {("M-GENERIC", "unverifiable"), ("M-EMPTY", "empty"),
                     ("M-TEA-AGAIN", "duplicate"), ("M-TEA", "duplicate")}
    with store.read() as con:
        assert con.execute("SELECT count(*) FROM manuscript_flags").fetchone()[0] == 4


def test_evidence_locates_the_passages_in_the_original_texts(store):
    match_store(store)
    with store.read() as con:
        evidence, body = con.execute(
            "SELECT m.evidence, a.body FROM matches m JOIN articles a USING (article_id) "
            "WHERE m.manuscript_id = 'M-NIGHT'").fetchone()
    evidence = json.loads(evidence)
    assert evidence["matcher_version"] == MATCHER_VERSION
    passage = min((p for p in evidence["passages"] if p["distinctive"] > 50), key=lambda p: p["manuscript"][0])
    start, end = passage["manuscript"]
    assert NIGHT_TEXT[start:end].startswith("今年三月")
    a_start, a_end = passage["article"]
    assert body[a_start:a_end].startswith("今年三月")


def test_rerun_changes_nothing_and_new_documents_are_matched_incrementally(store):
    match_store(store)
    before = _rows(store)
    again = match_store(store)
    assert again.candidates == 0 and again.added == 0 and again.removed == 0
    assert _rows(store) == before

    insert_articles(store, [(URL.format("night-full"), "夜校新闻", NIGHT_TEXT)], published=dt.date(2024, 6, 2))
    step = match_store(store)
    assert step.indexed.articles == 1 and step.indexed.manuscripts == 0
    after = _rows(store)
    assert set(after) - set(before) == {("M-NIGHT", URL.format("night-full"))}
    assert all(after[key] == before[key] for key in before)  # untouched, same matched_at

    insert_manuscripts(store, [("M-NIGHT-2", "夜校稿件二", "\n".join(NIGHT_SCHOOL[1:]))])
    step = match_store(store)
    assert step.manuscripts == 1
    assert {k for k in _rows(store) if k[0] == "M-NIGHT-2"} == {
        ("M-NIGHT-2", URL.format("night-full")), ("M-NIGHT-2", URL.format("roundup"))}


def test_changed_article_is_reindexed_and_its_links_follow_the_new_text(store):
    match_store(store)
    new_body = filler_article(999)
    with store.write() as con:
        con.execute("UPDATE articles SET body = ?, body_hash = ? WHERE url = ?",
                    [new_body, sha(new_body), URL.format("edited")])
    step = match_store(store)
    assert step.indexed.articles == 1
    assert ("M-TEA", URL.format("edited")) not in _rows(store)
    assert step.removed == 2  # M-TEA and its duplicate


def test_explicit_scopes_rematch_without_duplicating_rows(store):
    match_store(store)
    before = _rows(store)
    result = match_store(store, manuscript_ids=["M-TEA"])
    assert result.added == 0 and result.removed == 0 and _rows(store) == before
    result = match_store(store, since=dt.date(2024, 1, 1))
    assert result.added == 0 and _rows(store) == before
    result = match_store(store, everything=True)
    assert result.added == 0 and _rows(store) == before


def test_explain_shows_passages_and_the_verdict(store):
    e = explain(store, "M-TEA", URL.format("roundup"))
    assert e.asserted and e.score >= 50 and e.stored is None
    assert any("今年清明前后" in p["manuscript_text"] and p["distinctive"] > 50 for p in e.passages)
    d = explain(store, "M-NIGHT", URL.format("decoy"))
    assert not d.asserted and d.score < 50


def _cli(store: Store, *args: str):
    from shanggao.cli import main

    return CliRunner().invoke(main, ["--db", str(store.path), *args], catch_exceptions=False)


def test_match_and_explain_commands(store):
    out = _cli(store, "match")
    assert out.exit_code == 0, out.output
    assert "link(s) asserted" in out.output and "unverifiable" in out.output and "M-EMPTY" in out.output
    out = _cli(store, "explain", "M-TEA", URL.format("full"))
    assert out.exit_code == 0 and "PLACEMENT (full)" in out.output and "stored     score" in out.output
    out = _cli(store, "explain", "M-TEA", "https://nowhere.example/x.html")
    assert out.exit_code == 1 and "no article with URL" in out.output and "Traceback" not in out.output
    out = _cli(store, "match", "--manuscript", "NO-SUCH")
    assert out.exit_code == 1 and "unknown manuscript" in out.output


def test_parallel_alignment_gives_the_same_links(store, monkeypatch):
    import shanggao.matcher.pipeline as pipeline

    match_store(store)
    sequential = _rows(store)
    monkeypatch.setattr(pipeline, "PARALLEL_PAIRS", 1)
    match_store(store, everything=True)
    assert _rows(store) == sequential
