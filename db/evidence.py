"""Reads of the evidence behind claims, for verification and reports: the matcher's
links with their articles, articles at claimed URLs, what the crawls covered, and
the passages a report compares.  Writes to these tables live with their writers
(db/articles.py, the matcher, the crawl recorder).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

import duckdb
import pyarrow as pa

from shanggao.db.rows import fetch_as

_ARTICLE_COLUMNS = ("a.article_id, a.url, a.outlet, a.title, a.subtitle, a.byline, a.authors, a.published_date, "
                    "a.page_no, coalesce(a.body_chars, length(a.body)) AS body_chars, a.source, "
                    "(SELECT p.archived_file FROM pages p WHERE p.page_id = a.evidence_page_id) AS archived_file")


class ArticleRow(NamedTuple):
    """An article as verification reads it (no body; its length)."""
    article_id: int
    url: str
    outlet: str
    title: str
    subtitle: str | None
    byline: str | None
    authors: list[str] | None
    published_date: dt.date | None
    page_no: int | None
    body_chars: int | None
    source: str | None                   # crawl / fetch / import, or pdf / scan / screenshot (evidence added by hand)
    archived_file: str | None            # evidence added by hand: the file under the archive folder


class LinkRow(NamedTuple):
    """A matcher link (manuscript in article) with the article's fields."""
    manuscript_id: str
    score: float
    kind: str
    article_coverage: float | None
    article: ArticleRow


def links_of_manuscripts(con: duckdb.DuckDBPyConnection, manuscript_ids: Iterable[str]) -> list[LinkRow]:
    ids = list(manuscript_ids)
    if not ids:
        return []
    rows = con.execute(
        f"SELECT m.manuscript_id, m.score, m.kind, m.article_coverage, {_ARTICLE_COLUMNS} "
        f"FROM matches m JOIN articles a ON a.article_id = m.article_id "
        f"WHERE m.manuscript_id IN (SELECT unnest(?))", [ids]
    ).fetchall()
    return [LinkRow(row[0], row[1], row[2], row[3], ArticleRow(*row[4:])) for row in rows]


def articles_at_urls(con: duckdb.DuckDBPyConnection, urls: Iterable[str]) -> list[ArticleRow]:
    """Stored articles whose URL is exactly one of ``urls``."""
    urls = list(urls)
    if not urls:
        return []
    return fetch_as(con, ArticleRow, f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.url IN (SELECT unnest(?))",
                    [urls])


class CrawlWindow(NamedTuple):
    outlet: str
    first: dt.date
    last: dt.date


def crawl_windows(con: duckdb.DuckDBPyConnection) -> list[CrawlWindow]:
    """The days each successful crawl run covered, outlet by outlet."""
    return fetch_as(con, CrawlWindow,
                    "SELECT outlet, window_start, coalesce(window_end, window_start) FROM crawl_runs "
                    "WHERE status = 'ok' AND outlet IS NOT NULL AND window_start IS NOT NULL")


def article_days(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> set[tuple[str, dt.date]]:
    """(outlet, day) pairs with stored articles, ``first``..``last``."""
    return set(con.execute("SELECT DISTINCT outlet, published_date FROM articles WHERE published_date BETWEEN ? AND ?",
                           [first, last]).fetchall())


class UnclaimedRow(NamedTuple):
    """A matcher placement no claim mentions (the ``unclaimed_placements`` view)."""
    article_id: int
    outlet_name: str
    tier: str
    published_date: dt.date | None
    page_no: int | None
    title: str
    url: str
    manuscript_id: str | None
    manuscript_title: str | None
    unit: str | None
    authors: list[str] | None


def unclaimed_placements(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> list[UnclaimedRow]:
    return fetch_as(con, UnclaimedRow,
                    "SELECT article_id, coalesce(outlet_name, outlet), coalesce(tier, 'other'), published_date, "
                    "page_no, title, url, manuscript_id, manuscript_title, unit, authors FROM unclaimed_placements "
                    "WHERE published_date BETWEEN ? AND ? ORDER BY published_date, article_id", [start, end])


class ComparisonRow(NamedTuple):
    """A manuscript and an article it appears in, with the matcher's evidence of passages."""
    manuscript_id: str
    article_id: int
    manuscript_title: str
    manuscript_body: str
    article_body: str
    evidence: object


def comparisons(con: duckdb.DuckDBPyConnection, pairs: Iterable[tuple[str, int]]) -> list[ComparisonRow]:
    """The texts and match evidence of each (manuscript id, article id) pair that the matcher linked."""
    ordered = sorted(pairs)
    if not ordered:
        return []
    con.register("wanted_pairs", pa.table({"manuscript_id": [p[0] for p in ordered],
                                           "article_id": pa.array([p[1] for p in ordered], pa.int64())}))
    try:
        return fetch_as(con, ComparisonRow,
                        "SELECT m.manuscript_id, m.article_id, ms.title, ms.body, a.body, m.evidence "
                        "FROM wanted_pairs w "
                        "JOIN matches m USING (manuscript_id, article_id) JOIN manuscripts ms USING (manuscript_id) "
                        "JOIN articles a ON a.article_id = m.article_id")
    finally:
        con.unregister("wanted_pairs")


class UnclaimedOverview(NamedTuple):
    manuscript_id: str
    outlet_name: str | None
    published_date: dt.date | None
    title: str
    kind: str
    score: float


def unclaimed_overview(con: duckdb.DuckDBPyConnection) -> list[UnclaimedOverview]:
    """Every placement no claim mentions, by date (the demo's terminal table)."""
    return fetch_as(con, UnclaimedOverview, """
        SELECT manuscript_id, outlet_name, published_date, title, kind, round(score)
        FROM unclaimed_placements ORDER BY published_date, manuscript_id""")


def evidence_file_article(con: duckdb.DuckDBPyConnection, sha256: str, page_kind: str
                          ) -> tuple[str, int, str, int, str | None, str] | None:
    """(url, article_id, source, body_chars, headers JSON, archived file) of an evidence file already added."""
    return con.execute(
        """SELECT a.url, a.article_id, a.source, a.body_chars, p.headers, p.archived_file
           FROM pages p JOIN articles a ON a.url = p.url
           WHERE p.page_kind = ? AND p.sha256 = ?""", [page_kind, sha256]).fetchone()
