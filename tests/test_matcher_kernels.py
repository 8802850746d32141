"""The matcher's compiled kernels against plain, slow reference implementations written here.

The kernels (numba) replace sorts with hash tables and array passes with loops; these
tests pin them to what the definitions say, on random texts over small alphabets (many
chance matches and repeats) and on edge cases: empty texts, windows at text edges.
"""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest

from shanggao.matcher import DocumentFrequency, MatcherParams
from shanggao.matcher.align import (
    CHAIN_GAP,
    MAX_REPEATS,
    MIN_BLOCK,
    SEED_K,
    WINDOW_PAD,
    align,
    anchor_windows,
    exact_blocks,
    seeds,
)
from shanggao.matcher.normalize import normalize_with_offsets
from shanggao.matcher.score import df_weight, weights_from_df
from shanggao.matcher.shingle import FINGERPRINT_K, fingerprint_positions


def _text(rng: random.Random, n: int, alphabet: str = "党建引领乡村振兴基层治理") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _related(rng: random.Random) -> tuple[str, str]:
    """A text and another that shares stretches of it, shuffled among chance text."""
    m = _text(rng, rng.randint(0, 160))
    pieces = [_text(rng, rng.randint(0, 30))]
    for _ in range(rng.randint(0, 4)):
        if len(m) > 10:
            start = rng.randrange(len(m) - 5)
            pieces.append(m[start:start + rng.randint(5, 60)])
        pieces.append(_text(rng, rng.randint(0, 30)))
    return m, "".join(pieces)


# -- seeds ----------------------------------------------------------------------

def _usable_reference(text: str) -> list[bool]:
    grams = [text[i:i + SEED_K] for i in range(len(text) - SEED_K + 1)]
    return [grams.count(g) <= MAX_REPEATS for g in grams]


@pytest.mark.parametrize("seed", range(30))
def test_seeds_refuse_exactly_the_kgrams_repeated_too_often(seed):
    rng = random.Random(seed)
    text = _text(rng, rng.randint(0, 200), "党建" if seed % 3 == 0 else "党建引领乡村振兴")
    text += "一二三四" * rng.randint(0, 12)
    assert seeds(text).usable.tolist() == _usable_reference(text)


# -- blocks -----------------------------------------------------------------------

def _blocks_reference(m: str, a: str, windows: list[tuple[int, int, int, int]] | None,
                      min_block: int = MIN_BLOCK) -> list[tuple[int, int, int]]:
    """Maximal runs of usable shared k-grams along a diagonal, by (diagonal, start), that have a
    seed pair inside some window (k-gram starts in [lo, hi - SEED_K] on both sides)."""
    um, ua = _usable_reference(m), _usable_reference(a)

    def seed(i: int, j: int) -> bool:
        return (0 <= i < len(um) and 0 <= j < len(ua) and um[i] and ua[j]
                and m[i:i + SEED_K] == a[j:j + SEED_K])

    whole = [(0, len(m), 0, len(a))] if windows is None else windows
    found = set()
    for i in range(len(um)):
        for j in range(len(ua)):
            if seed(i, j) and not seed(i - 1, j - 1):
                end = i
                while seed(end + 1, end + 1 + j - i):
                    end += 1
                length = end - i + SEED_K
                inside = any(m_lo <= k <= m_hi - SEED_K and a_lo <= k + j - i <= a_hi - SEED_K
                             for m_lo, m_hi, a_lo, a_hi in whole for k in range(i, end + 1))
                if length >= min_block and inside:
                    found.add((i, j, length))
    return sorted(found, key=lambda b: (b[1] - b[0], b[0]))


@pytest.mark.parametrize("seed", range(40))
def test_blocks_are_the_maximal_shared_runs(seed):
    m, a = _related(random.Random(seed))
    assert exact_blocks(m, a) == _blocks_reference(m, a, None)


@pytest.mark.parametrize("seed", range(20))
def test_one_window_over_both_texts_aligns_as_the_whole_texts(seed):
    m, a = _related(random.Random(100 + seed))
    whole, windowed = align(m, a), align(m, a, windows=[(0, len(m), 0, len(a))])
    assert windowed.passages == whole.passages
    assert np.array_equal(windowed.m_mask, whole.m_mask) and np.array_equal(windowed.a_mask, whole.a_mask)
    assert align(m, a, windows=[]).passages == []


@pytest.mark.parametrize("seed", range(40))
def test_windowed_block_search_follows_runs_past_the_window(seed):
    from shanggao.matcher.align import _window_blocks

    rng = random.Random(200 + seed)
    m, a = _related(rng)
    sm, sa = seeds(m), seeds(a)
    windows = []
    for _ in range(rng.randint(1, 3)):
        m_lo, a_lo = rng.randint(0, len(m)), rng.randint(0, len(a))
        windows.append((m_lo, rng.randint(m_lo, len(m)), a_lo, rng.randint(a_lo, len(a))))
    got = _window_blocks(sm.hashes, sm.usable, sa.hashes, sa.usable, np.array(windows, np.int64), 6)
    assert [tuple(b) for b in got.tolist()] == _blocks_reference(m, a, windows, 6)


