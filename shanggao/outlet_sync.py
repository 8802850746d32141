"""Keeping the ``outlets`` table equal to the registry in spiders/registry.py."""

from __future__ import annotations

import duckdb

from shanggao.spiders.registry import OUTLETS


def sync_outlets(con: duckdb.DuckDBPyConnection) -> int:
    """Upsert every registered outlet; return how many there are."""
    rows = [
        (o.slug, o.name, o.tier, o.kind, o.home_url or None, o.media_group, list(o.aliases), list(o.domains))
        for o in OUTLETS.values()
    ]
    con.executemany(
        "INSERT INTO outlets VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (slug) DO UPDATE SET name = excluded.name, tier = excluded.tier, kind = excluded.kind, "
        "home_url = excluded.home_url, media_group = excluded.media_group, aliases = excluded.aliases, "
        "domains = excluded.domains",
        rows,
    )
    return len(rows)
