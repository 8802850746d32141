"""From document frequencies and an alignment to a verdict: weights, features, decision, kind, score.

*Distinctiveness.*  A fingerprint found in many documents of the archive
(articles and manuscripts alike) is the genre's stock phrasing — 全面从严治党,
slogans, a site's navigation and disclaimer — and proves nothing.  Its weight
falls from 1 to 0 as its document frequency rises from ``df_low`` to
``df_high`` (log scale).  ``df_low`` leaves room for a manuscript and its own
placements, which legitimately repeat its text; ``df_high`` is where a text is
shared by more documents than one manuscript's placements plausibly make.
Each character gets the mean weight of the sampled fingerprints lying over it
inside its clause; characters without one take their clause's (else their
sentence's) mean — stock phrases are whole clauses in this genre.

*Decision.*  A placement carries the manuscript's own distinctive text, and
how much is needed depends on what else the article holds:

* inside an article that is mostly other text (an excerpt in a roundup), one
  contiguous passage — a section of the manuscript, edit gaps bridged — must
  hold ``min_excerpt_chars`` distinctive characters (about two sentences);
  scattered shared clauses and quoted policy lines never add up to that;
* an article made only of the manuscript's text (a heavy cut) needs just
  ``min_rewrite_chars``; in between the requirement falls linearly with the
  share of the article that came from the manuscript.

The evidence is the larger of the best passage and the matched distinctive
text scaled by the article's share (a heavy cut keeps sentences apart); ``score`` maps evidence/requirement to
0–100 with the decision boundary at 50.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
from numba import njit

from shanggao.matcher.align import Alignment
from shanggao.matcher.normalize import NormText
from shanggao.matcher.shingle import FINGERPRINT_K, fingerprint_positions


@dataclass(frozen=True)
class MatcherParams:
    """Every threshold of the matcher in one place (see the module docstring for the why)."""

    df_low: int = 8                    # documents sharing a fingerprint before it starts to count less
    df_high: int = 24                  # ... and at which it counts nothing
    min_excerpt_chars: float = 80.0    # distinctive text one passage needs inside an unrelated article
    min_rewrite_chars: float = 30.0    # ... in an article made wholly of the manuscript's text
    full_coverage: float = 0.9         # both ways: the whole text as submitted (kind "full")
    edited_article_share: float = 0.6  # the article is mostly the manuscript (kind "edited")
    edited_manuscript_share: float = 0.5  # ... or carries most of it
    sentence_share: float = 0.6        # share of a sentence's distinctive text that makes it "found"
    sentence_min_chars: float = 12.0   # a sentence counts when it has this much distinctive text
    min_manuscript_chars: float = 100.0  # distinctive characters a manuscript needs to be verifiable

    def to_dict(self) -> dict:
        return asdict(self)


def df_weight(df: np.ndarray, params: MatcherParams) -> np.ndarray:
    """Evidence weight of fingerprints seen in ``df`` documents: 1 when rare, 0 when stock."""
    df = np.maximum(np.asarray(df, dtype=np.float64), 1.0)
    lo, hi = np.log(params.df_low), np.log(params.df_high)
    return np.clip((hi - np.log(df)) / (hi - lo), 0.0, 1.0)


@njit(cache=True, nogil=True)
def _covering_mean(n: int, pos: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    """Mean weight of the k-grams starting at ``pos`` that lie over each of n characters (NaN: none)."""
    opened = np.zeros(n + 1)
    closed = np.zeros(n + 1)
    opened_n = np.zeros(n + 1, np.int64)
    closed_n = np.zeros(n + 1, np.int64)
    for r in range(len(pos)):
        opened[pos[r]] += w[r]
        closed[pos[r] + k] += w[r]
        opened_n[pos[r]] += 1
        closed_n[pos[r] + k] += 1
    out = np.full(n, np.nan)
    total = 0.0
    count = 0.0
    for c in range(n):
        total += opened[c] - closed[c]
        count += float(opened_n[c] - closed_n[c])
        if count > 0.5:
            out[c] = total / count
    return out


@njit(cache=True, nogil=True)
def _group_means(weights: np.ndarray, group: np.ndarray) -> None:
    """Characters without a weight take the mean weight of their group's characters that have one."""
    sums = np.zeros(group.max() + 1)
    nums = np.zeros(group.max() + 1, np.int64)
    for c in range(len(weights)):
        if not np.isnan(weights[c]):
            sums[group[c]] += weights[c]
            nums[group[c]] += 1
    for c in range(len(weights)):
        if np.isnan(weights[c]) and nums[group[c]]:
            weights[c] = sums[group[c]] / nums[group[c]]


