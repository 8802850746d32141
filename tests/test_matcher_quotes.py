"""Quotations and borrowed passages are no evidence of a placement (matcher/quotes.py).

Two manuscripts of different townships paste the same ~200-character passage; an
article carrying only that passage links to neither, an article carrying one
manuscript's own paragraphs and the passage links to that one only; a passage
found in the archive before the manuscript was submitted is discounted, after
it is not; and the false claim resting on the passage gets text_mismatch with
仅引文相同 through ``shanggao match`` and ``shanggao verify``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner
from matcher_support import NIGHT_TEXT, TEA_TEXT, background, filler_article, insert_articles, sha

from shanggao.cli import main
from shanggao.db import Store
from shanggao.matcher import DocumentFrequency, compare_texts, explain, match_store
from shanggao.matcher.normalize import normalize_with_offsets
from shanggao.matcher.quotes import marked_spans

# A passage both manuscripts paste (our own text, written in the manner of a 文件 paragraph): 200+ characters.
PASSAGE = (
    "基层党组织是党的全部工作和战斗力的基础，要把每一个基层党组织都建设成为宣传党的主张、贯彻党的决定、"
    "领导基层治理、团结动员群众、推动改革发展的坚强战斗堡垒。各级党委要履行好主体责任，书记要当好第一责任人，"
    "坚持抓两头带中间，推动软弱涣散村党组织整顿常态化长效化，把党员队伍建设好、把带头人选拔好、"
    "把村级议事决策制度完善好，让基层党组织在服务群众中立起威信、在推动发展中发挥作用。"
)
URL = "https://news.example.cn/{}.html"
SUBMITTED = dt.date(2024, 5, 10)
LATER = dt.date(2024, 6, 1)


def insert_manuscripts(store: Store, rows: list[tuple[str, str, str, str, str]]) -> None:
    """(manuscript_id, title, body, author, unit) rows, submitted on SUBMITTED."""
    with store.write() as con:
        con.executemany(
            "INSERT INTO manuscripts (manuscript_id, title, body, body_hash, authors, unit, submitted_date, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
            [(m, t, b, sha(t + b), [a], u, SUBMITTED) for m, t, b, a, u in rows])


def links(store: Store) -> set[tuple[str, str]]:
    with store.read() as con:
        return set(con.execute("SELECT m.manuscript_id, a.url FROM matches m JOIN articles a USING (article_id)")
                   .fetchall())


def refused(store: Store) -> dict[tuple[str, str], dict]:
    with store.read() as con:
        return {(m, u): json.loads(d) for m, u, d in con.execute(
            "SELECT q.manuscript_id, a.url, q.detail FROM matcher_quotation_pairs q JOIN articles a USING (article_id)"
        ).fetchall()}


@pytest.fixture()
def shared_store(tmp_path) -> Store:
    """Manuscripts A (tea, 浦市镇) and B (night school, 白沙镇) both paste PASSAGE."""
    store = Store(tmp_path / "q.duckdb")
    store.init()
    insert_articles(store, [(URL.format(f"bg{i}"), f"工作动态{i}", b) for i, b in enumerate(background(40))])
    insert_manuscripts(store, [
        ("A", "马王溪村的黄金茶", TEA_TEXT + "\n我们体会到，" + PASSAGE, "向明", "浦市镇"),
        ("B", "四点半夜校", NIGHT_TEXT[:180] + "\n社区党总支认识到，" + PASSAGE + "\n" + NIGHT_TEXT[180:],
         "田芳", "白沙镇"),
    ])
    insert_articles(store, [
        (URL.format("only-passage"), "抓党建促振兴", filler_article(500) + PASSAGE + filler_article(501)),
        (URL.format("a-placed"), "马王溪村的黄金茶", TEA_TEXT + "\n" + PASSAGE),
    ], published=LATER)
    return store


def test_a_pair_sharing_only_a_quoted_passage_never_links(shared_store):
    match_store(shared_store)
    found = links(shared_store)
    assert ("A", URL.format("a-placed")) in found
    assert not {pair for pair in found if pair[1] == URL.format("only-passage")}
    # the manuscript that only shares the passage with A's placement is not linked to it
    assert ("B", URL.format("a-placed")) not in found
    why = refused(shared_store)
    only, placed = URL.format("only-passage"), URL.format("a-placed")
    assert {("A", only), ("B", only), ("B", placed)} <= set(why)
    assert why[("B", placed)]["reason"] == "仅引文相同"
    assert any(s["why"] == "shared" and s["manuscripts"] == ["A"] for s in why[("B", placed)]["discounted"])


def test_stored_evidence_passages_are_own_text_only(shared_store):
    match_store(shared_store)
    with shared_store.read() as con:
        body, evidence = con.execute("SELECT ms.body, m.evidence FROM matches m JOIN manuscripts ms USING "
                                     "(manuscript_id) WHERE manuscript_id = 'A'").fetchone()
    evidence = json.loads(evidence)
    passage = normalize_with_offsets(PASSAGE).text
    for p in evidence["passages"]:
        shown = normalize_with_offsets(body[p["manuscript"][0]:p["manuscript"][1]]).text
        assert len(shown) < 24 or shown not in passage
    assert evidence["discounted"] and evidence["discounted"][0]["why"] == "shared"


def test_explain_names_the_discounted_spans(shared_store):
    match_store(shared_store)
    e = explain(shared_store, "B", URL.format("a-placed"))
    assert not e.asserted and e.quotation_only
    assert e.discounted and "与其他稿件共有：A" in e.discounted[0]["reason"]
    assert normalize_with_offsets(PASSAGE).text[5:-5] in normalize_with_offsets(e.discounted[0]["manuscript_text"]).text
    result = CliRunner().invoke(main, ["--db", str(shared_store.path), "explain", "B", URL.format("a-placed"),
                                       "--width", "200"])
    assert result.exit_code == 0, result.output
    assert "仅引文相同" in result.output and "与其他稿件共有：A" in result.output


def _prior_art_store(tmp_path, source_published: dt.date) -> Store:
    """Manuscript C pastes PASSAGE (unmarked); a source article carries it on ``source_published``."""
    store = Store(tmp_path / "p.duckdb")
    store.init()
    insert_articles(store, [(URL.format(f"bg{i}"), f"工作动态{i}", b) for i, b in enumerate(background(40))])
    insert_manuscripts(store, [("C", "马王溪村的黄金茶", TEA_TEXT + "\n" + PASSAGE, "向明", "浦市镇")])
    insert_articles(store, [(URL.format("source"), "关于抓党建促乡村振兴的意见",
                             filler_article(600) + PASSAGE + filler_article(601))], published=source_published)
    insert_articles(store, [
        (URL.format("c-placed"), "小小茶叶富了一村人", "本报讯（通讯员 向明）" + TEA_TEXT + "\n" + PASSAGE),
        (URL.format("other-county"), "某县抓党建促振兴", filler_article(602) + PASSAGE + filler_article(603)),
    ], published=LATER)
    return store


def test_a_passage_in_the_archive_before_submission_is_discounted(tmp_path):
    store = _prior_art_store(tmp_path, dt.date(2024, 4, 1))
    match_store(store)
    assert links(store) == {("C", URL.format("c-placed"))}
    why = refused(store)
    assert set(why) == {("C", URL.format("source")), ("C", URL.format("other-county"))}
    prior = [s for s in why[("C", URL.format("other-county"))]["discounted"] if s["why"] == "prior_art"]
    assert prior and prior[0]["url"] == URL.format("source") and prior[0]["published"] == "2024-04-01"


def test_a_passage_that_appeared_after_submission_is_not_discounted(tmp_path):
    store = _prior_art_store(tmp_path, dt.date(2024, 5, 20))
    match_store(store)
    assert links(store) == {("C", URL.format(u)) for u in ("c-placed", "source", "other-county")}
    assert not refused(store)


def test_an_earlier_placement_is_not_a_source(tmp_path):
    """The county's own post of the manuscript, out before the (late) submission date, stays a placement."""
    store = _prior_art_store(tmp_path, dt.date(2024, 4, 1))
    insert_articles(store, [(URL.format("wechat"), "马王溪村的黄金茶", TEA_TEXT)], published=dt.date(2024, 5, 2))
    match_store(store, everything=True)
    assert {("C", URL.format("c-placed")), ("C", URL.format("wechat"))} <= links(store)


