"""The per-response code made faster for crawl speed still does exactly its job."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from shanggao.spiders.archive import WarcArchive, read_record
from shanggao.spiders.middlewares import (
    _ANY_PHRASE,
    _ANY_TOKEN,
    _CHALLENGE_PHRASES,
    _CHALLENGE_TOKENS,
    _GONE_PHRASES,
    best_encoding,
    interstitial_reason,
)


def test_interstitial_prefilter_covers_every_pattern_alternative():
    # The substring prefilter is derived from the regexes: one lower-cased literal per alternative,
    # each one a text its (case-folded) regex matches, so the prefilter never hides a match.
    def folded(pattern):
        return re.compile(pattern.pattern, pattern.flags | re.I)

    assert len(_ANY_TOKEN) == len(_CHALLENGE_TOKENS.pattern.split("|"))
    assert len(_ANY_PHRASE) == len(_CHALLENGE_PHRASES.pattern.split("|")) + len(_GONE_PHRASES.pattern.split("|"))
    for literal in _ANY_TOKEN:
        assert folded(_CHALLENGE_TOKENS).fullmatch(literal), literal
    for literal in _ANY_PHRASE:
        assert folded(_CHALLENGE_PHRASES).fullmatch(literal) or folded(_GONE_PHRASES).fullmatch(literal), literal


@pytest.mark.parametrize("page, expected", [
    ("<html><script>document.cookie='__jsl_clearance=1'</script></html>", "interstitial"),
    ("<html><head><title>Just a moment...</title></head><body>CHECKING YOUR BROWSER</body></html>",
     "interstitial"),
    ("<html><body><p>该内容已被发布者删除</p></body></html>", "not_article"),
    ("<html><body>" + "<p>泸溪县开展基层党建工作。</p>" * 2000 + "<p>页面不存在</p></body></html>", None),
    ("<html><body><h1>泸溪县椪柑丰收</h1><p>果农忙采摘。</p></body></html>", None),
])
def test_interstitial_reason(page, expected):
    found = interstitial_reason(page)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize("body, declared, expected", [
    (b"<html>plain ascii</html>", "gbk", "gbk"),
    (b"<html>plain ascii</html>", None, "utf-8"),
    ("<html>泸溪县</html>".encode(), "gb2312", "utf-8"),     # valid UTF-8 with CJK wins over the label
    ("<html>泸溪县</html>".encode("gbk"), "utf-8", "gb18030"),      # mislabelled GBK
    ("<html>泸溪县</html>".encode("gbk"), "gb2312", "gb18030"),
])
def test_best_encoding(body, declared, expected):
    assert best_encoding(body, declared) == expected


def test_warc_records_are_single_gzip_members_with_valid_digests(tmp_path):
    archive = WarcArchive(tmp_path, "job-rmrb")
    bodies = ["<html><p>泸溪县</p></html>".encode() * 50, b"", b"not found"]
    pointers = [archive.write_response(f"https://paper.people.com.cn/a/{i}.html", status, "OK",
                                       [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
                                       body, datetime(2026, 7, 22, 8, 0, 0))
                for i, (status, body) in enumerate(zip((200, 200, 404), bodies, strict=False))]
    archive.close()
    for i, (pointer, body) in enumerate(zip(pointers, bodies, strict=False)):
        assert read_record(tmp_path, pointer.warc_file, pointer.offset, pointer.length) == (
            f"https://paper.people.com.cn/a/{i}.html", (200, 200, 404)[i], body)
    data = (tmp_path / pointers[0].warc_file).read_bytes()
    assert sum(p.length for p in pointers) == len(data)
    records = 0
    for record in ArchiveIterator(io.BytesIO(data), check_digests=True):
        record.content_stream().read()
        assert record.digest_checker.passed is not False, record.digest_checker.problems
        assert record.http_headers.get_header("Transfer-Encoding") is None
        records += 1
    assert records == 3
