"""Local alignment of a manuscript and an article: which passages of one are in the other.

Two steps, seed then refine:

1. *Seeds*: every character 4-gram the two normalised texts share, chained
   along diagonals into exact common substrings (blocks).  Blocks shorter than
   ``min_block`` characters are chance.  Blocks are taken longest first, each
   text position at most once, so reordered paragraphs and a passage sitting
   anywhere inside a long roundup are found alike (a single global LCS could
   only keep one order).
2. *Passages*: blocks that follow each other in both texts with small gaps
   (an edited word, a changed clause) are merged, and each passage is aligned
   character by character with rapidfuzz's Indel opcodes, which also credits
   the short matches between the seeds.

The result marks, on both sides, the characters that were matched.

*Windows* (seed-and-extend).  The fingerprints two texts share already say
where their common passages lie: :func:`anchor_windows` turns them into
windows of both texts (anchors chained along each text, padded by
``WINDOW_PAD``), seeds are looked for only inside windows that share an
anchor, and a block reaching a window's edge is extended along its diagonal
while the seeds continue.  A block is then exactly the block whole-text
seeding finds; only blocks far from every shared fingerprint — chance
matches of a few characters — can be missed.  Long articles (an e-paper
page, a 100,000-character report) are aligned at the cost of their shared
parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from shanggao.matcher.shingle import FINGERPRINT_K, codepoints, kgram_hashes

SEED_K = 4            # characters per seed k-gram
MIN_BLOCK = 8         # shortest exact common substring taken as evidence
MAX_GAP = 12          # largest edit gap (characters) bridged inside one passage
MAX_REPEATS = 8       # k-grams repeated more often than this inside one text are not seeds
WINDOW_PAD = 64       # characters searched for seeds on each side of a chain of shared fingerprints
CHAIN_GAP = 256       # shared fingerprints closer than this (in one text) belong to one window


@dataclass(frozen=True)
class Passage:
    """Normalised-text spans [m_start, m_end) ↔ [a_start, a_end) and their matched characters."""

    m_start: int
    m_end: int
    a_start: int
    a_end: int
    matched: int


@dataclass(frozen=True)
class Alignment:
    passages: list[Passage]
    m_mask: np.ndarray   # bool per manuscript character: found in the article
    a_mask: np.ndarray   # bool per article character: came from the manuscript


@dataclass(frozen=True)
class Seeds:
    """A text's seed k-gram hashes and whether each may seed (not repeated too often in the text)."""

    hashes: np.ndarray
    usable: np.ndarray


