"""Progress bars (shanggao.progress) for verify and report: drawn on a terminal, silent otherwise."""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import subprocess
import threading
from io import StringIO

from cli_support import shanggao_command
from click.testing import CliRunner
from rich.console import Console
from verify_support import june_office

from shanggao.cli import main
from shanggao.periods import parse_period
from shanggao.progress import QUIET, progress_steps
from shanggao.reports import write_report
from shanggao.rules import load_rules
from shanggao.verify import verify_claims

JUNE = (dt.date(2022, 6, 1), dt.date(2022, 6, 30))


def terminal() -> tuple[Console, StringIO]:
    out = StringIO()
    return Console(force_terminal=True, file=out, width=100), out


def test_quiet_when_not_a_terminal():
    out = StringIO()
    with progress_steps(3, "matching", console=Console(file=out)) as steps:
        assert steps is QUIET and not steps.shown
        steps()
        steps.set_total(5)
        steps.describe("still matching")
        steps(4)
    assert out.getvalue() == ""


def test_bar_on_a_terminal():
    console, out = terminal()
    with progress_steps(None, "matching", console=console) as steps:
        assert steps.shown
        steps.set_total(3)
        steps()
        steps.describe("matching: writing links")
        steps(2)
    drawn = out.getvalue()
    assert "matching: writing links" in drawn and "3/3" in drawn


def test_verify_counts_every_claim(tmp_path):
    s = june_office(tmp_path)
    console, out = terminal()
    with progress_steps(None, "verify", console=console) as steps:
        summary = verify_claims(s.store, *JUNE, load_rules(), steps)
    drawn = out.getvalue()
    done = re.findall(r"(\d+)/(\d+)", drawn)[-1]
    assert done[0] == done[1] and int(done[0]) >= len(summary.verdicts) + 1  # claims judged, then the write
    assert "verify: writing verdicts" in drawn


def test_report_building_steps(tmp_path):
    s = june_office(tmp_path)
    verify_claims(s.store, *JUNE, load_rules())
    console, out = terminal()
    with progress_steps(None, "report", console=console) as steps:
        write_report(s.store, parse_period("2022-06"), load_rules(), "md", tmp_path / "r.md", steps)
    drawn = out.getvalue()
    assert "report: writing r.md" in drawn and "4/4" in drawn


def test_cli_output_is_plain_without_a_terminal(tmp_path):
    s = june_office(tmp_path)
    db = str(s.store.path)
    verified = CliRunner().invoke(main, ["--db", db, "verify", "--period", "2022-06"])
    reported = CliRunner().invoke(main, ["--db", db, "report", "--period", "2022-06", "--format", "md",
                                         "--out", str(tmp_path / "r.md")])
    for result in (verified, reported):
        assert result.exit_code == 0, result.output
        assert "\x1b[" not in result.output and "verify:" not in result.output and "report:" not in result.output


def test_cli_draws_on_a_terminal_stderr(tmp_path):
    """A real process whose stderr is a pseudo-terminal: the bar goes there, stdout stays clean."""
    s = june_office(tmp_path)
    command = shanggao_command()
    controller, terminal_end = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("SHANGGAO_DB", "SHANGGAO_CONFIG", "NO_COLOR")}
    env["TERM"] = "xterm"
    process = subprocess.Popen([*command, "--db", str(s.store.path), "verify", "--period", "2022-06"],
                               stdout=subprocess.PIPE, stderr=terminal_end, env=env, cwd=tmp_path)
    os.close(terminal_end)
    chunks: list[bytes] = []

    def drain() -> None:  # read while the child writes, so a full terminal buffer never blocks it
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed its end
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stdout, _ = process.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(controller)
    drawn = b"".join(chunks)
    assert process.returncode == 0
    assert "verify" in drawn.decode("utf-8", "replace") and b"\x1b[" in drawn
    assert b"\x1b[" not in stdout and "共 15 条核验结论" in stdout.decode("utf-8")