def test_marked_quotations_and_attributed_text():
    text = ("县委书记在会上强调：“要把党的政治建设摆在首位，确保全县各级党组织坚强有力。”"
            "村民说：“合作社让我们在家门口就能挣钱。”\n"
            "据新华社北京6月1日电，中共中央办公厅近日印发关于加强基层党组织建设的意见，要求各地认真贯彻落实。\n"
            "《中国共产党章程》规定，党的基层组织是党在社会基层组织中的战斗堡垒。接下来是本镇的做法。\n"
            "根据《实施方案》要求，镇党委成立了工作专班，由党委书记任组长，统筹推进各项工作落实落地。")
    norm = normalize_with_offsets(text)
    spans = {(s.why, s.source["marker"], norm.text[s.start:s.end]) for s in marked_spans(norm)}
    assert spans == {
        ("quotation", "强调", "要把党的政治建设摆在首位确保全县各级党组织坚强有力"),
        ("attributed", "据新华社北京6月1日电",
         "中共中央办公厅近日印发关于加强基层党组织建设的意见要求各地认真贯彻落实"),
        ("attributed", "《中国共产党章程》规定", "党的基层组织是党在社会基层组织中的战斗堡垒"),
    }   # the villager's words (说) and 根据《方案》要求 are the manuscript's own reporting


