"""Issue 16, points 2, 13 and 14: fetch meets internal addresses, broken hosts and huge pages.

Pages are served by a plain HTTP server on 127.0.0.1; reaching it needs the
allow-list, given explicitly (config ``allow_internal`` or ``--allow-internal``).
"""

from __future__ import annotations

import gzip
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from cli_support import shanggao_command

ARTICLE = ("<html><head><title>泸溪县开展党员培训</title></head><body><article><h1>泸溪县开展党员培训</h1>"
           + "".join(f"<p>第{i}段：泸溪县委组织部组织全县党员开展集中培训，学习党的理论和业务知识。</p>"
                     for i in range(12))
           + "</article></body></html>").encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        self.server.paths.append(self.path)

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body)),
                           **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/robots.txt":
            self._send(404)
        elif self.path == "/article.html":
            self._send(200, ARTICLE)
        elif self.path == "/to-loopback":
            self._send(302, headers={"Location": f"http://127.0.0.1:{port}/article.html"})
        elif self.path.startswith("/loop"):
            self._send(302, headers={"Location": "/loop-again" if self.path == "/loop" else "/loop"})
        elif self.path == "/drop":
            self.log_message("drop")
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif self.path == "/big":
            self._send(200, b"<html><body>" + b"x" * (3 * 1024 * 1024) + b"</body></html>")
        elif self.path == "/gzip-bomb":
            self._send(200, gzip.compress(b"<html><body>" + b" " * (64 * 1024 * 1024), 9),
                       {"Content-Encoding": "gzip"})
        elif self.path.startswith("/news/"):
            links = "".join(f'<a href="/content/{i}.html">第{i}篇</a>' for i in range(50))
            self._send(200, f"<html><body>{links}</body></html>".encode())
        elif self.path.startswith("/content/"):
            if self.server.slow:
                self.server.paths.append(self.path + " (hanging)")
                time.sleep(self.server.slow)  # a server that hangs: the crawl must not wait for it to stop
            self._send(200, ARTICLE)
        else:
            self._send(404, b"no")


class _Paths(list):
    """The paths requested so far; ``.server`` is the server (tests slow it down)."""

    server: ThreadingHTTPServer


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.paths = _Paths()
    server.paths.server = server
    server.slow = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.paths
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "shanggao.toml"
    path.write_text("[shanggao]\ndownload_delay = 0.0\nautothrottle = false\nobey_robots = false\n"
                    'contact = "mailto:test@example.invalid"\n' + extra, encoding="utf-8")
    return path


def fetch(tmp_path: Path, *args: str, extra: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    db = tmp_path / "s.duckdb"
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "shanggao_db")}
    cmd = [*shanggao_command(), "--db", str(db), "--config", str(_config(tmp_path, extra)), "fetch", *args]
    return subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=timeout)


def problems(tmp_path: Path) -> list[tuple[str, str, str]]:
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        return con.execute("SELECT url, problem, detail FROM crawl_problems ORDER BY problem_id").fetchall()
    finally:
        con.close()


def articles(tmp_path: Path) -> list[str]:
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]
    finally:
        con.close()


