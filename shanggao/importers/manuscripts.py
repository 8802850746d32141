"""``shanggao manuscripts import``: the office's manuscripts, as it keeps them.

* single files — .docx, .txt, .md: the first non-empty line is the title, the
  rest the body; header lines such as ``作者：张三 李四``, ``单位：白沙镇``,
  ``报送日期：2022年6月1日`` or ``编号：LX-2022-031`` right below the title are
  read and removed from the body; ``--author/--unit/--submitted`` fill in what
  a file does not say;
* folders of such files (recursively);
* registers — .xlsx, .csv, .jsonl — with columns id, title, body, authors,
  unit, submitted (or 稿件编号、标题、正文、作者、单位、报送日期).

A manuscript without an office number gets ``MS-`` + a hash of its title and
body, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from shanggao.dates import parse_date
from shanggao.db import Store, utcnow
from shanggao.db.manuscripts import ManuscriptRecord, insert_manuscript, stored_hash, update_manuscript
from shanggao.importers.common import (
    check_zip,
    BadFile,
    ImportReport,
    clean_cell,
    decode_text,
    import_each,
    register_records,
    split_names,
)

SINGLE_FILE_SUFFIXES = (".docx", ".txt", ".md")
REGISTER_SUFFIXES = (".xlsx", ".csv", ".jsonl")

REGISTER_COLUMNS = {
    "id": ("manuscript_id", "稿件编号", "编号", "稿号"),
    "title": ("标题", "稿件标题", "题目"),
    "body": ("正文", "内容", "稿件正文"),
    "authors": ("author", "作者", "撰稿人"),
    "unit": ("单位", "报送单位", "科室", "乡镇"),
    "submitted": ("submitted_date", "报送日期", "报送时间", "日期"),
}

# Header lines a manuscript file may carry under its title.
_META_LINE = re.compile(
    r"^\s*[（(]?\s*(作者|撰稿|撰稿人|通讯员|单位|报送单位|报送日期|报送时间|日期|编号|稿件编号)\s*[:：]\s*(.*?)\s*[)）]?\s*$"
)
_META_FIELD = {
    "作者": "authors", "撰稿": "authors", "撰稿人": "authors", "通讯员": "authors",
    "单位": "unit", "报送单位": "unit",
    "报送日期": "submitted", "报送时间": "submitted", "日期": "submitted",
    "编号": "id", "稿件编号": "id",
}


@dataclass
class Defaults:
    """Values from the command line for what a file does not say."""

    authors: list[str]
    unit: str | None = None
    submitted: dt.date | None = None


def manuscript_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def _read_docx(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(path, ".docx")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise BadFile(f"{path}: not a readable .docx file ({exc})") from exc
    except Exception as exc:  # a damaged zip raises zipfile.BadZipFile or lxml errors
        raise BadFile(f"{path}: not a readable .docx file ({exc.__class__.__name__}: {exc})") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:  # some offices put the 作者/单位 block in a table
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            if len(cells) >= 2 and cells[0]:
                lines.insert(1, f"{cells[0]}：{cells[1]}")
    return "\n".join(lines)


def _clean_markdown(line: str) -> str:
    return re.sub(r"^\s{0,3}#{1,6}\s*", "", line).replace("**", "").strip()


def parse_manuscript_text(text: str, path: Path, defaults: Defaults) -> dict:
    """Title, body and header fields of one manuscript file's text."""
    lines = [line.replace("\u3000", " ").strip() for line in text.replace("\r\n", "\n").split("\n")]
    if path.suffix.lower() == ".md":
        lines = [_clean_markdown(line) for line in lines]
    lines = [line for line in lines if line]
    if not lines:
        raise BadFile(f"{path}: empty file (no title line)")
    title, rest = lines[0], lines[1:]
    fields: dict[str, str] = {}
    body_lines: list[str] = []
    for line in rest:
        m = _META_LINE.match(line)
        # Only the header block counts: a "日期：" deep inside the body is text.
        if m and not body_lines:
            fields.setdefault(_META_FIELD[m.group(1)], m.group(2))
        else:
            body_lines.append(line)
    if not body_lines:
        raise BadFile(f"{path}: no body below the title {title!r}")
    try:
        submitted = parse_date(fields["submitted"]) if fields.get("submitted") else defaults.submitted
    except ValueError as exc:
        raise BadFile(f"{path}: {exc}") from exc
    return {
        "id": fields.get("id") or None,
        "title": title,
        "body": "\n".join(body_lines),
        "authors": split_names(fields.get("authors")) or list(defaults.authors),
        "unit": fields.get("unit") or defaults.unit,
        "submitted": submitted,
    }


