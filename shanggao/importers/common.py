"""What every importer shares: reports of bad rows, name lists, registers (dates: :mod:`shanggao.dates`)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024


class BadFile(Exception):
    """A whole file cannot be imported (empty, wrong columns, unreadable)."""


@dataclass
class Rejection:
    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.reason}" if self.row is not None else f"{self.file}: {self.reason}"


@dataclass
class ImportReport:
    """What one import did: counts plus each rejected row as ``file:row: reason``."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    files: int = 0
    notes: list[str] = field(default_factory=list)

    def reject(self, file: str | Path, row: int | None, reason: str) -> None:
        self.rejected.append(Rejection(str(file), row, reason))

    def merge(self, other: "ImportReport") -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected.extend(other.rejected)
        self.files += other.files
        self.notes.extend(other.notes)

    def summary(self, noun: str) -> str:
        return (
            f"{self.files} file(s): {self.added} {noun} added, {self.updated} updated, "
            f"{self.unchanged} already present, {len(self.rejected)} rejected"
        )


# -- names -----------------------------------------------------------------

_NAME_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


def split_names(value: object) -> list[str]:
    """'张三 李四' / '张三、李四' / ['张三'] → ['张三', '李四'] (order kept, duplicates dropped)."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else _NAME_SEPARATORS.split(str(value))
    names: list[str] = []
    for item in items:
        name = str(item).strip().strip("（）()")
        if name and name not in names:
            names.append(name)
    return names


def clean_cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u3000", " ").strip()
    return text or None


# -- registers (.xlsx, .csv, .jsonl) ----------------------------------------

def _norm_header(text: object) -> str:
    return re.sub(r"[\s_\-（）()：:*]+", "", str(text or "")).lower()


def map_headers(headers: Sequence[object], aliases: Mapping[str, Sequence[str]], file: str,
                required: Sequence[str]) -> dict[str, int]:
    """Column index for each known field; BadFile naming what is missing."""
    normalized = [_norm_header(h) for h in headers]
    positions: dict[str, int] = {}
    for field_name, names in aliases.items():
        for name in (field_name, *names):
            key = _norm_header(name)
            if key in normalized:
                positions[field_name] = normalized.index(key)
                break
    missing = [f for f in required if f not in positions]
    if missing:
        wanted = "; ".join(f"{f} ({'/'.join(aliases[f])})" for f in missing)
        found = ", ".join(str(h) for h in headers if h not in (None, "")) or "nothing"
        raise BadFile(f"{file}: missing required column(s) {wanted}; found: {found}")
    return positions


def read_register(path: Path) -> tuple[list[object], Iterator[tuple[int, list[object]]]]:
    """Headers and (row number as a person sees it, cells) for .xlsx, .csv or .jsonl."""
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise BadFile(f"{path}: empty file")
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path)
    raise BadFile(f"{path}: unsupported register format {suffix!r} (use .xlsx, .csv or .jsonl)")


# -- .docx/.xlsx are zip files: sizes checked before anything is unpacked ---------

@dataclass(frozen=True)
class ZipLimits:
    """How far a .docx/.xlsx may unpack (config: max_unpacked_mb, max_zip_ratio)."""

    max_unpacked_mb: float = 256.0
    max_ratio: float = 200.0


_ZIP_LIMITS: ContextVar[ZipLimits] = ContextVar("zip_limits", default=ZipLimits())
RATIO_FLOOR = MIB  # small members may compress very well (a sheet of blanks); only big ones are judged


@contextmanager
def zip_limits(limits: ZipLimits) -> Iterator[None]:
    """Imports inside the block use ``limits`` (the CLI passes the config's)."""
    token = _ZIP_LIMITS.set(limits)
    try:
        yield
    finally:
        _ZIP_LIMITS.reset(token)


def check_zip(path: Path, kind: str) -> None:
    """Refuse a zip whose members declare too much data, or inflate too steeply, before reading any of it.

    Python's zipfile never yields more than a member's declared size, so the
    declared sizes bound what the readers can be made to unpack.
    """
    limits = _ZIP_LIMITS.get()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadFile(f"{path}: not a readable {kind} file ({exc.__class__.__name__}: {exc})") from exc
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_mb * MIB:
        raise BadFile(f"{path}: would unpack to {total / MIB:,.0f} MB, more than max_unpacked_mb = "
                      f"{limits.max_unpacked_mb:g}; refused (raise it in the config if the file is genuine)")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise BadFile(f"{path}: {member.filename} inflates {ratio:,.0f}-fold, more than max_zip_ratio = "
                          f"{limits.max_ratio:g}; refused as a likely zip bomb")


def _read_xlsx(path: Path):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_zip(path, ".xlsx workbook")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise BadFile(f"{path}: not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends from a damaged file
        raise BadFile(f"{path}: not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from exc
    sheet = book.worksheets[0]
    # The stored dimension (A1:XFD1048576 after one stray cell) would make openpyxl pad every row to it;
    # without it only the rows and cells actually in the file are read.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    # Registers often carry a title line (二〇二二年六月上稿登记表) above the header row.
    header: list[object] | None = None
    header_row = 0
    for number, cells in enumerate(rows, start=1):
        filled = [c for c in cells if c not in (None, "")]
        if len(filled) >= 2:
            header, header_row = list(cells), number
            break
    if header is None:
        raise BadFile(f"{path}: empty workbook (no header row)")

    def body() -> Iterator[tuple[int, list[object]]]:
        for number, cells in enumerate(rows, start=header_row + 1):
            if any(c not in (None, "") for c in cells):
                yield number, list(cells)
        book.close()

    return header, body()


CSV_FIELD_CHARS = 4_000_000  # one cell at most (a long manuscript body is ~20,000)


def _read_csv(path: Path):
    text = decode_text(path.read_bytes(), path)
    if csv.field_size_limit() < CSV_FIELD_CHARS:
        csv.field_size_limit(CSV_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text))
    header: list[object] | None = None
    rows = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BadFile(f"{path}: line {reader.line_num}: not readable as CSV ({exc})") from exc
        if header is None:
            if any(c.strip() for c in cells):
                header = list(cells)
            continue
        if any(c.strip() for c in cells):
            rows.append((reader.line_num, list(cells)))
    if header is None:
        raise BadFile(f"{path}: empty file (no header row)")
    return header, iter(rows)


def _read_jsonl(path: Path):
    text = decode_text(path.read_bytes(), path)
    records: list[tuple[int, dict]] = []
    keys: list[str] = []
    bad: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((number, f"not valid JSON ({exc.msg})"))
            continue
        except RecursionError:
            bad.append((number, "JSON nested too deeply"))
            continue
        if not isinstance(record, dict):
            bad.append((number, "not a JSON object"))
            continue
        records.append((number, record))
        keys.extend(k for k in record if k not in keys)
    if not records and not bad:
        raise BadFile(f"{path}: empty file")

    def body():
        for number, reason in bad:
            yield number, _BadRow(reason)
        for number, record in records:
            yield number, [record.get(k) for k in keys]

    return keys, body()


class _BadRow(list):
    """A row that could not be parsed at all; importers reject it with ``reason``."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


def is_bad_row(cells: object) -> str | None:
    return cells.reason if isinstance(cells, _BadRow) else None


def register_records(path: Path, aliases: Mapping[str, Sequence[str]], required: Sequence[str],
                     report: ImportReport) -> tuple[set[str], Iterator[tuple[int, dict[str, object]]]]:
    """The fields a register has, and (row number, {field: raw cell}) for each readable row.

    Rows that cannot be read at all are rejected into ``report``; fields the
    register lacks are None in every row.
    """
    headers, rows = read_register(path)
    columns = map_headers(headers, aliases, str(path), required)

    def records() -> Iterator[tuple[int, dict[str, object]]]:
        for number, cells in rows:
            reason = is_bad_row(cells)
            if reason:
                report.reject(path, number, reason)
                continue
            yield number, {name: (cells[columns[name]] if name in columns and columns[name] < len(cells) else None)
                           for name in aliases}

    return set(columns), records()


def import_each(paths: Iterable[Path], import_one: Callable[[Path], ImportReport]) -> ImportReport:
    """Run ``import_one`` per file; a file that cannot be imported at all becomes one rejection."""
    report = ImportReport()
    for path in paths:
        try:
            report.merge(import_one(path))
        except BadFile as exc:
            report.files += 1
            report.reject(path, None, str(exc).removeprefix(f"{path}: "))
    return report


def decode_text(raw: bytes, path: Path) -> str:
    """Office files come as UTF-8 (with or without BOM) or GBK."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile(f"{path}: neither UTF-8 nor GBK text")
