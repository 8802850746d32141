"""Matcher units: normalisation, shingles, alignment, and the scoring invariants."""

from __future__ import annotations

import numpy as np
import pytest
from matcher_support import (
    CHROME_HEAD,
    CHROME_TAIL,
    NIGHT_SCHOOL,
    NIGHT_TEXT,
    STOCK,
    TEA,
    TEA_TEXT,
    background,
    filler_article,
)

from shanggao.matcher import DocumentFrequency, MatcherParams, compare_texts, normalize, normalize_with_offsets
from shanggao.matcher.align import align
from shanggao.matcher.score import char_weights
from shanggao.matcher.shingle import fingerprint_batch, fingerprints

PARAMS = MatcherParams()


@pytest.fixture(scope="module")
def df() -> DocumentFrequency:
    """The corpus the invariants are judged in: 40 genre fillers, a few site pages, the two manuscripts."""
    site_pages = [CHROME_HEAD + filler_article(100 + i) + CHROME_TAIL for i in range(30)]
    return DocumentFrequency.from_texts(background() + site_pages + [TEA_TEXT, NIGHT_TEXT])


# -- normalisation -------------------------------------------------------------

def test_width_space_punctuation_and_number_variants_normalise_alike():
    assert normalize("１２０多篇，ＡＢＣ！") == normalize("120余篇, abc!") == "120多篇abc"
    assert normalize("乡 村\u3000振\n兴") == "乡村振兴"
    assert normalize("“党建+”“合作社”") == normalize('"党建+""合作社"')


def test_traditional_characters_become_simplified():
    assert normalize("組織部門推動黨建工作") == normalize("组织部门推动党建工作")


def test_markup_and_emoji_are_dropped():
    assert normalize("<p>茶园&nbsp;增收</p>😀<br/>") == "茶园增收"


@pytest.mark.parametrize("text", [
    TEA_TEXT, "<div class='x'>組織&amp;部門</div>", "㎡①ﬁ混合 mixed 文本123", "", "。。。", "a&b<c", "😀" * 5,
])
def test_offsets_path_agrees_with_fast_path_and_points_into_the_original(text):
    norm = normalize_with_offsets(text)
    assert norm.text == normalize(text)
    assert len(norm.offsets) == len(norm.text)
    for i, ch in enumerate(norm.text):
        assert ch in normalize(text[norm.offsets[i]]) or not normalize(text[norm.offsets[i]])
    assert np.all(np.diff(norm.offsets) >= 0)


def test_sentences_and_clauses_follow_the_punctuation():
    norm = normalize_with_offsets("第一句，还是第一句。第二句！")
    assert norm.sentence_id.tolist() == [0] * 8 + [1] * 3
    assert norm.clause_id.tolist() == [0] * 3 + [1] * 5 + [2] * 3


# -- shingles ------------------------------------------------------------------

def test_batch_fingerprints_equal_per_text_fingerprints_and_never_straddle_texts():
    texts = [normalize(t) for t in (TEA_TEXT, NIGHT_TEXT, "短", "")]
    doc, fp = fingerprint_batch(texts)
    for i, text in enumerate(texts):
        assert sorted(fp[doc == i].tolist()) == sorted(fingerprints(text).tolist())
    joined_only = set(fingerprints("".join(texts)).tolist()) - set(fp.tolist())
    assert joined_only or len(texts[0]) < 5  # k-grams across the joint exist only in the joined text


# -- alignment -----------------------------------------------------------------

def test_alignment_finds_reordered_paragraphs_and_an_excerpt_anywhere():
    m = normalize(TEA_TEXT)
    reordered = normalize("\n".join([TEA[3], TEA[0], TEA[2]]))
    result = align(m, reordered)
    assert result.a_mask.mean() > 0.95
    lone = normalize("无关的开头文字若干。" + TEA[1] + "无关的结尾文字若干。")
    passages = align(m, lone).passages
    assert len(passages) == 1 and passages[0].matched >= len(normalize(TEA[1])) - 2


# -- scoring invariants --------------------------------------------------------

def test_a_text_matches_itself_fully(df):
    c = compare_texts(TEA_TEXT, TEA_TEXT, df)
    assert c.placement and c.kind == "full"
    assert c.features.manuscript_coverage == pytest.approx(1.0)
    assert c.features.article_coverage == pytest.approx(1.0)
    assert 90 <= c.score <= 100


def test_site_chrome_does_not_change_the_match(df):
    plain = compare_texts(TEA_TEXT, TEA_TEXT, df)
    wrapped = compare_texts(TEA_TEXT, CHROME_HEAD + TEA_TEXT + CHROME_TAIL, df)
    assert wrapped.placement and wrapped.kind == "full"
    assert wrapped.features.manuscript_coverage == pytest.approx(plain.features.manuscript_coverage)
    assert wrapped.features.article_coverage > 0.95  # the chrome is stock: the site repeats it


def test_edited_copy_with_changed_numbers_and_punctuation_still_matches(df):
    edited = "\n".join(TEA[:3]).replace("多", "余").replace("，", ",").replace("去年春天", "去年春季")
    c = compare_texts(TEA_TEXT, "新标题下的改写稿\n" + edited, df)
    assert c.placement and c.kind in ("full", "edited")
    assert c.features.article_coverage > 0.9


def test_removing_every_distinctive_sentence_removes_the_match(df):
    stock_only = "".join(STOCK[0] + filler_article(500 + i)[:40] + STOCK[2] for i in range(3))
    c = compare_texts(TEA_TEXT, stock_only, df)
    assert not c.placement and c.score < 50


def test_stock_phrases_alone_never_match(df):
    generic = "".join(STOCK) * 2
    weights = char_weights(normalize_with_offsets(generic), df, PARAMS)
    assert weights.sum() < PARAMS.min_manuscript_chars  # would be flagged unverifiable
    article = "近来各地工作扎实推进。" + "".join(STOCK) + filler_article(900)
    assert not compare_texts(generic, article, df).placement


def test_an_excerpt_of_two_sentences_in_a_roundup_matches_a_lone_clause_does_not(df):
    others = filler_article(700) + "综合稿的其他部分讲述了另一个县的做法。"
    excerpt = TEA[2]  # two sentences, about 100 distinctive characters
    roundup = compare_texts(TEA_TEXT, others + excerpt + NIGHT_SCHOOL[1] + others, df)
    assert roundup.placement and roundup.kind == "excerpt"
    clause = compare_texts(TEA_TEXT, others + "合作社第一批明前茶上市。" + others, df)
    assert not clause.placement


def test_scattered_short_clauses_with_stock_sentences_do_not_match(df):
    decoy = (filler_article(800) + STOCK[0] + "村民张秀英在家门口。" + STOCK[2]
             + "支部书记向春林带着样茶。" + filler_article(801))
    assert not compare_texts(TEA_TEXT, decoy, df).placement


def test_same_title_with_another_body_does_not_match(df):
    assert not compare_texts(TEA_TEXT, "小小黄金茶带富一方百姓\n" + NIGHT_TEXT, df).placement


def test_score_is_bounded_and_orders_evidence(df):
    full = compare_texts(TEA_TEXT, TEA_TEXT, df).score
    half = compare_texts(TEA_TEXT, "\n".join(TEA[:2]), df).score
    none = compare_texts(TEA_TEXT, NIGHT_TEXT, df).score
    assert 0 <= none < 50 <= half <= full <= 100