def _register_rows(path: Path, defaults: Defaults, report: ImportReport) -> Iterator[tuple[int, dict]]:
    _, records = register_records(path, REGISTER_COLUMNS, ("title", "body"), report)
    for number, cell in records:
        title, body = clean_cell(cell["title"]), clean_cell(cell["body"])
        if not title or not body:
            report.reject(path, number, "empty " + " and ".join(n for n, v in (("title", title), ("body", body)) if not v))
            continue
        try:
            submitted = parse_date(cell["submitted"]) or defaults.submitted
        except ValueError as exc:
            report.reject(path, number, str(exc))
            continue
        yield number, {
            "id": clean_cell(cell["id"]),
            "title": title,
            "body": str(cell["body"]).replace("\r\n", "\n").strip(),
            "authors": split_names(cell["authors"]) or list(defaults.authors),
            "unit": clean_cell(cell["unit"]) or defaults.unit,
            "submitted": submitted,
        }


def _write(store: Store, path: Path, rows: list[tuple[int | None, dict]], report: ImportReport) -> None:
    """One transaction per file: insert new ids, update changed ones, count the rest."""
    now = utcnow()
    seen: dict[str, int | None] = {}
    with store.write() as con:
        for number, m in rows:
            digest = manuscript_hash(m["title"], m["body"])
            manuscript_id = m["id"] or f"MS-{digest[:12]}"
            if manuscript_id in seen:
                where = f"row {seen[manuscript_id]}" if seen[manuscript_id] else "this file"
                report.reject(path, number, f"duplicate manuscript id {manuscript_id} (already in {where})")
                continue
            seen[manuscript_id] = number
            record = ManuscriptRecord(manuscript_id, m["title"], m["body"], m["authors"], m["unit"], m["submitted"],
                                      digest, path.name, number, now)
            stored = stored_hash(con, manuscript_id)
            if stored is None:
                insert_manuscript(con, record)
                report.added += 1
            elif stored != digest:
                update_manuscript(con, record)
                report.updated += 1
                report.notes.append(f"{path}: manuscript {manuscript_id} changed; its matches will be recomputed")
            else:
                report.unchanged += 1


def _files_under(path: Path, report: ImportReport) -> Iterator[Path]:
    """The importable files of a folder (or the file itself); links leading out of the folder are not followed."""
    if not path.is_dir():
        yield path
        return
    root = path.resolve()
    for folder, dirs, names in os.walk(path):  # never descends through a linked folder
        for name in sorted(dirs):
            if Path(folder, name).is_symlink():
                _reject_outside_link(Path(folder, name), root, report)
        for name in sorted(names):
            child = Path(folder, name)
            # Word's lock files (~$稿件.docx) are not manuscripts.
            if child.suffix.lower() not in SINGLE_FILE_SUFFIXES + REGISTER_SUFFIXES or name.startswith(("~$", ".")):
                continue
            if child.is_symlink() and _reject_outside_link(child, root, report):
                continue
            if child.is_file():
                yield child
        dirs.sort()


def _reject_outside_link(link: Path, root: Path, report: ImportReport) -> bool:
    """Reject ``link`` when it leads outside ``root``; True when it did."""
    target = link.resolve()
    if target.is_relative_to(root):
        return False
    report.files += 1
    report.reject(link, None, f"a link to {target}, outside the imported folder; not followed")
    return True


def import_manuscript_file(store: Store, path: Path, defaults: Defaults) -> ImportReport:
    report = ImportReport(files=1)
    suffix = path.suffix.lower()
    if suffix in REGISTER_SUFFIXES:
        rows: list[tuple[int | None, dict]] = list(_register_rows(path, defaults, report))
    elif suffix in SINGLE_FILE_SUFFIXES:
        if path.stat().st_size == 0:
            raise BadFile(f"{path}: empty file")
        text = _read_docx(path) if suffix == ".docx" else decode_text(path.read_bytes(), path)
        rows = [(None, parse_manuscript_text(text, path, defaults))]
    else:
        raise BadFile(
            f"{path}: unsupported file type {suffix or '(none)'!r}; "
            f"use {', '.join(SINGLE_FILE_SUFFIXES)} files or {', '.join(REGISTER_SUFFIXES)} registers"
        )
    if rows:
        _write(store, path, rows, report)
    return report


def import_manuscripts(store: Store, paths: Iterable[Path], defaults: Defaults) -> ImportReport:
    skipped = ImportReport()
    files = [path for given in paths for path in _files_under(given, skipped)]
    report = import_each(files, lambda path: import_manuscript_file(store, path, defaults))
    report.merge(skipped)
    return report
