"""Matching runs over a store: index, screen manuscripts, find candidates, align, decide, write.

:func:`match_store` is what ``shanggao match`` and the nightly job call;
:func:`explain` recomputes one pair for ``shanggao explain``.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass, field, replace
from functools import cached_property

import numpy as np
import pyarrow as pa

from shanggao.dates import utc_now
from shanggao.db import Store, StoreError, matcher_index, matches
from shanggao.matcher.align import Alignment, Passage, Seeds, align, anchor_windows, seeds
from shanggao.matcher.index import (
    IndexSync,
    candidate_pairs,
    common_frequencies,
    load_bodies,
    sync_index,
)
from shanggao.matcher.normalize import NormText, normalize_with_offsets
from shanggao.matcher.quotes import Span, discounted_spans, marked_spans, own_text_judgement
from shanggao.matcher.score import (
    DocumentFrequency,
    MatcherParams,
    PairFeatures,
    is_placement,
    kind,
    pair_features,
    required_evidence,
    score,
    weights_from_df,
)
from shanggao.matcher.shingle import fingerprint_positions, sorted_unique

MATCHER_VERSION = "shanggao-matcher/2 (char5 fp 1:4, df 8-24, seed4 align, own text)"
MIN_SHARED_FINGERPRINTS = 3   # rare fingerprints a pair must share to be aligned at all
CHARS_PER_WEIGHT = 10.0       # pruning bound: matched distinctive characters per unit of shared fingerprint weight
# Candidate articles whose bodies are read in one query and held in memory at once: fewer reads
# of the same row groups (at 1,000,000 articles, 86,000 bodies took 7.5 s to read in chunks of
# 4,000 and 5.5 s in chunks of 16,000), and memory still bounded however large the run.
ARTICLE_CHUNK = 16_000
TASK_ARTICLES = 400           # articles one worker task normalises, weighs and aligns
PARALLEL_PAIRS = 400          # runs with at least this many pairs are aligned by two processes
IN_FLIGHT = 10                # tasks queued for the workers at most
WORKERS = 2


class MatchError(StoreError):
    """A matching request the store cannot satisfy (unknown manuscript, URL ...)."""


@dataclass(frozen=True)
class Link:
    """An asserted placement: one row of ``matches``."""

    manuscript_id: str
    article_id: int
    score: float
    kind: str
    manuscript_coverage: float
    article_coverage: float
    # the evidence as stored (JSON), made where the link is found: in the workers, whose links
    # then reach this process as one string each rather than as nested dicts to rebuild
    evidence_json: str = field(repr=False)

    @cached_property
    def evidence(self) -> dict:
        return json.loads(self.evidence_json)


@dataclass(frozen=True)
class ManuscriptFlag:
    manuscript_id: str
    flag: str       # empty | unverifiable | duplicate
    detail: str


@dataclass
class MatchRunResult:
    """What one :func:`match_store` call did."""

    indexed: IndexSync
    scope: str
    manuscripts: int = 0               # manuscripts matched in this run
    articles: int = 0                  # articles matched in this run (0 when "all")
    candidates: int = 0                # candidate pairs (sharing rare fingerprints)
    aligned: int = 0                   # of them, pairs aligned (not pruned)
    links: list[Link] = field(default_factory=list)   # asserted by this run
    added: int = 0                     # rows new or changed in matches
    removed: int = 0                   # rows no longer asserted
    flags: list[ManuscriptFlag] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Doc:
    norm: NormText
    weights: np.ndarray
    pos: np.ndarray   # start of each sampled fingerprint in norm.text
    fps: np.ndarray   # ... and its value (the anchors of windowed alignment)
    seeds: Seeds      # the alignment's seed k-grams


# -- loading and weighing ----------------------------------------------------

def _doc(text: str | None, df: DocumentFrequency, params: MatcherParams) -> _Doc:
    """Normalise a text and weigh its characters against document frequencies ``df``."""
    norm = normalize_with_offsets(text or "")
    pos, fps = fingerprint_positions(norm.text)
    return _Doc(norm, weights_from_df(norm, pos, df(fps), params), pos, fps, seeds(norm.text))


def _weigh(store: Store, texts: dict[str, str], params: MatcherParams) -> dict[str, _Doc]:
    """Normalise texts and weigh them against the index's document frequencies."""
    with store.read() as con:
        df = common_frequencies(con, params.df_low)
    return {key: _doc(body, df, params) for key, body in texts.items()}


