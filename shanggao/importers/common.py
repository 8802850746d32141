"""What every importer shares: reports of bad rows, name lists, folders, zip limits (dates: :mod:`shanggao.dates`)."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from shanggao.shell import printable

MIB = 1024 * 1024


class BadFile(Exception):
    """A whole file cannot be imported (empty, wrong columns, unreadable)."""


@dataclass
class Rejection:
    """One row (or a whole file) that was not imported: ``file:sheet:row: reason``."""

    file: str
    row: int | None
    reason: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(self.sheet)
        if self.row is not None:
            where.append(str(self.row))
        # always one line, whatever the file held
        return printable(f"{':'.join(where)}: {self.reason}", newline=" ")


@dataclass
class ImportReport:
    """What one import did: counts, each rejected row as ``file:sheet:row: reason``,
    each file skipped whole (with the reason and the remedy), and notes."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    skipped: list[Rejection] = field(default_factory=list)
    files: int = 0
    notes: list[str] = field(default_factory=list)

    def reject(self, file: str | Path, row: int | None, reason: str, sheet: str | None = None) -> None:
        self.rejected.append(Rejection(str(file), row, reason, sheet))

    def skip(self, file: str | Path, reason: str) -> None:
        """A whole file that was not imported; the exit status says so."""
        self.skipped.append(Rejection(str(file), None, reason))

    def note(self, file: str | Path, text: str, sheet: str | None = None, row: int | None = None) -> None:
        self.notes.append(str(Rejection(str(file), row, text, sheet)))

    def merge(self, other: ImportReport) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.withdrawn += other.withdrawn
        self.rejected.extend(other.rejected)
        self.skipped.extend(other.skipped)
        self.files += other.files
        self.notes.extend(other.notes)

    @property
    def failed(self) -> bool:
        return bool(self.rejected or self.skipped)

    def summary(self, noun: str) -> str:
        text = (
            f"{self.files} file(s): {self.added} {noun} added, {self.updated} updated, "
            f"{self.unchanged} already present, {len(self.rejected)} rejected"
        )
        if self.withdrawn:
            text += f", {self.withdrawn} withdrawn"
        if self.skipped:
            text += f"; {len(self.skipped)} file(s) skipped"
        return text


# -- names -----------------------------------------------------------------

_NAME_SEPARATORS = re.compile(r"[,，、;；/|]+|\s{2,}")
_SINGLE_CJK = re.compile(r"^[\u4e00-\u9fff]$")
# 向明（白沙镇）: a unit or role in brackets after a name is not part of it
_AFTER_NAME = re.compile(r"(?<=[^\s、，,；;/|（(])\s*[（(][^（）()]*[）)]")
_ET_AL = re.compile(r"(?<=^[\u4e00-\u9fff]{2})等$|(?<=^[\u4e00-\u9fff]{3})等$|^等$")   # 向明等 = 向明 and others


def _padded_names(piece: str) -> list[str]:
    """'向 明' → ['向明']; '符晓燕 覃雪' → ['符晓燕', '覃雪']: Word tables pad two-character
    names to the width of three with a space between the characters."""
    tokens = piece.split()
    names: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) in (2, 3):
            names.append("".join(run))
        elif len(run) % 2 == 0:
            names.extend("".join(run[i:i + 2]) for i in range(0, len(run), 2))
        else:
            names.extend(run)
        run.clear()

    for token in tokens:
        if _SINGLE_CJK.match(token):
            run.append(token)
        else:
            flush()
            names.append(token)
    flush()
    return names


def split_names(value: object) -> list[str]:
    """'张三 李四' / '张三、李四' / '向 明  田 芳' / ['张三'] → names (order kept, duplicates dropped).

    Two spaces, commas, 、 ; / | separate names; a single space
    separates names too, except between single characters of one padded name (向 明).
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        pieces = [str(item) for item in value]
    else:
        text = _AFTER_NAME.sub("、", str(value).replace("\u3000", " ").strip())
        pieces = _NAME_SEPARATORS.split(text)
    items = [_ET_AL.sub("", item.strip().strip("（）()")) for piece in pieces for item in _padded_names(piece)]
    # a lone character is never a name: 向  明 padded with two spaces is one person, as with one
    names: list[str] = []
    for name in _padded_names(" ".join(item for item in items if item)):
        if name not in names:
            names.append(name)
    return names


def clean_cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u3000", " ").strip()
    return text or None


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


_IGNORED_NAMES = ("thumbs.db", "desktop.ini", ".ds_store")


def list_folder(paths: Iterable[Path], suffixes: Sequence[str], report: ImportReport, wanted: str) -> list[Path]:
    """The files to import from ``paths`` (files, or folders walked recursively).

    In a folder every file is accounted for: a file of another type is named in
    ``report.skipped`` with what would be accepted; Office lock files (~$稿件.docx)
    and system files (Thumbs.db, .DS_Store) are named in a note; links leading out
    of the folder are not followed (and named).  A file named on the command line
    is always tried.
    """
    files: list[Path] = []
    for given in paths:
        if not given.is_dir():
            files.append(given)
            continue
        root = given.resolve()
        for folder, dirs, names in os.walk(given):  # never descends through a linked folder
            dirs.sort()
            for name in dirs:
                if Path(folder, name).is_symlink():
                    _outside_link(Path(folder, name), root, report)
            for name in sorted(names):
                child = Path(folder, name)
                if child.is_symlink() and _outside_link(child, root, report):
                    continue
                if not child.is_file():
                    continue
                if name.startswith(("~$", ".")) or name.lower() in _IGNORED_NAMES:
                    report.note(child, "lock or system file, ignored")
                elif child.suffix.lower() in suffixes:
                    files.append(child)
                else:
                    report.files += 1
                    report.skip(child, f"unsupported file type {child.suffix or '(none)'!r}, not {wanted}; "
                                       f"accepted: {', '.join(suffixes)}")
    return files


def _outside_link(link: Path, root: Path, report: ImportReport) -> bool:
    """Name ``link`` as skipped when it leads outside ``root``; True when it did."""
    target = link.resolve()
    if target.is_relative_to(root):
        return False
    report.files += 1
    report.skip(link, f"a link to {target}, outside the imported folder; not followed")
    return True


def import_each(paths: Iterable[Path], import_one: Callable[[Path], ImportReport]) -> ImportReport:
    """Run ``import_one`` per file; a file that cannot be imported at all becomes one rejection."""
    report = ImportReport()
    for path in paths:
        try:
            report.merge(import_one(path))
        except BadFile as exc:
            report.files += 1
            report.skip(path, str(exc).removeprefix(f"{path}: "))
    return report


def decode_text(raw: bytes, path: Path) -> str:
    """Office text comes as UTF-8 (with or without BOM), UTF-16 with a BOM
    (Notepad's "Unicode" and "Unicode big endian") or GBK."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadFile(f"{path}: starts like UTF-16 text but does not decode as it; save it as UTF-8") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile(f"{path}: neither UTF-8, UTF-16 nor GBK text; save it as UTF-8")
