"""The persistent fingerprint index in the store, and the queries over it.

Tables (db/migrations/0003_matcher.sql): ``matcher_article_fp`` and
``matcher_manuscript_fp`` hold each document's distinct fingerprints;
``matcher_documents`` records which body (by ``body_hash``) was indexed and
whether it has been matched since.  ``matcher_common_fp`` (migration 0010)
holds the document frequency of every fingerprint held by more than
``COMMON_ABOVE`` documents, kept exact as documents are indexed, re-indexed or
deleted: the weighing and the candidate join read it instead of counting over
the whole archive at every run.  A fingerprint it does not list is rare, which
is all the scorer needs to know (every document frequency up to ``df_low``
weighs 1).  A sync that indexes more than ``BULK_SHARE`` of the index at once
(the first build, an upgrade) counts the table anew at its end instead.

Store rule: reads and writes use short-lived connections; fingerprints are
computed between them, never inside a transaction.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from numba import njit

from shanggao.dates import utc_now
from shanggao.db import Store, StoreError, connect, matcher_index
from shanggao.matcher.normalize import normalize_many
from shanggao.matcher.score import DocumentFrequency
from shanggao.matcher.shingle import FP_BITS, fingerprint_batch

BATCH_DOCS = 20_000      # documents fingerprinted per read/compute/write round
PARALLEL_FROM = 4_000    # backlogs (and batches) at least this large are fingerprinted in parallel
WRITE_ROWS = 2_000_000   # fingerprint rows per write transaction
BULK_SHARE = 0.25        # a sync adding more than this share of the indexed documents recounts matcher_common_fp

@dataclass
class IndexSync:
    """What :func:`sync_index` did."""

    articles: int = 0
    manuscripts: int = 0
    fingerprints: int = 0
    seconds: float = 0.0


def norm_hash(text: str) -> str:
    """Identity of a body after normalisation (two manuscripts with the same one are duplicates)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def load_bodies(store: Store, kind: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """(doc_id, body_hash, body) of the given documents."""
    if not ids:
        return []
    with store.read() as con:
        return matcher_index.document_bodies(con, kind, ids)


@dataclass
class _Fingerprinted:
    """One batch of documents, normalised and fingerprinted (computed away from the store)."""

    ids: list[str]
    body_hashes: list[str]
    norm_hashes: list[str]
    norm_chars: list[int]
    doc: np.ndarray
    fp: np.ndarray


def _fingerprint_rows(rows: list[tuple[str, str, str]]) -> _Fingerprinted:
    texts = normalize_many([body or "" for _, _, body in rows])
    doc, fp = fingerprint_batch(texts)
    return _Fingerprinted([r[0] for r in rows], [r[1] for r in rows], [norm_hash(t) for t in texts],
                          [len(t) for t in texts], doc, fp)


def _joined(parts: Sequence[_Fingerprinted]) -> _Fingerprinted:
    """Batches fingerprinted apart (by the workers) as one, document numbers shifted."""
    if len(parts) == 1:
        return parts[0]
    offsets = np.cumsum([0] + [len(p.ids) for p in parts[:-1]])
    return _Fingerprinted(
        [i for p in parts for i in p.ids], [h for p in parts for h in p.body_hashes],
        [h for p in parts for h in p.norm_hashes], [n for p in parts for n in p.norm_chars],
        np.concatenate([p.doc + offset for p, offset in zip(parts, offsets, strict=True)]),
        np.concatenate([p.fp for p in parts]))


def _write_fingerprints(store: Store, kind: str, batch: _Fingerprinted, keep_common: bool = True) -> int:
    ids = batch.ids
    counts = np.bincount(batch.doc, minlength=len(ids)) if len(batch.doc) else np.zeros(len(ids), np.int64)
    _, column = matcher_index.FP_TABLE[kind]
    if kind == "article":
        id_array = pa.array(np.asarray(ids, dtype=np.int64)[batch.doc])
    else:
        id_array = pa.array(np.asarray(ids, dtype=object)[batch.doc], type=pa.string())
    postings = pa.table({column: id_array, "fp": pa.array(batch.fp)})
    documents = pa.table({
        "doc_kind": pa.array([kind] * len(ids)),
        "doc_id": pa.array(ids, type=pa.string()),
        "body_hash": pa.array(batch.body_hashes, type=pa.string()),
        "norm_hash": pa.array(batch.norm_hashes, type=pa.string()),
        "norm_chars": pa.array(batch.norm_chars, type=pa.int32()),
        "fingerprints": pa.array(counts.astype(np.int32)),
    })
    indexed_at = utc_now()
    with store.write() as con:
        matcher_index.replace_fingerprints(con, kind, ids, documents, postings, indexed_at, WRITE_ROWS,
                                           keep_common=keep_common)
    return len(batch.fp)


def _forked_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked once the compiled kernels are loaded here: they inherit them instead
    of each paying numba's start-up (about 0.3 s a process, as long as a nightly's fingerprinting)."""
    fingerprint_batch(["预热编译"])
    _runs_above(np.zeros(0, np.int64), 0)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def sync_index(store: Store, kinds: Iterable[str] = ("manuscript", "article"), workers: int = 2) -> IndexSync:
    """Index every document whose body is new or changed; unchanged ones are left alone.

    Large backlogs are fingerprinted by ``workers`` processes, one half-batch
    each, while this process alone talks to the store (read, then write).
    ``matcher_common_fp`` follows every batch in its transaction; a bulk sync
    (more than ``BULK_SHARE`` of the index, or the table incomplete) marks it
    incomplete first and counts it anew at the end.
    """
    started = time.perf_counter()
    result = IndexSync()
    kinds = list(kinds)
    with store.read() as con:
        stale = {kind: matcher_index.stale_documents(con, kind) for kind in kinds}
        indexed = matcher_index.indexed_documents(con)
        complete = matcher_index.common_state(con) == matcher_index.COMMON_ABOVE
    backlog = sum(len(ids) for ids in stale.values())
    bulk = not complete or backlog > BULK_SHARE * indexed
    if bulk and complete and backlog:
        with store.write() as con:
            matcher_index.forget_common(con)
    pool = None
    # (kind, the batch's fingerprints or the workers' futures of them) read but not written yet:
    # while the workers fingerprint one batch, this process writes the one before and reads the next
    unwritten: tuple[str, list] | None = None

    def write_unwritten() -> None:
        if unwritten is not None:
            kind_, parts = unwritten
            parts = [p.result() if isinstance(p, Future) else p for p in parts]
            # one write per batch: keeping the counts follows each write with a pass over the
            # article fingerprints, which the halves of one batch need not pay twice
            result.fingerprints += _write_fingerprints(store, kind_, _joined(parts), keep_common=not bulk)

    try:
        for kind in kinds:
            if workers > 1 and len(stale[kind]) >= PARALLEL_FROM and pool is None:
                pool = _forked_pool(workers)
            for start in range(0, len(stale[kind]), BATCH_DOCS):
                rows = load_bodies(store, kind, stale[kind][start:start + BATCH_DOCS])
                if pool is not None and len(rows) >= PARALLEL_FROM:
                    step = -(-len(rows) // workers)
                    parts: list = [pool.submit(_fingerprint_rows, rows[i:i + step])
                                   for i in range(0, len(rows), step)]
                else:
                    parts = [_fingerprint_rows(rows)]
                del rows
                write_unwritten()
                unwritten = (kind, parts)
            if kind == "article":
                result.articles += len(stale[kind])
            else:
                result.manuscripts += len(stale[kind])
        write_unwritten()
        unwritten = None
        if bulk:
            ranges = _count_ranges(store)
            if ranges > 1 and workers > 1 and pool is None:
                pool = _forked_pool(workers)
            fps, dfs = _count_common(store, ranges, pool)
            with store.write() as con:
                matcher_index.rebuild_common(con, fps, dfs)
    finally:
        if pool is not None:
            pool.shutdown()
    result.seconds = time.perf_counter() - started
    return result


COUNT_ROWS = 40_000_000  # fingerprint rows (8 bytes each) one counting process reads and sorts at once
COUNT_MEMORY = "128MB"   # DuckDB's memory for each counting process: the scan streams, a cache would not be reread


@njit(cache=True, nogil=True)
def _runs_above(values: np.ndarray, above: int) -> tuple[np.ndarray, np.ndarray]:
    """(value, run length) of every run of equal values longer than ``above`` in the sorted ``values``."""
    n = len(values)
    room = n // (above + 1) + 1   # no more runs than this can be that long
    found, lengths = np.empty(room, np.int64), np.empty(room, np.int64)
    k = i = 0
    while i < n:
        value, j = values[i], i + 1
        while j < n and values[j] == value:
            j += 1
        if j - i > above:
            found[k], lengths[k] = value, j - i
            k += 1
        i = j
    return found[:k].copy(), lengths[:k].copy()


def _count_part(task: tuple[str, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(fingerprint, documents holding it) of the fingerprints in [lo, hi] held by more than
    ``COMMON_ABOVE`` documents; one read-only connection, one sort."""
    path, lo, hi = task
    con = connect(path, read_only=True, config={"threads": 1, "memory_limit": COUNT_MEMORY})
    try:
        values = matcher_index.fingerprints_between(con, lo, hi)
    finally:
        con.close()
    values.sort()
    return _runs_above(values, matcher_index.COMMON_ABOVE)