def _evidence(m: _Doc, a: _Doc, features: PairFeatures, passages, params: MatcherParams) -> dict:
    spans = []
    for p in passages:
        m_start, m_end = m.norm.span(p.m_start, p.m_end)
        a_start, a_end = a.norm.span(p.a_start, p.a_end)
        spans.append({
            "manuscript": [m_start, m_end],
            "article": [a_start, a_end],
            "matched_chars": p.matched,
            "distinctive": round(float(m.weights[p.m_start:p.m_end].sum()), 1),
        })
    return {
        "matcher_version": MATCHER_VERSION,
        "offsets": "character offsets into manuscripts.body and articles.body, end exclusive",
        "passages": spans,
        "features": {k: round(v, 4) if isinstance(v, float) else v for k, v in vars(features).items()},
        "evidence": round(features.evidence, 1),
        "required": round(required_evidence(features, params), 1),
    }


def pair_alignment(m: _Doc, a: _Doc) -> Alignment:
    """The pair's passages, aligned around the fingerprints the two texts share."""
    windows = anchor_windows(m.pos, m.fps, a.pos, a.fps, len(m.norm.text), len(a.norm.text))
    return align(m.norm.text, a.norm.text, windows=windows, m_seeds=m.seeds, a_seeds=a.seeds)


def judge(m: _Doc, a: _Doc, params: MatcherParams, spans: Sequence[Span] = (),
          alignment: Alignment | None = None) -> tuple[PairFeatures, list, tuple[_Doc, _Doc, list[Span]]]:
    """Features and passages of a pair (``alignment``: its :func:`pair_alignment` when already
    made); with the manuscript's discounted ``spans`` (matcher.quotes), on its own text only:
    then also the documents as weighed without the spans, and the spans the article carries."""
    if alignment is None:
        alignment = pair_alignment(m, a)
    if not spans:
        return pair_features(m.norm, m.weights, a.weights, alignment, params), alignment.passages, (m, a, [])
    own = own_text_judgement(m.norm, m.weights, a.norm, a.weights, alignment, spans, params)
    return (own.features, own.passages,
            (replace(m, weights=own.m_weights), replace(a, weights=own.a_weights), own.spans))


@dataclass(frozen=True)
class Comparison:
    """The verdict on one manuscript text against one article text."""

    features: PairFeatures
    placement: bool
    score: float
    kind: str | None
    passages: list


def compare_texts(manuscript: str, article: str, df: DocumentFrequency,
                  params: MatcherParams | None = None) -> Comparison:
    """Judge two raw texts against given document frequencies, without a store (the
    manuscript's marked quotations are discounted; prior art and shared passages need the store)."""
    params = params or MatcherParams()
    m, a = _doc(manuscript, df, params), _doc(article, df, params)
    features, passages, _ = judge(m, a, params, marked_spans(m.norm))
    placement = is_placement(features, params)
    return Comparison(features, placement, score(features, params),
                      kind(features, params) if placement else None, passages)


# -- scope --------------------------------------------------------------------

@dataclass
class _Scope:
    label: str
    manuscripts: list[str] | None   # None = all
    articles: list[int] | None      # None = all
    pairing: str                    # "either" (incremental) or "both"


def _resolve_scope(store: Store, since: dt.date | None, manuscript_ids: Sequence[str] | None,
                   everything: bool) -> _Scope:
    with store.read() as con:
        if manuscript_ids:
            known = matcher_index.known_manuscripts(con, manuscript_ids)
            unknown = [m for m in manuscript_ids if m not in known]
            if unknown:
                raise MatchError(f"unknown manuscript id(s): {', '.join(unknown)}")
        articles = None
        if since is not None:
            articles = matcher_index.articles_since(con, since)
        if everything or manuscript_ids or since is not None:
            label = "all" if everything else " ".join(
                part for part in (f"manuscripts {', '.join(manuscript_ids)}" if manuscript_ids else "",
                                  f"articles since {since}" if since else "") if part)
            return _Scope(label, list(manuscript_ids) if manuscript_ids else None, articles, "both")
        pending = matcher_index.pending_documents(con)
    return _Scope(
        "new and changed documents",
        [d for k, d in pending if k == "manuscript"],
        [int(d) for k, d in pending if k == "article"],
        "either",
    )


