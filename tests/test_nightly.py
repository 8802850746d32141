"""The nightly job with real processes: a loopback mirror, concurrent readers, kill -9."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from cli_support import shanggao_command
from spiders_support import Mirror, write_fast_config

from shanggao.db import Store
from shanggao.nightly import NightlyBusy, NightlyLock, crawl_windows, lock_path
from shanggao.spiders.replay import ReplayProxy

DAYS = [dt.date(2025, 6, 10), dt.date(2025, 6, 11)]
TODAY = DAYS[-1]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Mirror:
    mirror = Mirror(tmp_path_factory.mktemp("mirror"))
    for day in DAYS:
        mirror.rmrb_day(day, pages=5)
        mirror.hnrb_day(day)
    mirror.hnrb_period(DAYS)
    return mirror


@pytest.fixture
def proxy(mirror: Mirror):
    with ReplayProxy(mirror.root) as proxy:
        yield proxy


def slow_config(path: Path, delay: float = 0.0) -> Path:
    """Politeness off, except an optional delay that stretches the crawl for kill/reader tests."""
    write_fast_config(path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('reports_dir = "reports"\n')
    if delay:
        text = path.read_text(encoding="utf-8").replace("download_delay = 0.0", f"download_delay = {delay}")
        text = text.replace("concurrency_per_domain = 8", "concurrency_per_domain = 1")
        path.write_text(text, encoding="utf-8")
    return path


def nightly_cmd(db: Path, config: Path) -> list[str]:
    return [*shanggao_command(), "--db", str(db), "--config", str(config), "nightly", "rmrb", "hnrb",
            "--today", TODAY.isoformat()]


def env_for(proxy: ReplayProxy) -> dict[str, str]:
    return {**os.environ, **proxy.env(), "SHANGGAO_LOCK_TIMEOUT": "60"}


def ro_rows(db: Path, sql: str) -> list[tuple]:
    with Store(db).read() as con:
        return con.execute(sql).fetchall()


def expected_articles(mirror: Mirror) -> set[str]:
    return {url for url, e in mirror.articles.items() if e.outlet in ("rmrb", "hnrb")}


def assert_complete_and_unique(db: Path, mirror: Mirror) -> None:
    urls = [r[0] for r in ro_rows(db, "SELECT url FROM articles")]
    assert len(urls) == len(set(urls)), "duplicate articles"
    assert set(urls) == expected_articles(mirror)
    dup_pages = ro_rows(db, "SELECT url, sha256, count(*) FROM pages GROUP BY ALL HAVING count(*) > 1")
    assert dup_pages == []
    assert ro_rows(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == [(0,)]


def test_nightly_crawls_matches_and_verifies(tmp_path: Path, mirror: Mirror, proxy: ReplayProxy) -> None:
    db, config = tmp_path / "n.duckdb", slow_config(tmp_path / "shanggao.toml")
    done = subprocess.run(nightly_cmd(db, config), env=env_for(proxy), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rmrb" in done.stdout and "hnrb" in done.stdout and "matching:" in done.stdout
    assert (tmp_path / "reports" / "上稿通报-2025-06.html").exists()  # relative to the config file
    assert_complete_and_unique(db, mirror)
    jobs = ro_rows(db, "SELECT status, window_start, window_end FROM crawl_runs "
                       "WHERE command = 'nightly' AND outlet IS NULL")
    assert jobs == [("ok", TODAY - dt.timedelta(days=1), TODAY)]
    # the second night finds nothing new and fetches no article page again
    proxy.clear_log()
    again = subprocess.run(nightly_cmd(db, config), env=env_for(proxy), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    fetched = {url for _, url, _ in proxy.requests}
    assert not fetched & {mirror.articles[u].fetch_url for u in expected_articles(mirror)}


def test_second_nightly_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "n.duckdb"
    Store(db).init()
    config = slow_config(tmp_path / "shanggao.toml")
    with NightlyLock(lock_path(Store(db))):
        done = subprocess.run([*shanggao_command(), "--db", str(db), "--config", str(config), "nightly", "rmrb"],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "another nightly run is in progress" in done.stderr
    assert f"pid {os.getpid()}" in done.stderr


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "n.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from shanggao.db import Store; from shanggao.nightly import NightlyLock, lock_path\n"
        f"lock = NightlyLock(lock_path(Store({str(db)!r}))).__enter__(); print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(NightlyBusy):
        NightlyLock(lock_path(Store(db))).__enter__()
    holder.kill()
    holder.wait()
    assert "pid" in lock_path(Store(db)).read_text()  # the dead holder's note is still in the file
    with NightlyLock(lock_path(Store(db))):
        assert f"pid {os.getpid()}" in lock_path(Store(db)).read_text()


def test_missed_nights_are_caught_up(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.duckdb")
    store.init()
    with store.write() as con:
        con.execute("INSERT INTO crawl_runs (job_id, command, outlet, window_start, window_end, started_at, status) "
                    "VALUES ('j', 'nightly', 'rmrb', DATE '2025-06-01', DATE '2025-06-05', "
                    "TIMESTAMP '2025-06-05 20:00', 'ok')")
    windows = crawl_windows(store, ["rmrb", "hnrb"], dt.date(2025, 6, 11), window_days=2, max_catchup_days=14)
    assert windows == {(dt.date(2025, 6, 5), dt.date(2025, 6, 11)): ["rmrb"],
                       (dt.date(2025, 6, 10), dt.date(2025, 6, 11)): ["hnrb"]}
    capped = crawl_windows(store, ["rmrb"], dt.date(2025, 7, 30), window_days=2, max_catchup_days=14)
    assert capped == {(dt.date(2025, 7, 16), dt.date(2025, 7, 30)): ["rmrb"]}


def test_readers_keep_working_while_a_crawl_writes(tmp_path: Path, mirror: Mirror, proxy: ReplayProxy) -> None:
    """shanggao query never fails, and a plain read-only duckdb reader is locked out only briefly."""
    db, config = tmp_path / "n.duckdb", slow_config(tmp_path / "shanggao.toml", delay=0.05)
    Store(db).init()
    writer = subprocess.Popen(nightly_cmd(db, config), env=env_for(proxy), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    counts: list[int] = []
    failures: list[str] = []
    longest_lockout, locked_since = 0.0, None
    while writer.poll() is None:
        q = subprocess.run([*shanggao_command(), "--db", str(db), "query", "SELECT count(*) AS n FROM articles",
                            "--format", "csv"],
                           capture_output=True, text=True, env={**os.environ, "SHANGGAO_LOCK_TIMEOUT": "60"})
        if q.returncode != 0:
            failures.append(q.stderr)
        else:
            counts.append(int(q.stdout.splitlines()[1]))
        try:  # an outside reader with no retry of its own, like the duckdb CLI in read-only mode
            con = duckdb.connect(str(db), read_only=True)
            con.execute("SELECT count(*) FROM articles").fetchone()
            con.close()
            if locked_since is not None:
                longest_lockout = max(longest_lockout, time.monotonic() - locked_since)
            locked_since = None
        except duckdb.Error:
            locked_since = locked_since or time.monotonic()
    out, err = writer.communicate()
    assert writer.returncode == 0, out + err
    assert failures == []
    assert len(counts) >= 3
    assert counts == sorted(counts), "a reader saw the article count go backwards"
    assert_complete_and_unique(db, mirror)
    print(f"queries during the crawl: {len(counts)}; longest lock-out of a plain reader: {longest_lockout:.2f}s")
    assert longest_lockout < 10


def _start(db: Path, config: Path, proxy: ReplayProxy) -> subprocess.Popen:
    return subprocess.Popen(nightly_cmd(db, config), env=env_for(proxy), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _kill(proc: subprocess.Popen) -> None:
    """kill -9 the whole process group, as systemd or an OOM kill would (crawl subprocess included)."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _reaches_line(proc: subprocess.Popen, marker: str) -> bool:
    """Read the run's output until a line containing ``marker``; False when the run ended first."""
    assert proc.stdout is not None
    return any(marker in line for line in proc.stdout)


