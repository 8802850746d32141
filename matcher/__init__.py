"""The placement matcher: which published articles carry which manuscripts' text.

Pipeline (one module per step):

* :mod:`matcher.normalize` — canonical character stream with offsets back to the original;
* :mod:`matcher.shingle` — character 5-gram hashes and the sampled fingerprints that are indexed;
* :mod:`matcher.index` — the persistent fingerprint index in the store, document frequencies,
  candidate pairs (DuckDB joins, never all pairs);
* :mod:`matcher.align` — passages shared by a manuscript and an article (seeds + rapidfuzz Indel);
* :mod:`matcher.score` — distinctiveness weights, the decision rule, score and kind;
* :mod:`matcher.pipeline` — :func:`match_store` (incremental runs) and :func:`explain`.
"""

from shanggao.matcher.normalize import NormText, normalize, normalize_with_offsets
from shanggao.matcher.pipeline import (
    MATCHER_VERSION,
    Explanation,
    Link,
    ManuscriptFlag,
    MatchError,
    MatchRunResult,
    candidate_features,
    compare_texts,
    explain,
    match_store,
)
from shanggao.matcher.score import DocumentFrequency, MatcherParams, PairFeatures

__all__ = [
    "MATCHER_VERSION",
    "DocumentFrequency",
    "Explanation",
    "Link",
    "ManuscriptFlag",
    "MatchError",
    "MatchRunResult",
    "MatcherParams",
    "NormText",
    "PairFeatures",
    "candidate_features",
    "compare_texts",
    "explain",
    "match_store",
    "normalize",
    "normalize_with_offsets",
]
