"""Step 4 of verification: store the verdicts (the table's Arrow schema lives in shanggao.db.verdicts)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa

from shanggao.db import Store, utcnow
from shanggao.db.outlets import sync_outlets
from shanggao.db.verdicts import VERDICT_SCHEMA, replace_verdicts
from shanggao.rules import Rules
from shanggao.verify.model import Verdict


def _verdict_row(v: Verdict, rules: Rules, now: dt.datetime, archive_dir: Path | None) -> dict:
    a = v.article
    archived = a.archived_file if a and a.is_evidence_file and a.archived_file else None
    return {
        "claim_id": v.claim_id, "status": v.status, "article_id": a.article_id if a else None,
        "reasons": v.reasons, "points": v.points, "verified_at": now,
        "manuscript_id": v.manuscript_id, "outlet_slug": v.outlet_slug,
        "evidence_url": a.url if a else None, "evidence_outlet": (v.scored_outlet or a.outlet) if a else None,
        "evidence_date": a.published_date if a else None, "evidence_page": a.page_no if a else None,
        "evidence_title": a.title if a else None,
        "match_score": v.placement.score if v.placement else None,
        "match_kind": v.placement.kind if v.placement else None,
        "discrepancies": v.discrepancies, "warnings": v.warnings, "suggestion": v.suggestion,
        "duplicate_of": v.duplicate_of, "points_detail": v.points_detail,
        "rules_hash": rules.digest, "rules_source": rules.source,
        "person_points": json.dumps(v.person_points, ensure_ascii=False) if v.person_points else None,
        "evidence_file": str((archive_dir / archived).resolve()) if archived and archive_dir else archived,
    }


def verdict_table(verdicts: list[Verdict], rules: Rules, now: dt.datetime, archive_dir: Path | None = None) -> pa.Table:
    return pa.Table.from_pylist([_verdict_row(v, rules, now, archive_dir) for v in verdicts], schema=VERDICT_SCHEMA)


def write_verdicts(store: Store, verdicts: list[Verdict], rules: Rules) -> None:
    """Replace these claims' verdicts in one short transaction."""
    table = verdict_table(verdicts, rules, utcnow(), store.archive_dir)
    with store.write() as con:
        sync_outlets(con)   # the views name outlets (built-ins added since the store was made)
        replace_verdicts(con, table)
