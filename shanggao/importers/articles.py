"""``shanggao articles import``: JSON Lines of articles, and news-please's JSON.

One article per line with ``url, outlet, title, published (YYYY-MM-DD), body``
required and ``subtitle, byline, authors, page_no, page_name`` optional.  A
``.json`` file holding one object (or a list of them) in news-please's shape
(``maintext``, ``date_publish``, ``source_domain`` …) is mapped to the same
fields.  Each file is merged in one transaction through the shared upsert, so
re-importing a file adds nothing and a changed text becomes a new version.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from shanggao.dates import MAX_YEAR, MIN_YEAR, parse_date
from shanggao.db import Store, utcnow
from shanggao.db.articles import STAGED_SCHEMA, upsert_hashed_articles, upsert_staged_articles, with_text_hashes
from shanggao.db.outlets import outlet_for_host
from shanggao.importers.common import BadFile, ImportReport, import_each, split_names

REQUIRED = ("url", "outlet", "title", "published", "body")
# news-please field → ours
NEWS_PLEASE = {"maintext": "body", "date_publish": "published", "source_domain": "outlet", "authors": "authors",
               "title": "title", "url": "url", "description": "subtitle"}

_BATCH = 20_000  # rows per Arrow batch handed to DuckDB
MAX_PAGE_NO = 9999  # 版次; stored as INTEGER


def _records(path: Path) -> Iterator[tuple[int, dict | str]]:
    """(line number, record) — or (line number, reason) for a line that is not an object."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadFile(f"{path}: not valid JSON ({exc})") from exc
        except RecursionError as exc:
            raise BadFile(f"{path}: JSON nested too deeply") from exc
        items = data if isinstance(data, list) else [data]
        for number, item in enumerate(items, start=1):
            yield number, (_from_news_please(item) if isinstance(item, dict) else "not a JSON object")
        return
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = _decode_line(raw, first=number == 1)
            if line is None:
                yield number, "not UTF-8 or GBK text"
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            except RecursionError:
                yield number, "JSON nested too deeply"
                continue
            if not isinstance(record, dict):
                yield number, "not a JSON object"
            elif "maintext" in record and "body" not in record:
                yield number, _from_news_please(record)
            else:
                yield number, record


def _decode_line(raw: bytes, first: bool) -> str | None:
    """A line as text: UTF-8 (a BOM on the first line dropped), else GBK; None when it is neither."""
    for encoding in ("utf-8-sig" if first else "utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _from_news_please(item: dict) -> dict:
    record = {ours: item.get(theirs) for theirs, ours in NEWS_PLEASE.items() if item.get(theirs) is not None}
    if not record.get("outlet") and item.get("url"):
        host = urlsplit(str(item["url"])).hostname or ""
        info = outlet_for_host(host)
        record["outlet"] = info.slug if info else host
    elif record.get("outlet"):
        info = outlet_for_host(str(record["outlet"]))
        if info:
            record["outlet"] = info.slug
    return record


def _row(record: dict, now: dt.datetime, source_file: str) -> dict:
    """Validated staging row; ValueError with the reason when the record is unusable."""
    missing = [k for k in REQUIRED if not str(record.get(k) or "").strip()]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    url = str(record["url"]).strip()
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"url {url[:200]!r} is not an http(s) URL")
    page_no = record.get("page_no")
    if page_no not in (None, ""):
        try:
            page_no = int(str(page_no).strip().lstrip("第").rstrip("版"))
        except ValueError:
            raise ValueError(f"page_no {str(page_no)[:40]!r} is not a number") from None
        if not 0 <= page_no <= MAX_PAGE_NO:
            raise ValueError(f"page_no {page_no} is out of range (0–{MAX_PAGE_NO})")
    else:
        page_no = None
    body = str(record["body"]).replace("\r\n", "\n").strip(BODY_WHITESPACE)
    authors = record.get("authors")
    return {
        "url": url,
        "outlet": str(record["outlet"]).strip(),
        "title": str(record["title"]).strip(),
        "subtitle": (str(record["subtitle"]).strip() or None) if record.get("subtitle") else None,
        "byline": (str(record["byline"]).strip() or None) if record.get("byline") else None,
        "authors": split_names(authors),
        "published_date": parse_date(record["published"]),
        "page_no": page_no,
        "page_name": (str(record["page_name"]).strip() or None) if record.get("page_name") else None,
        "page_url": None,
        "body": body,
        "source": "import",
        "evidence_page_id": None,
        "fetched_at": now,
        "imported_from": source_file,
    }


