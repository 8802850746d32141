"""The matcher's shortcuts change nothing: pruning drops no link, windowed alignment finds the same passages.

Two corpora: the labelled development set (../shared/matching-dev; skipped when absent) and a synthetic
one made here — manuscripts of random distinctive sentences and articles carrying them whole, edited,
as excerpts of one to four sentences inside unrelated text, or as a lone clause, so that many pairs sit
near the decision boundary where a careless bound would cut.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import shared_path
from matcher_support import STOCK, TEA, insert_articles, insert_manuscripts

import shanggao.matcher.index as index
import shanggao.matcher.pipeline as pipeline
from shanggao.db import Store
from shanggao.matcher import match_store
from shanggao.matcher.align import align, anchor_windows
from shanggao.matcher.index import IndexIncomplete, common_frequencies, sync_index
from shanggao.matcher.pipeline import _doc, candidate_features, judge
from shanggao.matcher.score import DocumentFrequency, MatcherParams

# characters to make distinctive sentences from (our own test text)
POOL = sorted({ch for ch in "".join(TEA) if "\u4e00" <= ch <= "\u9fff"})


def _sentence(rng: random.Random) -> str:
    return "".join(rng.choice(POOL) for _ in range(rng.randint(14, 30))) + "。"


def _edit(text: str, rng: random.Random, share: float) -> str:
    chars = list(text)
    for i in rng.sample(range(len(chars)), int(len(chars) * share)):
        if chars[i] != "。":
            chars[i] = rng.choice(POOL)
    return "".join(chars)


Rows = list[tuple[str, str, str]]


def _synthetic(seed: int = 11, truth: list | None = None) -> tuple[Rows, Rows]:
    """(manuscripts, articles) as (id, title, body); ``truth`` collects (manuscript, article) index pairs
    of the articles made from a manuscript's text."""
    rng = random.Random(seed)
    # phrases shared by a dozen documents or so: they weigh little, and pairs sharing only them are pruned
    common = [_sentence(rng)[:16] + "，" for _ in range(30)]
    manuscripts = [[_sentence(rng) for _ in range(rng.randint(8, 16))] + rng.sample(common, 3) for _ in range(24)]
    for body in manuscripts:
        rng.shuffle(body)
    articles = []
    for k in range(160):
        source = rng.randrange(len(manuscripts))
        body = manuscripts[source]
        shape = k % 6
        if truth is not None and shape < 4:
            truth.append((source, k))
        if shape == 0:
            text = "".join(body)
        elif shape == 1:
            text = _edit("".join(body[: rng.randint(3, len(body))]), rng, 0.03)
        elif shape in (2, 3):  # excerpt of one to four sentences among unrelated ones
            start = rng.randrange(len(body))
            excerpt = "".join(body[start:start + rng.randint(1, 4)])
            text = "".join(_sentence(rng) for _ in range(6)) + excerpt + "".join(_sentence(rng) for _ in range(6))
        elif shape == 4:  # a lone clause and stock phrasing
            clause = rng.choice(body)[: rng.randint(8, 14)]
            text = "".join(_sentence(rng) for _ in range(5)) + clause + "，" + "".join(rng.sample(STOCK, 3))
        else:
            text = "".join(_sentence(rng) for _ in range(10))
        text += "".join(rng.sample(common, 2))
        articles.append((f"https://synthetic.example/{k}.html", f"合成{k}", text))
    return ([(f"S{i:03d}", f"稿件{i}", "".join(body)) for i, body in enumerate(manuscripts)], articles)


def _links(store: Store) -> set[tuple]:
    with store.read() as con:
        return set(con.execute("SELECT manuscript_id, article_id, score, kind FROM matches").fetchall())


def _same_links_with_and_without_pruning(store: Store, monkeypatch) -> None:
    pruned = match_store(store)
    with_pruning = _links(store)
    assert pruned.aligned < pruned.candidates, "nothing was pruned: the test would prove nothing"
    monkeypatch.setattr(pipeline, "CHARS_PER_WEIGHT", float("inf"))
    unpruned = match_store(store, everything=True)
    assert unpruned.aligned == unpruned.candidates == pruned.candidates
    assert _links(store) == with_pruning and with_pruning