# -- screening ----------------------------------------------------------------

def _screen(store: Store, ids: Sequence[str], docs: dict[str, _Doc], params: MatcherParams) -> list[ManuscriptFlag]:
    """Empty, unverifiable (too little distinctive text) and duplicate manuscripts among ``ids``."""
    flags = []
    for mid in ids:
        doc = docs[mid]
        distinct = float(doc.weights.sum())
        if not doc.norm.text:
            flags.append(ManuscriptFlag(mid, "empty", "no text once punctuation and markup are removed"))
        elif distinct < params.min_manuscript_chars:
            flags.append(ManuscriptFlag(
                mid, "unverifiable",
                f"{distinct:.0f} distinctive characters of {len(doc.norm.text)} "
                f"(needs {params.min_manuscript_chars:.0f}); the rest is stock phrasing"))
    with store.read() as con:
        twins = matcher_index.duplicate_manuscripts(con, ids)
    flags.extend(ManuscriptFlag(mid, "duplicate", f"same text as {others}") for mid, others in twins)
    return flags


# -- the run ------------------------------------------------------------------

def match_store(store: Store, since: dt.date | None = None, manuscript_ids: Sequence[str] | None = None,
                *, everything: bool = False, params: MatcherParams | None = None) -> MatchRunResult:
    """Bring ``matches`` up to date.

    By default only what changed is matched: new or changed articles against all
    manuscripts, new or changed manuscripts against the whole archive.
    ``manuscript_ids`` and/or ``since`` (articles published on or after it)
    re-match an explicit scope; ``everything`` re-matches all pairs (after a
    matcher upgrade, or to apply document frequencies learned since).
    Rows of ``matches`` in the scope that are not asserted any more are removed;
    unchanged rows are left untouched, so a repeated run changes nothing.
    """
    params = params or MatcherParams()
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    indexed = sync_index(store)
    seconds["index"] = indexed.seconds
    scope = _resolve_scope(store, since, manuscript_ids, everything)
    result = MatchRunResult(indexed=indexed, scope=scope.label)
    screened_ids = scope.manuscripts if scope.manuscripts is not None else _all_manuscripts(store)

    t = time.perf_counter()
    pairs = _candidates(store, scope, params)
    seconds["candidates"] = time.perf_counter() - t

    # one count of document frequencies serves the whole run
    t = time.perf_counter()
    aligned = prune(pairs, params)   # only their manuscripts (and those screened) are weighed
    needed = sorted(set(screened_ids) | {m for m, _, _, _ in aligned})
    with store.read() as con:
        df = common_frequencies(con, params.df_low)
    seconds["frequencies"] = time.perf_counter() - t

    # screen the manuscripts being matched; flagged ones are not matched
    t = time.perf_counter()
    manuscripts = _load_manuscripts(store, needed, df, params)
    result.flags = _screen(store, screened_ids, manuscripts, params)
    blocked = {f.manuscript_id for f in result.flags if f.flag != "duplicate"} | _blocked_elsewhere(store, screened_ids)
    seconds["screen"] = time.perf_counter() - t

    result.candidates = sum(1 for p in pairs if p[0] not in blocked)
    pairs = [p for p in aligned if p[0] not in blocked]
    result.aligned = len(pairs)

    t = time.perf_counter()
    linked_texts: dict[int, np.ndarray] = {}
    linked_bodies: dict[int, str] = {}
    linked_alignments: dict[tuple[str, int], _PackedAlignment] = {}
    result.links = _align_pairs(store, pairs, manuscripts, df, params, texts=linked_texts, bodies=linked_bodies,
                                alignments=linked_alignments)
    seconds["align"] = time.perf_counter() - t

    t = time.perf_counter()
    result.links, refused = _own_text(store, result.links, manuscripts, linked_texts, linked_bodies,
                                      linked_alignments, df, params)
    del linked_bodies, linked_alignments
    seconds["quotations"] = time.perf_counter() - t

    t = time.perf_counter()
    result.added, result.removed = _write(store, scope, result.links, result.flags, screened_ids, refused)
    seconds["write"] = time.perf_counter() - t
    result.manuscripts = len(screened_ids)
    result.articles = len(scope.articles) if scope.articles is not None else 0
    seconds["total"] = time.perf_counter() - clock
    result.seconds = seconds
    return result


