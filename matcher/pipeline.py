"""Matching runs over a store: index, screen manuscripts, find candidates, align, decide, write.

:func:`match_store` is what ``shanggao match`` and the nightly job call;
:func:`explain` recomputes one pair for ``shanggao explain``.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from shanggao.db import Store, StoreError
from shanggao.matcher.align import align
from shanggao.matcher.index import IndexSync, candidate_pairs, document_frequency, load_bodies, sync_index
from shanggao.matcher.normalize import NormText, normalize_with_offsets
from shanggao.matcher.score import (
    DocumentFrequency, MatcherParams, PairFeatures, char_weights, is_placement, kind, pair_features,
    required_evidence, score, weights_from_df,
)
from shanggao.matcher.shingle import fingerprint_positions

MATCHER_VERSION = "shanggao-matcher/1 (char5 fp 1:4, df 8-24, seed4 align)"
MIN_SHARED_FINGERPRINTS = 3   # rare fingerprints a pair must share to be aligned at all
ARTICLE_CHUNK = 4_000         # candidate articles aligned per DF lookup
PARALLEL_PAIRS = 400          # chunks with at least this many pairs are aligned by two processes


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
    evidence: dict


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
    candidates: int = 0                # pairs aligned
    links: list[Link] = field(default_factory=list)   # asserted by this run
    added: int = 0                     # rows new or changed in matches
    removed: int = 0                   # rows no longer asserted
    flags: list[ManuscriptFlag] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Doc:
    norm: NormText
    weights: np.ndarray


# -- loading and weighting ----------------------------------------------------

def _weigh(store: Store, texts: dict[str, str], params: MatcherParams) -> dict[str, _Doc]:
    """Normalise texts and weigh their characters against current document frequencies.

    One document-frequency query and one lookup serve the whole batch.
    """
    norms = {key: normalize_with_offsets(body or "") for key, body in texts.items()}
    found = {key: fingerprint_positions(n.text) for key, n in norms.items()}
    all_fps = np.concatenate([fps for _, fps in found.values()]) if found else np.zeros(0, np.int64)
    with store.read() as con:
        df = document_frequency(con, all_fps)
    all_dfs = df(all_fps)
    docs, start = {}, 0
    for key, norm in norms.items():
        pos, fps = found[key]
        dfs = all_dfs[start:start + len(fps)]
        start += len(fps)
        docs[key] = _Doc(norm, weights_from_df(norm, pos, dfs, params))
    return docs


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


def judge(m: _Doc, a: _Doc, params: MatcherParams) -> tuple[PairFeatures, list]:
    alignment = align(m.norm.text, a.norm.text)
    return pair_features(m.norm, m.weights, a.weights, alignment, params), alignment.passages


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
    """Judge two raw texts against given document frequencies, without a store."""
    params = params or MatcherParams()
    m_norm, a_norm = normalize_with_offsets(manuscript), normalize_with_offsets(article)
    m = _Doc(m_norm, char_weights(m_norm, df, params))
    a = _Doc(a_norm, char_weights(a_norm, df, params))
    features, passages = judge(m, a, params)
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
            known = {r[0] for r in con.execute(
                "SELECT manuscript_id FROM manuscripts WHERE manuscript_id IN (SELECT unnest(?))",
                [list(manuscript_ids)]).fetchall()}
            unknown = [m for m in manuscript_ids if m not in known]
            if unknown:
                raise MatchError(f"unknown manuscript id(s): {', '.join(unknown)}")
        articles = None
        if since is not None:
            articles = [r[0] for r in con.execute(
                "SELECT article_id FROM articles WHERE coalesce(published_date, first_fetched_at::DATE) >= ?",
                [since]).fetchall()]
        if everything or manuscript_ids or since is not None:
            label = "all" if everything else " ".join(
                part for part in (f"manuscripts {', '.join(manuscript_ids)}" if manuscript_ids else "",
                                  f"articles since {since}" if since else "") if part)
            return _Scope(label, list(manuscript_ids) if manuscript_ids else None, articles, "both")
        pending = con.execute(
            "SELECT doc_kind, doc_id FROM matcher_documents WHERE matched_at IS NULL").fetchall()
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
        con.register("scope_m", pa.table({"id": pa.array(list(ids), type=pa.string())}))
        twins = con.execute("""
            SELECT s.doc_id, string_agg(o.doc_id, ', ' ORDER BY o.doc_id)
            FROM matcher_documents s JOIN matcher_documents o
              ON o.doc_kind = 'manuscript' AND o.norm_hash = s.norm_hash AND o.doc_id <> s.doc_id
            WHERE s.doc_kind = 'manuscript' AND s.doc_id IN (SELECT id FROM scope_m) AND s.norm_chars > 0
            GROUP BY s.doc_id
        """).fetchall()
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

    # screen the manuscripts being matched; flagged ones are not matched
    t = time.perf_counter()
    screened_ids = scope.manuscripts if scope.manuscripts is not None else _all_manuscripts(store)
    manuscripts: dict[str, _Doc] = {}
    for start in range(0, len(screened_ids), ARTICLE_CHUNK):
        chunk = screened_ids[start:start + ARTICLE_CHUNK]
        manuscripts.update(_weigh(store, {i: b for i, _, b in load_bodies(store, "manuscript", chunk)}, params))
    result.flags = _screen(store, screened_ids, manuscripts, params)
    blocked = {f.manuscript_id for f in result.flags if f.flag != "duplicate"} | _blocked_elsewhere(store, screened_ids)
    seconds["screen"] = time.perf_counter() - t

    t = time.perf_counter()
    pairs = [p for p in _candidates(store, scope, params) if p[0] not in blocked]
    result.candidates = len(pairs)
    seconds["candidates"] = time.perf_counter() - t

    t = time.perf_counter()
    result.links = _align_pairs(store, pairs, manuscripts, params)
    seconds["align"] = time.perf_counter() - t

    t = time.perf_counter()
    result.added, result.removed = _write(store, scope, result.links, result.flags, screened_ids)
    seconds["write"] = time.perf_counter() - t
    result.manuscripts = len(screened_ids)
    result.articles = len(scope.articles) if scope.articles is not None else 0
    seconds["total"] = time.perf_counter() - clock
    result.seconds = seconds
    return result


def _candidates(store: Store, scope: _Scope, params: MatcherParams) -> list[tuple[str, int, int]]:
    """Candidate pairs of the scope; an incremental scope is new manuscripts × all ∪ all × new articles."""
    if scope.pairing == "both":
        sides = [(scope.manuscripts, scope.articles)]
    else:
        sides = [(side_m, side_a) for side_m, side_a in ((scope.manuscripts, None), (None, scope.articles))
                 if (side_m if side_m is not None else side_a)]
    found: dict[tuple[str, int], int] = {}
    with store.read() as con:
        for side_m, side_a in sides:
            for m, a, shared in candidate_pairs(con, manuscripts=side_m, articles=side_a,
                                                df_high=params.df_high, min_shared=MIN_SHARED_FINGERPRINTS):
                found[(m, a)] = shared
    return sorted(((m, a, n) for (m, a), n in found.items()), key=lambda p: (p[1], p[0]))


def _all_manuscripts(store: Store) -> list[str]:
    with store.read() as con:
        return [r[0] for r in con.execute("SELECT manuscript_id FROM manuscripts ORDER BY 1").fetchall()]


def _blocked_elsewhere(store: Store, screened: Sequence[str]) -> set[str]:
    """Manuscripts flagged empty/unverifiable by an earlier run (not re-screened now)."""
    with store.read() as con:
        con.register("screened", pa.table({"id": pa.array(list(screened), type=pa.string())}))
        return {r[0] for r in con.execute(
            "SELECT manuscript_id FROM manuscript_flags WHERE flag <> 'duplicate' "
            "AND manuscript_id NOT IN (SELECT id FROM screened)").fetchall()}


def _aligned_chunks(store: Store, pairs: Sequence[tuple[str, int, int]], manuscripts: dict[str, _Doc],
                    params: MatcherParams) -> Iterator[list[tuple[str, int, _Doc, _Doc]]]:
    """Pairs with their documents loaded and weighed, a chunk of articles at a time."""
    by_article: dict[int, list[str]] = {}
    for m, a, _ in pairs:
        by_article.setdefault(a, []).append(m)
    article_ids = sorted(by_article)
    for start in range(0, len(article_ids), ARTICLE_CHUNK):
        chunk = article_ids[start:start + ARTICLE_CHUNK]
        wanted = sorted({m for a in chunk for m in by_article[a]} - manuscripts.keys())
        texts = {f"a{i}": b for i, _, b in load_bodies(store, "article", [str(a) for a in chunk])}
        texts.update({f"m{i}": b for i, _, b in load_bodies(store, "manuscript", wanted)})
        docs = _weigh(store, texts, params)
        manuscripts.update({k[1:]: v for k, v in docs.items() if k.startswith("m")})
        yield [(m, a, manuscripts[m], docs[f"a{a}"]) for a in chunk if f"a{a}" in docs for m in by_article[a]]


def _link(m: str, a: int, m_doc: _Doc, a_doc: _Doc, params: MatcherParams) -> Link | None:
    features, passages = judge(m_doc, a_doc, params)
    if not is_placement(features, params):
        return None
    return Link(manuscript_id=m, article_id=a, score=score(features, params), kind=kind(features, params),
                manuscript_coverage=round(features.manuscript_coverage, 4),
                article_coverage=round(features.article_coverage, 4),
                evidence=_evidence(m_doc, a_doc, features, passages, params))


# Work handed to forked alignment workers: they inherit it instead of unpickling it.
_WORK: tuple[list, MatcherParams] | None = None


def _link_slice(bounds: tuple[int, int]) -> list[Link]:
    jobs, params = _WORK
    return [link for job in jobs[bounds[0]:bounds[1]] if (link := _link(*job, params)) is not None]


def _align_pairs(store: Store, pairs: list[tuple[str, int, int]], manuscripts: dict[str, _Doc],
                 params: MatcherParams, workers: int = 2) -> list[Link]:
    """Judge every pair; large chunks are split over ``workers`` forked processes."""
    global _WORK
    links: list[Link] = []
    for jobs in _aligned_chunks(store, pairs, manuscripts, params):
        if workers < 2 or len(jobs) < PARALLEL_PAIRS:
            links.extend(link for job in jobs if (link := _link(*job, params)) is not None)
            continue
        _WORK = (jobs, params)
        try:
            step = -(-len(jobs) // workers)
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for part in pool.map(_link_slice, [(i, i + step) for i in range(0, len(jobs), step)]):
                    links.extend(part)
        finally:
            _WORK = None
    return links


def _scope_condition(scope: _Scope) -> str:
    m = "manuscript_id IN (SELECT id FROM scope_m)" if scope.manuscripts is not None else "TRUE"
    a = "article_id IN (SELECT id FROM scope_a)" if scope.articles is not None else "TRUE"
    return f"({m}) {'OR' if scope.pairing == 'either' else 'AND'} ({a})"


def _register_scope(con, scope: _Scope) -> None:
    if scope.manuscripts is not None:
        con.register("scope_m", pa.table({"id": pa.array(scope.manuscripts, type=pa.string())}))
    if scope.articles is not None:
        con.register("scope_a", pa.table({"id": pa.array(scope.articles, type=pa.int64())}))


def _same(row: tuple, link: Link) -> bool:
    """A stored row equals a new link (excerpt/roundup are one kind until articles are counted)."""
    _, _, score_, kind_, version = row
    loose = {"excerpt", "roundup"}
    return (version == MATCHER_VERSION and abs(score_ - link.score) < 0.05
            and (kind_ == link.kind or (kind_ in loose and link.kind in loose)))


def _write(store: Store, scope: _Scope, links: list[Link], flags: list[ManuscriptFlag],
           screened: Sequence[str]) -> tuple[int, int]:
    """Apply the run to ``matches`` and ``manuscript_flags`` in one short transaction."""
    condition = _scope_condition(scope)
    now = dt.datetime.now()
    with store.write() as con:
        _register_scope(con, scope)
        existing = con.execute(
            f"SELECT manuscript_id, article_id, score, kind, matcher_version FROM matches WHERE {condition}"
        ).fetchall()
        new = {(l.manuscript_id, l.article_id): l for l in links}
        stale = [(r[0], r[1]) for r in existing if (r[0], r[1]) not in new or not _same(r, new[(r[0], r[1])])]
        kept = {(r[0], r[1]) for r in existing if (r[0], r[1]) in new and _same(r, new[(r[0], r[1])])}
        fresh = [l for key, l in new.items() if key not in kept]
        if stale:
            con.register("stale", pa.table({"m": [s[0] for s in stale], "a": pa.array([s[1] for s in stale], pa.int64())}))
            con.execute("DELETE FROM matches USING stale WHERE matches.manuscript_id = stale.m AND matches.article_id = stale.a")
        if fresh:
            con.register("fresh", pa.table({
                "manuscript_id": [l.manuscript_id for l in fresh],
                "article_id": pa.array([l.article_id for l in fresh], pa.int64()),
                "score": [l.score for l in fresh],
                "kind": [l.kind for l in fresh],
                "manuscript_coverage": [l.manuscript_coverage for l in fresh],
                "article_coverage": [l.article_coverage for l in fresh],
                "evidence": [json.dumps(l.evidence, ensure_ascii=False) for l in fresh],
            }))
            con.execute("""
                INSERT INTO matches (manuscript_id, article_id, score, kind, manuscript_coverage,
                                     article_coverage, evidence, matcher_version, matched_at)
                SELECT manuscript_id, article_id, score, kind, manuscript_coverage, article_coverage,
                       evidence::JSON, ?, ? FROM fresh
            """, [MATCHER_VERSION, now])
        _relabel_roundups(con)
        con.register("screened", pa.table({"id": pa.array(list(screened), type=pa.string())}))
        con.execute("DELETE FROM manuscript_flags WHERE manuscript_id IN (SELECT id FROM screened)")
        if flags:
            con.executemany("INSERT INTO manuscript_flags VALUES (?, ?, ?, ?)",
                            [(f.manuscript_id, f.flag, f.detail, now) for f in flags])
        _mark_matched(con, scope, now)
    removed = len([s for s in stale if s not in new])
    return len(fresh), removed


def _relabel_roundups(con) -> None:
    """An excerpt in an article that carries passages of several manuscripts is a roundup."""
    con.execute("""
        UPDATE matches SET kind = c.label
        FROM (SELECT article_id, CASE WHEN count(*) >= 2 THEN 'roundup' ELSE 'excerpt' END AS label
              FROM matches WHERE kind IN ('excerpt', 'roundup') GROUP BY article_id) c
        WHERE matches.article_id = c.article_id AND matches.kind IN ('excerpt', 'roundup')
          AND matches.kind <> c.label
    """)


def _mark_matched(con, scope: _Scope, now: dt.datetime) -> None:
    """Documents matched against the whole other side are no longer pending."""
    whole_archive = scope.pairing == "either" or scope.articles is None
    whole_register = scope.pairing == "either" or scope.manuscripts is None
    update = "UPDATE matcher_documents SET matched_at = ?, matcher_version = ? WHERE doc_kind = ?"
    if whole_archive:
        con.execute(update + (" AND doc_id IN (SELECT id FROM scope_m)" if scope.manuscripts is not None else ""),
                    [now, MATCHER_VERSION, "manuscript"])
    if whole_register:
        con.execute(update + (" AND doc_id::BIGINT IN (SELECT id FROM scope_a)" if scope.articles is not None else ""),
                    [now, MATCHER_VERSION, "article"])


def candidate_features(store: Store, params: MatcherParams | None = None) -> list[tuple[str, int, PairFeatures]]:
    """Features of every candidate pair in the store, asserted or not (read-only; for calibration)."""
    params = params or MatcherParams()
    with store.read() as con:
        pairs = candidate_pairs(con, manuscripts=None, articles=None, df_high=params.df_high,
                                min_shared=MIN_SHARED_FINGERPRINTS)
    return [(m, a, judge(m_doc, a_doc, params)[0])
            for jobs in _aligned_chunks(store, pairs, {}, params) for m, a, m_doc, a_doc in jobs]


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


def explain(store: Store, manuscript_id: str, url: str, params: MatcherParams | None = None) -> Explanation:
    """Align one manuscript with one article (by URL) and show why they do or do not match."""
    params = params or MatcherParams()
    sync_index(store)
    with store.read() as con:
        m_row = con.execute("SELECT title, body FROM manuscripts WHERE manuscript_id = ?", [manuscript_id]).fetchone()
        if m_row is None:
            raise MatchError(f"unknown manuscript id: {manuscript_id}")
        a_row = con.execute("SELECT article_id, title, body FROM articles WHERE url = ?", [url]).fetchone()
        if a_row is None:
            raise MatchError(f"no article with URL {url} in the store (crawl or fetch it first)")
        stored = con.execute(
            "SELECT score, kind, manuscript_coverage, article_coverage, matcher_version, matched_at "
            "FROM matches WHERE manuscript_id = ? AND article_id = ?", [manuscript_id, a_row[0]]).fetchone()
    docs = _weigh(store, {"m": m_row[1], "a": a_row[2]}, params)
    features, passages = judge(docs["m"], docs["a"], params)
    asserted = is_placement(features, params)
    evidence = _evidence(docs["m"], docs["a"], features, passages, params)
    shown = []
    for p in evidence["passages"]:
        ms, me = p["manuscript"]
        as_, ae = p["article"]
        shown.append({**p, "manuscript_text": m_row[1][ms:me], "article_text": a_row[2][as_:ae]})
    return Explanation(
        manuscript_id=manuscript_id, manuscript_title=m_row[0], article_id=a_row[0], url=url,
        article_title=a_row[1], features=features, required=required_evidence(features, params),
        score=score(features, params), asserted=asserted, kind=kind(features, params) if asserted else None,
        passages=shown,
        stored=dict(zip(("score", "kind", "manuscript_coverage", "article_coverage", "matcher_version",
                         "matched_at"), stored)) if stored else None,
    )


__all__ = ["MATCHER_VERSION", "Comparison", "Explanation", "Link", "ManuscriptFlag", "MatchError",
           "MatchRunResult", "candidate_features", "compare_texts", "explain", "match_store"]
