"""The matcher's fingerprint index tables and the document texts it reads.

Tables (db/migrations/0003_matcher.sql): ``matcher_article_fp`` and
``matcher_manuscript_fp`` (each document's distinct fingerprints) and
``matcher_documents`` (which body was indexed, and whether it has been matched
since); ``matcher_common_fp`` (0010) the document frequency of every
fingerprint held by more than ``COMMON_ABOVE`` documents, kept exact by every
write of the fingerprint tables here.  The matcher computes fingerprints between short-lived connections;
these functions are the reads and writes around that work.  The queries that
*are* the matching algorithm — document frequencies and the candidate join over
the fingerprints — stay in ``shanggao.matcher.index``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa

DOC_KINDS = ("article", "manuscript")
COMMON_ABOVE = 4   # matcher_common_fp lists the fingerprints held by more documents than this
COUNT_MEMORY_FLOOR = 256 << 20   # DuckDB memory while the fingerprints of a batch are counted: at least this,
COUNT_MEMORY_PER_FP = 200        # and this many bytes per distinct new fingerprint (its hash tables need ~100)
FP_TABLE = {"article": ("matcher_article_fp", "article_id"), "manuscript": ("matcher_manuscript_fp", "manuscript_id")}

_STALE_SQL = {
    "article": """
        SELECT a.article_id::VARCHAR AS doc_id FROM articles a
        LEFT JOIN matcher_documents d ON d.doc_kind = 'article' AND d.doc_id = a.article_id::VARCHAR
        WHERE d.body_hash IS DISTINCT FROM a.body_hash ORDER BY a.article_id""",
    "manuscript": """
        SELECT m.manuscript_id AS doc_id FROM manuscripts m
        LEFT JOIN matcher_documents d ON d.doc_kind = 'manuscript' AND d.doc_id = m.manuscript_id
        WHERE d.body_hash IS DISTINCT FROM m.body_hash ORDER BY m.manuscript_id""",
}
_BODY_SQL = {
    # the range is redundant but lets DuckDB skip the row groups (and their bodies) outside it
    "article": "SELECT article_id::VARCHAR, body_hash, body FROM articles WHERE article_id BETWEEN ? AND ? "
               "AND article_id IN (SELECT doc_id::BIGINT FROM ids)",
    "manuscript": "SELECT manuscript_id, body_hash, body FROM manuscripts "
                  "WHERE manuscript_id IN (SELECT doc_id FROM ids)",
}


def _ids_table(ids: Sequence[str]) -> pa.Table:
    return pa.table({"doc_id": pa.array(list(ids), type=pa.string())})


# -- what to index -------------------------------------------------------------------

def stale_documents(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """Ids of documents of ``kind`` whose current body is not in the index."""
    return [row[0] for row in con.execute(_STALE_SQL[kind]).fetchall()]


def indexed_documents(con: duckdb.DuckDBPyConnection) -> int:
    """Documents in the index, of both kinds."""
    return con.execute("SELECT count(*) FROM matcher_documents").fetchall()[0][0]


def document_bodies(con: duckdb.DuckDBPyConnection, kind: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """(doc_id, body_hash, body) of the given documents (article ids as text)."""
    if not ids:
        return []
    con.register("ids", _ids_table(ids))
    if kind == "article":
        numbers = [int(i) for i in ids]
        return con.execute(_BODY_SQL[kind], [min(numbers), max(numbers)]).fetchall()
    return con.execute(_BODY_SQL[kind]).fetchall()


# -- writing the index ---------------------------------------------------------------

def replace_fingerprints(con: duckdb.DuckDBPyConnection, kind: str, ids: Sequence[str], documents: pa.Table,
                         postings: pa.Table, indexed_at: dt.datetime, write_rows: int, *,
                         keep_common: bool = True) -> None:
    """Replace the index entries of ``ids``: their ``matcher_documents`` rows by ``documents``
    (doc_kind, doc_id, body_hash, norm_hash, norm_chars, fingerprints) and their fingerprints
    by ``postings`` (id, fp), inserted ``write_rows`` rows at a time.  ``keep_common``: the
    common fingerprints' counts follow (off while :func:`forget_common` stands, a rebuild follows)."""
    table, column = FP_TABLE[kind]
    drop_postings(con, kind, ids, keep_common=keep_common)
    con.execute("DELETE FROM matcher_documents WHERE doc_kind = ? AND doc_id IN (SELECT doc_id FROM ids)", [kind])
    con.register("docs", documents)
    con.execute("INSERT INTO matcher_documents (doc_kind, doc_id, body_hash, norm_hash, norm_chars, "
                "fingerprints, indexed_at) SELECT *, ? FROM docs", [indexed_at])
    if keep_common and postings.num_rows:
        # Counted before the new postings are inserted, so the pass over the article fingerprints
        # reads only stored blocks (DuckDB narrows it with a Bloom filter of the fresh values).
        fps, holders = np.unique(postings.column("fp").to_numpy(), return_counts=True)
        con.register("added", pa.table({"fp": pa.array(fps, pa.int64()), "n": pa.array(holders, pa.int64())}))
        _count_common(con, "SELECT fp, n FROM added", +1)
        # The count below scans the whole article fingerprint column once.  DuckDB would keep every
        # block it reads, paging in as much fresh memory (at 1,000,000 articles, 1.7 GB: a third
        # of the query's time); a limit sized to what the query itself holds recycles its buffers.
        con.execute(f"SET memory_limit = '{max(COUNT_MEMORY_FLOOR, COUNT_MEMORY_PER_FP * len(fps)) >> 20}MB'")
        # fingerprints that were rare (at most COMMON_ABOVE holders): their holders until now, plus the new ones
        con.execute(f"""
            INSERT INTO matcher_common_fp
            WITH fresh AS MATERIALIZED (
                SELECT fp, n FROM added WHERE fp NOT IN (SELECT fp FROM matcher_common_fp)),
            held AS (
                SELECT fp, count(*) AS c FROM (
                    SELECT fp FROM matcher_article_fp WHERE fp IN (SELECT fp FROM fresh)
                    UNION ALL SELECT fp FROM matcher_manuscript_fp WHERE fp IN (SELECT fp FROM fresh)
                ) GROUP BY fp)
            SELECT fp, n + coalesce(c, 0) FROM fresh LEFT JOIN held USING (fp)
            WHERE n + coalesce(c, 0) > {COMMON_ABOVE}""")
        con.execute("RESET memory_limit")
        con.unregister("added")
    for start in range(0, postings.num_rows, write_rows):
        con.register("postings", postings.slice(start, write_rows))
        con.execute(f"INSERT INTO {table} SELECT {column}, fp FROM postings")


