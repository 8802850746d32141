"""Rendering query results for the terminal, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TextIO

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


def print_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str = "table",
               out: TextIO | None = None, max_width: int | None = 60, title: str | None = None) -> None:
    """Print rows as a rich table, CSV or JSON (one array of objects), streaming as they come.

    Every cell, header and title is plain text: stored text that looks like
    console markup (``[bold]``, ``[/x]``) is printed as it is.
    """
    out = out or sys.stdout
    rows = iter(rows)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")  # shell-friendly; spreadsheets accept it too
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v, None) for v in row])
    elif fmt == "json":
        out.write("[")
        for n, row in enumerate(rows):
            out.write(",\n" if n else "\n")
            json.dump(dict(zip(columns, (_plain(v) for v in row))), out, ensure_ascii=False, default=str)
        out.write("\n]\n")
    else:
        _print_table(columns, rows, out, max_width, title)


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
            widths = [max(w, cell_len(c)) for w, c in zip(widths, line)]
        table = _table(columns, title if first else None, show_header=first, widths=widths)
        for line in cells:
            table.add_row(*(Text(c) for c in line))
        console.print(table)
        first = False
    if first:  # no rows: the header alone
        console.print(_table(columns, title, show_header=True, widths=widths))


def _table(columns: Sequence[str], title: str | None, show_header: bool, widths: list[int]) -> Table:
    table = Table(title=Text(printable(title)) if title else None, show_lines=False, header_style="bold",
                  show_header=show_header)
    for name, width in zip(columns, widths):
        table.add_column(Text(printable(str(name))), min_width=min(width, 120))
    return table
