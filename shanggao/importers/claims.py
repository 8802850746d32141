"""``shanggao claims import``: the office's placement register (.xlsx or .csv).

Headers in Chinese or English: 稿件编号/manuscript_id, 标题/title,
作者/claimant, 单位/unit, 媒体/outlet, 刊发日期/published, 版次/page,
链接/url, and optionally 申报编号/claim_id and 佐证/附件/扫描件 (a PDF, scan,
photo or screenshot of the page, path relative to the register: added with
``shanggao evidence add`` and tied to the claim).  Dates like 2022-06-24, 2022/6/24,
2022.6.24 or 2022年6月24日.  The outlet is kept as written and also resolved
against the registry (``claims.outlet_slug``).

A row without its own claim id gets ``C-`` + a hash of its content and of how
many identical rows came before it in the file: importing the file again adds
nothing, while a row entered twice stays two claims (verification then flags
the duplicate).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from shanggao.dates import parse_date
from shanggao.db import Store, utcnow
from shanggao.db.claims import ClaimRecord, insert_claim, stored_content, update_claim
from shanggao.db.outlets import resolve_outlet
from shanggao.importers.common import (
    BadFile,
    ImportReport,
    clean_cell,
    import_each,
    register_records,
    split_names,
)
from shanggao.links import link_problem

CLAIM_COLUMNS = {
    "claim_id": ("申报编号", "登记编号", "claim"),
    "manuscript_id": ("稿件编号", "编号", "稿号"),
    "title": ("标题", "稿件标题", "刊发标题", "题目"),
    "claimant": ("claimants", "作者", "申报人", "姓名", "author", "authors"),
    "unit": ("单位", "报送单位", "乡镇", "科室"),
    "outlet": ("媒体", "刊发媒体", "媒体名称", "发表媒体", "media"),
    "published": ("published_date", "刊发日期", "刊发时间", "发表日期", "日期", "date"),
    "page": ("版次", "版面", "page_no"),
    "url": ("链接", "网址", "网页链接", "link"),
    "evidence": ("佐证", "附件", "扫描件", "佐证材料", "证明材料", "evidence_file"),
}
SUFFIXES = (".xlsx", ".csv")


def _claim_id(fields: dict, occurrence: int) -> str:
    key = "\x1f".join(
        str(fields[k] or "") for k in ("manuscript_id", "title", "claimant", "unit", "outlet", "published", "page", "url")
    )
    return "C-" + hashlib.sha256(f"{key}\x1f{occurrence}".encode()).hexdigest()[:12]


def import_claim_file(store: Store, path: Path) -> ImportReport:
    """Import one register in one transaction; bad rows are reported, good ones kept."""
    if path.suffix.lower() not in SUFFIXES:
        raise BadFile(f"{path}: unsupported register format {path.suffix!r} (use .xlsx or .csv)")
    report = ImportReport(files=1)
    present, records = register_records(path, CLAIM_COLUMNS, ("outlet", "published"), report)
    if "manuscript_id" not in present and "title" not in present:
        raise BadFile(f"{path}: needs a 稿件编号/manuscript_id or a 标题/title column to know which manuscript is claimed")
    now = utcnow()
    occurrences: Counter[str] = Counter()
    first_row: dict[str, int] = {}
    prepared = []
    evidence: list[tuple[int, str, ClaimRecord]] = []
    for number, raw in records:
        fields = {name: clean_cell(value) for name, value in raw.items()}
        if not (fields["manuscript_id"] or fields["title"] or fields["url"]):
            report.reject(path, number, "no 稿件编号, 标题 or 链接: nothing says which placement is claimed")
            continue
        try:
            published = parse_date(raw["published"])
        except ValueError as exc:
            report.reject(path, number, str(exc))
            continue
        if published is None and not fields["url"]:
            report.reject(path, number, "no 刊发日期 and no 链接: the placement cannot be looked up")
            continue
        bad_link = link_problem(fields["url"]) if fields["url"] else None
        if bad_link:
            report.reject(path, number, bad_link)
            continue
        if fields["claim_id"] in first_row:
            report.reject(path, number, f"duplicate 申报编号 {fields['claim_id']} (already in row "
                                        f"{first_row[fields['claim_id']]}); the first row is kept")
            continue
        content_key = repr(sorted(fields.items()))
        occurrences[content_key] += 1
        claim_id = fields["claim_id"] or _claim_id(fields, occurrences[content_key])
        if fields["claim_id"]:
            first_row[claim_id] = number
        resolution = resolve_outlet(fields["outlet"])
        prepared.append(ClaimRecord(
            claim_id, fields["manuscript_id"], split_names(fields["claimant"]), fields["unit"], fields["outlet"],
            resolution.slug, published, fields["page"], fields["url"], fields["title"], path.name, number, now,
        ))
        if fields["evidence"]:
            evidence.append((number, fields["evidence"], prepared[-1]))
    _write_claims(store, prepared, report)
    for number, name, claim in evidence:
        _add_evidence(store, path, number, name, claim, report)
    return report


def _add_evidence(store: Store, register: Path, number: int, name: str, claim: ClaimRecord,
                  report: ImportReport) -> None:
    """The row's 佐证 file, added as evidence of the claim (after the claims are stored, as
    OCR takes seconds a page); a file that cannot be used is reported, the claim stays."""
    from shanggao.evidence import EvidenceError
    from shanggao.evidence.add import add_evidence
    from shanggao.spiders.text import parse_page_label

    file = register.parent / name
    problem = None
    if claim.outlet_slug is None:
        problem = f"媒体“{claim.outlet}”不在媒体名录"
    elif claim.published_date is None:
        problem = "申报未填刊发日期"
    else:
        try:
            add_evidence(store, file, outlet=claim.outlet_slug, published=claim.published_date,
                         page_no=parse_page_label(claim.page)[0], claim_id=claim.claim_id)
            report.notes.append(f"{register}:{number}: 佐证 {name} added as evidence of claim {claim.claim_id}")
        except EvidenceError as exc:
            problem = str(exc)
    if problem:
        report.reject(register, number, f"佐证 {name} not added (the claim is imported): {problem}")


def _write_claims(store: Store, claims: list[ClaimRecord], report: ImportReport) -> None:
    """One transaction: insert new claim ids, update changed claims, count the rest."""
    with store.write() as con:
        known = stored_content(con, [claim.claim_id for claim in claims])
        for claim in claims:
            content = claim.content()
            if claim.claim_id not in known:
                insert_claim(con, claim)
                report.added += 1
            elif known[claim.claim_id] != content:
                update_claim(con, claim)
                report.updated += 1
            else:
                report.unchanged += 1
            known[claim.claim_id] = content


def import_claims(store: Store, paths: Iterable[Path]) -> ImportReport:
    return import_each(paths, lambda path: import_claim_file(store, path))
