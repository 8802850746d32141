"""Crawl bookkeeping tables: ``crawl_runs``, ``pages`` (archived responses) and
``crawl_problems``.

The spiders' :class:`~shanggao.spiders.recorder.RunRecorder` buffers rows and
calls these functions inside one ``Store.write()`` transaction per batch; the
CLI reads a job's runs and problems back through them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import duckdb

from shanggao.db.rows import first_value

if TYPE_CHECKING:
    import pyarrow as pa


# pyarrow is imported when a batch is written, not with this module: the nightly job
# records itself in crawl_runs first thing, before the crawl needs Arrow.
@cache
def page_schema() -> pa.Schema:
    """Arrow schema of a batch of ``pages`` rows."""
    import pyarrow as pa

    return pa.schema([
        ("url", pa.string()), ("fetched_at", pa.timestamp("us")), ("last_seen_at", pa.timestamp("us")),
        ("status", pa.int32()), ("headers", pa.string()), ("sha256", pa.string()), ("content_length", pa.int64()),
        ("content_type", pa.string()), ("outlet", pa.string()), ("page_kind", pa.string()),
        ("run_id", pa.int64()), ("warc_file", pa.string()), ("warc_offset", pa.int64()),
        ("warc_length", pa.int64()),
    ])


@cache
def problem_schema() -> pa.Schema:
    """Arrow schema of a batch of ``crawl_problems`` rows."""
    import pyarrow as pa

    return pa.schema([
        ("outlet", pa.string()), ("url", pa.string()), ("problem", pa.string()), ("detail", pa.string()),
        ("seen_at", pa.timestamp("us")),
    ])


@dataclass
class RunTotals:
    """The running counters a ``crawl_runs`` row carries."""

    pages: int
    articles: int
    new_articles: int
    errors: int
    drift_warnings: int


# -- crawl_runs ----------------------------------------------------------------------

def start_run(con: duckdb.DuckDBPyConnection, *, job_id: str, command: str, outlet: str | None,
              window_start: dt.date | None, window_end: dt.date | None, started_at: dt.datetime,
              pid: int) -> int:
    """Insert a ``crawl_runs`` row for a spider run that starts now; return its run_id."""
    return first_value(con.execute(
        "INSERT INTO crawl_runs (job_id, command, outlet, window_start, window_end, started_at, pid) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING run_id",
        [job_id, command, outlet, window_start, window_end, started_at, pid],
    ))


def update_run_totals(con: duckdb.DuckDBPyConnection, run_id: int, totals: RunTotals) -> None:
    """Move a running crawl's counters (after each batch)."""
    con.execute(
        "UPDATE crawl_runs SET pages = ?, articles = ?, new_articles = ?, errors = ?, drift_warnings = ? "
        "WHERE run_id = ?",
        [totals.pages, totals.articles, totals.new_articles, totals.errors, totals.drift_warnings, run_id])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, totals: RunTotals, *, finished_at: dt.datetime,
               status: str, message: str) -> None:
    """Close a ``crawl_runs`` row with its final counters, status and message."""
    con.execute(
        "UPDATE crawl_runs SET finished_at = ?, status = ?, pages = ?, articles = ?, new_articles = ?, "
        "errors = ?, drift_warnings = ?, message = ? WHERE run_id = ?",
        [finished_at, status, totals.pages, totals.articles, totals.new_articles, totals.errors,
         totals.drift_warnings, message, run_id],
    )


def job_runs(con: duckdb.DuckDBPyConnection, job_id: str, after_run_id: int = 0) -> list[tuple]:
    """A job's runs after ``after_run_id``, oldest first: (outlet, status, pages, articles,
    new_articles, errors, drift_warnings, message, run_id, job_id)."""
    return con.execute(
        "SELECT outlet, status, pages, articles, new_articles, errors, drift_warnings, coalesce(message, ''), "
        "run_id, job_id FROM crawl_runs WHERE job_id = ? AND run_id > ? ORDER BY run_id",
        [job_id, after_run_id]).fetchall()


def last_run_id(con: duckdb.DuckDBPyConnection, job_id: str) -> int:
    """The newest run_id of a job, 0 when it has none."""
    return first_value(con.execute("SELECT coalesce(max(run_id), 0) FROM crawl_runs WHERE job_id = ?",
                       [job_id]))


# -- pages ---------------------------------------------------------------------------

def known_pages(con: duckdb.DuckDBPyConnection, outlet: str | None, urls: list[str]) -> set[tuple[str, str]]:
    """(url, sha256) of every archived page of ``outlet`` or at one of ``urls``."""
    rows = con.execute(
        "SELECT url, sha256 FROM pages WHERE outlet = ? OR list_contains(?, url)",
        [outlet or "", urls],
    ).fetchall()
    return {(u, s) for u, s in rows}