def prune(pairs: Sequence[tuple[str, int, int, float]], params: MatcherParams) -> list[tuple[str, int, int, float]]:
    """Candidate pairs whose shared fingerprints could carry a placement.

    A placement needs at least ``min_rewrite_chars`` matched distinctive
    characters (:func:`~shanggao.matcher.score.required_evidence` is never
    less).  Matched text is found through exact common substrings, and about
    one 5-gram in four of any substring is a fingerprint, so each unit of
    shared fingerprint weight stands for about four distinctive characters
    (measured on linked pairs: median 4.1, largest 7.9); ``CHARS_PER_WEIGHT``
    allows ten.  A pair whose summed weight falls short even so — less than
    three fully distinctive shared fingerprints — cannot pass and is not
    aligned.  The weakest true link of the development set shares a weight
    of 11.5, the synthetic benchmark's 12.9.
    """
    floor = params.min_rewrite_chars / CHARS_PER_WEIGHT
    return [p for p in pairs if p[3] >= floor]


def _candidates(store: Store, scope: _Scope, params: MatcherParams) -> list[tuple[str, int, int, float]]:
    """Candidate pairs of the scope; an incremental scope is new manuscripts × all ∪ all × new articles."""
    if scope.pairing == "both":
        sides = [(scope.manuscripts, scope.articles)]
    else:
        sides = [(side_m, side_a) for side_m, side_a in ((scope.manuscripts, None), (None, scope.articles))
                 if (side_m if side_m is not None else side_a)]
    found: dict[tuple[str, int], tuple[int, float]] = {}
    with store.read() as con:
        for side_m, side_a in sides:
            for m, a, shared, weighted in candidate_pairs(con, manuscripts=side_m, articles=side_a,
                                                          df_low=params.df_low, df_high=params.df_high,
                                                          min_shared=MIN_SHARED_FINGERPRINTS):
                found[(m, a)] = (shared, weighted)
    return sorted(((m, a, n, w) for (m, a), (n, w) in found.items()), key=lambda p: (p[1], p[0]))


def _all_manuscripts(store: Store) -> list[str]:
    with store.read() as con:
        return matcher_index.all_manuscript_ids(con)


def _blocked_elsewhere(store: Store, screened: Sequence[str]) -> set[str]:
    """Manuscripts flagged empty/unverifiable by an earlier run (not re-screened now)."""
    with store.read() as con:
        return matches.blocked_elsewhere(con, screened)


def _load_manuscripts(store: Store, ids: Sequence[str], df: DocumentFrequency,
                      params: MatcherParams) -> dict[str, _Doc]:
    docs: dict[str, _Doc] = {}
    for start in range(0, len(ids), ARTICLE_CHUNK):
        for mid, _, body in load_bodies(store, "manuscript", ids[start:start + ARTICLE_CHUNK]):
            docs[mid] = _doc(body, df, params)
    return docs


@dataclass(frozen=True)
class _Own:
    """The own-text pass: the manuscripts' discounted spans and the links to judge again."""

    spans: dict[str, list[Span]]
    links: dict[tuple[str, int], Link]
    alignments: Mapping[tuple[str, int], _PackedAlignment]   # made by the alignment step; spans do not change them


