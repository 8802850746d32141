"""Odd text never crashes the matcher: emoji, traditional characters, markup, mixed scripts, huge articles."""

from __future__ import annotations

import opencc
import pytest
from matcher_support import NIGHT_TEXT, TEA, TEA_TEXT, background, insert_articles, insert_manuscripts

from shanggao.db import Store
from shanggao.matcher import DocumentFrequency, compare_texts, match_store, normalize_with_offsets

ODD = [
    "",
    "😀🎉👍" * 50,
    "<html><body><p class=\"x\">" + TEA[0] + "</p><script>var a = 1 < 2 && 3 > 2;</script></body></html>",
    "&lt;p&gt;" + TEA[1] + "&amp;&nbsp;&#12345;&#x4e00;&bogus;",
    "Mixed 混合 Русский текст العربية 한국어 テキスト ½ ① ㎡ ﬁ \u200b\u200d\ufeff" + TEA[2],
    "\x00\x01\x1f 控制字符 \ud7ff \U0002a6d6 𠀀𪚥",
    "。，、；：？！…—·《》〈〉「」『』【】" * 30,
    "1" * 5000,
    "茶" * 3000,
]


@pytest.fixture(scope="module")
def df() -> DocumentFrequency:
    return DocumentFrequency.from_texts(background() + [TEA_TEXT, NIGHT_TEXT])


@pytest.mark.parametrize("text", ODD)
def test_odd_texts_compare_both_ways_without_error(df, text):
    normalize_with_offsets(text)
    for m, a in ((text, TEA_TEXT), (TEA_TEXT, text), (text, text)):
        c = compare_texts(m, a, df)
        assert 0 <= c.score <= 100


def test_traditional_repost_matches_the_simplified_manuscript(df):
    traditional = opencc.OpenCC("s2t").convert(TEA_TEXT)
    assert traditional != TEA_TEXT
    c = compare_texts(TEA_TEXT, traditional, df)
    assert c.placement and c.kind == "full"


def test_hundred_thousand_character_article_with_an_embedded_copy(df):
    padding = "".join(background(400))
    huge = (padding * (100_000 // len(padding) + 1))[:50_000] + TEA_TEXT + padding[:50_000]
    assert len(huge) > 100_000
    c = compare_texts(TEA_TEXT, huge, df)
    assert c.placement and c.features.manuscript_coverage > 0.95


def test_store_run_survives_odd_articles_and_manuscripts(tmp_path):
    store = Store(tmp_path / "odd.duckdb")
    store.init()
    insert_articles(store, [(f"https://odd.example/{i}", f"怪{i}", text) for i, text in enumerate(ODD)]
                    + [("https://odd.example/tea", "茶", ODD[2] + TEA_TEXT)])
    insert_manuscripts(store, [(f"ODD-{i}", "怪稿", text) for i, text in enumerate(ODD)] + [("TEA", "茶", TEA_TEXT)])
    result = match_store(store)
    assert ("TEA", ) in {(link.manuscript_id,) for link in result.links}
    flagged = {f.manuscript_id for f in result.flags if f.flag in ("empty", "unverifiable")}
    assert {"ODD-0", "ODD-1", "ODD-6"} <= flagged
