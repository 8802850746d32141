"""Storing articles: the one upsert used by imports, crawls and fetches.

Rows arrive in a staging relation (an Arrow table or a temp table) with the
columns of :data:`STAGED_COLUMNS`, one row per URL.  Within one write
transaction :func:`merge_incoming` (or :func:`upsert_staged_articles` for an
Arrow table still without hashes):

* inserts URLs the store has not seen;
* for a known URL whose title+body hash changed, copies the current text into
  ``article_versions`` and replaces it (``version`` + 1) — never a silent
  overwrite;
* for a known URL with the same text, only moves ``last_fetched_at``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from shanggao.db.crawls import mark_article_pages
from shanggao.db.rows import first_value

STAGED_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("outlet", pa.string()),
        ("title", pa.string()),
        ("subtitle", pa.string()),
        ("byline", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("published_date", pa.date32()),
        ("page_no", pa.int32()),
        ("page_name", pa.string()),
        ("page_url", pa.string()),
        ("body", pa.string()),
        ("source", pa.string()),
        ("evidence_page_id", pa.int64()),
        ("fetched_at", pa.timestamp("us")),
        ("imported_from", pa.string()),
    ]
)
STAGED_COLUMNS = tuple(STAGED_SCHEMA.names)
# A crawled article row: the staged columns plus the response its text was parsed
# from (URL and sha256 of the bytes), which names its evidence page.
CRAWLED_SCHEMA = (STAGED_SCHEMA.append(pa.field("response_url", pa.string()))
                               .append(pa.field("response_sha256", pa.string())))


@dataclass
class UpsertCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        return self


def body_hash(title: str | None, body: str) -> str:
    """sha256 (hex) of title, a newline and body: what ``articles.body_hash`` holds."""
    return _hash_utf8((title or "").encode(), body.encode())


def _hash_utf8(title: bytes | None, body: bytes) -> str:
    digest = hashlib.sha256(title or b"")
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def with_text_hashes(table: pa.Table) -> pa.Table:
    """``table`` plus ``body_hash`` and ``body_chars`` columns.

    The texts are taken from Arrow as UTF-8 bytes (no decoding) and hashed in
    this thread: hashlib's sha256 runs at over 1 GB/s, several times faster than
    DuckDB's own sha256(), and splitting the rows over two threads was measured
    slower (each ~6 KB body hands the GIL over twice).
    """
    titles = table.column("title").cast(pa.binary()).to_pylist()
    bodies = table.column("body").cast(pa.binary()).to_pylist()
    hashes = list(map(_hash_utf8, titles, bodies))
    return (table.append_column("body_hash", pa.array(hashes, pa.string()))
                 .append_column("body_chars", pc.utf8_length(table.column("body")).cast(pa.int32())))


def upsert_staged_articles(con: duckdb.DuckDBPyConnection, staged: pa.Table) -> UpsertCounts:
    """Merge staged rows (STAGED_SCHEMA, one row per URL) into ``articles``; call inside
    an open write transaction."""
    if staged.num_rows == 0:
        return UpsertCounts()
    return upsert_hashed_articles(con, with_text_hashes(staged))


def upsert_hashed_articles(con: duckdb.DuckDBPyConnection, hashed: pa.Table) -> UpsertCounts:
    """Merge rows that already carry their hashes (see :func:`with_text_hashes`) into
    ``articles``; call inside an open write transaction."""
    con.register("_staged_articles", hashed)
    counts = merge_incoming(con, "_staged_articles")
    con.unregister("_staged_articles")
    return counts


def merge_incoming(con: duckdb.DuckDBPyConnection, incoming: str) -> UpsertCounts:
    """Merge the relation ``incoming`` — STAGED_COLUMNS plus body_hash and body_chars
    (see :func:`with_text_hashes`), one row per URL — into ``articles``."""
    # Order matters: history first, then the unchanged rows, then the replacements.
    changed = first_value(con.execute(
        f"""
        INSERT INTO article_versions
        SELECT a.article_id, a.version, a.title, a.subtitle, a.byline, a.body, a.body_hash, a.evidence_page_id,
               coalesce((SELECT max(v.replaced_at) FROM article_versions v WHERE v.article_id = a.article_id),
                        a.first_fetched_at),
               i.fetched_at
        FROM articles a JOIN {incoming} i ON i.url = a.url
        WHERE a.body_hash <> i.body_hash
        """
    ))
    unchanged = first_value(con.execute(
        f"""
        UPDATE articles SET last_fetched_at = greatest(articles.last_fetched_at, i.fetched_at),
                            evidence_page_id = coalesce(articles.evidence_page_id, i.evidence_page_id)
        FROM {incoming} i
        WHERE articles.url = i.url AND articles.body_hash = i.body_hash
        """
    ))
    if changed:
        con.execute(
            f"""
            UPDATE articles SET
                title = i.title, subtitle = i.subtitle, byline = i.byline, authors = i.authors,
                published_date = coalesce(i.published_date, articles.published_date),
                page_no = coalesce(i.page_no, articles.page_no),
                page_name = coalesce(i.page_name, articles.page_name),
                page_url = coalesce(i.page_url, articles.page_url),
                body = i.body, body_hash = i.body_hash, body_chars = i.body_chars,
                version = articles.version + 1,
                evidence_page_id = coalesce(i.evidence_page_id, articles.evidence_page_id),
                last_fetched_at = i.fetched_at
            FROM {incoming} i
            WHERE articles.url = i.url AND articles.body_hash <> i.body_hash
            """
        )
    new = first_value(con.execute(
        f"""
        INSERT INTO articles (url, outlet, title, subtitle, byline, authors, published_date, page_no, page_name,
                              page_url, body, body_hash, body_chars, version, source, evidence_page_id,
                              first_fetched_at, last_fetched_at, imported_from)
        SELECT i.url, i.outlet, i.title, i.subtitle, i.byline, i.authors, i.published_date, i.page_no,
               i.page_name, i.page_url, i.body, i.body_hash, i.body_chars, 1, i.source, i.evidence_page_id,
               i.fetched_at, i.fetched_at, i.imported_from
        FROM {incoming} i ANTI JOIN articles a ON a.url = i.url
        """
    ))
    return UpsertCounts(new=new, changed=changed, unchanged=unchanged)


def upsert_crawled_articles(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> int:
    """Upsert a batch of crawled articles (CRAWLED_SCHEMA keys; ``evidence_page_id`` is
    looked up here) with versioning; return how many were new or changed.

    ``evidence_page_id`` points at the archived response each text was parsed from, and
    that page is marked as an article page."""
    batch = with_text_hashes(pa.Table.from_pylist(rows, schema=CRAWLED_SCHEMA))
    con.register("batch_articles", batch)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE incoming AS
        SELECT b.* EXCLUDE (response_url, response_sha256, evidence_page_id), p.page_id AS evidence_page_id
        FROM batch_articles b
        LEFT JOIN pages p ON p.url = b.response_url AND p.sha256 = b.response_sha256
    """)
    con.unregister("batch_articles")
    counts = merge_incoming(con, "incoming")
    mark_article_pages(con, "incoming")
    con.execute("DROP TABLE incoming")
    return counts.new + counts.changed


