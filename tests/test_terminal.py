"""The terminal for Chinese staff: 80-column tables, Beijing time, CSV files Excel opens, Chinese headers."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess

from cli_support import shanggao_command
from rich.cells import cell_len
from verify_support import june_office

from shanggao.rules import load_rules
from shanggao.verify import verify_claims

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def terminal_80(*args: str) -> list[str]:
    """Run shanggao as in an 80-column terminal (rich's TTY_COMPATIBLE makes a pipe count as one)."""
    env = {**os.environ, "COLUMNS": "80", "LINES": "40", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}
    result = subprocess.run([*shanggao_command(), *args], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return [ANSI.sub("", line) for line in result.stdout.splitlines()]


def test_verify_lists_register_rows_titles_and_chinese_labels_in_80_columns(tmp_path):
    s = june_office(tmp_path)
    lines = terminal_80("--db", str(s.store.path), "verify", "--period", "2022-06")
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    text = "\n".join(lines)
    assert "序号" in text and "核验结论" in text and "申报人" in text
    assert "重复申报" in text and "已核实" in text and "duplicate_claim" not in text
    assert "白沙镇“党建+产业”带富一方" in text  # the claim's title
    assert "序号11（C11）未抓取，待定" in text and "→ shanggao crawl" in text  # the remedy below the table
    assert "条核验结论（" in text and "已核实" in text and "计分规则" in text   # the summary line speaks Chinese too
    assert "verdicts (" not in text and "points under rules" not in text


def test_verify_summary_in_english_with_headers_en(tmp_path):
    s = june_office(tmp_path)
    lines = terminal_80("--db", str(s.store.path), "verify", "--period", "2022-06", "--headers", "en")
    text = " ".join(" ".join(lines).split())   # the summary wraps at 80 columns
    assert "verdicts (" in text and "verified " in text and "points under rules" in text


def test_status_in_beijing_time_fits_80_columns(tmp_path):
    s = june_office(tmp_path)
    with s.store.write() as con:   # a crawl that started at 2022-07-01 17:30 UTC = 07-02 01:30 in Luxi
        con.execute("UPDATE crawl_runs SET started_at = TIMESTAMP '2022-07-01 17:30:00', "
                    "finished_at = TIMESTAMP '2022-07-01 17:40:00'")
    lines = terminal_80("--db", str(s.store.path), "status")
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    text = "\n".join(lines)
    assert "Beijing time" in text and "07-02 01:30" in text and "UTC" not in text


def test_csv_to_a_file_has_a_bom_and_stdout_has_none(cli, tmp_path):
    s = june_office(tmp_path)
    verify_claims(s.store, dt.date(2022, 6, 1), dt.date(2022, 6, 30), load_rules())
    db = s.store.path
    out = tmp_path / "核验.csv"
    cli("query", "SELECT claim_id, status FROM claim_verdicts ORDER BY claim_id", "--format", "csv",
        "--headers", "zh", "--out", out, db=db)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[:2] == ["申报编号,核验结论", "C01,verified"]
    piped = cli("query", "SELECT claim_id FROM claims ORDER BY claim_id", "--format", "csv", db=db).output
    assert piped.startswith("claim_id\n") and "\ufeff" not in piped
    sheet = tmp_path / "待核查.csv"
    cli("verify", "--period", "2022-06", "--problems-only", "--format", "csv", "--out", sheet, db=db)
    rows = sheet.read_bytes().decode("utf-8-sig").splitlines()
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbf") and rows[0].startswith("申报编号,序号,申报人,标题,核验结论")
    assert any(row.startswith("C11,") and "shanggao crawl" in row for row in rows)
    english = cli("verify", "--period", "2022-06", "--format", "csv", "--headers", "en", db=db).output
    assert english.startswith("claim,row,claimant,title,status")
    outlets = tmp_path / "媒体.csv"
    cli("outlets", "--format", "csv", "--headers", "zh", "--out", outlets, db=db)
    assert outlets.read_bytes().decode("utf-8-sig").startswith("代码,名称,级别")


def test_report_to_standard_output(cli, tmp_path):
    s = june_office(tmp_path)
    text = cli("report", "--period", "2022-06", "--format", "md", "--out", "-", db=s.store.path).output
    assert "\n# 中共泸溪县委组织部2022年6月新闻上稿情况通报\n" in text
    refused = cli("report", "--period", "2022-06", "--format", "docx", "--out", "-", db=s.store.path, expect=1)
    assert "binary" in refused.output


def test_demo_crawl_shows_live_progress_on_a_terminal(tmp_path):
    """Under a pseudo-terminal the demo's crawl draws the same per-outlet lines as `shanggao crawl`."""
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "LINES": "50"}
    proc = subprocess.Popen([*shanggao_command(), "demo", "--out", str(tmp_path / "demo")], stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=300) == 0
    screen = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    assert re.search(r"rmrb\s+\S*\s*days\s+\d/3\s+pages\s+\d+\s+articles\s+\d+", screen), screen[-2000:]