def test_a_marked_quotation_alone_does_not_link(tmp_path):
    store = Store(tmp_path / "m.duckdb")
    store.init()
    insert_articles(store, [(URL.format(f"bg{i}"), f"工作动态{i}", b) for i, b in enumerate(background(40))])
    insert_manuscripts(store, [("D", "马王溪村的黄金茶", TEA_TEXT + "\n会议强调，“" + PASSAGE + "”", "向明", "浦市镇")])
    insert_articles(store, [
        (URL.format("quoting"), "学习贯彻会议精神",
         filler_article(700) + "会议强调，“" + PASSAGE + "”" + filler_article(701)),
        (URL.format("d-placed"), "马王溪村的黄金茶", TEA_TEXT[:400] + "\n会议强调，“" + PASSAGE + "”"),
    ], published=LATER)
    match_store(store)
    assert links(store) == {("D", URL.format("d-placed"))}


def test_false_claim_resting_on_a_shared_quotation_is_text_mismatch(tmp_path):
    """End to end through the CLI: import, match, claims import, verify."""
    db = str(tmp_path / "e.duckdb")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("init")
    manuscripts = tmp_path / "manuscripts.jsonl"
    manuscripts.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in [
        {"id": "LX-A", "title": "马王溪村的黄金茶", "body": TEA_TEXT + "\n我们体会到，" + PASSAGE,
         "authors": ["向明"], "unit": "浦市镇", "submitted": "2024-05-10"},
        {"id": "LX-B", "title": "四点半夜校", "body": NIGHT_TEXT + "\n社区党总支认识到，" + PASSAGE,
         "authors": ["田芳"], "unit": "白沙镇", "submitted": "2024-05-10"},
    ]), encoding="utf-8")
    articles = tmp_path / "articles.jsonl"
    rows = [{"url": f"https://www.hunantoday.cn/a/2024050{i % 9 + 1}/{i:06d}.html", "outlet": "xhn",
             "title": f"工作动态{i}", "published": f"2024-05-0{i % 9 + 1}", "body": b}
            for i, b in enumerate(background(40))]
    placed = "https://www.hunantoday.cn/a/20240601/000999.html"
    rows.append({"url": placed, "outlet": "xhn", "title": "马王溪村的黄金茶", "published": "2024-06-01",
                 "byline": "通讯员 向明", "body": TEA_TEXT + "\n" + PASSAGE})
    articles.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    run("manuscripts", "import", str(manuscripts))
    run("articles", "import", str(articles))
    run("match")
    claims = tmp_path / "2024年6月上稿登记.csv"
    with claims.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["申报编号", "稿件编号", "作者", "单位", "媒体", "刊发日期", "标题", "链接"])
        w.writerow(["C1", "LX-A", "向明", "浦市镇", "新湖南", "2024-06-01", "马王溪村的黄金茶", placed])
        w.writerow(["C2", "LX-B", "田芳", "白沙镇", "新湖南", "2024-06-01", "四点半夜校", placed])
    run("claims", "import", str(claims))
    run("verify", "--period", "2024-06")
    with Store(db).read() as con:
        verdicts = dict(con.execute("SELECT claim_id, status FROM verdicts").fetchall())
        reasons = con.execute("SELECT reasons FROM verdicts WHERE claim_id = 'C2'").fetchone()[0]
    assert verdicts["C1"].startswith("verified") and verdicts["C2"] == "text_mismatch"
    assert "仅引文相同" in json.dumps(reasons, ensure_ascii=False)