# -- anchor windows ---------------------------------------------------------------

def _windows_reference(m_pos, m_fps, a_pos, a_fps, n, m) -> set[tuple[int, int, int, int]]:
    shared = [(int(i), int(j)) for i, f in zip(m_pos, m_fps, strict=True)
              for j, g in zip(a_pos, a_fps, strict=True) if f == g]

    def chains(positions: list[int], length: int) -> list[tuple[int, int]]:
        out: list[list[int]] = []
        for p in sorted(set(positions)):
            if out and p - out[-1][1] <= CHAIN_GAP:
                out[-1][1] = p
            else:
                out.append([p, p])
        return [(max(lo - WINDOW_PAD, 0), min(hi + FINGERPRINT_K + WINDOW_PAD, length)) for lo, hi in out]

    m_chains, a_chains = chains([i for i, _ in shared], n), chains([j for _, j in shared], m)

    def holding(spans, p):
        return next(s for s in reversed(spans) if s[0] <= p)

    return {(*holding(m_chains, i), *holding(a_chains, j)) for i, j in shared}


@pytest.mark.parametrize("seed", range(30))
def test_anchor_windows_pair_the_chains_that_share_a_fingerprint(seed):
    rng = random.Random(300 + seed)
    m, a = _related(rng)
    if seed % 5 == 0:   # far apart anchors: several chains on each side
        m, a = m + _text(rng, 600, "甲乙丙丁戊己庚辛壬癸子丑寅卯") + m, _text(rng, 500, "天地玄黄宇宙洪荒") + a + a
    (m_pos, m_fps), (a_pos, a_fps) = fingerprint_positions(m), fingerprint_positions(a)
    got = anchor_windows(m_pos, m_fps, a_pos, a_fps, len(m), len(a))
    assert set(got) == _windows_reference(m_pos, m_fps, a_pos, a_fps, len(m), len(a))
    assert len(got) == len(set(got))


def test_anchor_windows_chain_anchors_up_to_the_chain_gap():
    rng = np.random.default_rng(9)
    for _ in range(200):
        gaps = rng.choice([1, CHAIN_GAP - 1, CHAIN_GAP, CHAIN_GAP + 1, 3 * CHAIN_GAP], size=(2, rng.integers(1, 8)))
        m_pos, a_pos = np.cumsum(gaps[0]), np.cumsum(gaps[1])
        fps = rng.integers(0, 1 << 48, max(len(m_pos), len(a_pos)))
        m_fps, a_fps = fps[rng.integers(0, len(fps), len(m_pos))], fps[rng.integers(0, len(fps), len(a_pos))]
        n, m = int(m_pos[-1]) + 100, int(a_pos[-1]) + 100
        got = anchor_windows(m_pos, m_fps, a_pos, a_fps, n, m)
        assert set(got) == _windows_reference(m_pos, m_fps, a_pos, a_fps, n, m) and len(got) == len(set(got))


# -- weights and document frequencies -----------------------------------------------

def _weights_reference(text: str, dfs_of: DocumentFrequency, params: MatcherParams) -> np.ndarray:
    """Each character: the mean weight of the fingerprints over it inside its clause; else its
    clause's, else its sentence's mean; else the mean of every fingerprint over it; else 1."""
    norm = normalize_with_offsets(text)
    pos, fps = fingerprint_positions(norm.text)
    w = df_weight(dfs_of(fps), params)
    n, k = len(norm.text), FINGERPRINT_K

    def covering(only_inside: bool) -> list[float | None]:
        out = []
        for c in range(n):
            over = [w[r] for r, p in enumerate(pos) if p <= c < p + k
                    and (not only_inside or norm.clause_id[p] == norm.clause_id[p + k - 1])]
            out.append(sum(over) / len(over) if over else None)
        return out

    weights = covering(True)
    for group in (norm.clause_id, norm.sentence_id):
        known: dict[int, list[float]] = {}
        for c, value in enumerate(weights):
            if value is not None:
                known.setdefault(int(group[c]), []).append(value)
        weights = [v if v is not None else (sum(known[int(group[c])]) / len(known[int(group[c])])
                                            if int(group[c]) in known else None) for c, v in enumerate(weights)]
    straddling = covering(False)
    return np.array([v if v is not None else (straddling[c] if straddling[c] is not None else 1.0)
                     for c, v in enumerate(weights)])


# short clauses only: its fingerprints all straddle clause ends
CHROME = "首页，要闻，党建，通知，公告，专题，视频，图片，下载，服务，互动，搜索，注册，登录。"


@pytest.mark.parametrize("seed", range(12))
def test_character_weights_follow_their_definition(seed):
    rng = random.Random(400 + seed)
    marks = "，。；！、"
    texts = [("" if t % 3 == 2 else CHROME) + "".join(_text(rng, rng.randint(1, 9), "党建引领乡村振兴基层治理")
                                                    + rng.choice(marks) for _ in range(rng.randint(0, 30)))
             for t in range(6)]
    params = MatcherParams(df_low=2, df_high=5)
    dfs_of = DocumentFrequency.from_texts(texts)
    norm = normalize_with_offsets(texts[0])
    pos, fps = fingerprint_positions(norm.text)
    got = weights_from_df(norm, pos, dfs_of(fps), params)
    assert np.allclose(got, _weights_reference(texts[0], dfs_of, params), rtol=0, atol=1e-12)