def insert_pages(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Insert archived responses (:func:`page_schema` columns); a page already stored with the
    same bytes only moves ``last_seen_at``."""
    if not rows:
        return
    import pyarrow as pa

    schema = page_schema()
    table = pa.Table.from_pylist([{k: r[k] for k in schema.names} for r in rows], schema=schema)
    con.register("batch_pages", table)
    con.execute("""
        INSERT INTO pages (url, fetched_at, last_seen_at, status, headers, sha256, content_length,
                           content_type, outlet, page_kind, run_id, warc_file, warc_offset, warc_length)
        SELECT url, fetched_at, last_seen_at, status, headers::JSON, sha256, content_length,
               content_type, outlet, page_kind, run_id, warc_file, warc_offset, warc_length
        FROM batch_pages
        ON CONFLICT (url, sha256) DO UPDATE SET last_seen_at = excluded.last_seen_at
    """)
    con.unregister("batch_pages")


def insert_evidence_page(con: duckdb.DuckDBPyConnection, *, url: str, now: dt.datetime, headers: str,
                         sha256: str, size: int, media_type: str, outlet: str, page_kind: str,
                         archived_file: str) -> int:
    """The ``pages`` row of a file added as evidence (archived under ``archived_file``); its page_id.
    The same file again only moves ``last_seen_at``."""
    row = con.execute(
        """INSERT INTO pages (url, fetched_at, last_seen_at, status, headers, sha256, content_length,
                              content_type, outlet, page_kind, archived_file)
           VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (url, sha256) DO UPDATE SET last_seen_at = excluded.last_seen_at
           RETURNING page_id""",
        [url, now, now, headers, sha256, size, media_type, outlet, page_kind, archived_file]).fetchone()
    assert row is not None, "INSERT … RETURNING gives the row"
    return int(row[0])


def mark_article_pages(con: duckdb.DuckDBPyConnection, incoming: str) -> None:
    """Mark as article pages the pages the relation ``incoming``'s ``evidence_page_id`` points at."""
    con.execute(f"""
        UPDATE pages SET page_kind = 'article'
        WHERE page_id IN (SELECT evidence_page_id FROM {incoming} WHERE evidence_page_id IS NOT NULL)
          AND page_kind IS DISTINCT FROM 'article'
    """)


# -- crawl_problems ------------------------------------------------------------------

def insert_problems(con: duckdb.DuckDBPyConnection, run_id: int, rows: list[dict[str, Any]]) -> None:
    """Insert a run's problems (:func:`problem_schema` columns)."""
    if not rows:
        return
    import pyarrow as pa

    con.register("batch_problems", pa.Table.from_pylist(rows, schema=problem_schema()))
    con.execute("""
        INSERT INTO crawl_problems (run_id, outlet, url, problem, detail, seen_at)
        SELECT ?, outlet, url, problem, detail, seen_at FROM batch_problems
    """, [run_id])
    con.unregister("batch_problems")


def run_problems(con: duckdb.DuckDBPyConnection, run_ids: list[int]) -> list[tuple[str, str, str]]:
    """(url, problem, detail) of the given runs' problems, in the order they were met."""
    return con.execute(
        "SELECT url, problem, detail FROM crawl_problems WHERE list_contains(?, run_id) ORDER BY problem_id",
        [run_ids]).fetchall()


# -- crawl_runs seen by the nightly job ----------------------------------------------

def running_runs(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int | None]]:
    """(run_id, pid) of the runs still marked 'running'."""
    return con.execute("SELECT run_id, pid FROM crawl_runs WHERE status = 'running'").fetchall()


def fail_dead_runs(con: duckdb.DuckDBPyConnection, run_ids: list[int], finished_at: dt.datetime) -> None:
    """Mark runs whose process ended before finishing as failed, saying so in their message."""
    con.execute(
        "UPDATE crawl_runs SET status = 'failed', finished_at = coalesce(finished_at, ?), "
        "message = concat_ws('; ', message, 'process ended before finishing (killed or crashed)') "
        "WHERE run_id IN (SELECT unnest(?))",
        [finished_at, run_ids],
    )


def last_ok_window_ends(con: duckdb.DuckDBPyConnection) -> dict[str, dt.date]:
    """Per outlet, the last window day of its newest successful crawl."""
    return dict(con.execute(
        "SELECT outlet, max(window_end) FROM crawl_runs WHERE status = 'ok' AND outlet IS NOT NULL "
        "AND window_end IS NOT NULL GROUP BY outlet"
    ).fetchall())


def close_run(con: duckdb.DuckDBPyConnection, run_id: int, *, status: str, finished_at: dt.datetime,
              message: str) -> None:
    """Close a run row that carries no counters of its own (the nightly job's row)."""
    con.execute("UPDATE crawl_runs SET status = ?, finished_at = ?, message = ? WHERE run_id = ?",
                [status, finished_at, message, run_id])
