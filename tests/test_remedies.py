"""Every remedy verification prints works as printed.

The verify scenarios (the June office of tests/verify_support.py, and claims on
fetch-only, print-only, platform and unregistered outlets) are verified; each
distinct ``suggestion`` is then run exactly as printed — split like a shell
would, in the folder holding ./shanggao.duckdb — against the loopback replay
proxy (no network).  A remedy is either a ``shanggao …`` command that runs
and does what it says, or the one sentence asking the claimant for the link.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from cli_support import shanggao_command
from test_outlets_office import unrated_scenario
from verify_support import Scenario, june_office, paragraph

from shanggao.db import Store
from shanggao.db.outlets import sync_outlets
from shanggao.rules import load_rules
from shanggao.spiders.replay import ReplayProxy
from shanggao.verify import verify_claims
from shanggao.verify.judge import ASK_FOR_LINK

JUNE = (dt.date(2022, 6, 1), dt.date(2022, 6, 30))


def _in_office_folder(build, folder: Path) -> Scenario:
    """A scenario built in ``folder`` with its store moved to ./shanggao.duckdb, where printed commands find it."""
    s = build(folder / "build")
    os.replace(s.store.path, folder / "shanggao.duckdb")
    store = Store(folder / "shanggao.duckdb")
    with store.write() as con:
        sync_outlets(con)
    return Scenario(store, s.articles)


def _mirror_page(root: Path, url: str, title: str) -> None:
    """The claimed link's page in the replay mirror: an article a generic reader can read."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = root / parts.netloc / parts.path.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"<p>{line}</p>" for line in paragraph(title[:6], 8).splitlines())
    path.write_text(f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
                    f"<h1>{title}</h1><div class='info'>2022-06-13 10:00</div>{body}</article></body></html>",
                    encoding="utf-8")


def _verdicts(store: Store) -> dict[str, tuple[str, str | None]]:
    verify_claims(store, *JUNE, load_rules())
    with store.read() as con:
        return {c: (status, suggestion) for c, status, suggestion in
                con.execute("SELECT claim_id, status, suggestion FROM verdicts").fetchall()}


def _quoted_commands(store: Store) -> dict[str, list[str]]:
    """Commands the verdicts' reasons and warnings quote (`shanggao …`) -> claims."""
    found: dict[str, list[str]] = {}
    with store.read() as con:
        for claim_id, texts in con.execute(
                "SELECT claim_id, list_concat(reasons, coalesce(warnings, [])) FROM verdicts").fetchall():
            for text in texts or []:
                for command in re.findall(r"`(shanggao [^`]*)`", text):
                    found.setdefault(command, []).append(claim_id)
    return found


@pytest.mark.parametrize("build", [june_office, unrated_scenario], ids=["june", "outlets"])
def test_every_remedy_verify_prints_runs_as_printed(tmp_path: Path, build) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    s = _in_office_folder(build, folder)
    before = _verdicts(s.store)
    remedies: dict[str, list[str]] = {}
    for claim_id, (_, suggestion) in sorted(before.items()):
        if suggestion:
            remedies.setdefault(suggestion, []).append(claim_id)
    assert remedies, "the scenario prints no remedy"
    for command in _quoted_commands(s.store):   # reasons and warnings quote commands too
        remedies.setdefault(command, [])
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for remedy in remedies:
        words = shlex.split(remedy)
        if words[:2] == ["shanggao", "fetch"]:
            _mirror_page(mirror, words[2], "申报链接上的文章")
        if words[:3] == ["shanggao", "evidence", "add"]:
            from shanggao.evidence.specimen import Story, cjk_font_available, render_page

            if not cjk_font_available():
                pytest.skip("no CJK font to render the page photo (apt-get install fonts-noto-cjk)")
            image, _ = render_page([Story("年轻干部墩苗记", paragraph("年轻干部", 6))], masthead="组工通讯")
            image.save(folder / words[3])   # the file the remedy names, as the office would save it
    env = {k: v for k, v in os.environ.items() if k not in ("SHANGGAO_DB", "SHANGGAO_CONFIG")}
    with ReplayProxy(mirror) as proxy:
        env.update(proxy.env())
        for remedy in remedies:
            if remedy == ASK_FOR_LINK:
                continue
            words = shlex.split(remedy)
            assert words[0] == "shanggao", remedy
            done = subprocess.run([*shanggao_command(), *words[1:]], cwd=folder, env=env, capture_output=True,
                                  text=True, timeout=300)
            said = done.stdout + done.stderr
            assert "Traceback" not in said and "unknown outlet" not in said and "--help`)" not in said, (remedy, said)
            if words[1] == "crawl":
                # The mirror has none of these days: the crawl runs, records its run and reports the site's 404s.
                with s.store.read() as con:
                    ran = con.execute("SELECT count(*) FROM crawl_runs WHERE outlet = ? AND window_start = ? "
                                      "AND window_end = ? AND command = 'crawl'",
                                      [words[2], words[words.index("--from") + 1], words[words.index("--to") + 1]]
                                      ).fetchone()[0]
                assert ran == 1, (remedy, said)
            else:
                assert done.returncode == 0, (remedy, said)
    after = _verdicts(s.store)
    for remedy, claims in remedies.items():
        words = shlex.split(remedy)
        if words[:2] == ["shanggao", "fetch"] or words[:3] in (["shanggao", "evidence", "add"],
                                                                ["shanggao", "outlets", "add"]):
            for claim_id in claims:   # the remedy settled the claim: its verdict moved on
                assert after[claim_id] != before[claim_id], (remedy, claim_id, after[claim_id])