def test_pruning_keeps_every_link_on_a_synthetic_corpus(tmp_path, monkeypatch):
    store = Store(tmp_path / "s.duckdb")
    store.init()
    manuscripts, articles = _synthetic()
    insert_manuscripts(store, manuscripts)
    insert_articles(store, articles)
    _same_links_with_and_without_pruning(store, monkeypatch)


def _dev_store(tmp_path) -> Store:
    from shanggao.cli import main

    dev = shared_path("matching-dev")
    db = tmp_path / "dev.duckdb"
    for args in (["init"], ["articles", "import", str(dev / "articles.jsonl")],
                 ["manuscripts", "import", str(dev / "manuscripts.jsonl")]):
        done = CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)
        assert done.exit_code == 0, done.output
    return Store(db)


def test_pruning_keeps_every_link_on_the_development_set(tmp_path, monkeypatch):
    _same_links_with_and_without_pruning(_dev_store(tmp_path), monkeypatch)


def _passages_agree(pairs: list[tuple[str, str]], df: DocumentFrequency) -> int:
    params = MatcherParams()
    compared = 0
    for m_text, a_text in pairs:
        m, a = _doc(m_text, df, params), _doc(a_text, df, params)
        windows = anchor_windows(m.pos, m.fps, a.pos, a.fps, len(m.norm.text), len(a.norm.text))
        windowed = align(m.norm.text, a.norm.text, windows=windows)
        whole = align(m.norm.text, a.norm.text)
        assert windowed.passages == whole.passages
        assert np.array_equal(windowed.m_mask, whole.m_mask) and np.array_equal(windowed.a_mask, whole.a_mask)
        compared += bool(whole.passages)
    return compared


def test_windowed_alignment_finds_the_whole_text_passages_on_the_development_set():
    dev = shared_path("matching-dev")

    def read(name: str) -> list[dict]:
        return [json.loads(line) for line in (dev / name).read_text(encoding="utf-8").splitlines() if line]

    manuscripts = {r["id"]: r["body"] for r in read("manuscripts.jsonl")}
    articles = {r["url"]: r["body"] for r in read("articles.jsonl")}
    truth = read("truth.jsonl")
    df = DocumentFrequency.from_texts([*manuscripts.values(), *articles.values()])
    compared = _passages_agree([(manuscripts[t["manuscript_id"]], articles[t["url"]]) for t in truth], df)
    assert compared == len(truth)


def test_windowed_alignment_finds_the_whole_text_passages_on_synthetic_pairs():
    truth: list[tuple[int, int]] = []
    manuscripts, articles = _synthetic(seed=5, truth=truth)
    df = DocumentFrequency.from_texts([m[2] for m in manuscripts] + [a[2] for a in articles])
    assert _passages_agree([(manuscripts[m][2], articles[a][2]) for m, a in truth], df) == len(truth) > 90


def test_a_long_article_is_aligned_only_where_it_shares_text():
    rng = random.Random(2)
    manuscript = "".join(_sentence(rng) for _ in range(12))
    article = "".join(_sentence(rng) for _ in range(3000)) + manuscript[100:400] + "".join(
        _sentence(rng) for _ in range(3000))
    df = DocumentFrequency.from_texts([manuscript, article])
    m, a = _doc(manuscript, df, MatcherParams()), _doc(article, df, MatcherParams())
    windows = anchor_windows(m.pos, m.fps, a.pos, a.fps, len(m.norm.text), len(a.norm.text))
    assert sum(hi - lo for _, _, lo, hi in windows) < 1_000 < len(a.norm.text) // 100
    features, passages, _ = judge(m, a, MatcherParams())
    excerpt = len(manuscript[100:400]) - manuscript[100:400].count("。")
    assert len(passages) == 1 and passages[0].matched == excerpt
    assert passages == align(m.norm.text, a.norm.text).passages


