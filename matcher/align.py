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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from shanggao.matcher.shingle import codepoints, kgram_hashes

SEED_K = 4            # characters per seed k-gram
MIN_BLOCK = 8         # shortest exact common substring taken as evidence
MAX_GAP = 12          # largest edit gap (characters) bridged inside one passage
MAX_REPEATS = 8       # k-grams repeated more often than this inside one text are not seeds


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


def _seed_pairs(m: str, a: str) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with m[i:i+K] == a[j:j+K], k-grams repeated too often left out."""
    hm = kgram_hashes(codepoints(m), SEED_K)
    ha = kgram_hashes(codepoints(a), SEED_K)
    if not len(hm) or not len(ha):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(ha, kind="stable")
    sorted_a = ha[order]
    left = np.searchsorted(sorted_a, hm, "left")
    right = np.searchsorted(sorted_a, hm, "right")
    counts = right - left
    sorted_m = np.sort(hm)
    m_counts = np.searchsorted(sorted_m, hm, "right") - np.searchsorted(sorted_m, hm, "left")
    usable = (counts > 0) & (counts <= MAX_REPEATS) & (m_counts <= MAX_REPEATS)
    counts = np.where(usable, counts, 0)
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i = np.repeat(np.arange(len(hm), dtype=np.int64), counts)
    # position inside each [left, right) run, laid end to end
    run_starts = np.repeat(np.cumsum(counts) - counts, counts)
    j = order[np.repeat(left, counts) + np.arange(total) - run_starts]
    return i, j.astype(np.int64)


def exact_blocks(m: str, a: str, min_block: int = MIN_BLOCK) -> list[tuple[int, int, int]]:
    """Exact common substrings (i, j, length) of at least ``min_block`` characters."""
    i, j = _seed_pairs(m, a)
    if not len(i):
        return []
    diag = j - i
    order = np.lexsort((i, diag))
    i, diag = i[order], diag[order]
    breaks = np.flatnonzero((np.diff(diag) != 0) | (np.diff(i) != 1)) + 1
    starts = np.concatenate(([0], breaks))
    lengths = np.diff(np.concatenate((starts, [len(i)]))) + SEED_K - 1
    keep = lengths >= min_block
    bi = i[starts][keep]
    return [(int(s), int(s + d), int(n)) for s, d, n in zip(bi, diag[starts][keep], lengths[keep], strict=True)]


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


def align(m: str, a: str, *, min_block: int = MIN_BLOCK, max_gap: int = MAX_GAP) -> Alignment:
    """Align normalised manuscript text ``m`` with normalised article text ``a``."""
    m_mask = np.zeros(len(m), bool)
    a_mask = np.zeros(len(a), bool)
    blocks = _select(exact_blocks(m, a, min_block), len(m), len(a))
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