def _reaches_requests(proc: subprocess.Popen, proxy: ReplayProxy, served: int) -> bool:
    """Wait, however long it takes, until the proxy has served ``served`` pages since its log was
    cleared; False when the run ended first."""
    while len(proxy.requests) < served:
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return proc.poll() is None


def test_kill_9_at_any_moment_then_rerun_finishes_the_work(tmp_path: Path, mirror: Mirror, proxy: ReplayProxy) -> None:
    """Killed at checkpoints the runs themselves signal (their stage lines, the pages the proxy has
    served), so where each kill lands does not depend on how fast the machine is."""
    db, config = tmp_path / "n.duckdb", slow_config(tmp_path / "shanggao.toml", delay=0.05)
    Store(db).init()
    # many manuscripts make matching long enough to be interrupted
    register = tmp_path / "manuscripts.csv"
    register.write_text("id,title,body\n" + "".join(
        f"LX-{i:03d},稿件{i},泸溪县第{i}号稿件正文，记录了某乡镇开展党建工作的具体做法和成效，共有{i}名党员参与。\n"
        for i in range(300)), encoding="utf-8")
    subprocess.run([*shanggao_command(), "--db", str(db), "manuscripts", "import", str(register)], check=True,
                   capture_output=True)

    # 1. before the job has recorded itself: at once
    _kill(_start(db, config, proxy))
    killed = 0  # runs killed after recording their crawl_runs row (their stage line "crawling …" says so)
    # 2. while fetching, after 1, 3, 6 and 10 pages of the run: before, between and inside the recorder's
    #    DB writes.  Every run fetches the two days' index pages, period.xml and robots.txt (17 pages),
    #    stored articles or not, so each checkpoint comes before the run ends.
    for served in (1, 3, 6, 10):
        proxy.clear_log()
        proc = _start(db, config, proxy)
        assert _reaches_line(proc, "crawling ") and _reaches_requests(proc, proxy, served), proc.stdout.read()
        _kill(proc)
        killed += 1
    # 3. during matching (300 manuscripts): as soon as the run says it has started
    proc = _start(db, config, proxy)
    assert _reaches_line(proc, "matching new articles"), "the run ended before matching"
    _kill(proc)
    killed += 1
    final = subprocess.run(nightly_cmd(db, config), env=env_for(proxy), capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr
    assert_complete_and_unique(db, mirror)
    statuses = ro_rows(db, "SELECT status, count(*) FROM crawl_runs "
                           "WHERE command = 'nightly' AND outlet IS NULL GROUP BY ALL")
    assert dict(statuses).get("failed", 0) >= killed  # every killed job that got as far as recording itself
    assert dict(statuses)["ok"] == 1
    # the matcher's rows are whole: every match points at a stored article and manuscript
    orphans = ro_rows(db, "SELECT count(*) FROM matches m ANTI JOIN articles a USING (article_id)")
    assert orphans == [(0,)]
