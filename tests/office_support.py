"""Making files the way a county office makes them: python-docx/openpyxl, and LibreOffice
for the binary formats (.doc, .wps, .xls, .et, text PDFs)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
    return found


def convert(source: Path, fmt: str, target: Path) -> Path:
    """``source`` converted by LibreOffice to ``fmt`` (doc, xls, pdf) and saved as ``target``."""
    work = target.parent / f".convert-{target.name}"
    work.mkdir()
    subprocess.run([soffice(), f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                    "--convert-to", fmt, "--outdir", str(work), str(source)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(work)})
    (work / f"{source.stem}.{fmt}").replace(target)
    shutil.rmtree(work)
    return target


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None,
              table_after: int = 0) -> Path:
    """A Word file: ``paragraphs``, with a form-style ``table`` after the first ``table_after`` of them."""
    document = docx.Document()
    for i, text in enumerate(paragraphs):
        if table is not None and i == table_after:
            _add_table(document, table)
        document.add_paragraph(text)
    if table is not None and table_after >= len(paragraphs):
        _add_table(document, table)
    document.save(str(path))
    return path


def _add_table(document, rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for r, cells in enumerate(rows):
        if len(cells) < width:  # a value spanning the rest of the row, as forms do
            merged = table.cell(r, len(cells) - 1).merge(table.cell(r, width - 1))
            merged.text = cells[-1]
            cells = cells[:-1]
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