@njit(cache=True, nogil=True)
def _char_weights(n: int, pos: np.ndarray, w: np.ndarray, clause_id: np.ndarray, sentence_id: np.ndarray,
                  k: int) -> np.ndarray:
    inside = clause_id[pos] == clause_id[pos + k - 1]
    weights = _covering_mean(n, pos[inside], w[inside], k)
    for group in (clause_id, sentence_id):
        if not np.isnan(weights).any():
            break
        _group_means(weights, group)
    if np.isnan(weights).any():
        straddling = _covering_mean(n, pos, w, k)   # fingerprints straddling clause ends
        for c in range(n):
            if np.isnan(weights[c]):
                weights[c] = 1.0 if np.isnan(straddling[c]) else straddling[c]
    return weights


def char_weights(norm: NormText, df_of: DocumentFrequency, params: MatcherParams) -> np.ndarray:
    """Distinctiveness (0..1) of each character of a normalised text."""
    pos, fps = fingerprint_positions(norm.text)
    return weights_from_df(norm, pos, df_of(fps), params)


def weights_from_df(norm: NormText, pos: np.ndarray, dfs: np.ndarray, params: MatcherParams) -> np.ndarray:
    """:func:`char_weights` given the fingerprints' positions and document frequencies.

    Fingerprints inside one clause speak for their characters; characters no
    such fingerprint covers take their clause's, else their sentence's mean;
    failing that, fingerprints straddling clause ends (site chrome is made of
    short clauses, and its straddling k-grams repeat with it); else 1.
    """
    n = len(norm.text)
    if n == 0:
        return np.zeros(0)
    return _char_weights(n, pos, df_weight(dfs, params), norm.clause_id, norm.sentence_id, FINGERPRINT_K)


