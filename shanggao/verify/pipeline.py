"""Verification from start to end: load → judge → points → write."""

from __future__ import annotations

import datetime as dt

from shanggao.db import Store
from shanggao.db.claims import count_undated
from shanggao.progress import QUIET, Steps
from shanggao.rules import Rules
from shanggao.verify.judge import Judge
from shanggao.verify.load import load_evidence
from shanggao.verify.model import Evidence, Verdict, VerifySummary
from shanggao.verify.points import assign_points, settle_duplicates
from shanggao.verify.write import write_verdicts


def judge_claims(evidence: Evidence, rules: Rules, progress: Steps = QUIET) -> dict[str, Verdict]:
    """Verdicts for every loaded claim (period and related), duplicates and points settled;
    ``progress`` advances once per claim judged."""
    judge = Judge(evidence, rules)
    verdicts = {}
    for claim in evidence.claims:
        verdicts[claim.claim_id] = judge.judge(claim)
        progress()
    settle_duplicates(evidence.claims, verdicts, evidence)
    assign_points(evidence.claims, verdicts, evidence, rules)
    return verdicts


def verify_claims(store: Store, start: dt.date | None, end: dt.date | None, rules: Rules,
                  progress: Steps = QUIET) -> VerifySummary:
    """Verify every claim dated ``start``..``end`` (or all claims) and store one verdict each.

    ``progress`` (shanggao.progress) counts the claims judged, then the write."""
    if (start is None) != (end is None):
        raise ValueError("give both start and end, or neither")
    progress.describe("verify: reading claims and evidence")
    with store.read() as con:
        evidence = load_evidence(con, start, end)
        undated = 0 if start is None else count_undated(con)
    progress.set_total(len(evidence.claims) + 1)
    progress.describe("verify: judging claims")
    verdicts = judge_claims(evidence, rules, progress)
    mine = [verdicts[c.claim_id] for c in sorted(evidence.claims, key=lambda c: c.order)
            if c.claim_id in evidence.in_period]
    progress.describe("verify: writing verdicts")
    if mine:
        write_verdicts(store, mine, rules)
    progress()
    return VerifySummary(start, end, mine, rules.source, rules.digest, undated)
