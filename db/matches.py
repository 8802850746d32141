"""The matcher's results: ``matches`` (asserted placements) and ``manuscript_flags``.

A match run registers its scope (:func:`register_scope`), reads the rows it may
replace, then deletes, inserts, relabels and re-flags inside one write
transaction; ``shanggao explain`` reads one stored row back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pyarrow as pa

MATCH_SCHEMA = pa.schema([
    ("manuscript_id", pa.string()), ("article_id", pa.int64()), ("score", pa.float64()), ("kind", pa.string()),
    ("manuscript_coverage", pa.float64()), ("article_coverage", pa.float64()), ("evidence", pa.string()),
])
STORED_MATCH_COLUMNS = ("score", "kind", "manuscript_coverage", "article_coverage", "matcher_version", "matched_at")

# articles.source of evidence added by hand (shanggao.evidence): a whole printed page
PAGE_SOURCES = "('pdf', 'scan', 'screenshot')"


# -- scope ---------------------------------------------------------------------------

def register_scope(con: duckdb.DuckDBPyConnection, manuscripts: Sequence[str] | None,
                   articles: Sequence[int] | None) -> None:
    """Register the run's manuscripts as ``scope_m`` and articles as ``scope_a`` (None = all: not registered)."""
    if manuscripts is not None:
        con.register("scope_m", pa.table({"id": pa.array(list(manuscripts), type=pa.string())}))
    if articles is not None:
        con.register("scope_a", pa.table({"id": pa.array(list(articles), type=pa.int64())}))


def scope_condition(manuscripts_scoped: bool, articles_scoped: bool, either: bool) -> str:
    """A WHERE condition on ``matches`` selecting the registered scope's pairs: pairs with a
    scoped manuscript or (``either``) / and a scoped article."""
    m = "manuscript_id IN (SELECT id FROM scope_m)" if manuscripts_scoped else "TRUE"
    a = "article_id IN (SELECT id FROM scope_a)" if articles_scoped else "TRUE"
    return f"({m}) {'OR' if either else 'AND'} ({a})"


# -- matches -------------------------------------------------------------------------

def matches_where(con: duckdb.DuckDBPyConnection, condition: str) -> list[tuple[str, int, float, str, str]]:
    """(manuscript_id, article_id, score, kind, matcher_version) of the rows meeting ``condition``."""
    return con.execute(
        f"SELECT manuscript_id, article_id, score, kind, matcher_version FROM matches WHERE {condition}"
    ).fetchall()


def delete_matches(con: duckdb.DuckDBPyConnection, pairs: Sequence[tuple[str, int]]) -> None:
    """Delete the rows of the (manuscript_id, article_id) ``pairs``."""
    if not pairs:
        return
    con.register("stale", pa.table({"m": [p[0] for p in pairs], "a": pa.array([p[1] for p in pairs], pa.int64())}))
    con.execute("DELETE FROM matches USING stale "
                "WHERE matches.manuscript_id = stale.m AND matches.article_id = stale.a")


def insert_matches(con: duckdb.DuckDBPyConnection, rows: pa.Table, matcher_version: str,
                   matched_at: dt.datetime) -> None:
    """Insert ``rows`` (MATCH_SCHEMA; ``evidence`` as JSON text)."""
    if not rows.num_rows:
        return
    con.register("fresh", rows)
    con.execute("""
        INSERT INTO matches (manuscript_id, article_id, score, kind, manuscript_coverage,
                             article_coverage, evidence, matcher_version, matched_at)
        SELECT manuscript_id, article_id, score, kind, manuscript_coverage, article_coverage,
               evidence::JSON, ?, ? FROM fresh
    """, [matcher_version, matched_at])


