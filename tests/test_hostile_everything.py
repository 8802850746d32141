"""Issue 16: every command meets a few hostile inputs; no output anywhere holds a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from cli_support import shanggao_command

HOSTILE_TEXT = "[/x][bold]\ufffe$(touch /tmp/PWNED)"


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    files = {
        "root": root,
        "random": root / "random.bin",
        "fake_docx": root / "fake.docx",
        "fake_xlsx": root / "fake.xlsx",
        "huge_csv": root / "huge.csv",
        "nul_csv": root / "nul.csv",
        "bad_json": root / "bad.jsonl",
        "bad_toml": root / "bad.toml",
        "range_toml": root / "range.toml",
        "foreign": root / "foreign.duckdb",
        "folder": root / "folder",
        "empty": root / "empty.csv",
        "bomb_pdf": root / "bomb.pdf",
        "big_png": root / "big.png",
    }
    files["bomb_pdf"].write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 99999999 /Kids [1 0 R] >> endobj\n"
                                  b"trailer << /Root << /Type /Catalog /Pages 1 0 R >> >>\n%%EOF\n")
    # a PNG header declaring 100,000 × 100,000 pixels (a decompression bomb by its header alone)
    files["big_png"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (100_000).to_bytes(4, "big") * 2
                                 + b"\x08\x02\x00\x00\x00" + b"\x00" * 4 + b"\x00\x00\x00\x00IEND\xaeB`\x82")
    files["random"].write_bytes(os.urandom(4096))
    files["fake_docx"].write_bytes(os.urandom(2048))
    files["fake_xlsx"].write_text("not a workbook", encoding="utf-8")
    files["huge_csv"].write_text("申报编号,稿件编号,媒体,刊发日期\nA1,LX-1,人民日报," + "x" * 300_000 + "\n",
                                 encoding="utf-8")
    files["nul_csv"].write_bytes("申报编号,稿件编号,媒体,刊发日期\nA\0,LX\0,人民日报,2022-06-24\n".encode())
    files["bad_json"].write_bytes(b'{"url": 1e400, "title": {"a": [' + b"[" * 50_000 + b"\n\xff\xfe\n")
    files["bad_toml"].write_bytes(b"[shanggao\n\xff")
    files["range_toml"].write_text("[shanggao]\nconcurrency_per_domain = 0\n", encoding="utf-8")
    con = duckdb.connect(str(files["foreign"]))
    con.execute("CREATE TABLE ledger AS SELECT 1 AS x")
    con.close()
    files["folder"].mkdir()
    files["empty"].write_bytes(b"")
    return files


def _cases(p: dict[str, Path]) -> list[list[str]]:
    db = str(p["root"] / "store.duckdb")
    return [
        ["--db", db, "init"],
        ["--db", str(p["folder"]), "init"],
        ["--db", str(p["foreign"]), "verify"],
        ["--db", str(p["foreign"]), "query", "SELECT * FROM ledger"],
        ["--db", str(p["random"]), "status"],
        ["--config", str(p["bad_toml"]), "status"],
        ["--config", str(p["range_toml"]), "nightly"],
        ["--db", db, "outlets", "--format", "json"],
        ["--db", db, "query", f"SELECT '{HOSTILE_TEXT}' AS \"[/y]\""],
        ["--db", db, "query", "COPY (SELECT 1) TO '/tmp/shanggao-hostile.csv'"],
        ["--db", db, "query", "SELECT * FROM read_text('/etc/passwd')"],
        ["--db", db, "query", "SELECT 1/0, 'x'::INTEGER"],
        ["--db", db, "query", ""],
        ["--db", db, "articles", "import", str(p["random"]), str(p["bad_json"]), str(p["empty"])],
        ["--db", db, "manuscripts", "import", str(p["fake_docx"]), str(p["fake_xlsx"]), str(p["random"])],
        ["--db", db, "claims", "import", str(p["huge_csv"]), str(p["nul_csv"]), str(p["fake_xlsx"])],
        ["--db", db, "crawl", "../../etc/passwd"],
        ["--db", db, "crawl", "rmrb", "--from", "9999-12-30", "--to", "9999-12-31"],
        ["--db", db, "crawl", "--outlet-file", str(p["random"])],
        ["--db", db, "fetch", "javascript:alert(1)"],
        ["--db", db, "fetch", "http://[::1"],
        ["--db", db, "fetch", "http://example.org/" + "a" * 100_000],
        ["--db", db, "fetch", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9/"],
        ["--db", db, "nightly", "--today", "9999-12-31"],
        ["--db", db, "status", "--days", "1000000000"],
        ["--db", db, "verify", "--period", "9999-12"],
        ["--db", db, "verify", "--rules", str(p["random"])],
        ["--db", db, "match", "--manuscript", HOSTILE_TEXT],
        ["--db", db, "explain", HOSTILE_TEXT, "javascript:alert(1)"],
        ["--db", db, "report", "--period", "9999-12"],
        ["--db", db, "report", "--period", "2022-06", "--format", "docx", "--out", "/dev/full"],
        ["--db", db, "report", "--period", "2022-06", "--format", "md", "--out", str(p["folder"])],
        ["--db", db, "rules", "--rules", str(p["bad_toml"])],
        ["--db", db, "demo", "--out", str(p["random"])],
        ["--db", db, "evidence", "add", str(p["random"]), "--outlet", "rmrb", "--date", "2022-06-24"],
        ["--db", db, "evidence", "add", str(p["fake_docx"]), "--outlet", HOSTILE_TEXT, "--date", "9999-12-31"],
        ["--db", db, "evidence", "add", str(p["bomb_pdf"]), "--outlet", "rmrb", "--date", "2022-06-24",
         "--claim", HOSTILE_TEXT],
        ["--db", db, "evidence", "add", str(p["big_png"]), "--outlet", "rmrb", "--date", "2022-06-24"],
    ]


def test_no_command_prints_a_traceback(place: dict[str, Path]) -> None:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env.pop("SHANGGAO_DB", None)
    env.pop("SHANGGAO_CONFIG", None)
    env["SHANGGAO_LOCK_TIMEOUT"] = "5"
    failures = []
    for args in _cases(place):
        done = subprocess.run([*shanggao_command(), *args], env=env, cwd=place["root"], capture_output=True,
                              text=True, timeout=300)
        output = done.stdout + done.stderr
        if "Traceback" in output or "Exception ignored" in output or done.returncode not in (0, 1, 2):
            failures.append(f"{' '.join(a[:60] for a in args)} -> exit {done.returncode}\n{output[-1500:]}")
    assert not Path("/tmp/shanggao-hostile.csv").exists()
    assert not failures, "\n\n".join(failures)