def _batches(rows: Iterable[dict]) -> Iterator[pa.Table]:
    buffer: list[dict] = []
    for row in rows:
        buffer.append(row)
        if len(buffer) >= _BATCH:
            yield pa.Table.from_pylist(buffer, schema=STAGED_SCHEMA)
            buffer = []
    if buffer:
        yield pa.Table.from_pylist(buffer, schema=STAGED_SCHEMA)


# What both paths strip from the ends of a body.
BODY_WHITESPACE = " \t\r\n\u3000"
# prefix()/suffix() tests per character: unlike trim(), they do not copy the body.
_EDGE_WHITESPACE = " OR ".join(f"prefix(raw_body, chr({ord(c)})) OR suffix(raw_body, chr({ord(c)}))"
                               for c in BODY_WHITESPACE)

# The fast path: DuckDB reads and validates a clean JSON Lines file in parallel.
# Each reason below mirrors a check of _row(); a row with any reason is rejected.
_FAST_SELECT = """
WITH raw AS (
    SELECT *, coalesce(body, maintext) AS raw_body
    FROM read_json($path, format = 'newline_delimited', maximum_object_size = 268435456,
                   columns = {url: 'VARCHAR', outlet: 'VARCHAR', title: 'VARCHAR', published: 'VARCHAR',
                              body: 'VARCHAR', subtitle: 'VARCHAR', byline: 'VARCHAR', authors: 'JSON',
                              page_no: 'VARCHAR', page_name: 'VARCHAR', maintext: 'VARCHAR',
                              date_publish: 'VARCHAR', source_domain: 'VARCHAR'})
), typed AS (
    SELECT trim(url) AS url, trim(coalesce(outlet, source_domain)) AS outlet, trim(title) AS title,
           trim(coalesce(published, date_publish)) AS published_text,
           coalesce(try_strptime(left(trim(coalesce(published, date_publish)), 10), '%Y-%m-%d'),
                    try_strptime(trim(coalesce(published, date_publish)), '%Y/%m/%d'),
                    try_strptime(trim(coalesce(published, date_publish)), '%Y.%m.%d'),
                    try_strptime(trim(coalesce(published, date_publish)), '%Y年%m月%d日'))::DATE AS published_date,
           -- most bodies need no cleaning, and copying 2,000 characters per row is the costliest
           -- step, so test cheaply first (prefix/suffix/contains do not copy; left/right/trim do)
           CASE WHEN contains(raw_body, chr(13)) OR $edge_whitespace
                THEN trim(replace(raw_body, chr(13) || chr(10), chr(10)), $ws)
                ELSE raw_body END AS body,
           nullif(trim(subtitle), '') AS subtitle, nullif(trim(byline), '') AS byline,
           CASE json_type(authors)
               WHEN 'ARRAY' THEN list_filter(list_transform(authors ->> '$[*]', lambda x: trim(x)), lambda x: x <> '')
               WHEN 'VARCHAR' THEN list_filter(string_split_regex(trim(authors ->> '$'), '[\\s,，、;；/|]+'),
                                               lambda x: x <> '')
               ELSE []::VARCHAR[] END AS authors,
           nullif(trim(page_no), '') AS page_no_text,
           CASE WHEN TRY_CAST(regexp_replace(trim(page_no), '^第|版$', '', 'g') AS INTEGER) BETWEEN 0 AND $max_page
                THEN TRY_CAST(regexp_replace(trim(page_no), '^第|版$', '', 'g') AS INTEGER) END AS page_no,
           nullif(trim(page_name), '') AS page_name
    FROM raw
)
SELECT *,
       concat_ws('; ',
           CASE WHEN coalesce(url, '') = '' OR coalesce(outlet, '') = '' OR coalesce(title, '') = ''
                     OR coalesce(published_text, '') = '' OR coalesce(body, '') = ''
                THEN 'missing ' || concat_ws(', ',
                     CASE WHEN coalesce(url, '') = '' THEN 'url' END,
                     CASE WHEN coalesce(outlet, '') = '' THEN 'outlet' END,
                     CASE WHEN coalesce(title, '') = '' THEN 'title' END,
                     CASE WHEN coalesce(published_text, '') = '' THEN 'published' END,
                     CASE WHEN coalesce(body, '') = '' THEN 'body' END) END,
           CASE WHEN url <> '' AND NOT regexp_matches(url, '^https?://')
                THEN 'url ' || url || ' is not an http(s) URL' END,
           CASE WHEN published_text <> '' AND published_date IS NULL THEN 'unparseable date ' || published_text END,
           CASE WHEN year(published_date) NOT BETWEEN $min_year AND $max_year
                THEN 'impossible date ' || published_text END,
           CASE WHEN page_no_text IS NOT NULL AND page_no IS NULL
                THEN 'page_no ' || page_no_text || ' is not a number' END
       ) AS reason
FROM typed
""".replace("$edge_whitespace", _EDGE_WHITESPACE).replace("$max_page", str(MAX_PAGE_NO)).replace(
    "$min_year", str(MIN_YEAR)).replace("$max_year", str(MAX_YEAR))


