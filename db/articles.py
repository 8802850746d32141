"""Storing articles: the one upsert used by imports, crawls and fetches.

Rows arrive in a staging relation (an Arrow table or a temp table) with the
columns of :data:`STAGED_COLUMNS`.  Within one write transaction
:func:`upsert_staged_articles`:

* inserts URLs the store has not seen;
* for a known URL whose title+body hash changed, copies the current text into
  ``article_versions`` and replaces it (``version`` + 1) — never a silent
  overwrite;
* for a known URL with the same text, only moves ``last_fetched_at``.

Within one batch the last row for a URL wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

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


@dataclass
class UpsertCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "UpsertCounts") -> "UpsertCounts":
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        return self


def staged_table(rows: list[dict]) -> pa.Table:
    """An Arrow staging table from dicts keyed by STAGED_COLUMNS (missing keys are NULL)."""
    return pa.Table.from_pylist([{c: r.get(c) for c in STAGED_COLUMNS} for r in rows], schema=STAGED_SCHEMA)


def upsert_staged_articles(con: duckdb.DuckDBPyConnection, staged: pa.Table | str) -> UpsertCounts:
    """Merge staged rows into ``articles``; call inside an open write transaction.

    ``staged`` is an Arrow table with STAGED_SCHEMA or the name of a relation
    already visible to ``con`` with those columns.
    """
    if isinstance(staged, pa.Table) and staged.num_rows == 0:
        return UpsertCounts()
    if isinstance(staged, pa.Table):
        con.register("_staged_articles", staged)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _incoming AS {hashed_unique_sql(staged if isinstance(staged, str) else '_staged_articles')}")
    if isinstance(staged, pa.Table):
        con.unregister("_staged_articles")
    counts = merge_incoming(con, "_incoming")
    con.execute("DROP TABLE _incoming")
    return counts


def hashed_unique_sql(source: str) -> str:
    """The staged rows plus body_hash and body_chars, one row per URL (the latest fetch wins)."""
    return f"""
        SELECT s.*, sha256(coalesce(s.title, '') || chr(10) || s.body) AS body_hash, length(s.body) AS body_chars
        FROM {source} s
        QUALIFY row_number() OVER (PARTITION BY s.url ORDER BY s.fetched_at DESC) = 1
    """


def merge_incoming(con: duckdb.DuckDBPyConnection, incoming: str) -> UpsertCounts:
    """Merge the relation ``incoming`` — STAGED_COLUMNS plus body_hash and body_chars, one row
    per URL (see :func:`hashed_unique_sql`) — into ``articles``."""
    # Order matters: history first, then the unchanged rows, then the replacements.
    changed = con.execute(
        f"""
        INSERT INTO article_versions
        SELECT a.article_id, a.version, a.title, a.subtitle, a.byline, a.body, a.body_hash, a.evidence_page_id,
               coalesce((SELECT max(v.replaced_at) FROM article_versions v WHERE v.article_id = a.article_id),
                        a.first_fetched_at),
               i.fetched_at
        FROM articles a JOIN {incoming} i ON i.url = a.url
        WHERE a.body_hash <> i.body_hash
        """
    ).fetchone()[0]
    unchanged = con.execute(
        f"""
        UPDATE articles SET last_fetched_at = greatest(articles.last_fetched_at, i.fetched_at),
                            evidence_page_id = coalesce(articles.evidence_page_id, i.evidence_page_id)
        FROM {incoming} i
        WHERE articles.url = i.url AND articles.body_hash = i.body_hash
        """
    ).fetchone()[0]
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
    new = con.execute(
        f"""
        INSERT INTO articles (url, outlet, title, subtitle, byline, authors, published_date, page_no, page_name,
                              page_url, body, body_hash, body_chars, version, source, evidence_page_id,
                              first_fetched_at, last_fetched_at, imported_from)
        SELECT i.url, i.outlet, i.title, i.subtitle, i.byline, i.authors, i.published_date, i.page_no,
               i.page_name, i.page_url, i.body, i.body_hash, i.body_chars, 1, i.source, i.evidence_page_id,
               i.fetched_at, i.fetched_at, i.imported_from
        FROM {incoming} i ANTI JOIN articles a ON a.url = i.url
        """
    ).fetchone()[0]
    return UpsertCounts(new=new, changed=changed, unchanged=unchanged)