@dataclass(frozen=True)
class _PackedAlignment:
    """An :class:`Alignment` as the workers send it back: its masks as bits, its passages as rows."""

    passages: np.ndarray   # (m_start, m_end, a_start, a_end, matched) per passage
    m_bits: np.ndarray
    a_bits: np.ndarray
    m_len: int
    a_len: int

    @classmethod
    def of(cls, alignment: Alignment) -> _PackedAlignment:
        rows = np.array([astuple(p) for p in alignment.passages], np.int64).reshape(-1, 5)
        return cls(rows, np.packbits(alignment.m_mask), np.packbits(alignment.a_mask),
                   len(alignment.m_mask), len(alignment.a_mask))

    def unpacked(self) -> Alignment:
        return Alignment([Passage(*row) for row in self.passages.tolist()],
                         np.unpackbits(self.m_bits, count=self.m_len).astype(bool),
                         np.unpackbits(self.a_bits, count=self.a_len).astype(bool))


# What forked alignment workers need besides their task: inherited at fork, not pickled.
_RUN: tuple[dict[str, _Doc], DocumentFrequency, MatcherParams, bool, _Own | None] | None = None


def _judge_task(task: tuple[list[tuple[str, str]], list[tuple[str, int]]]) -> list:
    """Normalise, weigh and align one task's articles against their candidate manuscripts.

    Returns the links asserted with their articles' distinct fingerprints and bodies (the
    own-text step looks for borrowed passages among them and judges some links again), or
    (with ``features`` set) every pair's features, or (in the own-text pass) each link's
    :func:`_own_judgement`.
    """
    bodies, pairs = task
    assert _RUN is not None, "_run_tasks sets _RUN before any task runs"
    manuscripts, df, params, features, own = _RUN
    docs = {int(a): _doc(body, df, params) for a, body in bodies}
    raw = {int(a): body for a, body in bodies}
    out: list = []
    for m, a in pairs:
        if a not in docs:
            continue
        if own is not None:
            out.append(_own_judgement(own.links[(m, a)], manuscripts[m], docs[a], own.spans[m], params,
                                      own.alignments[(m, a)].unpacked()))
        elif features:
            out.append((m, a, judge(manuscripts[m], docs[a], params)[0]))
        else:
            alignment = pair_alignment(manuscripts[m], docs[a])
            if (link := _link(m, a, manuscripts[m], docs[a], params, alignment=alignment)) is not None:
                out.append((link, sorted_unique(docs[a].fps), raw[a], _PackedAlignment.of(alignment)))
    return out


def _tasks(store: Store, pairs: Sequence[tuple], chunk: int = ARTICLE_CHUNK,
           bodies: Mapping[int, str] | None = None) -> Iterator[tuple[list, list]]:
    """(article bodies, pairs) in tasks of ``TASK_ARTICLES`` articles, bodies read ``chunk`` articles at a
    time (taken from ``bodies`` when given)."""
    by_article: dict[int, list[str]] = {}
    for m, a, *_ in pairs:
        by_article.setdefault(a, []).append(m)
    article_ids = sorted(by_article)
    for start in range(0, len(article_ids), chunk):
        wanted = [str(a) for a in article_ids[start:start + chunk]]
        read = ([(a, bodies[int(a)]) for a in wanted] if bodies is not None
                else [(a, b) for a, _, b in load_bodies(store, "article", wanted)])
        for at in range(0, len(read), TASK_ARTICLES):
            part = read[at:at + TASK_ARTICLES]
            yield part, [(m, int(a)) for a, _ in part for m in by_article[int(a)]]


# A text that takes every compiled kernel's path: several clauses, repeated so that it aligns with itself.
_KERNEL_TEXT = "泸溪县委组织部聚焦基层治理，推动党建引领乡村振兴落地见效。" * 3


def _load_kernels(df: DocumentFrequency, params: MatcherParams) -> None:
    """Have the compiled kernels ready before workers are forked, so that they inherit them: after
    an install the two workers would otherwise each compile the same code (seconds) at once."""
    doc = _doc(_KERNEL_TEXT, df, params)
    judge(doc, doc, params)


