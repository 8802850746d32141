"""Character n-gram shingles and their 64-bit hashes, computed with numpy.

Chinese has no spaces, so the unit of evidence is the character k-gram of the
normalised stream.  Hashes are a polynomial over code points passed through the
splitmix64 finaliser (well mixed, so the low bits can be used for sampling).

The persistent index keeps only *fingerprints*: the k-grams whose hash has its
low ``SAMPLE_BITS`` bits zero.  The choice depends on content alone, so two
texts sharing a passage share the same fingerprints of it (about one in
``2**SAMPLE_BITS`` of its k-grams) — enough to find candidates and to learn
document frequencies at a quarter of the storage.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FINGERPRINT_K = 5          # characters per fingerprint shingle
SAMPLE_BITS = 2            # keep 1 in 4 shingles as fingerprints
_SAMPLE_MASK = np.uint64((1 << SAMPLE_BITS) - 1)
_PRIME = np.uint64(1_000_003)
_DOC_SALT = np.uint64(0x9E3779B97F4A7C15)


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` as uint32 (UTF-32 is one unit per character)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, in place; uint64 arithmetic wraps, which is intended."""
    t = np.empty_like(h)
    np.right_shift(h, np.uint64(30), out=t)
    np.bitwise_xor(h, t, out=h)
    np.multiply(h, np.uint64(0xBF58476D1CE4E5B9), out=h)
    np.right_shift(h, np.uint64(27), out=t)
    np.bitwise_xor(h, t, out=h)
    np.multiply(h, np.uint64(0x94D049BB133111EB), out=h)
    np.right_shift(h, np.uint64(31), out=t)
    np.bitwise_xor(h, t, out=h)
    return h


def kgram_hashes(cp: np.ndarray, k: int) -> np.ndarray:
    """Hash of every k-gram of the code-point array ``cp`` (length ``len(cp) - k + 1``)."""
    n = len(cp) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    wide = cp.astype(np.uint64)
    h = wide[:n].copy()
    for j in range(1, k):  # in place: large temporaries cost more than the arithmetic
        np.multiply(h, _PRIME, out=h)
        np.add(h, wide[j:j + n], out=h)
    return _mix(h)


def text_kgrams(text: str, k: int = FINGERPRINT_K) -> np.ndarray:
    """Hashes of all k-grams of an already normalised text."""
    return kgram_hashes(codepoints(text), k)


def is_fingerprint(hashes: np.ndarray) -> np.ndarray:
    """Mask of the hashes selected as fingerprints."""
    return (hashes & _SAMPLE_MASK) == 0


def fingerprints(text: str) -> np.ndarray:
    """Distinct fingerprints (int64) of one normalised text."""
    h = text_kgrams(text)
    return np.unique(h[is_fingerprint(h)]).view(np.int64)


_CHUNK_CHARS = 1 << 20  # characters hashed per numpy pass (keeps temporaries in cache)


def fingerprint_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Fingerprints of many normalised texts at once.

    Returns ``(doc, fp)``: parallel arrays where ``doc`` indexes ``texts`` and
    each (doc, fp) pair occurs once.  Texts are concatenated and hashed in
    large chunks, far faster than a numpy call per text; k-grams straddling two
    texts are dropped.
    """
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if not len(texts) or lengths.sum() < FINGERPRINT_K:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    cp = codepoints("".join(texts))
    ends = np.cumsum(lengths)
    k = FINGERPRINT_K
    docs, fps = [], []
    for start in range(0, len(cp) - k + 1, _CHUNK_CHARS):
        h = kgram_hashes(cp[start:start + _CHUNK_CHARS + k - 1], k)
        pos = np.flatnonzero(is_fingerprint(h))
        fp = h[pos]
        pos += start
        doc = np.searchsorted(ends, pos, side="right")
        inside = pos + k <= ends[doc]
        docs.append(doc[inside].astype(np.int32))
        fps.append(fp[inside])
    doc = np.concatenate(docs)
    fp = np.concatenate(fps)
    with np.errstate(over="ignore"):
        pair_key = _mix(fp ^ (doc.astype(np.uint64) * _DOC_SALT))
    _, first = np.unique(pair_key, return_index=True)
    first.sort()
    return doc[first], fp[first].view(np.int64)
