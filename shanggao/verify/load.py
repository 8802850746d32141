"""Step 1 of verification: read the claims of a period and all the evidence they need
in one read-only session (the SQL lives in shanggao.db: claims, manuscripts, evidence)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import duckdb

from shanggao.db import claims as claims_table
from shanggao.db import evidence as evidence_reads
from shanggao.db import manuscripts as manuscripts_table
from shanggao.db import matches as matches_table
from shanggao.db.outlets import load_registry
from shanggao.verify.model import Article, Claim, Evidence, Manuscript, Placement
from shanggao.verify.text import normalize_title, normalize_url, url_variants

# How far around the claimed dates stored articles count as crawl coverage.
_COVERAGE_MARGIN = dt.timedelta(days=2)


def load_evidence(con: duckdb.DuckDBPyConnection, start: dt.date | None, end: dt.date | None) -> Evidence:
    """The claims dated ``start``..``end`` (all claims when None), the claims that share their
    manuscripts, and every row judging them needs."""
    period_claims = [_claim(row) for row in claims_table.claims_dated(con, start, end)]
    in_period = {c.claim_id for c in period_claims}
    manuscripts = _manuscripts(con)
    titles = _titles(manuscripts)
    wanted = _claimed_manuscripts(period_claims, manuscripts, titles)
    related = _related_claims(con, wanted, in_period) if start is not None else []
    wanted.update(c.manuscript_id for c in related if c.manuscript_id)
    claims = period_claims + related
    return Evidence(
        claims=claims,
        in_period=in_period,
        manuscripts=manuscripts,
        titles=titles,
        placements=_placements(con, wanted),
        articles_by_url=_articles_at_claimed_urls(con, claims),
        outlets=load_registry(con),
        crawled=_crawl_windows(con),
        article_days=_article_days(con, claims),
        quotation_only=_quotation_only(con, wanted),
    )


def _claim(row: claims_table.ClaimRow) -> Claim:
    order = (row.imported_at or dt.datetime.min, row.source_file or "", row.source_row or 0, row.claim_id)
    return Claim(row.claim_id, row.manuscript_id or None, tuple(n for n in (row.claimant or []) if n), row.unit,
                 row.outlet, row.outlet_slug, row.published_date, row.page, row.url or None, row.title, order,
                 row.evidence_url or None)


def _article(row: evidence_reads.ArticleRow) -> Article:
    return Article(row.article_id, row.url, row.outlet, row.title, row.subtitle, row.byline, tuple(row.authors or ()),
                   row.published_date, row.page_no, row.body_chars or 0, row.source or "crawl", row.archived_file)


def _manuscripts(con: duckdb.DuckDBPyConnection) -> dict[str, Manuscript]:
    return {row.manuscript_id: Manuscript(row.manuscript_id, row.title, tuple(row.authors or ()), row.unit,
                                          row.submitted_date)
            for row in manuscripts_table.all_manuscripts(con)}


def _titles(manuscripts: dict[str, Manuscript]) -> dict[str, list[str]]:
    """normalized title -> ids of the manuscripts with that title."""
    titles: dict[str, list[str]] = defaultdict(list)
    for ms in manuscripts.values():
        titles[normalize_title(ms.title)].append(ms.manuscript_id)
    return titles


def _claimed_manuscripts(claims: list[Claim], manuscripts: dict[str, Manuscript],
                         titles: dict[str, list[str]]) -> set[str]:
    """The manuscripts the claims name, by id or (for an unknown id) by title."""
    wanted = {c.manuscript_id for c in claims if c.manuscript_id}
    for c in claims:
        if not c.manuscript_id or c.manuscript_id not in manuscripts:
            wanted.update(titles.get(normalize_title(c.title), ()))
    return wanted


def _related_claims(con: duckdb.DuckDBPyConnection, manuscript_ids: set[str], in_period: set[str]) -> list[Claim]:
    """Claims outside the period that share a manuscript: they decide who claimed a placement first."""
    return [_claim(row) for row in claims_table.claims_of_manuscripts(con, manuscript_ids)
            if row.claim_id not in in_period]


def _placements(con: duckdb.DuckDBPyConnection, manuscript_ids: set[str]) -> dict[str, list[Placement]]:
    placements: dict[str, list[Placement]] = defaultdict(list)
    for link in evidence_reads.links_of_manuscripts(con, manuscript_ids):
        placements[link.manuscript_id].append(
            Placement(_article(link.article), link.score, link.kind, link.article_coverage))
    return placements


def _quotation_only(con: duckdb.DuckDBPyConnection, manuscript_ids: set[str]) -> dict[tuple[str, int], list[str]]:
    """Pairs the matcher refused because all they share is the manuscript's quoted or borrowed text."""
    out = {}
    for key, detail in matches_table.quotation_pairs(con, sorted(manuscript_ids)).items():
        spans = json.loads(detail).get("discounted", []) if detail else []
        out[key] = list(dict.fromkeys(s.get("reason", "") for s in spans if s.get("reason")))
    return out


def _articles_at_claimed_urls(con: duckdb.DuckDBPyConnection, claims: list[Claim]) -> dict[str, Article]:
    variants = {v for c in claims if c.url for v in url_variants(c.url)} | {c.evidence_url for c in claims
                                                                            if c.evidence_url}
    return {normalize_url(row.url): _article(row) for row in evidence_reads.articles_at_urls(con, variants)}


def _crawl_windows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[dt.date, dt.date]]]:
    crawled: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for window in evidence_reads.crawl_windows(con):
        crawled[window.outlet].append((window.first, window.last))
    return crawled


def _article_days(con: duckdb.DuckDBPyConnection, claims: list[Claim]) -> set[tuple[str, dt.date]]:
    """(outlet, day) pairs with stored articles around the claimed dates."""
    dates = [c.published_date for c in claims if c.published_date]
    if not dates:
        return set()
    return evidence_reads.article_days(con, min(dates) - _COVERAGE_MARGIN, max(dates) + _COVERAGE_MARGIN)