def _run_tasks(store: Store, pairs: Sequence[tuple], manuscripts: dict[str, _Doc], df: DocumentFrequency,
               params: MatcherParams, *, features: bool = False, own: _Own | None = None,
               bodies: Mapping[int, str] | None = None, workers: int | None = None) -> list:
    """Every pair judged; with enough pairs, by ``WORKERS`` forked processes while this one reads bodies.

    Workers inherit the manuscripts and frequencies at fork and receive only
    article bodies; at most one chunk of bodies is queued beyond the one being
    read (so the workers never wait for a read), and memory stays bounded by
    the chunk size however large the run.
    """
    global _RUN
    workers = WORKERS if workers is None else workers
    _RUN = (manuscripts, df, params, features, own)
    out: list = []
    try:
        if workers < 2 or len(pairs) < PARALLEL_PAIRS:
            for task in _tasks(store, pairs, bodies=bodies):
                out.extend(_judge_task(task))
            return out
        _load_kernels(df, params)
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            pending: deque = deque()
            for task in _tasks(store, pairs, bodies=bodies):
                pending.append(pool.submit(_judge_task, task))
                while len(pending) >= IN_FLIGHT:
                    out.extend(pending.popleft().result())
            while pending:
                out.extend(pending.popleft().result())
        return out
    finally:
        _RUN = None


def _align_pairs(store: Store, pairs: list[tuple], manuscripts: dict[str, _Doc], df: DocumentFrequency,
                 params: MatcherParams, texts: dict[int, np.ndarray] | None = None,
                 bodies: dict[int, str] | None = None,
                 alignments: dict[tuple[str, int], _PackedAlignment] | None = None) -> list[Link]:
    """Judge every pair; the links asserted.  ``texts`` collects the distinct fingerprints
    of the linked articles, ``bodies`` their bodies and ``alignments`` the links' alignments
    (for the own-text judgement)."""
    links = []
    for link, text, body, alignment in _run_tasks(store, pairs, manuscripts, df, params):
        links.append(link)
        if texts is not None:
            texts[link.article_id] = text
        if bodies is not None:
            bodies[link.article_id] = body
        if alignments is not None:
            alignments[(link.manuscript_id, link.article_id)] = alignment
    return links


def _link(m: str, a: int, m_doc: _Doc, a_doc: _Doc, params: MatcherParams, spans: Sequence[Span] = (),
          alignment: Alignment | None = None) -> Link | None:
    features, passages, (m_own, a_own, carried) = judge(m_doc, a_doc, params, spans, alignment)
    if not is_placement(features, params):
        return None
    evidence = _evidence(m_own, a_own, features, passages, params)
    if carried:
        evidence["discounted"] = [s.to_dict(m_doc.norm) for s in carried]
    return Link(manuscript_id=m, article_id=a, score=score(features, params), kind=kind(features, params),
                manuscript_coverage=round(features.manuscript_coverage, 4),
                article_coverage=round(features.article_coverage, 4),
                evidence_json=json.dumps(evidence, ensure_ascii=False))


def _carries(alignment: _PackedAlignment, spans: Sequence[Span]) -> bool:
    """Does any passage of a link's alignment overlap a discounted span?"""
    return any(start < s.end and s.start < end and s.start < s.end
               for start, end in alignment.passages[:, :2].tolist() for s in spans)


def _own_text(store: Store, links: list[Link], manuscripts: dict[str, _Doc], texts: dict[int, np.ndarray],
              bodies: Mapping[int, str], alignments: Mapping[tuple[str, int], _PackedAlignment],
              df: DocumentFrequency, params: MatcherParams) -> tuple[list[Link], list[tuple[str, int, str]]]:
    """The links judged again on their manuscripts' own text (matcher.quotes).

    Discounting only removes evidence, so only asserted links need it, and of
    them only those whose passages overlap a discounted span are judged again:
    their articles' bodies kept from the alignment are weighed once more and their
    alignments, which the spans do not change, reused (by the workers when there are
    many).  Returns the links that stand (their evidence now own-text passages only)
    and the refused pairs (manuscript_id, article_id, detail JSON): 仅引文相同.
    """
    linked = {link.manuscript_id for link in links}
    pairs = [(link.manuscript_id, texts[link.article_id]) for link in links]
    spans = discounted_spans(store, {m: manuscripts[m] for m in linked}, pairs, params) if links else {}
    again = [link for link in links if link.manuscript_id in spans
             and _carries(alignments[(link.manuscript_id, link.article_id)], spans[link.manuscript_id])]
    redo = {(link.manuscript_id, link.article_id): link for link in again}
    kept = [link for link in links if (link.manuscript_id, link.article_id) not in redo]
    refused: list = []
    for stands, outcome in _run_tasks(store, sorted(redo, key=lambda k: (k[1], k[0])), manuscripts, df, params,
                                      own=_Own(spans, redo, alignments), bodies=bodies):
        (kept if stands else refused).append(outcome)
    return kept, refused


