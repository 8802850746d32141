"""shanggao.spiders.run: crawl subprocesses grouped under a caller's job id, and dying with their parent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from portals_support import FAST
from spiders_support import Mirror

from shanggao.config import Config, ConfigError
from shanggao.db import Store
from shanggao.spiders.address_guard import AllowListError
from shanggao.spiders.replay import ReplayProxy
from shanggao.spiders.run import CrawlOptions, crawl, crawl_settings

DAY = date(2024, 12, 25)


def test_crawl_options_come_from_the_config_and_reach_the_scrapy_settings(tmp_path):
    config = Config(contact="mailto:office@example.org", download_delay=3.0, concurrency_per_domain=1,
                    allow_internal=["10.1.2.0/24"], max_response_mb=2.0, max_links_per_page=7)
    options = config.crawl_options(["intranet.local"])
    assert options.allow_internal == ("10.1.2.0/24", "intranet.local")
    assert CrawlOptions.from_json(options.as_json()) == options  # what the crawl subprocess reads back
    with pytest.raises(AttributeError):
        options.download_delay = 0.0  # frozen
    settings = crawl_settings(Store(tmp_path / "s.duckdb"), job_id="j", command="crawl", options=options)
    assert settings.getfloat("DOWNLOAD_DELAY") == 3.0
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getint("DOWNLOAD_MAXSIZE") == 2 * 1024 * 1024
    assert settings.getint("SHANGGAO_MAX_LINKS_PER_PAGE") == 7
    assert settings.getlist("SHANGGAO_ALLOW_INTERNAL") == ["10.1.2.0/24", "intranet.local"]
    assert "mailto:office@example.org" in settings.get("USER_AGENT")
    # without options, the project's settings
    plain = crawl_settings(Store(tmp_path / "s.duckdb"), job_id="j", command="crawl")
    assert plain.getint("SHANGGAO_MAX_LINKS_PER_PAGE") == 500 and plain.getlist("SHANGGAO_ALLOW_INTERNAL") == []
    with pytest.raises(ConfigError, match="--allow-internal: .*'not a host'"):
        config.crawl_options(["not a host"])
    with pytest.raises(AllowListError):
        CrawlOptions(allow_internal=("not a host",))


def test_crawl_groups_its_runs_under_a_given_job_id(tmp_path):
    mirror = Mirror(tmp_path / "mirror")
    mirror.rmrb_day(DAY, pages=1)
    store = Store(tmp_path / "s.duckdb")
    with ReplayProxy(mirror.root) as proxy:
        env = {**os.environ, **proxy.env()}
        first = crawl(store, ["rmrb"], DAY, DAY, settings_overrides=FAST, env=env, timeout=60, job_id="nightly-t1")
        second = crawl(store, ["rmrb"], DAY, DAY, settings_overrides=FAST, env=env, timeout=60, job_id="nightly-t1")
        own = crawl(store, ["rmrb"], DAY, DAY, settings_overrides=FAST, env=env, timeout=60)
    # each call reports its own rows only, under the shared job id
    assert [(r.outlet, r.status, r.job_id) for r in first] == [("rmrb", "ok", "nightly-t1")]
    assert [(r.outlet, r.job_id) for r in second] == [("rmrb", "nightly-t1")]
    assert second[0].run_id > first[0].run_id
    assert own[0].job_id not in ("nightly-t1", "")
    with store.read() as con:
        jobs = con.execute("SELECT job_id, count(*) FROM crawl_runs GROUP BY job_id ORDER BY job_id").fetchall()
    assert jobs == sorted([("nightly-t1", 2), (own[0].job_id, 1)])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_crawl_subprocess_dies_with_its_parent(tmp_path):
    # A proxy that accepts connections and never answers: the crawl waits on its first request.
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    proxy = f"http://127.0.0.1:{hole.getsockname()[1]}"
    db = tmp_path / "s.duckdb"
    parent_code = textwrap.dedent(f"""
        import os
        from datetime import date
        from shanggao.db import Store
        from shanggao.spiders.run import crawl
        crawl(Store({str(db)!r}), ["rmrb"], date(2024, 12, 25), date(2024, 12, 25),
              settings_overrides={{"DOWNLOAD_TIMEOUT": 300, "RETRY_ENABLED": False, "ROBOTSTXT_OBEY": False,
                                   "LOG_LEVEL": "WARNING"}},
              env={{**os.environ, "http_proxy": {proxy!r}, "https_proxy": {proxy!r}}})
    """)
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=Path(__file__).resolve().parents[1])
    try:
        child = _running_crawl_pid(Store(db), deadline=time.monotonic() + 60)
        assert child != parent.pid and _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the crawl subprocess outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        hole.close()


def _running_crawl_pid(store: Store, deadline: float) -> int:
    """The pid the crawl subprocess wrote into its crawl_runs row once its spider opened."""
    while time.monotonic() < deadline:
        if store.path.exists():
            with store.read() as con:
                row = con.execute("SELECT pid FROM crawl_runs WHERE status = 'running'").fetchone()
            if row:
                return row[0]
        time.sleep(0.2)
    raise AssertionError("the crawl subprocess never opened its spider")


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")
