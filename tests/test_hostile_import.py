"""Issue 16, points 3, 4 and 8–11: importers meet hostile and unlucky files."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

MANUSCRIPT = "泸溪县开展党员培训\n编号：LX-1\n作者：张三\n单位：白沙镇\n报送日期：2022-06-01\n\n正文第一段。\n"


def _claims(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text("申报编号,稿件编号,作者,单位,媒体,刊发日期,链接\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
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
    rendered = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", report.read_text(encoding="utf-8"))  # Markdown escapes undone
    written = re.search(r"shanggao fetch '[^']*'", rendered).group(0)
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
