"""What `shanggao status` shows: is the nightly job healthy, what came in, what is pending."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from shanggao.db import Store, matcher_index
from shanggao.db.rows import fetch_table
from shanggao.db.verdicts import pending_claims

SPARK = "▁▂▃▄▅▆▇█"
BEIJING_OFFSET = "INTERVAL 8 HOUR"   # UTC timestamps shown on the office's clock (Beijing has no DST)


def sparkline(counts: list[int]) -> str:
    """One character per day; blank-looking '·' for a day with nothing."""
    top = max(counts, default=0)
    if top == 0:
        return "·" * len(counts)
    return "".join("·" if c == 0 else SPARK[min(len(SPARK) - 1, (c * len(SPARK) - 1) // top)] for c in counts)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return 0


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


@dataclass
class Status:
    last_runs: tuple[list[str], list[tuple]]
    daily: tuple[list[str], list[tuple]]
    drift: tuple[list[str], list[tuple]]
    pending: tuple[list[str], list[tuple]]
    sizes: dict[str, int]
    days: list[dt.date]
    index: tuple[int, int, int] = (0, 0, 0)   # matcher index bytes, all tables' bytes, documents indexed


def collect_status(store: Store, today: dt.date, days: int = 30) -> Status:
    first = today - dt.timedelta(days=days - 1)
    day_list = [first + dt.timedelta(days=i) for i in range(days)]
    with store.read() as con:
        # Times in Beijing time (the store keeps UTC), short enough for an 80-column terminal.
        last_runs = fetch_table(con, f"""
            SELECT outlet, strftime(started_at + {BEIJING_OFFSET}, '%m-%d %H:%M') AS "last run",
                   CASE WHEN status = 'ok' THEN status
                        ELSE status || coalesce(' (ok ' || (SELECT strftime(max(r2.started_at) + {BEIJING_OFFSET},
                                                                           '%m-%d') FROM crawl_runs r2
                                   WHERE r2.outlet = r.outlet AND r2.status = 'ok') || ')', '') END AS status,
                   pages, articles, new_articles AS new, errors, drift_warnings AS drift
            FROM crawl_runs r
            WHERE outlet IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY outlet ORDER BY started_at DESC, run_id DESC) = 1
            ORDER BY outlet""")
        rows = con.execute(
            "SELECT outlet, published_date, count(*) FROM articles WHERE published_date BETWEEN ? AND ? "
            "GROUP BY ALL", [first, today]).fetchall()
        per_outlet: dict[str, dict[dt.date, int]] = {}
        for outlet, day, count in rows:
            per_outlet.setdefault(outlet, {})[day] = count
        daily_rows = []
        for outlet in sorted(per_outlet):
            counts = [per_outlet[outlet].get(d, 0) for d in day_list]
            daily_rows.append((outlet, sparkline(counts), sum(counts), counts[-1], counts[-2] if days > 1 else 0))
        daily = (["outlet", f"{first:%m-%d} … {today:%m-%d}", "total", "today", "yesterday"], daily_rows)
        drift = fetch_table(con, """
            SELECT p.outlet, p.problem, count(*) AS times,
                   strftime(max(p.seen_at) + {BEIJING_OFFSET}, '%m-%d %H:%M') AS last_seen,
                   arg_max(p.url, p.seen_at) AS example_url
            FROM crawl_problems p
            WHERE p.problem IN ('no_links', 'missing_field', 'not_article', 'interstitial')
              AND p.seen_at >= ?::TIMESTAMP - INTERVAL 7 DAY
            GROUP BY ALL ORDER BY max(p.seen_at) DESC""".replace("{BEIJING_OFFSET}", BEIJING_OFFSET),
            [dt.datetime.combine(today, dt.time())])
        pending = pending_claims(con)
        index = matcher_index.storage_share(con)
    sizes = {
        "database": _size(store.path) + _size(store.path.with_name(store.path.name + ".wal")),
        "evidence archive": _size(store.archive_dir),
    }
    return Status(last_runs, daily, drift, pending, sizes, day_list, index)
