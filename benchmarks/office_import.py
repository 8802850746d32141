"""Office files: how long a folder of Word 97 .doc manuscripts takes beside .docx, and a
.xls register beside .xlsx (LibreOffice makes the binary files; it must be installed).

Prints seconds per file for each kind.

    .venv/bin/python benchmarks/office_import.py [--files 10]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx
import openpyxl

from shanggao.db import Store
from shanggao.importers.claims import import_claims
from shanggao.importers.manuscripts import Defaults, import_manuscripts

PARAGRAPH = "白沙镇党委把屋场会开到群众家门口，今年以来共收集意见建议八十余条，逐条建立台账限期办结。"


def convert(files: list[Path], fmt: str, outdir: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice is not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
    profile = (outdir / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True)
    shutil.rmtree(outdir / "profile", ignore_errors=True)


def timed(label: str, count: int, work) -> None:
    start = time.perf_counter()
    report = work()
    seconds = time.perf_counter() - start
    print(f"{label:<22} {count:>4} file(s)  {seconds:7.2f} s  {seconds / count:6.2f} s/file  "
          f"({report.added} added, {len(report.rejected)} rejected, {len(report.skipped)} skipped)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        docx_dir, doc_dir = root / "docx", root / "doc"
        docx_dir.mkdir()
        doc_dir.mkdir()
        for n in range(args.files):
            document = docx.Document()
            document.add_paragraph(f"第{n}号稿件标题")
            document.add_paragraph("作者：张三")
            for k in range(20):
                document.add_paragraph(f"{PARAGRAPH}第{n}篇第{k}段。")
            document.save(str(docx_dir / f"稿件{n}.docx"))
        convert(sorted(docx_dir.glob("*.docx")), "doc", doc_dir)
        book = openpyxl.Workbook()
        book.active.append(["标题", "作者", "媒体", "刊发日期"])
        for n in range(500):
            book.active.append([f"第{n}号稿件标题", "张三", "湖南日报", "2022-06-24"])
        book.save(root / "登记.xlsx")
        convert([root / "登记.xlsx"], "xls", root)
        timed(".docx manuscripts", args.files,
              lambda: import_manuscripts(Store(root / "a.duckdb"), [docx_dir], Defaults([])))
        timed(".doc via LibreOffice", args.files,
              lambda: import_manuscripts(Store(root / "b.duckdb"), [doc_dir], Defaults([])))
        timed(".xlsx register (500)", 1, lambda: import_claims(Store(root / "c.duckdb"), [root / "登记.xlsx"]))
        timed(".xls register (500)", 1, lambda: import_claims(Store(root / "d.duckdb"), [root / "登记.xls"]))


if __name__ == "__main__":
    main()