def _one_line_failure(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.stderr.strip(), "a failure must say what happened"


def test_loopback_is_refused_unless_allowed(tmp_path: Path, site) -> None:
    base, paths = site
    done = fetch(tmp_path, f"{base}/article.html")
    _one_line_failure(done)
    assert "blocked_address" in done.stderr and "loopback" in done.stderr
    assert paths == [] and articles(tmp_path) == []
    assert [p[1] for p in problems(tmp_path)] == ["blocked_address"]
    # the flag allows it ...
    allowed = fetch(tmp_path, f"{base}/article.html", "--allow-internal", "127.0.0.1")
    assert allowed.returncode == 0, allowed.stderr
    assert articles(tmp_path) == [f"{base}/article.html"]
    # ... and so does the config's list
    (tmp_path / "s.duckdb").unlink()
    by_config = fetch(tmp_path, f"{base}/article.html", extra='allow_internal = ["127.0.0.0/8"]\n')
    assert by_config.returncode == 0, by_config.stderr
    assert articles(tmp_path) == [f"{base}/article.html"]


def test_metadata_and_private_addresses_are_refused_without_a_request(tmp_path: Path) -> None:
    done = fetch(tmp_path, "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/x",
                 "http://0.0.0.0/", "http://224.0.0.1/")
    _one_line_failure(done)
    kinds = {url: (problem, detail) for url, problem, detail in problems(tmp_path)}
    assert {k[0] for k in kinds.values()} == {"blocked_address"}
    assert "link-local" in kinds["http://169.254.169.254/latest/meta-data/"][1]
    assert "private" in kinds["http://10.0.0.1/"][1]
    assert len(kinds) == 5


def test_a_redirect_to_an_internal_address_is_refused(tmp_path: Path, site) -> None:
    base, paths = site
    port = base.rsplit(":", 1)[1]
    # "localhost" stands in for an allowed intranet host; its redirect to 127.0.0.1 is checked again
    done = fetch(tmp_path, f"http://localhost:{port}/to-loopback", "--allow-internal", "localhost")
    _one_line_failure(done)
    assert paths == ["/to-loopback"]
    [(url, problem, detail)] = problems(tmp_path)
    assert (url, problem) == (f"http://localhost:{port}/to-loopback", "blocked_address")
    assert detail.startswith(f"redirected to {base}/article.html")


def test_every_fetch_failure_is_one_line_and_a_problem_row(tmp_path: Path, site) -> None:
    base, _paths = site
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    urls = {f"{base}/loop": "redirect_loop", f"{base}/drop": "connection_error",
            f"http://127.0.0.1:{dead_port}/": "connection_refused", f"{base}/big": "too_large",
            f"{base}/gzip-bomb": "too_large", "http://no-such-host.invalid/": "dns_error"}
    done = fetch(tmp_path, *urls, "--allow-internal", "127.0.0.1", extra="max_response_mb = 1\n")
    _one_line_failure(done)
    got = {url: problem for url, problem, _ in problems(tmp_path)}
    assert got == urls, problems(tmp_path)
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "Not stored:" and len(lines) == 1 + len(urls), done.stderr  # one line per failure
    for url, kind in urls.items():
        assert any(line.startswith(f"  {url}: {kind} (") for line in lines), (url, done.stderr)


def test_a_huge_url_is_one_line(tmp_path: Path) -> None:
    done = fetch(tmp_path, "http://example.org/" + "a" * 100_000)
    _one_line_failure(done)
    assert "100,019 characters" in done.stderr and len(done.stderr) < 500


# -- crawls: links per page, signals ---------------------------------------------------------

def _crawl(tmp_path: Path, base: str, extra: str = "") -> subprocess.Popen:
    outlet = tmp_path / "loopback.toml"
    outlet.write_text(f'''[outlet]
slug = "loopback"
name = "回环测试站"
tier = "county"
base_url = "{base}"

[listing]
start = ["/news/"]
article = ['^/content/\\d+\\.html$']
max_pages = 1

[article]
title = ["//h1"]
''', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "shanggao_db")}
    cmd = [*shanggao_command(), "--db", str(tmp_path / "s.duckdb"),
           "--config", str(_config(tmp_path, 'allow_internal = ["127.0.0.1"]\n' + extra)),
           "crawl", "--outlet-file", str(outlet)]
    return subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_links_followed_from_one_page_are_capped(tmp_path: Path, site) -> None:
    base, paths = site
    proc = _crawl(tmp_path, base, "max_links_per_page = 10\nconcurrency_per_domain = 4\n")
    out, err = proc.communicate(timeout=180)
    assert "Traceback" not in out + err
    assert len([p for p in paths if p.startswith("/content/")]) == 10
    [(url, problem, detail)] = problems(tmp_path)
    assert (url, problem) == (f"{base}/news/", "too_many_links") and "more than 10 links" in detail


def test_sigterm_stops_a_crawl_promptly_and_records_it(tmp_path: Path, site) -> None:
    base, paths = site
    paths.server.slow = 600  # every article hangs far longer than the download timeout
    proc = _crawl(tmp_path, base)
    deadline = time.monotonic() + 120
    while not any(p.startswith("/content/") for p in paths) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(p.startswith("/content/") for p in paths), "the crawl never reached the articles"
    proc.send_signal(signal.SIGTERM)
    # well before the 30 s download timeout would end the hanging downloads
    out, err = proc.communicate(timeout=25)
    assert proc.returncode == 1 and "Traceback" not in out + err
    assert out.startswith("loopback   killed")
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        status, message = con.execute("SELECT status, message FROM crawl_runs").fetchone()
    finally:
        con.close()
    assert status == "killed" and message.startswith("stopped (shutdown)")
