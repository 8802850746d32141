"""Claim verification: one verdict per claim, with its evidence, reasons and points.

Public API (used by ``shanggao verify`` and the offline demo)::

    from shanggao.db import Store
    from shanggao.rules import load_rules
    from shanggao.verify import verify_claims

    summary = verify_claims(Store("shanggao.duckdb"), date(2022, 6, 1), date(2022, 6, 30), load_rules())
    summary.counts            # {"verified": 12, "not_found": 1, ...}
    summary.verdicts          # list[Verdict], in claim order

``start``/``end`` select claims by their claimed ``published_date`` (both
inclusive); ``None`` for both verifies every claim, undated ones included.
Re-running replaces the verdicts of the claims it covers.

The package runs in four steps, a module each: :mod:`~shanggao.verify.load`
(claims and evidence, read through shanggao.db), :mod:`~shanggao.verify.judge`
(one verdict per claim), :mod:`~shanggao.verify.points` (duplicates across
claims, then points) and :mod:`~shanggao.verify.write`; :mod:`~shanggao.verify.model`
holds the dataclasses and :mod:`~shanggao.verify.text` the text comparisons.

How a claim is judged (reasons are written in Chinese for the office):

1. its manuscript (by id, else by an exactly matching title) and its outlet
   (``claims.outlet_slug``, else :func:`shanggao.db.outlets.resolve_outlet`
   on the written name, else the claimed URL's host);
2. the evidence: the article at the claimed URL when the matcher linked it to
   the manuscript, else the matched article at the claimed outlet (or another
   outlet of its media group) nearest the claimed date;
3. differences between claim and evidence (date beyond the tolerance, page,
   outlet, title, URL), the byline, and whether it appeared before submission;
4. without evidence: ``text_mismatch`` when the claimed URL holds another
   article, ``not_found`` when the outlet and day were crawled, else
   ``not_covered`` with the command that would settle it;
5. across claims: the same placement — one manuscript in one article, so two
   manuscripts merged into one 综合稿 are two placements — claimed again (or by
   someone who is not a co-author) is a ``duplicate_claim``; co-authors share
   the placement's points.
"""

from __future__ import annotations

from shanggao.verify.judge import Judge
from shanggao.verify.load import load_evidence
from shanggao.verify.model import (
    MATCH_KIND_LABELS,
    STATUS_LABELS,
    Article,
    Claim,
    Evidence,
    Manuscript,
    Placement,
    Verdict,
    VerifySummary,
)
from shanggao.verify.pipeline import judge_claims, verify_claims
from shanggao.verify.points import assign_points, settle_duplicates
from shanggao.verify.text import normalize_title, normalize_url, unit_variants, url_variants
from shanggao.verify.write import write_verdicts

__all__ = [
    "MATCH_KIND_LABELS",
    "STATUS_LABELS",
    "Article",
    "Claim",
    "Evidence",
    "Judge",
    "Manuscript",
    "Placement",
    "Verdict",
    "VerifySummary",
    "assign_points",
    "judge_claims",
    "load_evidence",
    "normalize_title",
    "normalize_url",
    "settle_duplicates",
    "unit_variants",
    "url_variants",
    "verify_claims",
    "write_verdicts",
]
