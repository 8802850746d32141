"""Reading the office's files in the formats it really has.

* Word 97 ``.doc`` and WPS ``.wps`` manuscripts go through LibreOffice
  (``soffice --headless --convert-to docx``); without it they are refused with
  one line that says how to convert them.
* PDF manuscripts: the text layer, read with pypdfium2; a PDF without one is a
  scan and is refused as such.
* Spreadsheets (.xlsx, .xls, .ods, WPS .et): told apart by content, so a
  workbook with the wrong extension still reads; .xlsx with openpyxl (bounded
  to the cells really present), the others with python-calamine.
* Text: see :func:`shanggao.importers.common.decode_text`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shanggao.importers.common import BadFile, check_zip

if TYPE_CHECKING:
    import docx.document

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
WORD_BINARY_SUFFIXES = (".doc", ".wps", ".rtf", ".odt")
LIBREOFFICE_INSTALL = "apt-get install libreoffice-writer-nogui"
CONVERT_TIMEOUT = 120.0


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _run_soffice(paths: list[Path], outdir: Path, timeout: float) -> str:
    """Convert ``paths`` to .docx into ``outdir`` in one LibreOffice start; its messages."""
    soffice = _soffice()
    if soffice is None:
        raise BadFile(f"{paths[0]}: {paths[0].suffix} files need LibreOffice to be read ({LIBREOFFICE_INSTALL}); "
                      "or open it in Word/WPS and 另存为 .docx")
    # A private profile folder: a LibreOffice the user has open does not block the conversion.
    profile = outdir / "profile"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "docx", "--outdir", str(outdir), *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HOME": str(outdir)})
    return (done.stderr or done.stdout).strip()


class WordConverter:
    """Word 97/WPS files converted to .docx by LibreOffice, a folder's worth per start
    (starting LibreOffice takes about a second; converting a page, far less)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.results: dict[Path, Path | BadFile] = {}
        self._batches = 0

    def prepare(self, paths: list[Path]) -> None:
        """Convert ``paths`` (those not converted yet) in as few LibreOffice starts as names allow."""
        pending = [p for p in dict.fromkeys(paths) if p not in self.results]
        while pending:
            batch: dict[str, Path] = {}
            rest = []
            for path in pending:  # LibreOffice names its output by the file's stem: one stem per batch
                (rest.append(path) if path.stem in batch else batch.setdefault(path.stem, path))
            self._convert(list(batch.values()))
            pending = rest

    def _convert(self, paths: list[Path]) -> None:
        self._batches += 1
        outdir = self.workdir / f"batch{self._batches}"
        outdir.mkdir(parents=True)
        try:
            detail = _run_soffice(paths, outdir, CONVERT_TIMEOUT * len(paths))
        except subprocess.TimeoutExpired:
            if len(paths) > 1:  # one file may hang LibreOffice: the others still convert alone
                for path in paths:
                    self._convert([path])
                return
            self.results[paths[0]] = BadFile(f"{paths[0]}: LibreOffice did not finish converting it in "
                                             f"{CONVERT_TIMEOUT:.0f}s; open it in Word/WPS and 另存为 .docx")
            return
        for path in paths:
            converted = outdir / f"{path.stem}.docx"
            if converted.exists():
                self.results[path] = converted
            else:
                last = detail.splitlines()[-1] if detail else "no output"
                self.results[path] = BadFile(f"{path}: LibreOffice could not convert it ({last}); "
                                             "open it in Word/WPS and 另存为 .docx")

    def docx_path(self, path: Path) -> Path:
        """The .docx made from ``path``; BadFile when it could not be made."""
        self.prepare([path])
        result = self.results[path]
        if isinstance(result, BadFile):
            raise result
        return result


_CONVERTER: ContextVar[WordConverter | None] = ContextVar("word_converter", default=None)


@contextmanager
def word_converter(paths: list[Path]) -> Iterator[None]:
    """Inside the block, Word binary files among ``paths`` are converted together up front."""
    with tempfile.TemporaryDirectory(prefix="shanggao-convert-") as tmp:
        converter = WordConverter(Path(tmp))
        binary = [p for p in paths if p.suffix.lower() in WORD_BINARY_SUFFIXES]
        if binary and _soffice() is not None:
            converter.prepare(binary)
        token = _CONVERTER.set(converter)
        try:
            yield
        finally:
            _CONVERTER.reset(token)


def read_word_binary(path: Path) -> docx.document.Document:
    """A .doc/.wps/.rtf/.odt file opened as a python-docx document."""
    import docx

    converter = _CONVERTER.get()
    if converter is not None:
        return docx.Document(str(converter.docx_path(path)))
    with tempfile.TemporaryDirectory(prefix="shanggao-convert-") as tmp:
        return docx.Document(str(WordConverter(Path(tmp)).docx_path(path)))


def read_pdf_text(path: Path) -> str:
    """The text layer of a PDF, page by page; BadFile for a scan or a broken file."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise BadFile(f"{path}: not a readable PDF ({exc})") from exc
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    text = "\n".join(pages).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BadFile(f"{path}: a scanned PDF (no text layer), not a manuscript text; "
                      "import the manuscript's Word file instead")
    return text


@dataclass
class Sheet:
    """One worksheet: its name and its rows as cells, numbered as a person sees them."""

    name: str
    rows: list[tuple[int, list[object]]]


def read_workbook(path: Path) -> list[Sheet]:
    """Every sheet of a .xlsx/.xls/.ods/.et workbook, whatever its extension says.

    An .xlsx (told by its content) is read with openpyxl without its stored
    dimension, so one stray cell at XFD1048576 does not make a sheet of 17
    billion cells; the others with python-calamine.  Only rows with content are kept.
    """
    if zipfile.is_zipfile(path):  # .xlsx/.ods: sizes checked before anything is unpacked
        check_zip(path, "workbook")
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" in archive.namelist():
                return _read_xlsx(path)
    return _read_calamine(path)


class LinkedText(str):
    """A cell's text with the address its hyperlink opens (链接 cells often read 点击查看 or the title)."""

    target: str

    def __new__(cls, text: str, target: str) -> LinkedText:
        cell = super().__new__(cls, text)
        cell.target = target
        return cell