def _own_judgement(link: Link, m_doc: _Doc, a_doc: _Doc, spans: Sequence[Span], params: MatcherParams,
                   alignment: Alignment | None = None) -> tuple[bool, Link | tuple[str, int, str]]:
    """(True, the link on the manuscript's own text) or (False, the refused pair: 仅引文相同)."""
    own = _link(link.manuscript_id, link.article_id, m_doc, a_doc, params, spans, alignment)
    if own is not None:
        return True, own
    features, _, (_, _, carried) = judge(m_doc, a_doc, params, spans, alignment)
    return False, (link.manuscript_id, link.article_id, json.dumps({
        "reason": "仅引文相同",
        "evidence_with_quotations": link.evidence.get("evidence"),
        "own_evidence": round(features.evidence, 1),
        "required": round(required_evidence(features, params), 1),
        "discounted": [s.to_dict(m_doc.norm) for s in carried],
    }, ensure_ascii=False))


def _same(row: tuple, link: Link) -> bool:
    """A stored row equals a new link (excerpt/roundup are one kind until articles are counted)."""
    _, _, score_, kind_, version = row
    loose = {"excerpt", "roundup"}
    return (version == MATCHER_VERSION and abs(score_ - link.score) < 0.05
            and (kind_ == link.kind or (kind_ in loose and link.kind in loose)
                 # relabel_roundups turns a link on a page added as evidence into "page"
                 or (kind_ == "page" and link.kind != "full")))


@dataclass
class _Changes:
    """How a run's links differ from the rows stored for its scope."""

    stale: list[tuple[str, int]]   # stored rows to delete: not asserted any more, or asserted differently
    fresh: list[Link]              # links to insert: new, or replacing a stale row
    removed: int                   # stale rows not replaced by a new link


def _changes(existing: list[tuple], links: list[Link]) -> _Changes:
    new = {(link.manuscript_id, link.article_id): link for link in links}
    kept = {(r[0], r[1]) for r in existing if (r[0], r[1]) in new and _same(r, new[(r[0], r[1])])}
    stale = [(r[0], r[1]) for r in existing if (r[0], r[1]) not in kept]
    fresh = [link for key, link in new.items() if key not in kept]
    return _Changes(stale, fresh, removed=len([s for s in stale if s not in new]))


def _match_rows(links: list[Link]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"manuscript_id": link.manuscript_id, "article_id": link.article_id, "score": link.score, "kind": link.kind,
          "manuscript_coverage": link.manuscript_coverage, "article_coverage": link.article_coverage,
          "evidence": link.evidence_json} for link in links],
        schema=matches.MATCH_SCHEMA)


def _write(store: Store, scope: _Scope, links: list[Link], flags: list[ManuscriptFlag],
           screened: Sequence[str], refused: Sequence[tuple[str, int, str]] = ()) -> tuple[int, int]:
    """Apply the run to ``matches`` and ``manuscript_flags`` in one short transaction."""
    now = utc_now()
    with store.write() as con:
        matches.register_scope(con, scope.manuscripts, scope.articles)
        condition = matches.scope_condition(scope.manuscripts is not None, scope.articles is not None,
                                            either=scope.pairing == "either")
        changes = _changes(matches.matches_where(con, condition), links)
        matches.delete_matches(con, changes.stale)
        matches.insert_matches(con, _match_rows(changes.fresh), MATCHER_VERSION, now)
        matches.relabel_roundups(con, MatcherParams().edited_article_share)
        matches.replace_quotation_pairs(con, condition, refused, now)
        matches.replace_flags(con, screened, [(f.manuscript_id, f.flag, f.detail) for f in flags], now)
        _mark_matched(con, scope, now)
    return len(changes.fresh), changes.removed


