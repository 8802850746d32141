"""A loopback replay proxy: serves recorded pages for their real URLs, http and https.

Point the standard proxy variables at it and the spiders run unchanged
against a local mirror — Scrapy's HttpProxyMiddleware reads ``http_proxy`` /
``https_proxy``; for https it sends ``CONNECT host:443`` and this proxy
answers with TLS under a self-signed certificate for that host, made on first use (Scrapy does
not verify certificates by default).  No request ever leaves 127.0.0.1.

API::

    from shanggao.spiders.replay import ReplayProxy

    with ReplayProxy("tests/fixtures/spiders/mirror") as proxy:
        env = {**os.environ, **proxy.env()}        # http_proxy/https_proxy -> proxy.url
        subprocess.run(["shanggao", "crawl", "rmrb", "--date", "2024-12-25"], env=env)
        proxy.requests                             # [(method, url, status), ...] served so far

or from a shell: ``python -m spiders.replay MIRROR_DIR [--port N]`` (prints the
``export`` lines, serves until Ctrl-C).

Mirror layout (``root`` folder):

* ``<root>/<host>/<path>`` holds the body for ``http(s)://<host>/<path>`` —
  the scheme is not part of the key, the port is (``<host>_<port>`` when not
  80/443).
* A path ending in ``/`` (or empty) is served from ``index.html`` in that folder.
* A query string is kept in the file name with ``?`` written as ``%3F`` and
  ``/`` inside the query as ``%2F``: ``…/content_1569937.htm?div=-1`` is the
  file ``…/content_1569937.htm%3Fdiv=-1``; when that file is absent the
  query-less file is served.
* A file name longer than file systems allow (255 bytes, less room for the sidecar suffix) — a long query
  string, a long path segment — is stored as its first bytes, ``~``, a hash of the whole name and the
  extension of its path part: ``…/search.htm%3Fq=…~3f2a…c1.htm`` (:func:`fit_name`).
* A sidecar ``<file>.meta.json`` may override the response:
  ``{"status": 302, "headers": {"Location": "…"}, "charset": "gbk"}``.
  ``charset`` goes into the Content-Type header (omit it to send none, as many
  Chinese sites do); ``headers`` replace the defaults.  A sidecar alone (no
  body file) is enough for redirects and errors.
* Content-Type defaults by extension (``.htm``/``.html`` text/html, ``.xml``,
  ``.json``, ``.txt``, ``.pdf``, images).
* A POST is served like a GET of the URL with its body's fields appended as a
  sorted query string (JSON objects and form bodies alike; see ``post_key_url``):
  ``POST …/dianZiBaoHomePage {"id": "a1"}`` is the file ``…/dianZiBaoHomePage%3Fid=a1``.
* Anything else: ``404``.  ``robots.txt`` is just a file like any other.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import mimetypes
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

META_SUFFIX = ".meta.json"
_TYPES = {".htm": "text/html", ".html": "text/html", ".shtml": "text/html", ".xml": "text/xml",
          ".json": "application/json", ".txt": "text/plain", ".pdf": "application/pdf"}


def mirror_path(root: Path | str, url: str) -> Path:
    """Where a URL's body lives in the mirror (see the module docstring)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default:
        host = f"{host}_{parts.port}"
    path = unquote(parts.path or "/")
    if path.endswith("/"):
        path += "index.html"
    name = path.lstrip("/")
    if parts.query:
        name += "%3F" + parts.query.replace("/", "%2F")
    return Path(root, host, *(fit_name(part) for part in name.split("/")))


# Room for the longest name a file system takes (255 bytes) with the sidecar suffix added.
MAX_NAME_BYTES = 255 - len(META_SUFFIX)


def fit_name(name: str) -> str:
    """A mirror file or folder name that the file system accepts: ``name`` itself when short enough,
    else its first bytes, ``~``, a hash of the whole name and the extension of its path part."""
    raw = name.encode("utf-8")
    if len(raw) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(raw).hexdigest()[:24]
    suffix = PurePosixPath(name.split("%3F", 1)[0]).suffix
    suffix = suffix if len(suffix) <= 10 else ""
    head = raw[:MAX_NAME_BYTES - len(digest) - len(suffix) - 1].decode("utf-8", "ignore")
    return f"{head}~{digest}{suffix}"


