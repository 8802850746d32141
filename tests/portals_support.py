"""Helpers for the portal spider tests: fixture responses, fast crawl settings, a plain loopback site."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scrapy.http import HtmlResponse, Request, TextResponse

from shanggao.spiders.middlewares import best_encoding
from shanggao.spiders.replay import mirror_path

FIXTURES = Path(__file__).parent / "fixtures" / "portals"
MIRROR = FIXTURES / "mirror"
GENERIC_SITES = FIXTURES / "generic"
OUTLET_FILES = Path(__file__).resolve().parents[1] / "spiders" / "outlet_files"

# Politeness off for loopback crawls (the proxy answers instantly; nothing leaves 127.0.0.1).
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_BACKOFF_BASE": 0,
    "SHANGGAO_BATCH_SECONDS": 0.5,
    "LOG_LEVEL": "WARNING",
}


def fixture_response(url: str) -> HtmlResponse:
    """The mirror's page for ``url`` as Scrapy would hand it to a callback (charset repaired)."""
    body = mirror_path(MIRROR, url).read_bytes()
    response = HtmlResponse(url, body=body, request=Request(url))
    return response.replace(encoding=best_encoding(body, response._declared_encoding()))


def json_response(url: str) -> TextResponse:
    return TextResponse(url, body=mirror_path(MIRROR, url).read_bytes(), encoding="utf-8", request=Request(url))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the request log is kept in memory instead
        self.server.paths.append(self.path)


@contextmanager
def loopback_site(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` on 127.0.0.1 (plain HTTP); yields (base URL, requested paths)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.paths
    finally:
        server.shutdown()
        server.server_close()
