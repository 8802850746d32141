"""shanggao's DuckDB store: schema migrations and short-lived connections."""

from shanggao.db.store import (
    DEFAULT_DB,
    SchemaTooNew,
    Store,
    StoreBusy,
    StoreError,
    connect,
    default_db_path,
    latest_version,
    migrate,
    utcnow,
)

__all__ = [
    "DEFAULT_DB",
    "SchemaTooNew",
    "Store",
    "StoreBusy",
    "StoreError",
    "connect",
    "default_db_path",
    "latest_version",
    "migrate",
    "utcnow",
]
