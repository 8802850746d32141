"""Issue 16, points 1, 7 and 16: `shanggao query` is a read-only window, prints text as text, streams rows."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def store(cli, db_path: Path) -> Path:
    cli("init")
    return db_path


@pytest.mark.parametrize("sql, what", [
    ("COPY (SELECT 1) TO '{out}/x.csv'", "COPY"),
    ("EXPORT DATABASE '{out}/dump'", "EXPORT"),
    ("SELECT * FROM read_csv('{secret}')", "read_csv"),
    ("SELECT * FROM read_blob('{secret}')", "read_blob"),
    ("SELECT * FROM read_text('{secret}')", "read_text"),
    ("SELECT * FROM glob('{out}/*')", "glob"),
    ("ATTACH '{out}/other.duckdb' AS other", "ATTACH"),
    ("INSTALL httpfs", "INSTALL"),
    ("LOAD httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("RESET lock_configuration", "RESET"),
    ("SET threads = 1", "SET"),
    ("CREATE TABLE evil AS SELECT 1", "CREATE"),
    ("DELETE FROM outlets", "DELETE"),
])
def test_query_cannot_write_read_files_or_change_settings(cli, store: Path, tmp_path: Path, sql: str,
                                                          what: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("a,b\n1,2\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("query", sql.format(out=tmp_path, secret=secret), expect=1)
    assert result.output.startswith("Error: query failed:"), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "1,2" not in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert cli("query", "SELECT count(*) AS n FROM outlets", "--format", "json").output.count('"n": 0') == 0


def test_query_leaves_a_foreign_duckdb_file_untouched(cli, tmp_path: Path) -> None:
    foreign = tmp_path / "finance.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE budget AS SELECT 1 AS line, 100 AS amount")
    con.close()
    before = foreign.read_bytes()
    out = cli("query", "SELECT amount FROM budget", "--format", "csv", db=foreign).output
    assert out == "amount\n100\n"
    assert foreign.read_bytes() == before
    # the commands that write refuse it in one line instead of adding shanggao's tables
    for args in (("verify",), ("init",), ("status",)):
        result = cli(*args, db=foreign, expect=1)
        assert "not a shanggao store" in result.output and "Traceback" not in result.output
    con = duckdb.connect(str(foreign), read_only=True)
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["budget"]
    con.close()


def test_query_prints_markup_like_text_as_text(cli, store: Path) -> None:
    out = cli("query", "SELECT '[/x]' AS \"[bold]\", '[red]红[/red]' AS b").output
    assert "[/x]" in out and "[bold]" in out and "[red]红[/red]" in out


def test_query_streams_a_large_result_in_every_format(cli, store: Path) -> None:
    sql = "SELECT range AS n, 'row ' || range AS label FROM range(25000)"
    csv_out = cli("query", sql, "--format", "csv").output.splitlines()
    assert csv_out[0] == "n,label" and csv_out[-1] == "24999,row 24999" and len(csv_out) == 25001
    rows = json.loads(cli("query", sql, "--format", "json").output)
    assert len(rows) == 25000 and rows[-1] == {"n": 24999, "label": "row 24999"}
    table = cli("query", sql).output
    assert "row 24999" in table and table.count("┃ n") == 1  # one header, however many chunks
    assert json.loads(cli("query", "SELECT 1 AS a WHERE false", "--format", "json").output) == []


def test_terminal_control_sequences_are_shown_escaped(cli, store: Path) -> None:
    sql = "SELECT chr(27) || '[2J' || chr(10) || 'next' AS t"
    table = cli("query", sql).output
    assert "\x1b" not in table and "\\x1b[2J ⏎ next" in table
    assert cli("query", sql, "--format", "csv").output == "t\n\x1b[2J ⏎ next\n"
    assert json.loads(cli("query", sql, "--format", "json").output) == [{"t": "\x1b[2J\nnext"}]