def article_id_at(con: duckdb.DuckDBPyConnection, url: str) -> int | None:
    row = con.execute("SELECT article_id FROM articles WHERE url = ?", [url]).fetchone()
    return int(row[0]) if row else None


def outlet_urls(con: duckdb.DuckDBPyConnection, outlet: str) -> set[str]:
    """The URLs of every stored article of ``outlet``."""
    return {row[0] for row in con.execute("SELECT url FROM articles WHERE outlet = ?", [outlet]).fetchall()}


def fetched_in_runs(con: duckdb.DuckDBPyConnection, run_ids: list[int], requested: list[str]) -> list[tuple]:
    """Articles stored by the given runs (their evidence page was fetched by one of them or
    at one of the ``requested`` URLs): (url, outlet, published_date, title, authors joined
    by spaces, version, body_chars), by URL."""
    return con.execute(
        """SELECT a.url, a.outlet, a.published_date, a.title, array_to_string(a.authors, ' ') AS authors,
                  a.version, a.body_chars
           FROM articles a JOIN pages p ON p.page_id = a.evidence_page_id
           WHERE a.last_fetched_at >= (SELECT min(started_at) FROM crawl_runs WHERE list_contains(?, run_id))
             AND (list_contains(?, p.run_id) OR list_contains(?, p.url) OR list_contains(?, a.url))
           ORDER BY a.url""", [run_ids, run_ids, requested, requested]).fetchall()
