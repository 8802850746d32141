"""Rendering rows for the terminal, CSV or JSON; the ``--out FILE`` and ``--headers zh|en`` options.

CSV written to a file starts with a UTF-8 byte-order mark, so that Excel on a Chinese
Windows opens it as UTF-8 instead of guessing GBK; CSV on standard output stays plain
UTF-8 for pipelines.  ``--headers zh`` names the store's columns in Chinese
(:data:`HEADER_LABELS`) for tables meant for people.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import click
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from shanggao.shell import printable

# A table is drawn this many rows at a time, so a huge result streams instead of being held whole.
TABLE_CHUNK_ROWS = 1000


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _cell(value: Any, width: int | None, terminal: bool = False) -> str:
    if value is None:
        return ""
    value = _plain(value)
    text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    text = printable(text) if terminal else text.replace("\n", " ⏎ ")
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?%?$")


def _spreadsheet_text(value: str) -> str:
    """Text a spreadsheet would run as a formula (a stored title =HYPERLINK(…)) kept as text, with
    the leading apostrophe spreadsheets themselves use for that."""
    if value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def print_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str = "table",
               out: TextIO | None = None, max_width: int | None = 60, title: str | None = None,
               for_spreadsheet: bool = False) -> None:
    """Print rows as a rich table, CSV or JSON (one array of objects), streaming as they come.

    Every cell, header and title is plain text: stored text that looks like
    console markup (``[bold]``, ``[/x]``) is printed as it is.  ``for_spreadsheet``
    (a CSV file written for Excel/WPS) keeps text that starts like a formula from running.
    """
    out = out or sys.stdout
    rows = iter(rows)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")  # shell-friendly; spreadsheets accept it too
        writer.writerow(columns)
        for row in rows:
            cells = [_cell(v, None) for v in row]
            if for_spreadsheet:
                cells = [_spreadsheet_text(c) if isinstance(c, str) else c for c in cells]
            writer.writerow(cells)
    elif fmt == "json":
        out.write("[")
        for n, row in enumerate(rows):
            out.write(",\n" if n else "\n")
            record = dict(zip(columns, (_plain(v) for v in row), strict=True))
            out.write(json.dumps(record, ensure_ascii=False, default=str))
        out.write("\n]\n")
    else:
        _print_table(columns, rows, out, max_width, title)


# The store's column names (and the commands' own) as the office says them.
HEADER_LABELS = {
    "claim": "申报编号", "claim_id": "申报编号", "row": "序号", "source_row": "序号", "claimant": "申报人",
    "claimants": "申报人", "unit": "单位", "title": "标题", "status": "核验结论", "label": "核验结论",
    "evidence": "实际刊发", "points": "积分", "reasons": "原因", "suggestion": "建议操作",
    "manuscript": "稿件编号", "manuscript_id": "稿件编号", "outlet": "媒体", "outlet_slug": "媒体代码",
    "claimed_outlet": "申报媒体", "published_date": "刊发日期", "claimed_date": "申报日期", "page": "版次",
    "page_no": "版次", "url": "链接", "evidence_url": "证据链接", "slug": "代码", "name": "名称", "tier": "级别",
    "kind": "类型", "crawl": "采集方式", "domains": "域名", "origin": "来源", "home_url": "网址",
    "media_group": "媒体集团", "aliases": "别名", "authors": "作者",
    "author": "作者", "submitted_date": "报送日期", "body": "正文", "version": "版本", "chars": "字数",
    "score": "匹配度", "count": "数量", "count_star()": "数量",
}
HEADERS = ("zh", "en")


def header_names(columns: Sequence[str], headers: str) -> list[str]:
    """``columns`` as printed: Chinese where :data:`HEADER_LABELS` knows the name (``zh``), else as given."""
    if headers != "zh":
        return list(columns)
    return [HEADER_LABELS.get(str(c), str(c)) for c in columns]


def out_option(command: Callable) -> Callable:
    """``--out FILE``: write the rows to a file (CSV with a UTF-8 BOM for Excel) instead of standard output."""
    return click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Write to FILE instead of standard output; a CSV file starts with a UTF-8 BOM so that "
                             "Excel opens it as UTF-8.")(command)


def headers_option(default: str) -> Callable[[Callable], Callable]:
    """``--headers zh|en``: column names in Chinese for people, or the store's English names."""
    def decorate(command: Callable) -> Callable:
        return click.option("--headers", type=click.Choice(HEADERS), default=default, show_default=True,
                            help="Column names in Chinese (zh) or as the store names them (en).")(command)
    return decorate


def write_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, out_path: Path | None = None,
               **options: Any) -> None:
    """:func:`print_rows` to standard output, or to ``out_path`` (``-`` = standard output).  A CSV file
    gets a UTF-8 byte-order mark; an unwritable file is an OSError the CLI prints as one line."""
    if out_path is None or str(out_path) == "-":
        print_rows(columns, rows, fmt, **options)
        return
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    try:
        with open(out_path, "w", encoding=encoding, newline="") as handle:
            print_rows(columns, rows, fmt, out=handle, for_spreadsheet=fmt == "csv", **options)
    except OSError as exc:
        raise click.ClickException(f"{out_path}: cannot write: {exc.strerror or exc}") from exc


def print_lines(lines: Iterable[str], out: TextIO | None = None, indent: int = 4) -> None:
    """Plain-text lines, each wrapped to the terminal's width by display width (a Chinese character is two
    columns) with continuation lines indented; unwrapped in a pipe or file."""
    console = Console(file=out or sys.stdout, highlight=False, soft_wrap=False)
    lines = [printable(line) for line in lines]   # stored text: control characters shown escaped
    if not console.is_terminal:
        for line in lines:
            console.file.write(line + "\n")
        return
    for line in lines:
        text = Text(line)
        wrapped = text.wrap(console, max(console.width - 1 - indent, 20))
        for n, part in enumerate(wrapped):
            console.print(Text(" " * indent) + part if n else part)


def _chunks(rows: Iterator[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _print_table(columns: Sequence[str], rows: Iterator[Sequence[Any]], out: TextIO,
                 max_width: int | None, title: str | None) -> None:
    # In a terminal the table fits the window; in a pipe or file nothing is wrapped.
    console = Console(file=out)
    if not console.is_terminal:
        console = Console(file=out, width=100_000)
    widths = [cell_len(str(c)) for c in columns]
    first = True
    for chunk in _chunks(rows, TABLE_CHUNK_ROWS):
        cells = [[_cell(v, max_width, terminal=True) for v in row] for row in chunk]
        for line in cells:
            widths = [max(w, cell_len(c)) for w, c in zip(widths, line, strict=False)]
        fits = sum(widths) + 3 * len(widths) + 1 <= console.width
        table = _table(columns, title if first else None, show_header=first, widths=widths if fits else None)
        for line in cells:
            table.add_row(*(Text(c) for c in line))
        console.print(table)
        first = False
    if first:  # no rows: the header alone
        console.print(_table(columns, title, show_header=True, widths=None))


def _table(columns: Sequence[str], title: str | None, show_header: bool, widths: list[int] | None) -> Table:
    """Columns as wide as their widest cell so far (chunks line up), or, when that is wider than the
    terminal, sized by rich to fit it with long cells wrapped."""
    table = Table(title=Text(printable(title)) if title else None, show_lines=False, header_style="bold",
                  show_header=show_header)
    for i, name in enumerate(columns):
        if widths is None:
            table.add_column(Text(printable(str(name))), overflow="fold")
        else:
            table.add_column(Text(printable(str(name))), min_width=min(widths[i], 120))
    return table
