"""``shanggao fetch`` on pages of unknown sites: the generic extractor's mechanisms, each on a small page
written here (dates, titles, layout tables, chrome), the replay proxy's long file names, and the shared
real pages when they are present."""

from __future__ import annotations

import urllib.request
from urllib.parse import quote
from pathlib import Path

from shanggao.spiders.replay import MAX_NAME_BYTES, ReplayProxy, add_page, fit_name, mirror_path


# -- the replay proxy: URLs whose file name would be too long --------------------------------------

def _get_through(proxy: ReplayProxy, url: str) -> tuple[int, str, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy.url}))
    try:
        with opener.open(url, timeout=10) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def test_a_query_longer_than_a_file_name_is_served(tmp_path: Path) -> None:
    long_query = "tracking=" + quote("泸溪组工" * 40) + "&from=" + "x" * 300
    url = f"http://www.county.invalid/news/show.htm?{long_query}"
    other = f"http://www.county.invalid/news/show.htm?{long_query}2"
    segment = "a" * 400
    deep = f"http://www.county.invalid/{segment}/page.html"
    add_page(tmp_path, url, "<html><body>long query</body></html>", charset="utf-8")
    add_page(tmp_path, other, "<html><body>another long query</body></html>")
    add_page(tmp_path, deep, "<html><body>long folder</body></html>")
    for path in (mirror_path(tmp_path, url), mirror_path(tmp_path, deep)):
        assert all(len(part.encode()) <= MAX_NAME_BYTES for part in path.relative_to(tmp_path).parts)
    assert mirror_path(tmp_path, url) != mirror_path(tmp_path, other)
    with ReplayProxy(tmp_path) as proxy:
        status, ctype, body = _get_through(proxy, url)
        assert (status, body) == (200, b"<html><body>long query</body></html>")
        assert ctype == "text/html; charset=utf-8"
        assert _get_through(proxy, other)[2] == b"<html><body>another long query</body></html>"
        assert _get_through(proxy, deep)[:2] == (200, "text/html")
        # a long query with no file of its own falls back to the query-less page, like a short one
        add_page(tmp_path, "http://www.county.invalid/news/list.htm", "<html>list</html>")
        assert _get_through(proxy, "http://www.county.invalid/news/list.htm?" + long_query)[2] == b"<html>list</html>"
        assert _get_through(proxy, "http://www.county.invalid/news/none.htm?" + long_query)[0] == 404


def test_short_names_are_kept_as_they_are() -> None:
    assert fit_name("content_1569937.htm%3Fdiv=-1") == "content_1569937.htm%3Fdiv=-1"
    long = "index.html%3F" + "q=1&" * 100
    fitted = fit_name(long)
    assert len(fitted.encode()) <= MAX_NAME_BYTES and fitted.startswith("index.html%3Fq=1&") and fitted.endswith(".html")