def post_key_url(url: str, body: bytes) -> str:
    """The URL a POST is filed under: its JSON-object or form fields as a sorted query."""
    try:
        fields = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, ValueError):
        fields = None
    if isinstance(fields, dict):
        pairs = sorted((str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                       for k, v in fields.items())
    else:
        pairs = sorted(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if not pairs:
        return url
    return url + ("&" if urlsplit(url).query else "?") + urlencode(pairs, safe=":,")


def add_page(root: Path | str, url: str, body: bytes | str, *, status: int | None = None,
             headers: dict[str, str] | None = None, charset: str | None = None) -> Path:
    """Write one page (and its sidecar when overrides are given) into a mirror."""
    path = mirror_path(root, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    meta = {k: v for k, v in (("status", status), ("headers", headers), ("charset", charset)) if v}
    sidecar = path.with_name(path.name + META_SUFFIX)
    if meta:
        sidecar.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    elif sidecar.exists():
        sidecar.unlink()
    return path


def _self_signed_context(host: str, directory: Path) -> ssl.SSLContext:
    """A TLS server context with a fresh self-signed certificate naming ``host``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64] or "replay")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host or "replay")]), critical=False)
            .sign(key, hashes.SHA256()))
    safe = "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in host) or "default"
    cert_path, key_path = directory / f"{safe}.crt", directory / f"{safe}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


class _Certificates:
    """One self-signed certificate per host, made on first use, chosen by SNI."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self.default = self.context_for("replay.invalid")
        self.default.sni_callback = self._pick

    def context_for(self, host: str) -> ssl.SSLContext:
        with self._lock:
            if host not in self._contexts:
                self._contexts[host] = _self_signed_context(host, self.directory)
            return self._contexts[host]

    def _pick(self, sock: ssl.SSLObject, server_name: str | None, _context) -> None:
        if server_name:
            sock.context = self.context_for(server_name.lower())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ReplayServer
    scheme = "http"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the request log is kept in memory
        pass

    def do_CONNECT(self) -> None:
        host = self.path.rsplit(":", 1)[0]
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = self.server.certificates.default.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        try:
            _TlsHandler(tls, self.client_address, self.server, host)
        finally:
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(head=False, body=self.rfile.read(length) if length else b"")

    def _target(self) -> str:
        if self.path.startswith(("http://", "https://")):
            return self.path
        return f"{self.scheme}://{self.headers.get('Host', 'localhost')}{self.path}"

    def _serve(self, head: bool, body: bytes | None = None) -> None:
        url = self._target() if body is None else post_key_url(self._target(), body)
        status, headers, payload = self.server.lookup(url)
        self.server.log(self.command, url, status)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if not head:
            self.wfile.write(payload)


class _TlsHandler(_Handler):
    scheme = "https"

    def __init__(self, sock, client_address, server, connect_host: str):
        self.connect_host = connect_host
        super().__init__(sock, client_address, server)

    def _target(self) -> str:
        if self.path.startswith(("http://", "https://")):
            return self.path
        return f"https://{self.headers.get('Host') or self.connect_host}{self.path}"


class _ReplayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, address: tuple[str, int], certificates: _Certificates):
        super().__init__(address, _Handler)
        self.root = root
        self.certificates = certificates
        self.requests: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()

    def log(self, method: str, url: str, status: int) -> None:
        with self._lock:
            self.requests.append((method, url, status))

    def lookup(self, url: str) -> tuple[int, dict[str, str], bytes]:
        path = mirror_path(self.root, url)
        if not _exists(path) and urlsplit(url).query:
            path = mirror_path(self.root, urlsplit(url)._replace(query="").geturl())
        sidecar = path.with_name(path.name + META_SUFFIX)
        meta = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
        if not path.is_file() and not meta:
            return 404, {"Content-Type": "text/html"}, b"<html><body><h1>404 Not Found</h1></body></html>"
        body = path.read_bytes() if path.is_file() else b""
        served = PurePosixPath(path.name.split("%3F", 1)[0])  # the type is the URL path's, not the query's
        ctype = _TYPES.get(served.suffix.lower()) or mimetypes.guess_type(served.name)[0] or "application/octet-stream"
        if meta.get("charset"):
            ctype += f"; charset={meta['charset']}"
        headers = {"Content-Type": ctype, **meta.get("headers", {})}
        return int(meta.get("status", 200)), headers, body


def _exists(path: Path) -> bool:
    return path.is_file() or path.with_name(path.name + META_SUFFIX).is_file()


class ReplayProxy:
    """Context manager: a replay proxy on 127.0.0.1 (a free port unless given), in a thread."""

    def __init__(self, root: Path | str, port: int = 0):
        self.root = Path(root)
        self.port = port
        self._server: _ReplayServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """(method, url, status) of every request served so far."""
        return list(self._server.requests) if self._server else []

    def clear_log(self) -> None:
        if self._server:
            with self._server._lock:
                self._server.requests.clear()

    def env(self) -> dict[str, str]:
        """Environment entries that route http and https through the proxy."""
        return {"http_proxy": self.url, "https_proxy": self.url, "HTTP_PROXY": self.url,
                "HTTPS_PROXY": self.url, "no_proxy": "", "NO_PROXY": ""}

    def start(self) -> ReplayProxy:
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root}: mirror folder not found")
        self._tmp = tempfile.TemporaryDirectory(prefix="shanggao-replay-")
        certificates = _Certificates(Path(self._tmp.name))
        self._server = _ReplayServer(self.root, ("127.0.0.1", self.port), certificates)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="replay-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ReplayProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m spiders.replay", description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path, help="mirror folder (<root>/<host>/<path>)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with ReplayProxy(args.root, args.port) as proxy:
        print(f"export http_proxy={proxy.url} https_proxy={proxy.url}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
