"""Issue 16, points 3, 4 and 8–11: importers meet hostile and unlucky files."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import zipfile
from pathlib import Path

import openpyxl
from cli_support import shanggao_command

MANUSCRIPT = "泸溪县开展党员培训\n编号：LX-1\n作者：张三\n单位：白沙镇\n报送日期：2022-06-01\n\n正文第一段。\n"


def run_shanggao(cwd: Path, *args: object, timeout: float) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SHANGGAO_DB", "SHANGGAO_CONFIG")}
    return subprocess.run([*shanggao_command(), "--db", str(cwd / "sub.duckdb"), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _claims(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text("申报编号,稿件编号,作者,单位,媒体,刊发日期,链接\n" + "".join(r + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_claim_links_are_checked_and_printed_commands_are_shell_quoted(cli, tmp_path: Path) -> None:
    (tmp_path / "ms.txt").write_text(MANUSCRIPT, encoding="utf-8")
    cli("manuscripts", "import", tmp_path / "ms.txt")
    marker = tmp_path / "PWNED"
    sneaky = f"https://mp.weixin.qq.com/s/x;$(touch${{IFS}}{marker})"
    register = _claims(tmp_path, [
        f"A1,LX-1,张三,白沙镇,人民日报,2022-06-24,{sneaky}",
        "A2,LX-1,李四,白沙镇,人民日报,2022-06-25,https://mp.weixin.qq.com/s/x;$(touch /tmp/x)",
        "A3,LX-1,李四,白沙镇,人民日报,2022-06-25,javascript:alert(1)",
        "A4,LX-1,李四,白沙镇,人民日报,2022-06-25,\"https://a.example/\tb\"",
    ])
    out = cli("claims", "import", register, expect=1).output
    assert "1 claims added" in out and "3 rejected" in out
    assert f"{register}:3: link contains U+0020" in out
    assert f"{register}:4: not an http(s) link" in out
    assert f"{register}:5: link contains U+0009" in out
    printed = cli("verify", "--format", "csv").output
    suggestion = cli("query", "SELECT suggestion FROM verdicts", "--format", "csv").output.splitlines()[1]
    assert shlex.split(suggestion) == ["shanggao", "fetch", sneaky]
    assert shlex.quote(sneaky) in printed
    # pasting the printed remedy into a shell runs shanggao with one harmless argument
    subprocess.run(["bash", "-c", f"shanggao() {{ :; }}; {suggestion}"], check=True)
    report = tmp_path / "r.md"
    cli("report", "--period", "2022-06", "--format", "md", "--out", report)
    assert "shanggao fetch" not in report.read_text(encoding="utf-8")  # remedies go to the 工作底稿
    sheet = openpyxl.load_workbook(tmp_path / "r-工作底稿.xlsx")["需核查"]
    written = next(c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith("shanggao fetch"))
    assert shlex.split(written) == ["shanggao", "fetch", sneaky]
    subprocess.run(["bash", "-c", f"shanggao() {{ :; }}; {written}"], check=True)
    assert not marker.exists()


def test_a_duplicate_claim_id_is_rejected_and_the_first_row_kept(cli, tmp_path: Path) -> None:
    register = _claims(tmp_path, [
        "A1,LX-1,张三,白沙镇,人民日报,2022-06-24,",
        "A1,LX-1,李四,县委组织部,湖南日报,2022-06-25,",
    ])
    out = cli("claims", "import", register, expect=1).output
    assert f"{register}:3: duplicate 申报编号 A1 (already in row 2)" in out
    assert "1 claims added, 0 updated" in out
    row = cli("query", "SELECT claimant, outlet FROM claims", "--format", "csv").output.splitlines()[1]
    assert row == "张三,人民日报"
    sneaky = tmp_path / "sneaky.csv"
    sneaky.write_text('申报编号,稿件编号,媒体,刊发日期\n"B\x1b[2J\nx",LX-1,人民日报,2022-06-24\n'
                      '"B\x1b[2J\nx",LX-1,人民日报,2022-06-25\n', encoding="utf-8")
    out = cli("claims", "import", sneaky, expect=1).output
    [line] = [line for line in out.splitlines() if "duplicate" in line]  # one line, escape shown
    assert line == f"{sneaky}:5: duplicate 申报编号 B\\x1b[2J x (already in row 3); the first row is kept"


# -- points 8–11 --------------------------------------------------------------------------

def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "limits.toml"
    path.write_text(f"[shanggao]\n{text}\n", encoding="utf-8")
    return path


def _docx(path: Path, title: str, padding: int = 0) -> Path:
    import docx

    document = docx.Document()
    for line in (title, "编号：LX-7", "作者：张三", "单位：白沙镇", "", "正文。"):
        document.add_paragraph(line)
    document.save(str(path))
    if padding:  # a member that inflates far beyond its compressed size
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/media/padding.bin", b"\0" * padding)
    return path


def test_zip_bombs_are_refused_before_unpacking(cli, tmp_path: Path) -> None:
    import openpyxl

    bomb = _docx(tmp_path / "bomb.docx", "炸弹稿件", padding=8 * 1024 * 1024)
    fine = _docx(tmp_path / "fine.docx", "正常稿件")
    result = cli("manuscripts", "import", bomb, fine, expect=1)
    assert f"{bomb}: word/media/padding.bin inflates" in result.output and "max_zip_ratio" in result.output
    assert "1 manuscripts added" in result.output
    book = openpyxl.Workbook()
    book.active.append(["申报编号", "稿件编号", "媒体", "刊发日期"])
    book.active.append(["A1", "LX-7", "人民日报", "2022-06-24"])
    register = tmp_path / "claims.xlsx"
    book.save(register)
    with zipfile.ZipFile(register, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", os.urandom(2 * 1024 * 1024))  # incompressible: only the total
    small = _config(tmp_path, "max_unpacked_mb = 1")
    refused = cli("--config", small, "claims", "import", register, expect=1)
    assert "would unpack to 2 MB, more than max_unpacked_mb = 1" in refused.output
    assert "Traceback" not in refused.output
    cli("claims", "import", register)  # the default limits take it


def test_a_stray_cell_at_the_sheet_end_does_not_scan_the_whole_sheet(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["申报编号", "稿件编号", "媒体", "刊发日期"])
    sheet.append(["A1", "LX-7", "人民日报", "2022-06-24"])
    sheet["XFD1048576"] = "x"
    register = tmp_path / "stray.xlsx"
    book.save(register)
    done = run_shanggao(tmp_path, "claims", "import", register, timeout=120)  # minutes without the bound
    assert "1 claims added" in done.stdout and "Traceback" not in done.stderr


def test_articles_import_keeps_good_lines_beside_hostile_ones(cli, tmp_path: Path) -> None:
    def good(n: int) -> bytes:
        return json.dumps({"url": f"https://a.example/{n}", "outlet": "rmrb", "title": f"标题{n}",
                           "published": "2022-06-24", "body": "正文" * 20}, ensure_ascii=False).encode()

    lines = [good(1), b'{"url": "\xff\xfe"}', b"\x93\x00\xc7\xfe\xff" * 40, good(2),
             b'{"url": "https://a.example/3", "outlet": "rmrb", "title": "t", "published": 1e400, "body": "x"}',
             b'{"url": "https://a.example/4", "outlet": "rmrb", "title": "t", "published": "2022-06-24", '
             b'"body": "x", "page_no": 99999999999}',
             b"[" * 100_000 + b"]" * 100_000, good(5)]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(b"\n".join(lines) + b"\n")
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(good(6).decode().encode("gbk") + b"\n")
    result = cli("articles", "import", mixed, gbk, expect=1)
    out = result.output
    assert "Traceback" not in out
    for line, reason in ((2, "not UTF-8 or GBK text"), (3, "not UTF-8 or GBK text"), (5, "unparseable date"),
                         (6, "page_no 99999999999 is out of range"), (7, "JSON nested too deeply")):
        assert f"{mixed}:{line}: {reason}" in out, out
    urls = cli("query", "SELECT url FROM articles ORDER BY url", "--format", "csv").output.split()
    assert urls == ["url", *(f"https://a.example/{n}" for n in (1, 2, 5, 6))]
    deep = tmp_path / "deep.jsonl"
    deep.write_bytes(b'{"id": "X", "title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
                     + '{"id": "LX-1", "title": "稿件", "body": "正文"}\n'.encode())
    result = cli("manuscripts", "import", deep, expect=1)
    assert f"{deep}:1: JSON nested too deeply" in result.output and "1 manuscripts added" in result.output


def test_links_out_of_an_imported_folder_are_not_followed(cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("机密\n正文不应被导入\n", encoding="utf-8")
    folder = tmp_path / "稿件"
    folder.mkdir()
    (folder / "a.txt").write_text("正常稿件\n\n正文。\n", encoding="utf-8")
    (folder / "passwd.txt").symlink_to(secret)
    (folder / "etc").symlink_to(tmp_path, target_is_directory=True)
    (folder / "inside.txt").symlink_to(folder / "a.txt")  # a link that stays inside is fine
    result = cli("manuscripts", "import", folder, expect=1)
    assert f"{folder / 'passwd.txt'}: a link to {secret}, outside the imported folder; not followed" in result.output
    assert f"{folder / 'etc'}: a link to {tmp_path}" in result.output
    titles = cli("query", "SELECT title FROM manuscripts", "--format", "csv").output
    assert "机密" not in titles and "正常稿件" in titles


def test_a_claims_evidence_file_outside_the_registers_folder_is_not_read(cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.4 not for shanggao")
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "inside.pdf").symlink_to(secret)
    register = folder / "claims.csv"
    register.write_text("申报编号,稿件编号,媒体,刊发日期,佐证\n"
                        f"A1,LX-1,湖南日报,2022-06-24,../secret.pdf\nA2,LX-1,湖南日报,2022-06-24,{secret}\n"
                        "A3,LX-1,湖南日报,2022-06-24,inside.pdf\n", encoding="utf-8")
    out = cli("claims", "import", register, expect=1).output
    for row in (2, 3, 4):
        assert f"{register}:{row}: 佐证" in out and "lies outside the register's folder" in out.split(f":{row}: ")[1]
    assert "3 claims added" in out
