"""Registers as offices write them: finding the table inside a sheet.

A register (登记表) is a spreadsheet (.xlsx/.xls/.ods/.et, every sheet), a
.csv or a .jsonl file.  Above the header there may be a title row
(2022年6月上稿登记表, often merged across the table) and the header may take two
rows (稿件信息 / 刊发情况 above the real names).  Below it: blank rows, rows that
only carry a pre-filled 序号, and totals rows (合计/小计/总计).  This module finds
the header, names the columns it does not recognise, works out the register's
year (for dates written without one) and yields each data row as
``{field: raw cell}``.

Column names are matched after dropping spaces, brackets and colons; an office
with other spellings maps them with ``[columns]`` in shanggao.toml or
``--column 见报日期=published``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from shanggao.dates import DateWithoutYear, parse_date
from shanggao.importers.common import BadFile, ImportReport, decode_text
from shanggao.importers.formats import SPREADSHEET_SUFFIXES, Sheet, read_workbook

REGISTER_SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv", ".jsonl", ".ndjson")
HEADER_SEARCH_ROWS = 12          # the header is among a sheet's first rows
_TOTALS = re.compile(r"^(合\s*计|小\s*计|总\s*计|共\s*计|累\s*计)")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" "9")


def norm_header(text: object) -> str:
    """A header cell compared without spaces, brackets, colons, asterisks or case."""
    return re.sub(r"[\s_\-（）()：:*＊]+", "", str(text or "")).lower()


@dataclass
class RegisterSpec:
    """What an importer reads from a register: fields with their accepted header spellings."""

    fields: Mapping[str, Sequence[str]]
    required: Sequence[str]

    def lookup(self, columns: Mapping[str, str]) -> dict[str, str]:
        """Normalised header → field, the office's own ``columns`` mapping first."""
        table: dict[str, str] = {}
        for header, name in columns.items():
            if name in self.fields:
                table[norm_header(header)] = name
        for name, aliases in self.fields.items():
            for alias in (name, *aliases):
                table.setdefault(norm_header(alias), name)
        return table


@dataclass
class RegisterTable:
    """One readable register table (a sheet, or a whole .csv/.jsonl file)."""

    path: Path
    sheet: str | None
    present: set[str]
    year: int | None
    rows: Iterator[tuple[int, dict[str, object]]]

    def date(self, value: object, report: ImportReport, row: int, what: str) -> tuple[bool, object]:
        """(ok, date) for a date cell; a bad one is rejected into ``report`` with its remedy."""
        try:
            return True, parse_date(value, self.year)
        except DateWithoutYear as exc:
            report.reject(self.path, row, f"{what} {exc}: put the year in the title row (2022年6月上稿登记表) "
                                          "or the file name, or pass --year 2022", self.sheet)
        except ValueError as exc:
            report.reject(self.path, row, str(exc), self.sheet)
        return False, None


def year_from_text(text: str) -> int | None:
    """2022 from '2022年6月上稿登记表', '二〇二二年六月…' or '2022-06 上稿.xlsx'."""
    text = text.translate(_CN_DIGITS)
    m = re.search(r"((?:19|20)\d{2})\s*年", text) or re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)
    return int(m.group(1)) if m else None


def check_columns(columns: Mapping[str, str], known: Sequence[str], where: str) -> dict[str, str]:
    """Validate a header → field mapping (``--column``/``[columns]``) against ``known`` fields."""
    for header, name in columns.items():
        if name not in known:
            raise BadFile(f"{where}: column {header!r} mapped to unknown field {name!r} (fields: {', '.join(known)})")
    return dict(columns)


def parse_column_options(values: Sequence[str]) -> dict[str, str]:
    """``('见报日期=published',)`` → {'见报日期': 'published'}."""
    mapping: dict[str, str] = {}
    for value in values:
        header, sep, name = value.partition("=")
        if not sep or not header.strip() or not name.strip():
            raise BadFile(f"--column {value!r}: use HEADER=FIELD, e.g. --column 见报日期=published")
        mapping[header.strip()] = name.strip()
    return mapping


def read_register(path: Path, spec: RegisterSpec, report: ImportReport, *, columns: Mapping[str, str] | None = None,
                  sheet: str | None = None, year: int | None = None) -> list[RegisterTable]:
    """Every register table in ``path`` (each sheet of a workbook, or ``sheet`` only).

    A sheet without a recognisable header is named in a note and skipped; a file
    where no table is found at all raises BadFile.
    """
    if path.stat().st_size == 0:
        raise BadFile(f"{path}: empty file")
    suffix = path.suffix.lower()
    lookup = spec.lookup(columns or {})
    file_year = year or year_from_text(path.stem)
    if suffix in (".jsonl", ".ndjson"):
        return [_jsonl_table(path, spec, lookup, report, file_year)]
    if suffix == ".csv":
        sheets = [Sheet("", _csv_rows(path))]
    elif suffix in SPREADSHEET_SUFFIXES:
        sheets = read_workbook(path)
        if sheet is not None:
            chosen = [s for s in sheets if s.name == sheet]
            if not chosen:
                raise BadFile(f"{path}: no sheet {sheet!r} (sheets: {', '.join(s.name for s in sheets)})")
            sheets = chosen
    else:
        raise BadFile(f"{path}: unsupported register format {suffix!r} "
                      f"(use {', '.join(REGISTER_SUFFIXES)}); save it as .xlsx")
    tables: list[RegisterTable] = []
    problems: list[str] = []
    for found in sheets:
        name = found.name if suffix != ".csv" else None
        try:
            table = _sheet_table(path, name, found.rows, spec, lookup, report, year, file_year)
        except _NotARegister as exc:
            problems.append(str(exc))
            if len(sheets) > 1:
                report.note(path, f"{str(exc).removeprefix(f'sheet {name!r}: ')}; sheet skipped", name)
            continue
        tables.append(table)
    if not tables:
        raise BadFile(f"{path}: {problems[0] if len(problems) == 1 else 'no sheet holds a register'}")
    return tables


