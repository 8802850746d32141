"""Files shipped with shanggao are reachable by name from any folder: outlet files and the default rules.

Every command here runs the installed console script (or Scrapy) in a temp folder outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from cli_support import shanggao_command
from portals_support import FAST, GENERIC_SITES

from shanggao.db import Store
from shanggao.spiders.replay import ReplayProxy

REPO = Path(__file__).resolve().parents[1]
XXNET_ARTICLES = {"http://www.xxnet.com.cn/content/2026-07/22/content_332901.html",
                  "http://www.xxnet.com.cn/content/2026-07/20/content_332850.html"}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SHANGGAO_DB", "SHANGGAO_CONFIG")}
    return {**env, **extra}


def _outside(tmp_path: Path) -> Path:
    folder = tmp_path / "office"
    folder.mkdir()
    assert REPO not in folder.parents
    return folder


def _xxnet_mirror(tmp_path: Path) -> Path:
    """The loopback copy of 湘西网 filed under its real host, for the replay proxy."""
    mirror = tmp_path / "mirror"
    shutil.copytree(GENERIC_SITES / "xxnet", mirror / "www.xxnet.com.cn")
    return mirror


def _stored_urls(db: Path) -> set[str]:
    with Store(db).read() as con:
        return {url for (url,) in con.execute("SELECT url FROM articles WHERE outlet = 'xxnet'").fetchall()}


def test_rules_show_prints_the_bundled_defaults_from_any_folder(tmp_path):
    folder = _outside(tmp_path)
    shown = subprocess.run([*shanggao_command(), "rules", "--show"], cwd=folder, env=_env(),
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    bundled = (REPO / "shanggao" / "default_rules.toml").read_text(encoding="utf-8")
    assert shown.stdout == bundled
    (folder / "office_rules.toml").write_text(shown.stdout.replace("central = 20", "central = 25"), encoding="utf-8")
    checked = subprocess.run([*shanggao_command(), "rules", "--rules", "office_rules.toml"], cwd=folder,
                             env=_env(), capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("rules: office_rules.toml (digest ")
    default = subprocess.run([*shanggao_command(), "rules"], cwd=folder, env=_env(), capture_output=True,
                             text=True, timeout=60)
    assert default.stdout.startswith("rules: the bundled defaults (digest ")
    assert default.stdout != checked.stdout.replace("office_rules.toml", "the bundled defaults")
    (folder / "bad.toml").write_text("[points]\ncentral = 'many'\n", encoding="utf-8")
    bad = subprocess.run([*shanggao_command(), "rules", "--rules", "bad.toml"], cwd=folder, env=_env(),
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "central" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_crawl_outlet_file_by_bare_name_from_any_folder(tmp_path):
    folder = _outside(tmp_path)
    (folder / "shanggao.toml").write_text(
        "[shanggao]\ndownload_delay = 0.0\nautothrottle = false\nconcurrency_per_domain = 8\n", encoding="utf-8")
    db = folder / "office.duckdb"
    with ReplayProxy(_xxnet_mirror(tmp_path)) as proxy:
        proc = subprocess.run([*shanggao_command(), "--db", str(db), "crawl", "--outlet-file", "xxnet",
                               "--from", "2026-07-20", "--to", "2026-07-22"],
                              cwd=folder, env=_env(**proxy.env()), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.startswith("xxnet")
    assert _stored_urls(db) == XXNET_ARTICLES

    missing = subprocess.run([*shanggao_command(), "--db", str(db), "crawl", "--outlet-file", "nosuch"],
                             cwd=folder, env=_env(), capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "nosuch: outlet file not found" in missing.stderr and "xxnet" in missing.stderr


def test_scrapy_crawl_generic_outlet_file_by_bare_name_from_any_folder(tmp_path):
    folder = _outside(tmp_path)
    db = folder / "scrapy.duckdb"
    settings = [arg for k, v in FAST.items() for arg in ("-s", f"{k}={v}")]
    with ReplayProxy(_xxnet_mirror(tmp_path)) as proxy:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", "outlet_file=xxnet",
             "-a", "start=2026-07-20", "-a", "end=2026-07-22", "-s", f"SHANGGAO_DB={db}", *settings],
            cwd=folder, env=_env(SCRAPY_SETTINGS_MODULE="shanggao.spiders.settings", **proxy.env()),
            capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _stored_urls(db) == XXNET_ARTICLES
    with Store(db).read() as con:
        days = {d for (d,) in con.execute("SELECT published_date FROM articles").fetchall()}
    assert days == {date(2026, 7, 20), date(2026, 7, 22)}
