"""Shared test helpers: running the CLI against a real temp DuckDB file, finding ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present: the real samples live in ../shared beside the repository")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def cli(db_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run `shanggao --db <temp file> ARGS...` in-process; returns click's Result."""
    from shanggao.cli import main

    monkeypatch.delenv("SHANGGAO_DB", raising=False)
    monkeypatch.delenv("SHANGGAO_CONFIG", raising=False)

    def run(*args: str, db: Path | None = None, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(main, ["--db", str(db or db_path), *map(str, args)], catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.output)
        return result

    return run