def test_a_30_percent_excerpt_of_a_long_report_quoting_a_shared_passage_still_links(tmp_path):
    """经验材料 of ~7,000 characters pasting PASSAGE; a 30 % excerpt around the passage links to it only."""
    store = Store(tmp_path / "long.duckdb")
    store.init()
    insert_articles(store, [(URL.format(f"bg{i}"), f"工作动态{i}", b) for i, b in enumerate(background(40))])
    sections = [filler_article(900 + i) for i in range(28)]
    report = "\n".join(sections[:14] + ["对此我们体会到，" + PASSAGE] + sections[14:])
    assert 6000 <= len(report) <= 8000
    insert_manuscripts(store, [
        ("LONG", "泸溪县抓党建促乡村振兴经验材料", report, "符晓燕", "县委组织部"),
        ("OTHER", "四点半夜校", NIGHT_TEXT + "\n社区党总支认识到，" + PASSAGE, "田芳", "白沙镇"),
    ])
    start = report.index(sections[10])
    excerpt = report[start:start + int(0.3 * len(report))]
    assert PASSAGE in excerpt
    insert_articles(store, [(URL.format("excerpt"), "抓党建促乡村振兴的泸溪实践", "本报讯（通讯员 符晓燕）" + excerpt)],
                    published=LATER)
    match_store(store)
    assert links(store) == {("LONG", URL.format("excerpt"))}
    assert ("OTHER", URL.format("excerpt")) in refused(store)   # it would have linked through the passage


def test_compare_texts_discounts_marked_quotations_without_a_store():
    manuscript = TEA_TEXT + "\n会议强调，“" + PASSAGE + "”"
    quoting = filler_article(800) + "会议强调，“" + PASSAGE + "”" + filler_article(801)
    df = DocumentFrequency.from_texts([*background(40), manuscript, quoting])
    assert not compare_texts(manuscript, quoting, df).placement
    assert compare_texts(manuscript, TEA_TEXT[:300] + quoting, df).placement


def test_the_own_text_pass_in_worker_processes_stores_what_one_process_stores(shared_store, monkeypatch):
    import shanggao.matcher.pipeline as pipeline

    def stored() -> tuple[set, set]:
        with shared_store.read() as con:
            return (set(con.execute("SELECT manuscript_id, article_id, score, kind, evidence::VARCHAR FROM matches")
                        .fetchall()),
                    set(con.execute("SELECT manuscript_id, article_id, detail::VARCHAR FROM matcher_quotation_pairs")
                        .fetchall()))

    match_store(shared_store)
    alone = stored()
    monkeypatch.setattr(pipeline, "PARALLEL_PAIRS", 1)    # the links judged again go to the two workers
    match_store(shared_store, everything=True)
    assert stored() == alone and alone[1]


def test_a_link_judged_again_on_its_own_text_stores_what_explain_recomputes(shared_store):
    # the run reuses the alignment it made before the spans were known; explain aligns the pair anew
    match_store(shared_store)
    with shared_store.read() as con:
        stored = json.loads(con.execute("SELECT evidence FROM matches WHERE manuscript_id = 'A'").fetchone()[0])
    e = explain(shared_store, "A", URL.format("a-placed"))
    assert stored["discounted"] and e.asserted
    assert [(p["manuscript"], p["article"], p["matched_chars"]) for p in stored["passages"]] == \
        [(p["manuscript"], p["article"], p["matched_chars"]) for p in e.passages]
    assert stored["evidence"] == round(e.features.evidence, 1)


def test_a_packed_alignment_unpacks_to_the_same_masks():
    from shanggao.matcher.align import Alignment, Passage
    from shanggao.matcher.pipeline import _PackedAlignment

    rng = np.random.default_rng(3)
    for n, m in ((0, 1), (7, 9), (8, 16), (1301, 2047)):   # lengths that do not fill the last byte too
        alignment = Alignment([Passage(0, 1, 0, 1, 1)], rng.random(n) < 0.5, rng.random(m) < 0.5)
        back = _PackedAlignment.of(alignment).unpacked()
        assert back.passages == alignment.passages
        assert back.m_mask.dtype == bool and (back.m_mask == alignment.m_mask).all()
        assert back.a_mask.dtype == bool and (back.a_mask == alignment.a_mask).all()