@njit(cache=True, nogil=True)
def _hash_table(fps: np.ndarray, dfs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Open addressing, linear probing, at most half full; fingerprints are non-negative
    and well mixed (their low bits pick the slot), so -1 marks a free slot."""
    size = 16
    while size < 2 * len(fps):
        size *= 2
    keys = np.full(size, -1, np.int64)
    values = np.zeros(size, np.int64)
    for r in range(len(fps)):
        slot = fps[r] & (size - 1)
        while keys[slot] != -1 and keys[slot] != fps[r]:
            slot = (slot + 1) & (size - 1)
        keys[slot] = fps[r]
        values[slot] = dfs[r]
    return keys, values


@njit(cache=True, nogil=True)
def _hash_lookup(keys: np.ndarray, values: np.ndarray, fps: np.ndarray) -> np.ndarray:
    out = np.zeros(len(fps), np.int64)
    mask = len(keys) - 1
    for r in range(len(fps)):
        slot = fps[r] & mask
        while keys[slot] != -1:
            if keys[slot] == fps[r]:
                out[r] = values[slot]
                break
            slot = (slot + 1) & mask
    return out


class DocumentFrequency:
    """Lookup of fingerprint → number of indexed documents containing it (0 when unseen)."""

    def __init__(self, fps: np.ndarray, dfs: np.ndarray):
        # looked up by hashing: a binary search of a million-entry array misses the cache at every step
        self._keys, self._values = _hash_table(np.asarray(fps, dtype=np.int64), np.asarray(dfs, dtype=np.int64))

    @property
    def fps(self) -> np.ndarray:
        """The listed fingerprints (in table order)."""
        return self._keys[self._keys != -1]

    @property
    def dfs(self) -> np.ndarray:
        """Their document frequencies, in the same order."""
        return self._values[self._keys != -1]

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> DocumentFrequency:
        """Document frequencies of an in-memory corpus of (raw) texts — the store-free way."""
        from shanggao.matcher.normalize import normalize
        from shanggao.matcher.shingle import fingerprint_batch, sorted_unique

        _, fp = fingerprint_batch([normalize(t) for t in texts])
        fp = np.sort(fp)
        distinct = sorted_unique(fp)
        counts = np.searchsorted(fp, distinct, "right") - np.searchsorted(fp, distinct, "left")
        return cls(distinct, counts)

    def __call__(self, fps: np.ndarray) -> np.ndarray:
        return _hash_lookup(self._keys, self._values, np.asarray(fps, dtype=np.int64))

    def __len__(self) -> int:
        return int(np.count_nonzero(self._keys != -1))


@dataclass(frozen=True)
class PairFeatures:
    """What the decision looks at for one manuscript–article pair (characters are weighted)."""

    manuscript_distinct: float   # distinctive characters of the manuscript
    article_distinct: float      # distinctive characters of the article
    matched_distinct: float      # of the manuscript's, found in the article
    article_matched: float       # of the article's, taken from the manuscript
    manuscript_coverage: float   # matched_distinct / manuscript_distinct
    article_coverage: float      # article_matched / article_distinct
    best_passage: float          # distinctive manuscript characters matched in one passage
    sentences_found: int         # manuscript sentences mostly present
    sentences_total: int         # manuscript sentences with some distinctive text

    @property
    def evidence(self) -> float:
        return max(self.best_passage, self.matched_distinct * self.article_coverage)


def pair_features(m: NormText, m_weights: np.ndarray, a_weights: np.ndarray,
                  alignment: Alignment, params: MatcherParams) -> PairFeatures:
    m_total = float(m_weights.sum())
    a_total = float(a_weights.sum())
    m_hit = np.where(alignment.m_mask, m_weights, 0.0)
    matched = float(m_hit.sum())
    a_matched = float(a_weights[alignment.a_mask].sum())
    best = max((float(m_hit[p.m_start:p.m_end].sum()) for p in alignment.passages), default=0.0)
    found = sentences = 0
    if len(m.sentence_id):
        per_total = np.bincount(m.sentence_id, weights=m_weights)
        per_hit = np.bincount(m.sentence_id, weights=m_hit)
        sentences = int((per_total >= params.sentence_min_chars).sum())
        found = int(((per_hit >= params.sentence_share * per_total)
                     & (per_total >= params.sentence_min_chars)).sum())
    return PairFeatures(
        manuscript_distinct=m_total,
        article_distinct=a_total,
        matched_distinct=matched,
        article_matched=a_matched,
        manuscript_coverage=matched / m_total if m_total else 0.0,
        article_coverage=a_matched / a_total if a_total else 0.0,
        best_passage=best,
        sentences_found=found,
        sentences_total=sentences,
    )


def required_evidence(f: PairFeatures, params: MatcherParams) -> float:
    """Distinctive characters this pair needs: less the more the article is the manuscript's."""
    share = min(1.0, f.article_coverage)
    return params.min_excerpt_chars - (params.min_excerpt_chars - params.min_rewrite_chars) * share


def is_placement(f: PairFeatures, params: MatcherParams) -> bool:
    """The decision rule (module docstring)."""
    return f.evidence >= required_evidence(f, params)


def score(f: PairFeatures, params: MatcherParams) -> float:
    """0–100, monotone in evidence/requirement; 50 is the decision boundary."""
    ratio = f.evidence / required_evidence(f, params)
    return round(100.0 * ratio / (1.0 + ratio), 1)


def kind(f: PairFeatures, params: MatcherParams) -> str:
    """full | edited | excerpt (roundup is decided per article, once all its links are known)."""
    if f.manuscript_coverage >= params.full_coverage and f.article_coverage >= params.full_coverage:
        return "full"
    if (f.article_coverage >= params.edited_article_share
            or f.manuscript_coverage >= params.edited_manuscript_share):
        return "edited"
    return "excerpt"