def test_document_frequencies_are_looked_up_exactly():
    rng = np.random.default_rng(5)
    listed = np.unique(rng.integers(0, 1 << 48, 5_000))
    counts = rng.integers(2, 500, len(listed))
    lookup = DocumentFrequency(listed, counts)
    queries = np.concatenate([listed, rng.integers(0, 1 << 48, 5_000), listed[:10]])
    expected = dict(zip(listed.tolist(), counts.tolist(), strict=True))
    assert lookup(queries).tolist() == [expected.get(q, 0) for q in queries.tolist()]
    assert DocumentFrequency(np.zeros(0, np.int64), np.zeros(0, np.int64))(queries[:3]).tolist() == [0, 0, 0]
    assert lookup(np.zeros(0, np.int64)).tolist() == []


# -- own-text pieces ----------------------------------------------------------------

@pytest.mark.parametrize("seed", range(40))
def test_a_passage_pairs_its_characters_as_its_alignment_does(seed):
    from rapidfuzz.distance import Indel

    from shanggao.matcher.quotes import _passage_pairing

    rng = random.Random(500 + seed)
    m, a = _related(rng)
    a = a + a[: len(a) // 2]     # repeats: passages that overlap on one side
    alignment = align(m, a, min_block=6)
    for p in alignment.passages:
        expected = np.full(p.m_end - p.m_start, -1)
        for op in Indel.opcodes(m[p.m_start:p.m_end], a[p.a_start:p.a_end]):
            if op.tag == "equal":
                expected[op.src_start:op.src_end] = np.arange(op.dest_start, op.dest_end) + p.a_start
        assert _passage_pairing(m, a, p, alignment).tolist() == expected.tolist()


# -- normalisation ------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(20))
def test_the_compiled_segmentation_agrees_with_the_per_character_path(seed):
    from shanggao.matcher.normalize import _per_character

    rng = random.Random(600 + seed)
    text = "".join(rng.choice("党建引領鄉村ＡＢ１２，。！？；：、…\n 　“”《》😀") for _ in range(rng.randint(0, 120)))
    fast, general = normalize_with_offsets(text), _per_character(text)
    assert fast.text == general.text
    for field in ("offsets", "clause_id", "sentence_id"):
        assert getattr(fast, field).tolist() == getattr(general, field).tolist(), field


@pytest.mark.parametrize("seed", range(20))
def test_normalising_many_texts_at_once_equals_one_by_one(seed, monkeypatch):
    from shanggao.matcher.normalize import normalize, normalize_many

    normalize_module = sys.modules[normalize_many.__module__]   # the package's `normalize` is the function

    rng = random.Random(650 + seed)
    monkeypatch.setattr(normalize_module, "_MANY_CHARS", rng.choice([1, 7, 40, 1 << 15]))   # groups of texts
    pieces = ["党建", "引領", "ＡＢ１２", "，。", "㎡", "ﬁ", "&amp;", "&#x4E2D;", "<p>", "<b>加粗</b>", "😀", "\ud800",
              " 　", "120余篇", ""]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(0, 9))]
    assert normalize_many(texts) == [normalize(t) for t in texts]


# -- the index's fingerprints -------------------------------------------------------

@pytest.mark.parametrize("seed", range(20))
def test_a_batch_has_the_fingerprints_of_its_texts_one_by_one(seed):
    from shanggao.matcher.shingle import fingerprint_batch

    rng = random.Random(680 + seed)
    alphabet = "党建引领乡村振兴基层治理" + "𠀀𡈽" + "ab12"   # astral characters are one code point each
    texts = [_text(rng, rng.choice([0, 3, 4, 5, 6, rng.randint(7, 400)]), alphabet) for _ in range(rng.randint(0, 30))]
    doc, fp = fingerprint_batch(texts)
    expected = [(d, int(f)) for d, t in enumerate(texts) for f in np.unique(fingerprint_positions(t)[1])]
    assert list(zip(doc.tolist(), fp.tolist(), strict=True)) == expected
    assert doc.dtype == np.int32 and fp.dtype == np.int64


# -- the index's recount ----------------------------------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_the_recount_keeps_exactly_the_values_held_more_than_the_floor(seed):
    from shanggao.matcher.index import _runs_above

    rng = np.random.default_rng(700 + seed)
    values = np.sort(rng.integers(0, rng.integers(1, 60), size=rng.integers(0, 400)).astype(np.int64))
    above = int(rng.integers(0, 6))
    distinct, counts = np.unique(values, return_counts=True)
    found, lengths = _runs_above(values, above)
    assert found.tolist() == distinct[counts > above].tolist()
    assert lengths.tolist() == counts[counts > above].tolist()