def drop_postings(con: duckdb.DuckDBPyConnection, kind: str, ids: Sequence[str], *,
                  keep_common: bool = True) -> None:
    """Remove the fingerprints of documents ``ids`` of ``kind`` (article ids as text); the
    common fingerprints' counts drop with them.  Leaves ``ids`` registered."""
    table, column = FP_TABLE[kind]
    con.register("ids", _ids_table(ids))
    indexed = con.execute("SELECT count(*) FROM matcher_documents WHERE doc_kind = ? "
                          "AND doc_id IN (SELECT doc_id FROM ids)", [kind]).fetchall()[0][0]
    if not indexed:   # new documents (a nightly's articles): nothing to drop, no pass over the postings
        return
    cast = "::BIGINT" if kind == "article" else ""
    mine = f"SELECT fp FROM {table} WHERE {column} IN (SELECT doc_id{cast} FROM ids)"
    if keep_common:
        _count_common(con, f"SELECT fp, count(*) AS n FROM ({mine}) GROUP BY fp", -1)
        con.execute(f"DELETE FROM matcher_common_fp WHERE df <= {COMMON_ABOVE}")
    con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT doc_id{cast} FROM ids)")


def _count_common(con: duckdb.DuckDBPyConnection, counted: str, sign: int) -> None:
    """Add ``sign`` × n to the count of every common fingerprint, for each (fp, n) row of the query
    ``counted`` (one row per fingerprint: n documents gained or lost it)."""
    con.execute(f"""
        UPDATE matcher_common_fp SET df = df + ({int(sign)}) * d.n FROM ({counted}) d
        WHERE matcher_common_fp.fp = d.fp""")


def common_state(con: duckdb.DuckDBPyConnection) -> int | None:
    """``held_above`` of a complete ``matcher_common_fp``; None when it must be rebuilt."""
    return con.execute("SELECT max(held_above) FROM matcher_common_state").fetchall()[0][0]


def forget_common(con: duckdb.DuckDBPyConnection) -> None:
    """Empty ``matcher_common_fp`` and mark it incomplete (a bulk index sync rebuilds it at its end)."""
    con.execute("DELETE FROM matcher_common_state")
    con.execute("DELETE FROM matcher_common_fp")


def fingerprints_between(con: duckdb.DuckDBPyConnection, lo: int, hi: int) -> np.ndarray:
    """Every fingerprint row of both tables whose value lies in [lo, hi] (one per document holding it)."""
    rows = con.execute("SELECT fp FROM matcher_article_fp WHERE fp BETWEEN ? AND ? "
                       "UNION ALL SELECT fp FROM matcher_manuscript_fp WHERE fp BETWEEN ? AND ?",
                       [lo, hi, lo, hi]).fetchnumpy()
    return np.asarray(rows["fp"], dtype=np.int64)