def _mark_matched(con, scope: _Scope, now: dt.datetime) -> None:
    """Documents matched against the whole other side are no longer pending."""
    whole_archive = scope.pairing == "either" or scope.articles is None
    whole_register = scope.pairing == "either" or scope.manuscripts is None
    if whole_archive:
        matcher_index.mark_matched(con, "manuscript", scope.manuscripts is not None, now, MATCHER_VERSION)
    if whole_register:
        matcher_index.mark_matched(con, "article", scope.articles is not None, now, MATCHER_VERSION)


def candidate_features(store: Store, params: MatcherParams | None = None, *,
                       pruned: bool = False) -> list[tuple[str, int, PairFeatures]]:
    """Features of every candidate pair in the store, asserted or not (read-only; for calibration).

    ``pruned`` leaves out the pairs :func:`prune` would not align.
    """
    params = params or MatcherParams()
    with store.read() as con:
        pairs = candidate_pairs(con, manuscripts=None, articles=None, df_low=params.df_low,
                                df_high=params.df_high, min_shared=MIN_SHARED_FINGERPRINTS)
        df = common_frequencies(con, params.df_low)
    if pruned:
        pairs = prune(pairs, params)
    manuscripts = _load_manuscripts(store, sorted({m for m, *_ in pairs}), df, params)
    return sorted(_run_tasks(store, pairs, manuscripts, df, params, features=True), key=lambda r: (r[1], r[0]))


# -- explain ------------------------------------------------------------------

@dataclass
class Explanation:
    """One pair recomputed with today's document frequencies, for a human."""

    manuscript_id: str
    manuscript_title: str
    article_id: int
    url: str
    article_title: str
    features: PairFeatures
    required: float
    score: float
    asserted: bool
    kind: str | None
    passages: list[dict]
    stored: dict | None      # the matches row, if any
    discounted: list[dict] = field(default_factory=list)   # the manuscript's discounted spans the article carries
    quotation_only: bool = False   # would match but for the discounted spans (仅引文相同)


def explain(store: Store, manuscript_id: str, url: str, params: MatcherParams | None = None) -> Explanation:
    """Align one manuscript with one article (by URL) and show why they do or do not match."""
    params = params or MatcherParams()
    sync_index(store)
    with store.read() as con:
        m_row = matcher_index.manuscript_text(con, manuscript_id)
        if m_row is None:
            raise MatchError(f"unknown manuscript id: {manuscript_id}")
        a_row = matcher_index.article_text(con, url)
        if a_row is None:
            raise MatchError(f"no article with URL {url} in the store (crawl or fetch it first)")
        stored = matches.stored_match(con, manuscript_id, a_row[0])
    docs = _weigh(store, {"m": m_row[1], "a": a_row[2]}, params)
    spans = discounted_spans(store, {manuscript_id: docs["m"]}, [(manuscript_id, sorted_unique(docs["a"].fps))],
                             params).get(
        manuscript_id, [])
    features, passages, (m_own, a_own, carried) = judge(docs["m"], docs["a"], params, spans)
    asserted = is_placement(features, params)
    evidence = _evidence(m_own, a_own, features, passages, params)
    shown = []
    for p in evidence["passages"]:
        ms, me = p["manuscript"]
        as_, ae = p["article"]
        shown.append({**p, "manuscript_text": m_row[1][ms:me], "article_text": a_row[2][as_:ae]})
    discounted = []
    for span in carried:
        d = span.to_dict(docs["m"].norm)
        ms, me = d["manuscript"]
        discounted.append({**d, "manuscript_text": m_row[1][ms:me]})
    quotation_only = bool(carried) and not asserted and is_placement(judge(docs["m"], docs["a"], params)[0], params)
    return Explanation(
        manuscript_id=manuscript_id, manuscript_title=m_row[0], article_id=a_row[0], url=url,
        article_title=a_row[1], features=features, required=required_evidence(features, params),
        score=score(features, params), asserted=asserted, kind=kind(features, params) if asserted else None,
        passages=shown,
        stored=stored,
        discounted=discounted,
        quotation_only=quotation_only,
    )


__all__ = ["MATCHER_VERSION", "Comparison", "Explanation", "Link", "ManuscriptFlag", "MatchError",
           "MatchRunResult", "candidate_features", "compare_texts", "explain", "match_store"]
