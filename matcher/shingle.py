"""Character n-gram shingles and their hashes, computed with numpy (and, for the index's
batches, one compiled pass).

Chinese has no spaces, so the unit of evidence is the character k-gram of the
normalised stream.  A k-gram's hash is a polynomial over its code points
(mod 2**64, computed in place over whole arrays).

The persistent index keeps only *fingerprints*: the 5-grams whose hash falls
in a fixed quarter of the hash space.  The choice depends on content alone, so
two texts sharing a passage share the same fingerprints of it (about one in
four of its 5-grams) — enough to find candidates and to learn document
frequencies at a quarter of the storage.  A fingerprint's value is the
well-mixed (splitmix64) hash cut to 48 bits, which leaves room to pack a
document number beside it when deduplicating.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

FINGERPRINT_K = 5          # characters per fingerprint shingle
SAMPLE_BITS = 2            # keep 1 in 2**SAMPLE_BITS shingles as fingerprints
FP_BITS = 48               # bits kept of a fingerprint's mixed hash
_PRIME = np.uint64(1_000_003)
_SELECT = np.uint64(0x9E3779B97F4A7C15)   # odd multiplier; its top bits decide sampling
_FP_SHIFT = np.uint64(64 - FP_BITS)
_DOCS_PER_KEY = 1 << (63 - FP_BITS)       # documents one packed (doc, fp) key can number


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` as uint32 (UTF-32 is one unit per character)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def kgram_hashes(cp: np.ndarray, k: int) -> np.ndarray:
    """Polynomial hash of every k-gram of code points ``cp`` (``len(cp) - k + 1`` of them)."""
    n = len(cp) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    wide = cp.astype(np.uint64)
    h = wide[:n].copy()
    for j in range(1, k):  # in place: large temporaries cost more than the arithmetic
        np.multiply(h, _PRIME, out=h)
        np.add(h, wide[j:j + n], out=h)
    return h


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, in place (uint64 arithmetic wraps, as intended)."""
    t = np.empty_like(h)
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
        np.right_shift(h, np.uint64(shift), out=t)
        np.bitwise_xor(h, t, out=h)
        np.multiply(h, np.uint64(factor), out=h)
    np.right_shift(h, np.uint64(31), out=t)
    np.bitwise_xor(h, t, out=h)
    return h


def _sampled(h: np.ndarray) -> np.ndarray:
    """Positions of the k-gram hashes chosen as fingerprints."""
    t = h * _SELECT
    np.right_shift(t, np.uint64(64 - SAMPLE_BITS), out=t)
    return np.flatnonzero(t == 0)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Distinct values, sorted (plain sort; faster here than numpy's hash-based np.unique)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def fingerprint_positions(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(start position, fingerprint) of every sampled 5-gram of a normalised text."""
    h = kgram_hashes(codepoints(text), FINGERPRINT_K)
    pos = _sampled(h)
    fp = _mix(h[pos]) >> _FP_SHIFT
    return pos, fp.view(np.int64)


def fingerprints(text: str) -> np.ndarray:
    """Distinct fingerprints (int64) of one normalised text."""
    return sorted_unique(fingerprint_positions(text)[1])


def fingerprint_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Fingerprints of many normalised texts at once.

    Returns ``(doc, fp)``: parallel arrays where ``doc`` indexes ``texts`` and
    each (doc, fp) pair occurs once, sorted by doc, then fp.  The texts' k-grams
    are hashed by one compiled pass over their concatenation (k-grams straddling
    two texts are skipped); each (doc, fp) is packed into one key so that a
    single sort orders them and removes repeats within a text.
    """
    if len(texts) > _DOCS_PER_KEY:
        parts = [fingerprint_batch(texts[i:i + _DOCS_PER_KEY]) for i in range(0, len(texts), _DOCS_PER_KEY)]
        return (np.concatenate([d + i * _DOCS_PER_KEY for i, (d, _) in enumerate(parts)]).astype(np.int32),
                np.concatenate([f for _, f in parts]))
    ends = np.cumsum(np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)))
    key = sorted_unique(_batch_keys(codepoints("".join(texts)), ends))
    return (key >> np.uint64(FP_BITS)).astype(np.int32), (key & np.uint64((1 << FP_BITS) - 1)).view(np.int64)


_PRIME_TO_K = np.uint64(pow(int(_PRIME), FINGERPRINT_K - 1, 1 << 64))   # what the leaving character was worth
_SAMPLE_SHIFT = np.uint64(64 - SAMPLE_BITS)
_KEY_SHIFT = np.uint64(FP_BITS)
_MIX = (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9), np.uint64(27), np.uint64(0x94D049BB133111EB), np.uint64(31))


@njit(cache=True, nogil=True)
def _batch_keys(cp: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """(doc << FP_BITS) | fingerprint of every sampled k-gram inside one of the texts that end at
    ``ends`` in ``cp``, unsorted: :func:`kgram_hashes` rolled along each text, then
    :func:`_sampled` and :func:`_mix` per k-gram (all arithmetic wraps at 64 bits, as theirs)."""
    k = FINGERPRINT_K
    keys = np.empty(len(cp), np.uint64)   # at most one per k-gram; pages never written cost nothing
    s1, m1, s2, m2, s3 = _MIX
    w = 0
    start = 0
    for d in range(len(ends)):
        end = ends[d]
        if end - start >= k:
            h = np.uint64(0)
            for j in range(start, start + k):
                h = h * _PRIME + np.uint64(cp[j])
            for i in range(start, end - k + 1):
                if i > start:
                    h = (h - np.uint64(cp[i - 1]) * _PRIME_TO_K) * _PRIME + np.uint64(cp[i + k - 1])
                if (h * _SELECT) >> _SAMPLE_SHIFT == 0:
                    m = h ^ (h >> s1)
                    m *= m1
                    m ^= m >> s2
                    m *= m2
                    m ^= m >> s3
                    keys[w] = (np.uint64(d) << _KEY_SHIFT) | (m >> _FP_SHIFT)
                    w += 1
        start = end
    return keys[:w]