def relabel_roundups(con: duckdb.DuckDBPyConnection, page_share: float = 0.6) -> None:
    """A manuscript found in a printed page, a journal's PDF or a screenshot (evidence
    added by hand, carrying whatever else was on the page) whose text makes less than
    ``page_share`` of it is a ``page`` placement; an excerpt in an article that carries
    passages of several manuscripts is a roundup."""
    con.execute(f"""
        UPDATE matches SET kind = 'page'
        FROM articles a
        WHERE a.article_id = matches.article_id AND a.source IN {PAGE_SOURCES}
          AND matches.kind IN ('edited', 'excerpt', 'roundup') AND matches.article_coverage < ?
    """, [page_share])
    con.execute("""
        UPDATE matches SET kind = c.label
        FROM (SELECT article_id, CASE WHEN count(*) >= 2 THEN 'roundup' ELSE 'excerpt' END AS label
              FROM matches WHERE kind IN ('excerpt', 'roundup') GROUP BY article_id) c
        WHERE matches.article_id = c.article_id AND matches.kind IN ('excerpt', 'roundup')
          AND matches.kind <> c.label
    """)


def stored_match(con: duckdb.DuckDBPyConnection, manuscript_id: str, article_id: int) -> dict | None:
    """The ``matches`` row of one pair (STORED_MATCH_COLUMNS), None when the pair is not asserted."""
    row = con.execute(
        f"SELECT {', '.join(STORED_MATCH_COLUMNS)} FROM matches WHERE manuscript_id = ? AND article_id = ?",
        [manuscript_id, article_id]).fetchone()
    return dict(zip(STORED_MATCH_COLUMNS, row, strict=True)) if row else None


# -- manuscript_flags ----------------------------------------------------------------

def replace_flags(con: duckdb.DuckDBPyConnection, screened: Sequence[str],
                  flags: Sequence[tuple[str, str, str]], flagged_at: dt.datetime) -> None:
    """Replace the flags of the ``screened`` manuscripts by ``flags`` (manuscript_id, flag, detail)."""
    con.register("screened", pa.table({"id": pa.array(list(screened), type=pa.string())}))
    con.execute("DELETE FROM manuscript_flags WHERE manuscript_id IN (SELECT id FROM screened)")
    if flags:
        con.executemany("INSERT INTO manuscript_flags VALUES (?, ?, ?, ?)",
                        [(m, flag, detail, flagged_at) for m, flag, detail in flags])


def blocked_elsewhere(con: duckdb.DuckDBPyConnection, screened: Sequence[str]) -> set[str]:
    """Manuscripts flagged empty/unverifiable by an earlier run, other than the ``screened`` ones."""
    con.register("screened", pa.table({"id": pa.array(list(screened), type=pa.string())}))
    return {r[0] for r in con.execute(
        "SELECT manuscript_id FROM manuscript_flags WHERE flag <> 'duplicate' "
        "AND manuscript_id NOT IN (SELECT id FROM screened)").fetchall()}



# -- matcher_quotation_pairs ---------------------------------------------------------

def replace_quotation_pairs(con: duckdb.DuckDBPyConnection, condition: str,
                            rows: Sequence[tuple[str, int, str]], matched_at: dt.datetime) -> None:
    """Replace the refused pairs meeting ``condition`` (a scope condition) by ``rows``
    (manuscript_id, article_id, detail as JSON text)."""
    con.execute(f"DELETE FROM matcher_quotation_pairs WHERE {condition}")
    if rows:
        con.register("refused", pa.table({
            "m": pa.array([r[0] for r in rows], pa.string()), "a": pa.array([r[1] for r in rows], pa.int64()),
            "d": pa.array([r[2] for r in rows], pa.string())}))
        con.execute("INSERT OR REPLACE INTO matcher_quotation_pairs SELECT m, a, d::JSON, ? FROM refused",
                    [matched_at])


def quotation_pairs(con: duckdb.DuckDBPyConnection, manuscript_ids: Sequence[str]) -> dict[tuple[str, int], str]:
    """(manuscript_id, article_id) → detail JSON of the refused pairs of the given manuscripts."""
    if not manuscript_ids:
        return {}
    rows = con.execute("SELECT manuscript_id, article_id, detail FROM matcher_quotation_pairs "
                       "WHERE manuscript_id IN (SELECT unnest(?))", [list(manuscript_ids)]).fetchall()
    return {(m, a): d for m, a, d in rows}
