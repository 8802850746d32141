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
from dataclasses import dataclass
from pathlib import Path

from shanggao.importers.common import BadFile, check_zip

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
WORD_BINARY_SUFFIXES = (".doc", ".wps", ".rtf", ".odt")
LIBREOFFICE_INSTALL = "apt-get install libreoffice-writer-nogui"
CONVERT_TIMEOUT = 120.0


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(path: Path, workdir: Path) -> Path:
    """``path`` (.doc/.wps/.rtf/.odt) converted to .docx inside ``workdir`` by LibreOffice."""
    soffice = _soffice()
    if soffice is None:
        raise BadFile(
            f"{path}: {path.suffix} files need LibreOffice to be read ({LIBREOFFICE_INSTALL}); "
            "or open it in Word/WPS and 另存为 .docx"
        )
    # A private profile folder: a LibreOffice the user has open does not block the conversion.
    profile = workdir / "profile"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "docx", "--outdir", str(workdir), str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
                              env={**os.environ, "HOME": str(workdir)})
    except subprocess.TimeoutExpired as exc:
        raise BadFile(f"{path}: LibreOffice did not finish converting it in {CONVERT_TIMEOUT:.0f}s; "
                      "open it in Word/WPS and 另存为 .docx") from exc
    converted = workdir / (path.stem + ".docx")
    if done.returncode != 0 or not converted.exists():
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BadFile(f"{path}: LibreOffice could not convert it ({detail[-1] if detail else 'no output'}); "
                      "open it in Word/WPS and 另存为 .docx")
    return converted


def read_word_binary(path: Path) -> "docx.document.Document":  # noqa: F821 - python-docx's type
    """A .doc/.wps/.rtf/.odt file opened as a python-docx document."""
    import docx

    with tempfile.TemporaryDirectory(prefix="shanggao-convert-") as tmp:
        converted = convert_to_docx(path, Path(tmp))
        return docx.Document(str(converted))


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