def _line_count(path: Path) -> int:
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (0 if last == b"\n" else 1)


def _import_fast(store: Store, path: Path, report: ImportReport) -> bool:
    """Import through DuckDB's JSON reader; False when the file needs the line-by-line path.

    Parsing and checking happen in a private in-memory database whose result
    goes straight to Arrow (no table in between), and hashing in this process,
    so the store's write lock is held only for the merge itself.
    """
    now = utcnow()
    scratch = duckdb.connect()
    try:
        try:
            checked = scratch.sql(_FAST_SELECT, params={"path": str(path), "ws": BODY_WHITESPACE}).to_arrow_table()
        except duckdb.Error:  # malformed JSON or text somewhere: find it line by line
            return False
    finally:
        scratch.close()
    if not checked.num_rows:   # blank lines only: the line-by-line path says so
        return False
    # DuckDB keeps the file's order and skips blank lines, so a row's place is its line
    # number exactly when the file has no blank lines; otherwise the line-by-line path
    # names the bad lines correctly.
    bad = pc.not_equal(checked.column("reason"), "")
    any_bad = pc.any(bad).as_py()
    if any_bad:
        if checked.num_rows != _line_count(path):
            return False
        rows = pc.indices_nonzero(bad).to_pylist()
        reasons = checked.column("reason").take(rows).to_pylist()
        for row, reason in zip(rows, reasons, strict=True):
            report.reject(path, row + 1, reason)
    keep = pc.invert(bad)
    # Within a file the last line for a URL wins; usually there is none to drop.
    urls = checked.column("url")
    duplicates = pc.count_distinct(pc.if_else(keep, urls, None)).as_py() < (pc.sum(keep).as_py() or 0)
    if duplicates:
        row = pa.array(range(checked.num_rows), pa.int64())
        last = pa.table({"url": urls, "row": row}).filter(keep).group_by("url").aggregate([("row", "max")])
        keep = pc.is_in(row, value_set=last.column("row_max"))
    valid = checked.filter(keep) if any_bad or duplicates else checked  # a filter copies every body
    del checked
    count = valid.num_rows
    valid = pa.table({
        **{name: valid.column(name) for name in ("url", "outlet", "title", "subtitle", "byline", "authors",
                                                 "published_date")},
        "page_no": valid.column("page_no").cast(pa.int32()),
        "page_name": valid.column("page_name"),
        "page_url": pa.nulls(count, pa.string()),
        "body": valid.column("body"),
        "source": pa.repeat("import", count),
        "evidence_page_id": pa.nulls(count, pa.int64()),
        "fetched_at": pa.repeat(pa.scalar(now, pa.timestamp("us")), count),
        "imported_from": pa.repeat(path.name, count),
    }, schema=STAGED_SCHEMA)
    valid = with_text_hashes(valid)
    with store.write() as con:
        counts = upsert_hashed_articles(con, valid)
    report.added += counts.new
    report.updated += counts.changed
    report.unchanged += counts.unchanged
    return True


def import_article_file(store: Store, path: Path) -> ImportReport:
    """Import one file in one transaction; bad lines are reported, good ones kept."""
    report = ImportReport(files=1)
    if path.stat().st_size == 0:
        raise BadFile(f"{path}: empty file")
    if path.suffix.lower() != ".json" and _import_fast(store, path, report):
        return report
    now = utcnow()
    good: list[dict] = []
    seen_lines = 0
    for number, record in _records(path):
        seen_lines += 1
        if isinstance(record, str):
            report.reject(path, number, record)
            continue
        try:
            good.append(_row(record, now, path.name))
        except (ValueError, TypeError, OverflowError) as exc:
            report.reject(path, number, str(exc) or type(exc).__name__)
    if seen_lines == 0:
        raise BadFile(f"{path}: empty file (no JSON lines)")
    good = list({row["url"]: row for row in good}.values())  # the last line for a URL wins
    if good:
        with store.write() as con:
            for table in _batches(good):
                counts = upsert_staged_articles(con, table)
                report.added += counts.new
                report.updated += counts.changed
                report.unchanged += counts.unchanged
    return report


def import_articles(store: Store, paths: Iterable[Path]) -> ImportReport:
    return import_each(paths, lambda path: import_article_file(store, path))