class _NotARegister(Exception):
    pass


def _header_score(cells: Sequence[object], lookup: Mapping[str, str]) -> set[str]:
    return {lookup[key] for key in map(norm_header, cells) if key in lookup}


def _merge_header(upper: Sequence[object], lower: Sequence[object]) -> list[object]:
    """A two-row header: the lower row's names, the upper row's where the lower is blank (序号, 备注)."""
    width = max(len(upper), len(lower))
    return [(lower[i] if i < len(lower) and lower[i] not in (None, "") else (upper[i] if i < len(upper) else None))
            for i in range(width)]


def _sheet_table(path: Path, sheet: str | None, rows: list[tuple[int, list[object]]], spec: RegisterSpec,
                 lookup: Mapping[str, str], report: ImportReport, year: int | None,
                 file_year: int | None) -> RegisterTable:
    filled = [(number, cells) for number, cells in rows if any(c not in (None, "") for c in cells)]
    best: tuple[int, int, list[object]] | None = None   # (index in filled, fields found, header cells)
    best_fields: set[str] = set()
    for index, (_, cells) in enumerate(filled[:HEADER_SEARCH_ROWS]):
        candidates = [cells]
        if index > 0:
            candidates.append(_merge_header(filled[index - 1][1], cells))
        for header in candidates:
            found = _header_score(header, lookup)
            if len(found) > len(best_fields):
                best, best_fields = (index, len(found), header), found
    where = f"sheet {sheet!r}: " if sheet else ""
    header = best[2] if best else (filled[0][1] if filled else [])
    missing = [f for f in spec.required if f not in best_fields]
    wanted = "; ".join(f"{f} ({'/'.join(spec.fields[f][:4])})" for f in missing)
    found_names = ", ".join(str(h) for h in header if h not in (None, "")) or "nothing"
    if best is None or len(best_fields) < 2:
        raise _NotARegister(f"{where}not a register: no recognisable header in the first {HEADER_SEARCH_ROWS} rows "
                            f"(missing required column(s) {wanted}; found: {found_names})")
    if missing:
        raise BadFile(f"{path}: {where}missing required column(s) {wanted}; found: {found_names}")
    index = best[0]
    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = norm_header(cell)
        if not key:
            continue
        name = lookup.get(key)
        if name is None:
            report.note(path, f"column {str(cell).strip()!r} not recognised, ignored "
                              f"(map it with --column {str(cell).strip()}=FIELD or [columns] in shanggao.toml)", sheet)
        elif name not in positions:
            positions[name] = position
    title_text = " ".join(str(c) for _, cells in filled[:index] for c in cells if c not in (None, ""))
    table_year = year or year_from_text(title_text) or file_year
    header_keys = [norm_header(c) for c in header]
    key_column = positions.get("row_key")

    def body() -> Iterator[tuple[int, dict[str, object]]]:
        for number, cells in filled[index + 1:]:
            values = [c for i, c in enumerate(cells) if c not in (None, "") and i != key_column]
            if not values:
                continue  # a blank row, or one with only its pre-filled 序号
            if [norm_header(c) for c in cells[:len(header_keys)]] == header_keys:
                continue  # the header repeated (a register printed page by page)
            first = next((str(c).strip() for c in cells if c not in (None, "")), "")
            if _TOTALS.match(first) or any(_TOTALS.match(str(c).strip()) for c in values[:2]):
                report.note(path, f"totals row ({first or values[0]}) skipped", sheet, number)
                continue
            yield number, {name: (cells[positions[name]] if name in positions and positions[name] < len(cells)
                                  else None) for name in spec.fields}

    return RegisterTable(path, sheet, set(positions), table_year, body())


CSV_FIELD_CHARS = 4_000_000  # one cell at most (a long manuscript body is ~20,000)


def _csv_rows(path: Path) -> list[tuple[int, list[object]]]:
    text = decode_text(path.read_bytes(), path)
    if csv.field_size_limit() < CSV_FIELD_CHARS:
        csv.field_size_limit(CSV_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, list[object]]] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BadFile(f"{path}: line {reader.line_num}: not readable as CSV ({exc})") from exc
        rows.append((reader.line_num, [c if c.strip() else None for c in cells]))
    return rows


def _jsonl_table(path: Path, spec: RegisterSpec, lookup: Mapping[str, str], report: ImportReport,
                 year: int | None) -> RegisterTable:
    text = decode_text(path.read_bytes(), path)
    records: list[tuple[int, dict]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            report.reject(path, number, f"not valid JSON ({exc.msg})")
            continue
        except RecursionError:
            report.reject(path, number, "JSON nested too deeply")
            continue
        if not isinstance(record, dict):
            report.reject(path, number, "not a JSON object")
            continue
        records.append((number, record))
    if not records and not report.rejected:
        raise BadFile(f"{path}: empty file")
    keys: dict[str, str] = {}
    for _, record in records:
        for key in record:
            name = lookup.get(norm_header(key))
            if name and name not in keys.values():
                keys[key] = name
    missing = [f for f in spec.required if f not in keys.values()]
    if records and missing:
        raise BadFile(f"{path}: missing required field(s) {', '.join(missing)}")

    def body() -> Iterator[tuple[int, dict[str, object]]]:
        for number, record in records:
            fields: dict[str, object] = dict.fromkeys(spec.fields)
            for key, name in keys.items():
                fields[name] = record.get(key)
            yield number, fields

    return RegisterTable(path, None, set(keys.values()), year, body())
