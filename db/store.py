"""The DuckDB store: opening, migrating, and short-lived connections.

DuckDB allows one read-write process *or* many read-only processes on a file,
never both.  shanggao therefore never keeps a write connection open: every
write is ``with store.write() as con: ...`` — open, one transaction, close.
A writer or reader that meets another process's lock retries with backoff for
a bounded time (``SHANGGAO_LOCK_TIMEOUT`` seconds, default 60), then raises
:class:`StoreBusy` with a message naming the file.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import time
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path

import duckdb

from shanggao.dates import utc_now
from shanggao.db.rows import first_value
from shanggao.shell import shanggao_command

DEFAULT_DB = "shanggao.duckdb"
LOCK_TIMEOUT_ENV = "SHANGGAO_LOCK_TIMEOUT"

# Long Chinese bodies compress slowly with DuckDB's default string codecs at
# checkpoint time; zstd is fast to write and still compact (see README, "Speed").
STRING_COMPRESSION = "zstd"


class StoreError(Exception):
    """A problem with the store the user can act on; the CLI prints it plainly."""


class StoreBusy(StoreError):
    """Another process held the file's lock for longer than the lock timeout."""


class SchemaTooNew(StoreError):
    """The file was written by a newer shanggao."""


# Every TIMESTAMP column of the store is naive UTC; the clock lives in shanggao.dates.
utcnow = utc_now


def default_db_path() -> Path:
    return Path(os.environ.get("SHANGGAO_DB") or DEFAULT_DB)


def lock_timeout() -> float:
    try:
        return float(os.environ.get(LOCK_TIMEOUT_ENV, "60"))
    except ValueError:
        return 60.0


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


# DuckDB's own switches for a connection that may run anyone's SQL: no files, no network, no
# extensions, and no way to change any of that from SQL (``SET``/``RESET`` are refused).
SANDBOX_CONFIG: dict[str, str | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def connect(path: Path | str, *, read_only: bool = False, timeout: float | None = None,
            config: Mapping[str, str | int | float | list[str]] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the file, retrying while another process holds a conflicting lock."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"{path}: no such store; run `{shanggao_command('--db', path, 'init')}` first")
    deadline = time.monotonic() + (lock_timeout() if timeout is None else timeout)
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=dict(config or {}))
            if not read_only:
                con.execute(f"SET force_compression = '{STRING_COMPRESSION}'")
            return con
        except duckdb.IOException as exc:  # the file lock is an IOException
            if not _is_lock_error(exc):
                raise StoreError(f"{path}: cannot open: {exc}") from exc
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"{path} is locked by another process (a running import, crawl or nightly job, "
                    f"or an open read-write duckdb session); gave up after "
                    f"{lock_timeout() if timeout is None else timeout:.0f}s. "
                    f"Retry later or raise {LOCK_TIMEOUT_ENV}."
                ) from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 1.6, 0.5)


# -- migrations ---------------------------------------------------------------

def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every file in db/migrations, in order."""
    found = []
    for entry in resources.files("shanggao.db").joinpath("migrations").iterdir():
        m = re.match(r"(\d{4})_(.+)\.sql$", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return migrations()[-1][0]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = first_value(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ))
    if not exists:
        return 0
    return first_value(con.execute("SELECT coalesce(max(version), 0) FROM schema_version"))


def refuse_foreign(con: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    """Raise when a file without shanggao's schema_version holds tables or views of its own."""
    owned = first_value(con.execute(
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary)"
        " + (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND NOT internal"
        " AND NOT temporary)"))
    if owned:
        raise StoreError(f"{path} is a DuckDB file but not a shanggao store (tables of its own, no schema_version); "
                         "shanggao leaves it untouched: choose another --db")


def migrate(con: duckdb.DuckDBPyConnection, path: Path | str = "") -> list[int]:
    """Apply pending migrations, each in its own transaction; return those applied."""
    version = current_version(con)
    if version == 0:
        refuse_foreign(con, path)
    latest = latest_version()
    if version > latest:
        raise SchemaTooNew(
            f"{path}: schema version {version} is newer than this shanggao understands ({latest}); "
            "upgrade shanggao (pip install -U shanggao) instead of opening it with an old version"
        )
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
    )
    applied = []
    for number, name, sql in migrations():
        if number <= version:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, ?)", [number, name, utc_now()])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(number)
    return applied


class Store:
    """A DuckDB file plus the folder that holds its WARC evidence archive."""

    def __init__(self, path: Path | str | None = None, archive_dir: Path | str | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        self.archive_dir = Path(archive_dir) if archive_dir else self.path.with_name(self.path.name + ".archive")
        self._checked = False

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def init(self) -> list[int]:
        """Create or upgrade the schema; return the migrations applied."""
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = connect(self.path)
        try:
            applied = migrate(con, self.path)
        finally:
            con.close()
        self._checked = True
        return applied

    def ensure(self) -> None:
        """Upgrade an older file (or create a new one) before the first use."""
        if self._checked:
            return
        if self.path.exists():
            con = connect(self.path, read_only=True)
            try:
                version = current_version(con)
                if version == 0:
                    refuse_foreign(con, self.path)  # a foreign DuckDB file is never changed
            finally:
                con.close()
            if version == latest_version():
                self._checked = True
                return
        self.init()

    @contextlib.contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One short write transaction; the connection is closed afterwards."""
        self.ensure()
        con = connect(self.path)
        try:
            con.execute("BEGIN")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection, retried while a writer holds the lock."""
        if not self.path.exists():  # reading never creates a store
            raise StoreError(f"{self.path}: no such store; run `{shanggao_command('--db', self.path, 'init')}` first")
        self.ensure()
        con = connect(self.path, read_only=True)
        try:
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def sandbox(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only window for arbitrary SQL (``shanggao query``).

        The file is opened read-only with DuckDB's external access disabled, no
        extension installed or loaded, and the configuration locked: SQL run here
        can neither change the store nor read or write any other file or reach the
        network.  The file is never migrated or created, so a DuckDB file that is
        not a shanggao store stays untouched.
        """
        if not self.path.exists():
            raise StoreError(f"{self.path}: no such store; run `{shanggao_command('--db', self.path, 'init')}` first")
        con = connect(self.path, read_only=True, config=SANDBOX_CONFIG)
        try:
            yield con
        finally:
            con.close()
