"""The persistent fingerprint index in the store, and the queries over it.

Tables (db/migrations/0003_matcher.sql): ``matcher_article_fp`` and
``matcher_manuscript_fp`` hold each document's distinct fingerprints;
``matcher_documents`` records which body (by ``body_hash``) was indexed and
whether it has been matched since.  Document frequency is not stored: it is
counted from the fingerprint tables when needed, so it always reflects the
archive as it stands — every import or crawl refreshes it for free.

Store rule: reads and writes use short-lived connections; fingerprints are
computed between them, never inside a transaction.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from shanggao.dates import utc_now
from shanggao.db import Store, matcher_index
from shanggao.matcher.normalize import normalize
from shanggao.matcher.score import DocumentFrequency
from shanggao.matcher.shingle import fingerprint_batch, sorted_unique

BATCH_DOCS = 20_000      # documents fingerprinted per read/compute/write round
PARALLEL_FROM = 4_000    # backlogs (and batches) at least this large are fingerprinted in parallel
WRITE_ROWS = 2_000_000   # fingerprint rows per write transaction

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


def stale_documents(store: Store, kind: str) -> list[str]:
    """Ids of documents of ``kind`` whose current body is not in the index."""
    with store.read() as con:
        return matcher_index.stale_documents(con, kind)


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
    texts = [normalize(body or "") for _, _, body in rows]
    doc, fp = fingerprint_batch(texts)
    return _Fingerprinted([r[0] for r in rows], [r[1] for r in rows], [norm_hash(t) for t in texts],
                          [len(t) for t in texts], doc, fp)


def _write_fingerprints(store: Store, kind: str, batch: _Fingerprinted) -> int:
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
        matcher_index.replace_fingerprints(con, kind, ids, documents, postings, indexed_at, WRITE_ROWS)
    return len(batch.fp)


def sync_index(store: Store, kinds: Iterable[str] = ("manuscript", "article"), workers: int = 2) -> IndexSync:
    """Index every document whose body is new or changed; unchanged ones are left alone.

    Large backlogs are fingerprinted by ``workers`` processes, one half-batch
    each, while this process alone talks to the store (read, then write).
    """
    started = time.perf_counter()
    result = IndexSync()
    pool = None
    try:
        for kind in kinds:
            stale = stale_documents(store, kind)
            if workers > 1 and len(stale) >= PARALLEL_FROM and pool is None:
                pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            for start in range(0, len(stale), BATCH_DOCS):
                rows = load_bodies(store, kind, stale[start:start + BATCH_DOCS])
                if pool is not None and len(rows) >= PARALLEL_FROM:
                    step = -(-len(rows) // workers)
                    parts = list(pool.map(_fingerprint_rows, [rows[i:i + step] for i in range(0, len(rows), step)]))
                else:
                    parts = [_fingerprint_rows(rows)]
                del rows
                for part in parts:
                    result.fingerprints += _write_fingerprints(store, kind, part)
            if kind == "article":
                result.articles += len(stale)
            else:
                result.manuscripts += len(stale)
    finally:
        if pool is not None:
            pool.shutdown()
    result.seconds = time.perf_counter() - started
    return result


# The two queries below are the matching algorithm itself (document frequencies and the
# candidate join over the fingerprint tables), so they live with the matcher rather than
# in shanggao.db.matcher_index, which holds the index's plain reads and writes.

def document_frequency(con: duckdb.DuckDBPyConnection, fps: np.ndarray) -> DocumentFrequency:
    """Number of indexed documents (articles and manuscripts) holding each of ``fps``."""
    fps = sorted_unique(np.asarray(fps, dtype=np.int64))
    if not len(fps):
        return DocumentFrequency(fps, fps)
    con.register("wanted_fp", pa.table({"fp": pa.array(fps)}))
    rows = con.execute("""
        SELECT fp, count(*)::BIGINT FROM (
            SELECT fp FROM matcher_article_fp UNION ALL SELECT fp FROM matcher_manuscript_fp
        ) WHERE fp IN (SELECT fp FROM wanted_fp) GROUP BY fp
    """).fetchnumpy()
    con.unregister("wanted_fp")
    found_fp, found_df = rows.values()
    return DocumentFrequency(np.asarray(found_fp), np.asarray(found_df))


def _weight_sql(df: str, df_low: int, df_high: int) -> str:
    """SQL of :func:`shanggao.matcher.score.df_weight` for the document frequency ``df``."""
    lo, hi = float(np.log(df_low)), float(np.log(df_high))
    return f"least(1.0, greatest(0.0, ({hi!r} - ln(greatest({df}, 1))) / {hi - lo!r}))"


def candidate_pairs(con: duckdb.DuckDBPyConnection, *, manuscripts: Sequence[str] | None,
                    articles: Sequence[int] | None, df_low: int, df_high: int,
                    min_shared: int) -> list[tuple[str, int, int, float]]:
    """(manuscript_id, article_id, shared rare fingerprints, their summed weight) of the chosen
    manuscripts × chosen articles.

    ``None`` on either side means "all".  Two scans of the fingerprint tables:
    the first counts document frequencies of the chosen side's fingerprints
    and keeps those shared (df >= 2) but rarer than ``df_high`` — stock
    phrases cannot blow the join up; the second joins both sides on them.  A
    pair needs ``min_shared`` such fingerprints to be worth aligning.  The
    weight of a fingerprint is the one the scorer gives it (1 up to ``df_low``,
    falling to 0 at ``df_high``), so the sum bounds the pair's evidence
    before any alignment (see ``shanggao.matcher.pipeline.prune``).
    """
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
    if articles is None:
        chosen_fp, chosen_params = f"SELECT fp FROM matcher_manuscript_fp WHERE {m_sel}", params[:2]
    else:
        chosen_fp, chosen_params = f"SELECT fp FROM matcher_article_fp WHERE {a_sel}", params[-2:]
    sql = f"""
        WITH rare AS (
            SELECT fp, {_weight_sql("count(*)", df_low, df_high)} AS w FROM (
                SELECT fp FROM matcher_article_fp UNION ALL SELECT fp FROM matcher_manuscript_fp
            ) WHERE fp IN ({chosen_fp})
            GROUP BY fp HAVING count(*) BETWEEN 2 AND {int(df_high) - 1}
        )
        SELECT m.manuscript_id, a.article_id, count(*)::INTEGER AS shared, sum(rare.w)::DOUBLE AS weighted
        FROM (SELECT manuscript_id, fp FROM matcher_manuscript_fp WHERE {m_sel} AND fp IN (SELECT fp FROM rare)) m
        JOIN (SELECT article_id, fp FROM matcher_article_fp WHERE {a_sel} AND fp IN (SELECT fp FROM rare)) a
          USING (fp)
        JOIN rare USING (fp)
        GROUP BY ALL HAVING count(*) >= {int(min_shared)}
        ORDER BY a.article_id, m.manuscript_id
    """
    return con.execute(sql, chosen_params + params).fetchall()


def common_frequencies(con: duckdb.DuckDBPyConnection, *, manuscripts: Sequence[str] | None,
                       articles: Sequence[int] | None, df_low: int) -> DocumentFrequency:
    """Document frequencies of the fingerprints of the given documents that occur in more than
    ``df_low`` documents (``None``: all documents of that kind).

    Every other fingerprint of these documents weighs 1 (:func:`~shanggao.matcher.score.df_weight`
    is flat below ``df_low``), and the returned lookup gives them 0, which weighs the same.  One
    scan of the fingerprint tables serves a whole matching run, however many documents it aligns;
    the result is small (only the genre's repeated phrasing is common).
    """
    parts = []
    if manuscripts is None:
        parts.append("SELECT fp FROM matcher_manuscript_fp")
    elif len(manuscripts):
        con.register("need_m", pa.table({"id": pa.array(list(manuscripts), type=pa.string())}))
        parts.append("SELECT fp FROM matcher_manuscript_fp WHERE manuscript_id IN (SELECT id FROM need_m)")
    if articles is None:
        parts.append("SELECT fp FROM matcher_article_fp")
    elif len(articles):
        con.register("need_a", pa.table({"id": pa.array(list(articles), type=pa.int64())}))
        parts.append("SELECT fp FROM matcher_article_fp WHERE article_id IN (SELECT id FROM need_a)")
    if not parts:
        empty = np.zeros(0, np.int64)
        return DocumentFrequency(empty, empty)
    rows = con.execute(f"""
        WITH need AS ({" UNION ".join(parts)})
        SELECT fp, count(*)::BIGINT FROM (
            SELECT fp FROM matcher_article_fp UNION ALL SELECT fp FROM matcher_manuscript_fp
        ) WHERE fp IN (SELECT fp FROM need) GROUP BY fp HAVING count(*) > {int(df_low)}
    """).fetchnumpy()
    found_fp, found_df = rows.values()
    return DocumentFrequency(np.asarray(found_fp, np.int64), np.asarray(found_df, np.int64))