def fingerprint_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Fingerprint rows of both tables (one per document holding a fingerprint)."""
    return con.execute("SELECT (SELECT count(*) FROM matcher_article_fp) "
                       "+ (SELECT count(*) FROM matcher_manuscript_fp)").fetchall()[0][0]


def rebuild_common(con: duckdb.DuckDBPyConnection, fps: np.ndarray, dfs: np.ndarray) -> None:
    """Replace ``matcher_common_fp`` by the counts ``fps``/``dfs`` (every fingerprint held by more than
    ``COMMON_ABOVE`` documents, counted from both tables) and mark it complete."""
    forget_common(con)
    con.register("counted", pa.table({"fp": pa.array(fps, pa.int64()), "df": pa.array(dfs, pa.int32())}))
    con.execute("INSERT INTO matcher_common_fp SELECT fp, df FROM counted")
    con.unregister("counted")
    con.execute("INSERT INTO matcher_common_state VALUES (?)", [COMMON_ABOVE])


# -- matching state ------------------------------------------------------------------

def pending_documents(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(doc_kind, doc_id) of indexed documents not matched since they were indexed."""
    return con.execute("SELECT doc_kind, doc_id FROM matcher_documents WHERE matched_at IS NULL").fetchall()


def mark_matched(con: duckdb.DuckDBPyConnection, kind: str, scoped: bool, matched_at: dt.datetime,
                 matcher_version: str) -> None:
    """Record documents of ``kind`` as matched: those of the registered scope relation
    (``scope_m`` / ``scope_a``, see :func:`shanggao.db.matches.register_scope`) when
    ``scoped``, else all of them."""
    update = "UPDATE matcher_documents SET matched_at = ?, matcher_version = ? WHERE doc_kind = ?"
    if scoped:
        update += (" AND doc_id IN (SELECT id FROM scope_m)" if kind == "manuscript"
                   else " AND doc_id::BIGINT IN (SELECT id FROM scope_a)")
    con.execute(update, [matched_at, matcher_version, kind])


def duplicate_manuscripts(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[tuple[str, str]]:
    """(manuscript_id, ids of the other manuscripts with the same normalised text, comma-separated)
    for each non-empty manuscript of ``ids`` that has such twins."""
    con.register("scope_m", pa.table({"id": pa.array(list(ids), type=pa.string())}))
    return con.execute("""
        SELECT s.doc_id, string_agg(o.doc_id, ', ' ORDER BY o.doc_id)
        FROM matcher_documents s JOIN matcher_documents o
          ON o.doc_kind = 'manuscript' AND o.norm_hash = s.norm_hash AND o.doc_id <> s.doc_id
        WHERE s.doc_kind = 'manuscript' AND s.doc_id IN (SELECT id FROM scope_m) AND s.norm_chars > 0
        GROUP BY s.doc_id
    """).fetchall()


# -- the documents a run is scoped to ------------------------------------------------

def known_manuscripts(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` that are stored manuscripts."""
    return {r[0] for r in con.execute(
        "SELECT manuscript_id FROM manuscripts WHERE manuscript_id IN (SELECT unnest(?))", [list(ids)]).fetchall()}


def all_manuscript_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every manuscript id, sorted."""
    return [r[0] for r in con.execute("SELECT manuscript_id FROM manuscripts ORDER BY 1").fetchall()]


def articles_since(con: duckdb.DuckDBPyConnection, since: dt.date) -> list[int]:
    """Ids of articles published (or, undated, first fetched) on or after ``since``."""
    return [r[0] for r in con.execute(
        "SELECT article_id FROM articles WHERE coalesce(published_date, first_fetched_at::DATE) >= ?",
        [since]).fetchall()]


def manuscript_text(con: duckdb.DuckDBPyConnection, manuscript_id: str) -> tuple[str, str] | None:
    """(title, body) of a manuscript, None when there is no such manuscript."""
    return con.execute("SELECT title, body FROM manuscripts WHERE manuscript_id = ?", [manuscript_id]).fetchone()


def article_text(con: duckdb.DuckDBPyConnection, url: str) -> tuple[int, str, str] | None:
    """(article_id, title, body) of the article stored under ``url``, None when there is none."""
    return con.execute("SELECT article_id, title, body FROM articles WHERE url = ?", [url]).fetchone()


# -- size ------------------------------------------------------------------------------

INDEX_TABLES = ("matcher_article_fp", "matcher_manuscript_fp", "matcher_documents", "matcher_common_fp")


def storage_share(con: duckdb.DuckDBPyConnection, tables: Sequence[str] = INDEX_TABLES) -> tuple[int, int, int]:
    """(bytes of ``tables``, bytes of every table, documents indexed), counted in the file's blocks.

    A block shared by two tables (small tables share blocks) counts for both,
    so the figures are estimates to the block (256 KiB).
    """
    (block_size,) = con.execute("SELECT block_size FROM pragma_database_size() WHERE database_name = "
                                "current_database()").fetchall()[0]
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                        "current_database() AND NOT temporary").fetchall()]
    blocks: dict[str, set[int]] = {}
    for name in names:
        found = set()
        for block, extra in con.execute(f"SELECT block_id, additional_block_ids FROM pragma_storage_info('{name}') "
                                        "WHERE block_id >= 0").fetchall():
            found.add(block)
            found.update(extra or ())
        blocks[name] = found
    every = set().union(*blocks.values()) if blocks else set()
    chosen = set().union(*(blocks.get(t, set()) for t in tables))
    (documents,) = con.execute("SELECT count(*) FROM matcher_documents").fetchall()[0]
    return len(chosen) * block_size, len(every) * block_size, documents