def linked_address(cell: object) -> str | None:
    """The web address a cell's hyperlink opens, if it has one."""
    if isinstance(cell, LinkedText) and cell.target.lower().startswith(("http://", "https://")):
        return cell.target.strip()
    return None


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_HYPERLINK_FORMULA = re.compile(r'^\s*=?\s*HYPERLINK\s*\(\s*"([^"]+)"', re.IGNORECASE)
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _xml_events(archive: zipfile.ZipFile, member: str, tags: tuple[str, ...]) -> Iterator[Any]:
    """Elements ``tags`` of one package member, streamed (a sheet may be large); no entities, no network."""
    from lxml import etree

    with archive.open(member) as handle:
        for _, element in etree.iterparse(handle, tag=tags, resolve_entities=False, no_network=True):
            yield element
            element.clear()
            while element.getprevious() is not None:   # what was read is dropped: memory stays flat
                del element.getparent()[0]


def _relationships(archive: zipfile.ZipFile, member: str) -> dict[str, str]:
    """Relationship id → target of a package part (``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``)."""
    folder, _, name = member.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in archive.namelist():
        return {}
    return {e.get("Id"): e.get("Target") or "" for e in _xml_events(archive, rels, (_PACKAGE_REL,))}


def _cell_position(ref: str) -> tuple[int, int] | None:
    """'H4' → (row 4, column index 7)."""
    m = _CELL_REF.match(ref or "")
    if not m:
        return None
    column = 0
    for letter in m.group(1):
        column = column * 26 + ord(letter) - 64
    return int(m.group(2)), column - 1


def _xlsx_hyperlinks(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name → (row, column) → address, from hyperlinks (插入超链接) and =HYPERLINK("…") formulas."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook_rels = _relationships(archive, "xl/workbook.xml")
            sheets = {e.get("name"): workbook_rels.get(e.get(f"{_REL_NS}id"), "")
                      for e in _xml_events(archive, "xl/workbook.xml", (f"{_MAIN_NS}sheet",))}
            found: dict[str, dict[tuple[int, int], str]] = {}
            for name, target in sheets.items():
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if not target or member not in archive.namelist():
                    continue
                sheet_rels = _relationships(archive, member)
                links: dict[tuple[int, int], str] = {}
                for e in _xml_events(archive, member, (f"{_MAIN_NS}hyperlink", f"{_MAIN_NS}c")):
                    position = _cell_position(e.get("ref" if e.tag == f"{_MAIN_NS}hyperlink" else "r", ""))
                    if e.tag == f"{_MAIN_NS}hyperlink":
                        address = sheet_rels.get(e.get(f"{_REL_NS}id"))
                    else:   # a cell: =HYPERLINK("…", "点击查看")
                        formula = e.find(f"{_MAIN_NS}f")
                        found_link = _HYPERLINK_FORMULA.match(formula.text or "") if formula is not None else None
                        address = found_link.group(1) if found_link else None
                    if position and address:
                        links.setdefault(position, address)
                if links:
                    found[name] = links
            return found
    except Exception:   # a damaged part: the cells' text is still read, without their links
        return {}


def _read_xlsx(path: Path) -> list[Sheet]:
    import openpyxl

    handle = path.open("rb")  # a file object: openpyxl would refuse a renamed workbook by its extension
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # InvalidFileException, KeyError, zip and XML errors from a damaged file
        handle.close()
        raise BadFile(f"{path}: not a readable .xlsx workbook ({exc.__class__.__name__}: {exc}); "
                      "open it in Excel/WPS and 另存为 .xlsx") from exc
    try:
        sheets = []
        hyperlinks = _xlsx_hyperlinks(path)
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            links = hyperlinks.get(sheet.title, {})
            rows = [(number, [_linked(_cell(c), links.get((number, column)))
                              for column, c in enumerate(cells)])
                    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
                    if any(c not in (None, "") for c in cells)]
            sheets.append(Sheet(sheet.title, rows))
        return sheets
    finally:
        book.close()
        handle.close()


def _read_calamine(path: Path) -> list[Sheet]:
    import python_calamine as calamine

    try:
        with path.open("rb") as handle:
            book = calamine.CalamineWorkbook.from_filelike(handle)
            sheets = []
            for name in book.sheet_names:
                sheet = book.get_sheet_by_name(name)
                first_row = sheet.start[0] if sheet.start else 0
                rows = [(first_row + i + 1, [_cell(c) for c in cells])
                        for i, cells in enumerate(sheet.iter_rows())
                        if any(c not in (None, "") for c in cells)]
                sheets.append(Sheet(name, rows))
    except calamine.PasswordError as exc:
        raise BadFile(f"{path}: the workbook is password-protected; save an unprotected copy") from exc
    except Exception as exc:  # calamine's errors (CalamineError, ZipError, XmlError …) from a damaged file
        raise BadFile(f"{path}: not a readable workbook ({exc.__class__.__name__}: {exc}); "
                      "open it in Excel/WPS and 另存为 .xlsx") from exc
    return sheets


def _linked(value: object, address: str | None) -> object:
    if address is None:
        return value
    return LinkedText(address if value is None else str(value), address)


def _cell(value: object) -> object:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.time):
        return str(value)
    return value
