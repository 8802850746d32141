"""``shanggao claims import``: the office's placement registers.

A 佐证/附件/扫描件 column names a PDF, scan, photo or screenshot of the page (path
relative to the register): it is added with ``shanggao evidence add`` and tied
to the claim.

Headers in Chinese or English: 稿件编号/manuscript_id, 标题/title,
作者/claimant, 单位/unit, 媒体/outlet, 刊发日期/published, 版次/page,
链接/url, and optionally 申报编号/claim_id.  Dates like 2022-06-24, 2022/6/24,
2022.6.24 or 2022年6月24日.  The outlet is kept as written and also resolved
against the registry (``claims.outlet_slug``).

A row without its own claim id gets ``C-`` + a hash of its content and of how
many identical rows came before it in the file: importing the file again adds
nothing, while a row entered twice stays two claims (verification then flags
the duplicate).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shanggao.db import Store, utcnow
from shanggao.db.claims import (
    CONTENT_FIELDS,
    ClaimRecord,
    StoredClaim,
    forget_verdict,
    insert_claim,
    register_claims,
    stored_claims,
    update_claim,
    withdraw_claims,
)
from shanggao.db.outlets import BUILTIN, Registry, load_registry
from shanggao.importers.common import (
    BadFile,
    ImportReport,
    clean_cell,
    import_each,
    list_folder,
    split_names,
)
from shanggao.importers.formats import linked_address
from shanggao.importers.registers import REGISTER_SUFFIXES, RegisterSpec, check_columns, read_register
from shanggao.links import link_problem

CLAIM_FIELDS = {
    "claim_id": ("申报编号", "登记编号", "claim"),
    "row_key": ("序号", "no", "行号"),
    "manuscript_id": ("稿件编号", "编号", "稿号"),
    "title": ("标题", "稿件标题", "刊发标题", "题目", "稿件名称", "文章标题", "稿件题目", "文章名称", "作品名称"),
    "claimant": ("claimants", "作者", "申报人", "姓名", "author", "authors", "作者姓名", "撰稿人", "通讯员",
                 "作者通讯员", "作者姓名通讯员"),
    "unit": ("单位", "报送单位", "乡镇", "科室", "所在单位", "单位名称", "供稿单位", "申报单位", "乡镇部门"),
    "outlet": ("媒体", "刊发媒体", "媒体名称", "发表媒体", "media", "刊载媒体", "采用媒体", "刊发平台", "发布平台",
               "报刊名称", "刊物名称", "刊用媒体"),
    "published": ("published_date", "刊发日期", "刊发时间", "发表日期", "日期", "date", "见报时间", "见报日期",
                  "发表时间", "采用时间", "上稿时间", "刊用时间", "发布时间", "刊发日期时间"),
    "page": ("版次", "版面", "page_no", "版面版次", "版号"),
    "url": ("链接", "网址", "网页链接", "link", "链接地址", "网络链接", "网页地址"),
    "note": ("备注", "说明", "remark", "notes"),
    "evidence": ("佐证", "附件", "扫描件", "佐证材料", "证明材料", "evidence_file"),
}
CLAIM_SPEC = RegisterSpec(CLAIM_FIELDS, ("outlet", "published"))
SUFFIXES = REGISTER_SUFFIXES

# 湖南日报（第5版） / 湖南日报第05版 / 湖南日报 A5版 / 团结报第三版 / 中国组织人事报第3版（组织工作）:
# the page written into the outlet's name (a page name after it is dropped: the page number says it).
_OUTLET_PAGE = re.compile(
    r"\s*[（(【\[]?\s*(第?\s*[A-Za-z]?(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*版(?:面)?)\s*[)）】\]]?"
    r"(?:\s*[（(][^（）()]{1,12}[)）])?\s*$")


def split_outlet(text: str | None) -> tuple[str | None, str | None]:
    """(outlet, page written with it): 湖南日报（第5版） → (湖南日报, 第5版);
    《人民日报》海外版 → (人民日报海外版, None): an edition stays part of the outlet."""
    if not text:
        return text, None
    page = None
    m = _OUTLET_PAGE.search(text)
    if m and m.start() > 0:
        page, text = re.sub(r"\s+", "", m.group(1)), text[: m.start()].rstrip(" ·・-—|/，,")
    m = re.fullmatch(r"\s*《([^》]+)》\s*(\S.*?)\s*", text)
    if m:  # 《人民日报》海外版: the edition is part of the name
        text = m.group(1) + m.group(2)
    return text.strip() or None, page


@dataclass
class _Row:
    """A register row ready to store."""

    number: int
    sheet: str | None
    row_key: str | None
    own_id: str | None          # 申报编号 written in the register
    content: tuple              # in the order of shanggao.db.claims.CONTENT_FIELDS
    outlet_slug: str | None
    evidence: str | None = None  # 佐证: a scan/PDF/screenshot beside the register


def _new_claim_id(register: str, row: _Row, occurrence: int) -> str:
    key = "\x1f".join(str(v) for v in (register, row.sheet, *row.content, occurrence))
    return "C-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _registry(store: Store) -> Registry:
    """The outlets the store knows (with those the office added), else the built-ins."""
    if not store.path.exists():
        return BUILTIN
    with store.read() as con:
        return load_registry(con)


def import_claim_file(store: Store, path: Path, *, columns: dict[str, str] | None = None, sheet: str | None = None,
                      year: int | None = None, register: str | None = None) -> ImportReport:
    """Import one register in one transaction; bad rows are reported, good ones kept.

    A claim is its register's row: importing a corrected register again updates
    the rows that changed (matched by 申报编号, else 序号, else identical content,
    else row number), and a row that is no longer there is withdrawn.
    """
    report = ImportReport(files=1)
    register = register or path.name
    tables = read_register(path, CLAIM_SPEC, report, columns=columns, sheet=sheet, year=year)
    outlets = _registry(store)
    now = utcnow()
    rows: list[_Row] = []
    first_row: dict[str, int] = {}
    has_keys = False
    for table in tables:
        if "manuscript_id" not in table.present and "title" not in table.present:
            where = f"sheet {table.sheet!r}: " if table.sheet else ""
            raise BadFile(f"{path}: {where}needs a 稿件编号/manuscript_id or a 标题/title column "
                          "to know which manuscript is claimed")
        has_keys = has_keys or "row_key" in table.present
        for number, raw in table.rows:
            fields = {name: clean_cell(value) for name, value in raw.items()}
            # a 链接 cell reading 点击查看, or a title hyperlinked to the article: the address it opens
            fields["url"] = linked_address(raw.get("url")) or fields["url"] or linked_address(raw.get("title"))
            if not (fields["manuscript_id"] or fields["title"] or fields["url"]):
                report.reject(path, number, "no 稿件编号, 标题 or 链接: nothing says which placement is claimed",
                              table.sheet)
                continue
            ok, published = table.date(raw["published"], report, number, "刊发日期")
            if not ok:
                continue
            if published is None and not fields["url"]:
                report.reject(path, number, "no 刊发日期 and no 链接: the placement cannot be looked up", table.sheet)
                continue
            bad_link = link_problem(fields["url"]) if fields["url"] else None
            if bad_link:
                report.reject(path, number, bad_link, table.sheet)
                continue
            if fields["claim_id"] in first_row:
                report.reject(path, number, f"duplicate 申报编号 {fields['claim_id']} (already in row "
                                            f"{first_row[fields['claim_id']]}); the first row is kept", table.sheet)
                continue
            if fields["claim_id"]:
                first_row[fields["claim_id"]] = number
            outlet, page = split_outlet(fields["outlet"])
            rows.append(_Row(number, table.sheet, fields["row_key"], fields["claim_id"], (
                fields["manuscript_id"], split_names(fields["claimant"]), fields["unit"], outlet, published,
                fields["page"] or page, fields["url"], fields["title"], fields["note"],
            ), outlets.resolve(outlet).slug, fields["evidence"]))
    rejected_at = {(r.sheet, r.row) for r in report.rejected}
    evidence: list[tuple[int, str | None, str, ClaimRecord]] = []
    with store.write() as con:
        stored = {c.claim_id: c for c in register_claims(con, register, path.name, sheet, only_sheet=sheet is not None)}
        own = {r.own_id for r in rows if r.own_id}
        stored.update({c.claim_id: c for c in stored_claims(con, own)})
        chosen = _pair_rows(rows, stored, has_keys)
        occurrences: Counter[tuple] = Counter()
        before = dict(stored)
        kept: set[str] = set()
        for i, row in enumerate(rows):
            claim_id = chosen.get(i) or row.own_id
            if claim_id is None:
                occurrences[(row.sheet, repr(row.content))] += 1
                claim_id = _new_claim_id(register, row, occurrences[(row.sheet, repr(row.content))])
            c = row.content  # in the order of CONTENT_FIELDS
            record = ClaimRecord(claim_id, c[0], c[1], c[2], c[3], row.outlet_slug, c[4], c[5], c[6], c[7], path.name,
                                 row.number, now, c[8], register, row.sheet, row.row_key)
            if row.evidence:
                evidence.append((row.number, row.sheet, row.evidence, record))
            old = stored.get(claim_id)
            kept.add(claim_id)
            if old is None:
                insert_claim(con, record)
                stored[claim_id] = StoredClaim(claim_id, row.sheet, row.row_key, row.number, record.content())
                report.added += 1
                continue
            update_claim(con, record)
            if _same(old.content, record.content()):
                report.unchanged += 1
                continue
            changed = [name for name, a, b in zip(CONTENT_FIELDS, old.content, record.content(), strict=False)
                       if not _eq(a, b)]
            report.note(path, f"claim {claim_id} corrected ({', '.join(changed)}); the next `shanggao verify` "
                              "judges it again", row.sheet, row.number)
            forget_verdict(con, claim_id)
            report.updated += 1
        for claim_id, old in before.items():
            if claim_id in kept:
                continue
            if (old.sheet, old.source_row) in rejected_at:
                report.note(path, f"claim {claim_id} kept as imported before: this time its row was rejected",
                            old.sheet, old.source_row)
                continue
            withdraw_claims(con, [claim_id], f"行已从登记表 {register} 删除（{now:%Y-%m-%d} 重新导入时）", now)
            label = f"序号 {old.row_key}" if old.row_key else f"row {old.source_row}"
            title = old.content[CONTENT_FIELDS.index("title")] or old.content[0] or ""
            report.note(path, f"{label} ({title}) is no longer in the register: claim {claim_id} withdrawn "
                              "(removed from verification, kept in withdrawn_claims)", old.sheet)
            report.withdrawn += 1
    for number, sheet_name, name, claim in evidence:  # after the claims are stored: OCR takes seconds a page
        _add_evidence(store, path, number, sheet_name, name, claim, report)
    return report


def _add_evidence(store: Store, register: Path, number: int, sheet: str | None, name: str, claim: ClaimRecord,
                  report: ImportReport) -> None:
    """The row's 佐证 file, added as evidence of the claim; a file that cannot be used
    is reported, the claim stays."""
    from shanggao.evidence import EvidenceError
    from shanggao.evidence.add import add_evidence
    from shanggao.spiders.text import parse_page_label

    file = register.parent / name
    problem = None
    if not file.resolve().is_relative_to(register.parent.resolve()):  # ../x, /etc/…, a link leading out
        problem = f"{file.resolve()} lies outside the register's folder; only files beside the register are added"
    elif claim.outlet_slug is None:
        problem = f"媒体“{claim.outlet}”不在媒体名录"
    elif claim.published_date is None:
        problem = "申报未填刊发日期"
    else:
        try:
            add_evidence(store, file, outlet=claim.outlet_slug, published=claim.published_date,
                         page_no=parse_page_label(claim.page)[0], claim_id=claim.claim_id)
            report.note(register, f"佐证 {name} added as evidence of claim {claim.claim_id}", sheet, number)
        except EvidenceError as exc:
            problem = str(exc)
    if problem:
        report.reject(register, number, f"佐证 {name} not added (the claim is imported): {problem}", sheet)


def _pair_rows(rows: list[_Row], stored: dict[str, StoredClaim], has_keys: bool) -> dict[int, str]:
    """Which stored claim each row is: 申报编号, else 序号, else identical content (a row that
    only moved), else — in a register without 序号 — the same row number (a corrected row)."""
    chosen: dict[int, str] = {}
    free = {c.claim_id: c for c in stored.values()}
    for i, row in enumerate(rows):
        if row.own_id:
            chosen[i] = row.own_id
            free.pop(row.own_id, None)
    by_key = {(c.sheet, c.row_key): c.claim_id for c in free.values() if c.row_key is not None}
    for i, row in enumerate(rows):
        if i not in chosen and row.row_key and (row.sheet, row.row_key) in by_key:
            chosen[i] = by_key.pop((row.sheet, row.row_key))
            free.pop(chosen[i])
    for i, row in enumerate(rows):
        if i not in chosen:
            twin = next((c.claim_id for c in free.values() if _same(c.content, row.content)), None)
            if twin:
                chosen[i] = twin
                free.pop(twin)
    if not has_keys:
        by_row = {(c.sheet, c.source_row): c.claim_id for c in free.values() if c.row_key is None}
        for i, row in enumerate(rows):
            if i not in chosen and (row.sheet, row.number) in by_row:
                chosen[i] = by_row.pop((row.sheet, row.number))
                free.pop(chosen[i])
    return chosen


def _eq(a: object, b: object) -> bool:
    return (list(a) if isinstance(a, (list, tuple)) else a) == (list(b) if isinstance(b, (list, tuple)) else b)


def _same(old: tuple, new: tuple) -> bool:
    return all(_eq(a, b) for a, b in zip(old, new, strict=False))


def import_claims(store: Store, paths: Iterable[Path], *, columns: dict[str, str] | None = None,
                  sheet: str | None = None, year: int | None = None, register: str | None = None) -> ImportReport:
    """Import registers (files, or folders of them: every file is imported or named as skipped)."""
    columns = check_columns(columns or {}, tuple(CLAIM_FIELDS), "claims register columns")
    report = ImportReport()
    files = list_folder(paths, REGISTER_SUFFIXES, report, "a claims register (.xlsx/.xls/.et/.ods/.csv/.jsonl)")
    report.merge(import_each(files, lambda path: import_claim_file(store, path, columns=columns, sheet=sheet,
                                                                     year=year, register=register)))
    return report