def test_calibration_features_leave_out_only_pruned_pairs(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.init()
    manuscripts, articles = _synthetic(seed=3)
    insert_manuscripts(store, manuscripts)
    insert_articles(store, articles)
    sync_index(store)
    every = {(m, a): f for m, a, f in candidate_features(store)}
    kept = {(m, a): f for m, a, f in candidate_features(store, pruned=True)}
    assert kept.keys() < every.keys() and all(every[k] == f for k, f in kept.items())


def _common_table(store: Store) -> dict[int, int]:
    with store.read() as con:
        return dict(con.execute("SELECT fp, df FROM matcher_common_fp").fetchall())


def _recounted(store: Store) -> dict[int, int]:
    """Document frequencies above COMMON_ABOVE, counted from the stored texts themselves."""
    from shanggao.db.matcher_index import COMMON_ABOVE

    with store.read() as con:
        texts = [r[0] for r in con.execute("SELECT body FROM articles UNION ALL SELECT body FROM manuscripts")
                 .fetchall()]
    df = DocumentFrequency.from_texts(texts)
    return {int(f): int(d) for f, d in zip(df.fps, df.dfs, strict=True) if d > COMMON_ABOVE}


def test_common_fingerprints_stay_exact_through_syncs_edits_and_deletions(tmp_path, monkeypatch):
    from shanggao.db import matcher_index
    from shanggao.db.manuscripts import delete_manuscripts

    store = Store(tmp_path / "s.duckdb")
    store.init()
    manuscripts, articles = _synthetic(seed=9)
    insert_manuscripts(store, manuscripts)
    insert_articles(store, articles[:100])
    monkeypatch.setattr(index, "PARALLEL_FROM", 50)   # first build: counted by range in two processes,
    monkeypatch.setattr(index, "COUNT_ROWS", 2_000)   # several ranges each
    sync_index(store)
    monkeypatch.undo()
    assert _common_table(store) == _recounted(store) and len(_recounted(store)) > 100

    rebuilt = []
    monkeypatch.setattr(matcher_index, "rebuild_common", lambda con, fps, dfs: rebuilt.append(con))
    monkeypatch.setattr(index, "PARALLEL_FROM", 10)   # nightly batches fingerprinted in halves, written as one
    for start in range(100, len(articles), 15):    # nightly-sized additions: kept up to date batch by batch
        insert_articles(store, articles[start:start + 15])
        sync_index(store)
        assert _common_table(store) == _recounted(store)
    rng = random.Random(4)
    with store.write() as con:              # edited bodies are re-indexed: their old fingerprints count no more
        for url, _, body in rng.sample(articles, 12):
            new = _edit(body, rng, 0.3) if rng.random() < 0.5 else manuscripts[0][2]
            con.execute("UPDATE articles SET body = ?, body_hash = md5(?) WHERE url = ?", [new, new, url])
    sync_index(store)
    assert _common_table(store) == _recounted(store)
    with store.write() as con:
        delete_manuscripts(con, [m[0] for m in manuscripts[:5]])
    assert _common_table(store) == _recounted(store)
    assert not rebuilt

    with store.write() as con:              # an interrupted bulk sync leaves it incomplete: counted anew
        matcher_index.forget_common(con)
    monkeypatch.undo()
    with store.read() as con, pytest.raises(IndexIncomplete):
        common_frequencies(con, MatcherParams().df_low)
    sync_index(store)
    assert _common_table(store) == _recounted(store)


def test_links_weigh_with_the_kept_frequencies_as_with_a_recount(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.init()
    manuscripts, articles = _synthetic(seed=12)
    insert_manuscripts(store, manuscripts)
    insert_articles(store, articles[:120])
    match_store(store)
    insert_articles(store, articles[120:])
    match_store(store)
    with store.read() as con:
        kept = common_frequencies(con, MatcherParams().df_low)
    recount = DocumentFrequency.from_texts([m[2] for m in manuscripts] + [a[2] for a in articles])
    params = MatcherParams()
    assert {(int(f), int(d)) for f, d in zip(kept.fps, kept.dfs, strict=True)} == {
        (int(f), int(d)) for f, d in zip(recount.fps, recount.dfs, strict=True) if d > params.df_low}
