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
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            rows = [(number, [_cell(c) for c in cells])
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


def _cell(value: object) -> object:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.time):
        return str(value)
    return value
