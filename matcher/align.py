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
from numba import njit
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
    return Seeds(h, _seldom_repeated(h))


# -- compiled kernels ----------------------------------------------------------
# Seeding, chaining and block selection walk the texts position by position:
# as numpy array passes they cost several sorts and temporaries per pair, as
# compiled loops (numba, cached on disk after the first run) a fraction of that.

_SPREAD = np.uint64(0x9E3779B97F4A7C15)   # odd multiplier: its top bits pick a hash table slot


@njit(cache=True, nogil=True)
def _table(keys: np.ndarray, use: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """A chained hash table of the positions r with ``use[r]``, keyed by ``keys[r]``:
    (first position per slot, next position with the same slot, slot bits); -1 ends a chain.
    Sorting the keys instead costs several times more: its branches are unpredictable."""
    bits = 4
    while (1 << bits) < 2 * len(keys):
        bits += 1
    head = np.full(1 << bits, -1, np.int64)
    chain = np.full(len(keys), -1, np.int64)
    shift = np.uint64(64 - bits)
    for r in range(len(keys) - 1, -1, -1):   # chains then run in position order
        if use[r]:
            slot = (np.uint64(keys[r]) * _SPREAD) >> shift
            chain[r] = head[slot]
            head[slot] = r
    return head, chain, bits


@njit(cache=True, nogil=True)
def _seldom_repeated(hashes: np.ndarray) -> np.ndarray:
    """Whether each k-gram occurs at most ``MAX_REPEATS`` times in its text."""
    head, chain, _ = _table(hashes, np.ones(len(hashes), np.bool_))
    usable = np.ones(len(hashes), np.bool_)
    counted = np.zeros(len(hashes), np.bool_)
    for r in range(len(hashes)):
        if counted[r]:
            continue
        # the chain from r's slot, in position order, holds every later occurrence of r's k-gram
        n = 0
        t = r
        while t >= 0:
            if hashes[t] == hashes[r]:
                n += 1
            t = chain[t]
        t = r
        while t >= 0:
            if hashes[t] == hashes[r]:
                counted[t] = True
                usable[t] = n <= MAX_REPEATS
            t = chain[t]
    return usable


@njit(cache=True, nogil=True)
def _window_blocks(mh: np.ndarray, mu: np.ndarray, ah: np.ndarray, au: np.ndarray, windows: np.ndarray,
                   min_block: int) -> np.ndarray:
    """Blocks (i, j, length) of the seed runs that cross a window, each once, by (diagonal, i).

    A run is followed past the window on both sides while the seeds continue, so
    a block is a maximal run of seeds along its diagonal: exactly the block
    whole-text seeding finds.
    """
    head, chain, bits = _table(ah, au)
    shift = np.uint64(64 - bits)
    # a list: with an array regrown inside it, the loop measured several times slower
    found = [(0, 0, 0) for _ in range(0)]
    for w in range(windows.shape[0]):
        m_lo, m_hi, a_lo, a_hi = windows[w, 0], windows[w, 1], windows[w, 2], windows[w, 3]
        i_end = min(max(m_lo, m_hi - SEED_K + 1), len(mh))
        j_end = max(a_lo, a_hi - SEED_K + 1)
        for i in range(m_lo, i_end):
            if not mu[i]:
                continue
            j = head[(mh[i] * _SPREAD) >> shift]
            while j >= 0:
                # (i, j) seeds where its run enters the window: follow the run both ways.  (The
                # seed test is written out: a call passing the four arrays costs ten times more.)
                if (ah[j] == mh[i] and a_lo <= j < j_end
                        and not (i > m_lo and j > a_lo and mu[i - 1] and au[j - 1] and mh[i - 1] == ah[j - 1])):
                    d = j - i
                    s = i
                    while s > 0 and s + d > 0 and mu[s - 1] and au[s - 1 + d] and mh[s - 1] == ah[s - 1 + d]:
                        s -= 1
                    e = i
                    while (e + 1 < len(mh) and e + 1 + d < len(ah) and mu[e + 1] and au[e + 1 + d]
                           and mh[e + 1] == ah[e + 1 + d]):
                        e += 1
                    if e - s + SEED_K >= min_block:
                        found.append((s, s + d, e - s + SEED_K))
                j = chain[j]
    blocks = np.empty((len(found), 3), np.int64)
    for r in range(len(found)):
        blocks[r, 0], blocks[r, 1], blocks[r, 2] = found[r]
    span = len(mh) + 1
    key = (blocks[:, 1] - blocks[:, 0] + span) * span + blocks[:, 0]
    key_order = np.argsort(key)
    keep = np.ones(len(found), np.bool_)
    for r in range(1, len(found)):
        keep[r] = key[key_order[r]] != key[key_order[r - 1]]
    return blocks[key_order[keep]]


@njit(cache=True, nogil=True)
def _passage_spans(blocks: np.ndarray, n: int, m: int, max_gap: int) -> np.ndarray:
    """Blocks taken longest first (one mostly overlapping taken text on either side is dropped),
    then chained, where they follow each other in both texts, into passage spans
    (m_start, m_end, a_start, a_end)."""
    taken_m = np.zeros(n, np.bool_)
    taken_a = np.zeros(m, np.bool_)
    chosen = np.zeros(len(blocks), np.bool_)
    for r in np.argsort(-blocks[:, 2], kind="mergesort"):
        i, j, length = blocks[r, 0], blocks[r, 1], blocks[r, 2]
        free_m = length - np.count_nonzero(taken_m[i:i + length])
        free_a = length - np.count_nonzero(taken_a[j:j + length])
        if min(free_m, free_a) * 2 < length:
            continue
        taken_m[i:i + length] = True
        taken_a[j:j + length] = True
        chosen[r] = True
    kept = blocks[chosen]
    kept = kept[np.argsort(kept[:, 0] * (m + 1) + kept[:, 1])]
    spans = np.empty((len(kept), 4), np.int64)
    count = 0
    for r in range(len(kept)):
        i, j, length = kept[r, 0], kept[r, 1], kept[r, 2]
        if count:
            gap_m, gap_a = i - spans[count - 1, 1], j - spans[count - 1, 3]
            if -SEED_K <= gap_m <= max_gap and -SEED_K <= gap_a <= max_gap:
                spans[count - 1, 1] = max(spans[count - 1, 1], i + length)
                spans[count - 1, 3] = max(spans[count - 1, 3], j + length)
                continue
        spans[count, 0], spans[count, 1], spans[count, 2], spans[count, 3] = i, i + length, j, j + length
        count += 1
    return spans[:count]


@njit(cache=True, nogil=True)
def _chain_ids(pos: np.ndarray, n: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Chain sorted anchor positions closer than ``CHAIN_GAP`` into padded intervals.

    Writes the intervals to ``starts``/``ends`` and returns each anchor's interval
    (the count of intervals is the last id plus one)."""
    ids = np.empty(len(pos), np.int64)
    count = 0
    for r in range(len(pos)):
        if count and pos[r] - pos[r - 1] <= CHAIN_GAP:
            ends[count - 1] = min(pos[r] + FINGERPRINT_K + WINDOW_PAD, n)
        else:
            starts[count] = max(pos[r] - WINDOW_PAD, 0)
            ends[count] = min(pos[r] + FINGERPRINT_K + WINDOW_PAD, n)
            count += 1
        ids[r] = count - 1
    return ids


@njit(cache=True, nogil=True)
def _anchor_windows(m_pos: np.ndarray, m_fps: np.ndarray, a_pos: np.ndarray, a_fps: np.ndarray,
                    n: int, m: int) -> np.ndarray:
    head, chain, bits = _table(a_fps, np.ones(len(a_fps), np.bool_))
    shift = np.uint64(64 - bits)
    # the shared anchors: manuscript fingerprint r ~ article fingerprint t
    shared_m = np.zeros(len(m_fps), np.bool_)
    shared_a = np.zeros(len(a_fps), np.bool_)
    pairs = [(0, 0) for _ in range(0)]
    for r in range(len(m_fps)):
        t = head[(np.uint64(m_fps[r]) * _SPREAD) >> shift]
        while t >= 0:
            if a_fps[t] == m_fps[r]:
                pairs.append((r, t))
                shared_m[r] = shared_a[t] = True
            t = chain[t]
    if not pairs:
        return np.empty((0, 4), np.int64)
    # both texts' anchors are in position order: chain each side's distinct positions
    # (fingerprints at one position are one anchor)
    interval = []
    bounds = []
    for pos, shared, length in ((m_pos, shared_m, n), (a_pos, shared_a, m)):
        idx = np.flatnonzero(shared)
        distinct = np.ones(len(idx), np.bool_)
        for r in range(1, len(idx)):
            distinct[r] = pos[idx[r]] != pos[idx[r - 1]]
        starts = np.empty(len(idx), np.int64)
        ends = np.empty(len(idx), np.int64)
        ids_distinct = _chain_ids(pos[idx[distinct]], length, starts, ends)
        of = np.full(len(pos), -1, np.int64)
        of[idx] = ids_distinct[np.cumsum(distinct) - 1]
        interval.append(of)
        bounds.append((starts[:ids_distinct[-1] + 1], ends[:ids_distinct[-1] + 1]))
    (m_lo, m_hi), (a_lo, a_hi) = bounds
    seen = np.zeros(len(m_lo) * len(a_lo), np.bool_)
    for r, t in pairs:
        seen[interval[0][r] * len(a_lo) + interval[1][t]] = True
    combos = np.flatnonzero(seen)
    out = np.empty((len(combos), 4), np.int64)
    for r in range(len(combos)):
        km, ka = combos[r] // len(a_lo), combos[r] % len(a_lo)
        out[r, 0], out[r, 1], out[r, 2], out[r, 3] = m_lo[km], m_hi[km], a_lo[ka], a_hi[ka]
    return out


def exact_blocks(m: str, a: str, min_block: int = MIN_BLOCK) -> list[tuple[int, int, int]]:
    """Exact common substrings (i, j, length) of at least ``min_block`` characters."""
    blocks = _whole_text_blocks(seeds(m), seeds(a), len(m), len(a), min_block)
    return [(i, j, length) for i, j, length in blocks.tolist()]


def _whole_text_blocks(sm: Seeds, sa: Seeds, n: int, m: int, min_block: int) -> np.ndarray:
    return _window_blocks(sm.hashes, sm.usable, sa.hashes, sa.usable, np.array([[0, n, 0, m]], np.int64), min_block)


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
    windows = _anchor_windows(m_pos.astype(np.int64, copy=False), m_fps.astype(np.int64, copy=False),
                              a_pos.astype(np.int64, copy=False), a_fps.astype(np.int64, copy=False), n, m)
    return [(lo_m, hi_m, lo_a, hi_a) for lo_m, hi_m, lo_a, hi_a in windows.tolist()]


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
        found = _whole_text_blocks(sm, sa, len(m), len(a), min_block)
    else:
        found = _window_blocks(sm.hashes, sm.usable, sa.hashes, sa.usable,
                               np.array(windows, np.int64).reshape(-1, 4), min_block)
    passages = []
    for ms, me, as_, ae in _passage_spans(found, len(m), len(a), max_gap).tolist():
        matched = 0
        for op in Indel.opcodes(m[ms:me], a[as_:ae]):
            if op.tag == "equal":
                m_mask[ms + op.src_start: ms + op.src_end] = True
                a_mask[as_ + op.dest_start: as_ + op.dest_end] = True
                matched += op.src_end - op.src_start
        passages.append(Passage(ms, me, as_, ae, matched))
    return Alignment(passages, m_mask, a_mask)
