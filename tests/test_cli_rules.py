"""One rule for user errors everywhere: one line on stderr, exit status 1, never click's usage block."""

from __future__ import annotations

import subprocess

import pytest
from cli_support import shanggao_command


@pytest.mark.parametrize("args", [
    ["nosuchcommand"],
    ["report", "--bogus"],
    ["report"],                                          # a required option missing
    ["report", "--period", "2022-06", "--format", "pdf"],
    ["query"],                                           # a missing argument
    ["verify", "--from", "2022-06-01"],
    ["report", "--period", "June"],
])
def test_usage_errors_are_one_line_and_exit_1(tmp_path, args):
    result = subprocess.run([*shanggao_command(), "--db", str(tmp_path / "s.duckdb"), *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Usage:" not in result.stderr and "Traceback" not in result.stderr


def test_help_and_version_still_exit_0(tmp_path):
    for args in (["--help"], ["report", "--help"], ["--version"]):
        result = subprocess.run([*shanggao_command(), *args], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and result.stdout.strip()


@pytest.mark.parametrize("day", ["2022-06-01", "2022/6/1", "2022.6.1", "2022年6月1日", "20220601"])
def test_match_since_takes_every_date_form(cli, day):
    cli("init")
    result = cli("match", "--since", day)
    assert "indexed" in result.output


def test_match_since_refuses_a_bad_date_in_one_line(cli):
    result = cli("match", "--since", "June", expect=1)
    assert "unparseable date 'June'" in result.output