def seeds(text: str) -> Seeds:
    """The seeds of one normalised text (computed once, reused for every pair it is in)."""
    h = kgram_hashes(codepoints(text), SEED_K)
    if len(h) < 2:
        return Seeds(h, np.ones(len(h), bool))
    order = np.argsort(h)
    ordered = h[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    runs = np.diff(np.append(starts, len(h)))
    if runs.max() <= MAX_REPEATS:       # the usual case: no k-gram repeated that often
        return Seeds(h, np.ones(len(h), bool))
    usable = np.empty(len(h), bool)
    usable[order] = np.repeat(runs <= MAX_REPEATS, runs)
    return Seeds(h, usable)


def _seed_pairs(sm: Seeds, sa: Seeds, m_lo: int = 0, m_hi: int | None = None, a_lo: int = 0,
                a_hi: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with equal usable k-grams, i in [m_lo, m_hi) and j in [a_lo, a_hi) (k-gram starts)."""
    im = m_lo + np.flatnonzero(sm.usable[m_lo:m_hi])
    ja = a_lo + np.flatnonzero(sa.usable[a_lo:a_hi])
    if not len(im) or not len(ja):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    hm, ha = sm.hashes[im], sa.hashes[ja]
    order = np.argsort(ha, kind="stable")
    sorted_a = ha[order]
    left = np.searchsorted(sorted_a, hm, "left")
    counts = np.searchsorted(sorted_a, hm, "right") - left
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i = np.repeat(im.astype(np.int64), counts)
    # position inside each [left, right) run, laid end to end
    run_starts = np.repeat(np.cumsum(counts) - counts, counts)
    j = ja[order[np.repeat(left, counts) + np.arange(total) - run_starts]]
    return i, j.astype(np.int64)


def _is_seed(sm: Seeds, sa: Seeds, i: int, j: int) -> bool:
    return (0 <= i < len(sm.hashes) and 0 <= j < len(sa.hashes) and bool(sm.usable[i]) and bool(sa.usable[j])
            and sm.hashes[i] == sa.hashes[j])


def _blocks(sm: Seeds, sa: Seeds, min_block: int, window: tuple[int, int, int, int] | None = None
            ) -> list[tuple[int, int, int]]:
    """Runs of seeds along diagonals as (i, j, length), inside ``window`` (extended past its edges)."""
    if window is None:
        i, j = _seed_pairs(sm, sa)
    else:
        m_lo, m_hi, a_lo, a_hi = window
        i, j = _seed_pairs(sm, sa, m_lo, max(m_lo, m_hi - SEED_K + 1), a_lo, max(a_lo, a_hi - SEED_K + 1))
    if not len(i):
        return []
    diag = j - i
    order = np.lexsort((i, diag))
    i, diag = i[order], diag[order]
    breaks = np.flatnonzero((np.diff(diag) != 0) | (np.diff(i) != 1)) + 1
    starts = np.concatenate(([0], breaks))
    runs = np.diff(np.concatenate((starts, [len(i)])))
    first, diag = i[starts], diag[starts]
    keep = runs + SEED_K - 1 >= min_block
    if window is None:
        return [(s, s + d, r + SEED_K - 1) for s, d, r in zip(first[keep].tolist(), diag[keep].tolist(),
                                                               runs[keep].tolist(), strict=True)]
    # a run cut by the window's edge goes on outside it
    last = first + runs - 1
    cut = ((first == m_lo) | (first + diag == a_lo)
           | (last >= m_hi - SEED_K) | (last + diag >= a_hi - SEED_K))
    out = []
    for s, d, r, edge in zip(first[keep | cut].tolist(), diag[keep | cut].tolist(), runs[keep | cut].tolist(),
                             cut[keep | cut].tolist(), strict=True):
        if edge:
            while _is_seed(sm, sa, s - 1, s - 1 + d):
                s, r = s - 1, r + 1
            while _is_seed(sm, sa, s + r, s + r + d):
                r += 1
        if r + SEED_K - 1 >= min_block:
            out.append((s, s + d, r + SEED_K - 1))
    return out


def exact_blocks(m: str, a: str, min_block: int = MIN_BLOCK) -> list[tuple[int, int, int]]:
    """Exact common substrings (i, j, length) of at least ``min_block`` characters."""
    return _blocks(seeds(m), seeds(a), min_block)


def _intervals(pos: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Padded spans around sorted anchor positions, chained when closer than ``CHAIN_GAP``: (starts, ends)."""
    breaks = np.flatnonzero(np.diff(pos) > CHAIN_GAP) + 1
    first = pos[np.concatenate(([0], breaks))]
    last = pos[np.concatenate((breaks - 1, [len(pos) - 1]))]
    return np.maximum(first - WINDOW_PAD, 0), np.minimum(last + FINGERPRINT_K + WINDOW_PAD, n)


def anchor_windows(m_pos: np.ndarray, m_fps: np.ndarray, a_pos: np.ndarray, a_fps: np.ndarray,
                   n: int, m: int) -> list[tuple[int, int, int, int]]:
    """Windows (m_lo, m_hi, a_lo, a_hi) around the fingerprints two texts share.

    ``*_pos``/``*_fps``: each text's sampled fingerprints and where they start
    (:func:`~shanggao.matcher.shingle.fingerprint_positions`); ``n``/``m``: the
    texts' lengths.  Each text's anchors are chained into padded intervals; a
    window pairs an interval of one with an interval of the other that share
    an anchor.
    """
    if not len(m_fps) or not len(a_fps):
        return []
    order = np.argsort(a_fps, kind="stable")
    sorted_a = a_fps[order]
    left = np.searchsorted(sorted_a, m_fps, "left")
    counts = np.searchsorted(sorted_a, m_fps, "right") - left
    total = int(counts.sum())
    if not total:
        return []
    i = np.repeat(m_pos, counts)
    run_starts = np.repeat(np.cumsum(counts) - counts, counts)
    j = a_pos[order[np.repeat(left, counts) + np.arange(total) - run_starts]]
    mi = np.unique(i)
    aj = np.unique(j)
    m_lo, m_hi = _intervals(mi, n)
    a_lo, a_hi = _intervals(aj, m)
    # which interval each anchor falls in, on both sides
    k_m = np.searchsorted(m_lo, i, "right") - 1
    k_a = np.searchsorted(a_lo, j, "right") - 1
    combos = np.unique(k_m.astype(np.int64) * len(a_lo) + k_a)
    return [(int(m_lo[c // len(a_lo)]), int(m_hi[c // len(a_lo)]), int(a_lo[c % len(a_lo)]), int(a_hi[c % len(a_lo)]))
            for c in combos.tolist()]


def _select(blocks: list[tuple[int, int, int]], n: int, m: int) -> list[tuple[int, int, int]]:
    """Longest blocks first; a block mostly overlapping taken text on either side is dropped."""
    taken_m = np.zeros(n, bool)
    taken_a = np.zeros(m, bool)
    chosen = []
    for i, j, length in sorted(blocks, key=lambda b: -b[2]):
        free_m = length - int(taken_m[i:i + length].sum())
        free_a = length - int(taken_a[j:j + length].sum())
        if min(free_m, free_a) * 2 < length:
            continue
        taken_m[i:i + length] = True
        taken_a[j:j + length] = True
        chosen.append((i, j, length))
    return sorted(chosen)


def _merge(blocks: list[tuple[int, int, int]], max_gap: int) -> list[list[int]]:
    """Chain blocks that follow each other in both texts into passage spans."""
    spans: list[list[int]] = []
    for i, j, length in blocks:
        if spans:
            last = spans[-1]
            gap_m, gap_a = i - last[1], j - last[3]
            if -SEED_K <= gap_m <= max_gap and -SEED_K <= gap_a <= max_gap:
                last[1] = max(last[1], i + length)
                last[3] = max(last[3], j + length)
                continue
        spans.append([i, i + length, j, j + length])
    return spans


def align(m: str, a: str, *, min_block: int = MIN_BLOCK, max_gap: int = MAX_GAP,
          windows: list[tuple[int, int, int, int]] | None = None, m_seeds: Seeds | None = None,
          a_seeds: Seeds | None = None) -> Alignment:
    """Align normalised manuscript text ``m`` with normalised article text ``a``.

    ``windows`` (from :func:`anchor_windows`) limits the seed search to them;
    ``None`` searches the whole texts.  ``m_seeds``/``a_seeds`` are the texts'
    :func:`seeds` when already computed.
    """
    m_mask = np.zeros(len(m), bool)
    a_mask = np.zeros(len(a), bool)
    sm = m_seeds if m_seeds is not None else seeds(m)
    sa = a_seeds if a_seeds is not None else seeds(a)
    if windows is None:
        found = _blocks(sm, sa, min_block)
    else:
        # a block found in two windows is one block; diagonal order, as whole-text seeding gives
        found = sorted({b for w in windows for b in _blocks(sm, sa, min_block, w)}, key=lambda b: (b[1] - b[0], b[0]))
    blocks = _select(found, len(m), len(a))
    passages = []
    for ms, me, as_, ae in _merge(blocks, max_gap):
        matched = 0
        for op in Indel.opcodes(m[ms:me], a[as_:ae]):
            if op.tag == "equal":
                m_mask[ms + op.src_start: ms + op.src_end] = True
                a_mask[as_ + op.dest_start: as_ + op.dest_end] = True
                matched += op.src_end - op.src_start
        passages.append(Passage(ms, me, as_, ae, matched))
    return Alignment(passages, m_mask, a_mask)