def _count_ranges(store: Store) -> int:
    """Ranges of fingerprint values to count one at a time: each costs a full scan of the
    fingerprint column, so as few as ``COUNT_ROWS`` allows."""
    with store.read() as con:
        rows = matcher_index.fingerprint_rows(con)
    return max(1, -(-rows // COUNT_ROWS))


def _count_common(store: Store, ranges: int, pool: ProcessPoolExecutor | None) -> tuple[np.ndarray, np.ndarray]:
    """Every fingerprint held by more than ``COMMON_ABOVE`` documents, counted anew: most are
    held once, so counting by sorting one range of values of ``ranges`` at a time (in the pool's
    processes when there is one) is far cheaper than one grouping of them all."""
    tasks = [(str(store.path), (k << FP_BITS) // ranges, ((k + 1) << FP_BITS) // ranges - 1) for k in range(ranges)]
    counted = list(pool.map(_count_part, tasks)) if pool is not None else [_count_part(t) for t in tasks]
    return (np.concatenate([f for f, _ in counted]).astype(np.int64),
            np.concatenate([d for _, d in counted]).astype(np.int64))


# The two queries below are the matching algorithm itself (document frequencies and the
# candidate join over the fingerprint tables), so they live with the matcher rather than
# in shanggao.db.matcher_index, which holds the index's plain reads and writes.

class IndexIncomplete(StoreError):
    """The index's common fingerprints are not counted yet (no sync since the upgrade)."""


def _held_above(con: duckdb.DuckDBPyConnection, df_low: int) -> None:
    """Refuse to weigh with ``matcher_common_fp`` when it cannot answer for ``df_low``."""
    held = matcher_index.common_state(con)
    if held is None:
        raise IndexIncomplete("the matcher index is being built or was upgraded; run `shanggao match` first")
    if df_low < held:
        raise IndexIncomplete(f"document frequencies are kept above {held} documents; df_low={df_low} needs more")


def _weight_sql(df: str, df_low: int, df_high: int) -> str:
    """SQL of :func:`shanggao.matcher.score.df_weight` for the document frequency ``df``."""
    lo, hi = float(np.log(df_low)), float(np.log(df_high))
    return f"least(1.0, greatest(0.0, ({hi!r} - ln(greatest({df}, 1))) / {hi - lo!r}))"


def candidate_pairs(con: duckdb.DuckDBPyConnection, *, manuscripts: Sequence[str] | None,
                    articles: Sequence[int] | None, df_low: int, df_high: int,
                    min_shared: int) -> list[tuple[str, int, int, float]]:
    """(manuscript_id, article_id, shared rare fingerprints, their summed weight) of the chosen
    manuscripts × chosen articles.

    ``None`` on either side means "all".  Stock fingerprints (held by ``df_high``
    documents or more, from ``matcher_common_fp``) are left out of the chosen
    side before the join, so stock phrases cannot blow it up; the join of the
    chosen side with the other gives each pair's shared fingerprints.  A pair
    needs ``min_shared`` of them to be worth aligning.  The weight of a
    fingerprint is the one the scorer gives it (1 up to ``df_low``, falling to 0
    at ``df_high``), so the sum bounds the pair's evidence before any alignment
    (see ``shanggao.matcher.pipeline.prune``).
    """
    _held_above(con, df_low)
    params: list = []

    def selection(name: str, column: str, values: Iterable[Any] | None, arrow_type: pa.DataType) -> str:
        if values is None:
            return "TRUE"
        values = list(values)
        if not values:
            return "FALSE"
        con.register(name, pa.table({"id": pa.array(values, type=arrow_type)}))
        # the range is redundant but lets DuckDB skip row groups (documents are stored in id order)
        params.extend([min(values), max(values)])
        return f"{column} BETWEEN ? AND ? AND {column} IN (SELECT id FROM {name})"

    m_sel = selection("sel_m", "manuscript_id", manuscripts, pa.string())
    a_sel = selection("sel_a", "article_id", articles, pa.int64())
    # the chosen side (the smaller) loses its stock fingerprints before the join
    m_stock = a_stock = ""
    if articles is None:
        m_stock = "AND fp NOT IN (SELECT fp FROM stock)"
    else:
        a_stock = "AND fp NOT IN (SELECT fp FROM stock)"
    sql = f"""
        WITH stock AS MATERIALIZED (SELECT fp FROM matcher_common_fp WHERE df >= {int(df_high)}),
        weighed AS MATERIALIZED (
            SELECT fp, {_weight_sql("df", df_low, df_high)} AS w FROM matcher_common_fp
            WHERE df > {int(df_low)} AND df < {int(df_high)})
        SELECT m.manuscript_id, a.article_id, count(*)::INTEGER AS shared,
               sum(coalesce(weighed.w, 1.0))::DOUBLE AS weighted
        FROM (SELECT manuscript_id, fp FROM matcher_manuscript_fp WHERE {m_sel} {m_stock}) m
        JOIN (SELECT article_id, fp FROM matcher_article_fp WHERE {a_sel} {a_stock}) a USING (fp)
        LEFT JOIN weighed USING (fp)
        GROUP BY ALL HAVING count(*) >= {int(min_shared)}
        ORDER BY a.article_id, m.manuscript_id
    """
    return con.execute(sql, params).fetchall()


def common_frequencies(con: duckdb.DuckDBPyConnection, df_low: int) -> DocumentFrequency:
    """Document frequencies of every fingerprint held by more than ``df_low`` documents.

    Every other fingerprint weighs 1 (:func:`~shanggao.matcher.score.df_weight`
    is flat below ``df_low``), and the returned lookup gives them 0, which weighs
    the same.  Read from ``matcher_common_fp``, so a whole matching run costs one
    read of a table that holds only the genre's repeated phrasing.
    """
    _held_above(con, df_low)
    rows = con.execute(f"SELECT fp, df::BIGINT AS df FROM matcher_common_fp WHERE df > {int(df_low)}").fetchnumpy()
    return DocumentFrequency(np.asarray(rows["fp"], np.int64), np.asarray(rows["df"], np.int64))
