"""Rendering query results for the terminal, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table


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


def _cell(value: Any, width: int | None) -> str:
    if value is None:
        return ""
    value = _plain(value)
    text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    text = text.replace("\n", " ⏎ ")
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table",
               out: TextIO | None = None, max_width: int | None = 60, title: str | None = None) -> None:
    """Print rows as a rich table, CSV or JSON (one array of objects)."""
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")  # shell-friendly; spreadsheets accept it too
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v, None) for v in row])
    elif fmt == "json":
        json.dump([dict(zip(columns, (_plain(v) for v in row))) for row in rows], out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        table = Table(*columns, title=title, show_lines=False, header_style="bold")
        for row in rows:
            table.add_row(*(_cell(v, max_width) for v in row))
        # In a terminal the table fits the window; in a pipe or file nothing is wrapped.
        console = Console(file=out)
        if not console.is_terminal:
            console = Console(file=out, width=100_000)
        console.print(table)
