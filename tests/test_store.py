"""The store: migrations, version checks, and behaviour beside another process's lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from shanggao.db import SchemaTooNew, Store, StoreBusy, latest_version
from shanggao.db.store import migrations


def test_init_creates_every_contract_table(db_path: Path) -> None:
    applied = Store(db_path).init()
    assert applied == [number for number, _, _ in migrations()]
    con = duckdb.connect(str(db_path), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    for table in ("outlets", "articles", "article_versions", "pages", "manuscripts", "claims", "matches",
                  "verdicts", "crawl_runs", "crawl_problems", "schema_version"):
        assert table in tables


def test_older_file_is_upgraded_on_open(db_path: Path) -> None:
    first_number, _, first_sql = migrations()[0]
    con = duckdb.connect(str(db_path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    con.execute(first_sql)
    con.execute("INSERT INTO schema_version VALUES (?, 'initial', now()::TIMESTAMP)", [first_number])
    con.close()
    store = Store(db_path)
    with store.read() as con:  # opening for reading upgrades first
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    assert version == latest_version()


def test_newer_file_is_refused_with_a_clear_message(db_path: Path) -> None:
    Store(db_path).init()
    con = duckdb.connect(str(db_path))
    con.execute("INSERT INTO schema_version VALUES (9999, 'from the future', now()::TIMESTAMP)")
    con.close()
    with pytest.raises(SchemaTooNew, match="newer than this shanggao"):
        Store(db_path).init()


def _hold_write_lock(db_path: Path, seconds: float) -> subprocess.Popen:
    script = textwrap.dedent(
        f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db_path)!r})
        print("locked", flush=True)
        time.sleep({seconds})
        con.close()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_reader_waits_for_a_short_writer(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(db_path).init()
    monkeypatch.setenv("SHANGGAO_LOCK_TIMEOUT", "20")
    holder = _hold_write_lock(db_path, 1.5)
    try:
        with Store(db_path).read() as con:
            assert con.execute("SELECT count(*) FROM outlets").fetchone()[0] == 0
    finally:
        holder.wait(timeout=30)


def test_writer_gives_up_after_the_timeout_with_a_clear_message(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(db_path).init()
    monkeypatch.setenv("SHANGGAO_LOCK_TIMEOUT", "0.5")
    holder = _hold_write_lock(db_path, 5)
    try:
        started = time.monotonic()
        with pytest.raises(StoreBusy, match="locked by another process"):
            with Store(db_path).write():
                pass
        assert time.monotonic() - started < 4
    finally:
        holder.kill()
        holder.wait()


def test_write_rolls_back_on_error(db_path: Path) -> None:
    store = Store(db_path)
    store.init()
    with pytest.raises(RuntimeError):
        with store.write() as con:
            con.execute("INSERT INTO outlets (slug, name, tier, kind) VALUES ('x', 'X', 'other', 'portal')")
            raise RuntimeError("boom")
    with store.read() as con:
        assert con.execute("SELECT count(*) FROM outlets").fetchone()[0] == 0


def test_reading_a_missing_store_does_not_create_it(tmp_path: Path) -> None:
    from shanggao.db import StoreError

    path = tmp_path / "typo.duckdb"
    with pytest.raises(StoreError, match="no such store"):
        with Store(path).read():
            pass
    assert not path.exists()
