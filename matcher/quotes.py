"""Quotations: text a manuscript shares with what it could have borrowed from is no evidence of a placement.

Official manuscripts quote: two townships paste the same paragraph of a speech,
a 中央文件, 党章 or a 新华社 piece, then add their own text.  The evidence that an
article carries manuscript M is M's **own** text, so before a link is asserted
the manuscript's *discounted spans* are taken out of the evidence:

* **quotation** — text inside quotation marks introduced by 强调/指出/要求/提出…
  (``习近平总书记强调，“……”``), and **attributed** text: what follows
  ``据新华社…报道，`` / ``新华社…电`` (to the end of the paragraph), or
  ``《…》指出/规定/明确…`` (to the end of the sentence);
* **prior art** — a passage of M that also occurs in an archive article
  published before M was submitted and sharing little else with M (the source
  it quotes, or an earlier article quoting the same).  An earlier article that
  carries much of M's text, or is mostly made of it, is an earlier placement of
  M (the county's own WeChat post), not a source;
* **shared** — a passage that occurs in another manuscript which shares little
  else with M: it is no evidence that an article carries one of them in
  particular.  Manuscripts sharing much text are versions of one piece, and
  nothing is discounted between them.

Prior art and shared passages are found through the fingerprint index (DuckDB
joins, never a scan of the archive) and located by the same alignment the
matcher uses.  The discount only ever removes evidence, so it is applied to the
pairs the matcher would link anyway (:func:`own_text_judgement`): a pair whose
remaining own text does not pass the same thresholds is refused, and the
refusal is stored (``matcher_quotation_pairs``) so that verification can say
仅引文相同.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import duckdb
import numpy as np
import pyarrow as pa
from rapidfuzz.distance import Indel

from shanggao.db import Store
from shanggao.db.rows import first_value
from shanggao.matcher.align import Alignment, Passage
from shanggao.matcher.normalize import NormText
from shanggao.matcher.score import MatcherParams, PairFeatures, pair_features
from shanggao.matcher.shingle import FINGERPRINT_K, fingerprint_positions, sorted_unique

MIN_QUOTE_CHARS = 12        # normalised characters a marked quotation needs to be discounted
MIN_BORROWED_CHARS = 24     # ... a passage shared with prior art or another manuscript (names are shorter)
MIN_SHARED_FINGERPRINTS = 4  # rare fingerprints, close together, a borrowed passage shares with its document
MAX_SOURCES = 40            # documents considered per manuscript, those sharing most first
MAX_RUN_GAP = 24            # characters between sampled fingerprints still inside one borrowed passage
MUCH_OF = 0.6               # an earlier article carrying this share of M's fingerprints is a placement of it
VERSION_OF = 0.8            # a manuscript sharing this share of M's, or of its own, is a version of the same piece
MIN_OWN_SEGMENT = 8         # own-text pieces of a passage shorter than this are not listed as evidence

# -- marked quotations ---------------------------------------------------------------

_VERBS = ("强调|指出|要求|提出|指示|批示|号召|寄语|阐明|阐述|写道|宣示|宣布|所说|讲道|论述|重申|明确|规定"
          "|告诫|嘱托|勉励|深刻揭示")
_QUOTE = re.compile(r"“([^“”]{4,1200})”|「([^「」]{4,1200})」")
_VERB_BEFORE = re.compile(rf"({_VERBS})[^。！？!?\n“”]{{0,16}}$")
# 据新华社…, 据《人民日报》报道 — not 根据《方案》, which is the county's own account
_ATTRIBUTED_PARAGRAPH = re.compile(
    r"(?<![根依数证占])据(?:(?:新华社|人民日报|新华网|人民网|央视新闻|央视网|中央广播电视总台|光明日报|经济日报|求是网?)"
    r"[^，,：:。\n]{0,24}|《[^》\n]{1,20}》[^，,：:。\n]{0,12}(?:报道|消息|电|刊发|刊文))[，,：:]"
    r"|^\s*新华社[^。\n，,]{0,16}电[）)]?\s*", re.MULTILINE)
_ATTRIBUTED_SENTENCE = re.compile(   # 《党章》规定，… — not 根据《方案》要求，… (the county's own account)
    rf"(?<!根据|按照|依照|对照|依据|结合|贯彻|落实|印发|制定|出台|围绕|学习)《[^》\n]{{1,40}}》(?:中|里|上)?[^，。\n“”《》]{{0,6}}(?:{_VERBS}|写道)[：:，,]\s*(?!“)")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


@dataclass(frozen=True)
class Span:
    """Normalised manuscript characters [start, end) that carry no weight, and why."""

    start: int
    end: int
    why: str        # quotation | attributed | prior_art | shared
    source: dict = field(default_factory=dict, compare=False)   # marker, or the article / manuscripts

    def describe(self) -> str:
        """One line in Chinese for ``shanggao explain``, the evidence JSON and the 工作底稿."""
        s = self.source
        if self.why == "quotation":
            return f"引文（“{s.get('marker', '')}”后的引号内文字）"
        if self.why == "attributed":
            return f"转引（{s.get('marker', '')}）"
        if self.why == "prior_art":
            return (f"早于报送已见刊：{s.get('outlet', '')}《{s.get('title', '')}》{s.get('published', '')} "
                    f"<{s.get('url', '')}>")
        return f"与其他稿件共有：{'、'.join(s.get('manuscripts', []))}"

    def to_dict(self, norm: NormText | None = None) -> dict:
        out = {"why": self.why, "reason": self.describe(), **self.source}
        if norm is not None and self.end > self.start:
            out["manuscript"] = list(norm.span(self.start, self.end))
        return out


def _to_norm(norm: NormText, start: int, end: int) -> tuple[int, int]:
    """Original offsets [start, end) → normalised [start, end)."""
    return (int(np.searchsorted(norm.offsets, start, "left")), int(np.searchsorted(norm.offsets, end, "left")))


def marked_spans(norm: NormText) -> list[Span]:
    """Quotations introduced by 强调/指出/… and text attributed to a source, in ``norm``'s coordinates."""
    text = norm.original
    found: list[tuple[int, int, str, str]] = []
    for m in _QUOTE.finditer(text):
        verb = _VERB_BEFORE.search(text, max(0, m.start() - 22), m.start())
        if verb is not None:
            found.append((m.start() + 1, m.end() - 1, "quotation", verb.group(1)))
    for m in _ATTRIBUTED_PARAGRAPH.finditer(text):
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        found.append((m.end(), min(end, m.end() + 600), "attributed", m.group(0).strip(" \n，,：:")))
    for m in _ATTRIBUTED_SENTENCE.finditer(text):
        stop = _SENTENCE_END.search(text, m.end())
        found.append((m.end(), stop.start() if stop else len(text), "attributed", m.group(0).rstrip("：:，, ")))
    spans = []
    for start, end, why, marker in found:
        ns, ne = _to_norm(norm, start, end)
        if ne - ns >= MIN_QUOTE_CHARS:
            spans.append(Span(ns, ne, why, {"marker": marker}))
    return spans


# -- prior art and shared passages, through the index ---------------------------------

class WeighedDoc(Protocol):
    norm: NormText
    weights: np.ndarray


@dataclass
class _Prints:
    """A manuscript's fingerprints that are not stock text, sorted, with their positions."""

    fp: np.ndarray
    pos: np.ndarray

    @classmethod
    def of(cls, doc: WeighedDoc) -> _Prints:
        pos, fp = fingerprint_positions(doc.norm.text)
        if len(pos):   # a fingerprint over stock text (weight 0) cannot make evidence; leave it out
            total = np.concatenate(([0.0], np.cumsum(doc.weights)))
            keep = total[pos + FINGERPRINT_K] - total[pos] > 0
            pos, fp = pos[keep], fp[keep]
        order = np.argsort(fp, kind="stable")
        return cls(fp[order], pos[order])

    def distinct(self) -> np.ndarray:
        return sorted_unique(self.fp)

    def positions(self, fps: Sequence[int]) -> np.ndarray:
        wanted = np.asarray(fps, dtype=np.int64)
        left = np.searchsorted(self.fp, wanted, "left")
        right = np.searchsorted(self.fp, wanted, "right")
        found = [self.pos[a:b] for a, b in zip(left, right, strict=True)]
        return np.sort(np.concatenate(found)) if found else np.zeros(0, np.int64)


def _tables(prints: Mapping[str, _Prints], pairs: Sequence[tuple[str, np.ndarray]]) -> tuple[pa.Table, pa.Table]:
    """(mine, common): each manuscript's fingerprints, and those its paired articles carry too."""
    mids = sorted(prints)
    carried: dict[str, list[np.ndarray]] = defaultdict(list)
    for mid, article_fps in pairs:
        carried[mid].append(article_fps)
    mine_m, mine_fp, common_m, common_fp = [], [], [], []
    for i, mid in enumerate(mids):
        distinct = prints[mid].distinct()
        mine_m.append(np.full(len(distinct), i, np.int32))
        mine_fp.append(distinct)
        held = np.sort(np.concatenate(carried[mid])) if carried.get(mid) else np.zeros(0, np.int64)
        if len(held):   # once per manuscript however many articles it is paired with
            at = np.minimum(np.searchsorted(held, distinct), len(held) - 1)   # np.isin would hash both sides
            both = distinct[held[at] == distinct]
            common_m.append(np.full(len(both), i, np.int32))
            common_fp.append(both)
    names = pa.array(mids, type=pa.string())

    def table(ms: list, fps: list) -> pa.Table:
        m_idx = np.concatenate(ms) if ms else np.zeros(0, np.int32)
        f = np.concatenate(fps) if fps else np.zeros(0, np.int64)
        m = pa.DictionaryArray.from_arrays(pa.array(m_idx, type=pa.int32()), names)   # DuckDB reads it as VARCHAR
        return pa.table({"m": m, "fp": pa.array(f, type=pa.int64())})

    return table(mine_m, mine_fp), table(common_m, common_fp)


def borrowing_candidates(con: duckdb.DuckDBPyConnection, mine: pa.Table, common: pa.Table, df_high: int
                         ) -> list[tuple]:
    """Documents the manuscripts may have borrowed what their articles carry from.

    ``mine`` (m, fp) holds each manuscript's fingerprints, ``common`` (m, fp) those
    an article paired with it carries too.  One pass over the manuscripts'
    fingerprint table — and over the articles' when some manuscript has a
    submission date: prior art needs one — finds every document holding them.
    Returns (m, kind, doc, fps, overlap, mine, doc_fingerprints, url, outlet,
    title, published): ``kind`` 'a' for an article published before the
    manuscript's submission date, 'm' for another manuscript; ``fps`` the common
    fingerprints (rarer than ``df_high``) the document holds, at least
    MIN_SHARED_FINGERPRINTS; ``overlap`` how many of the manuscript's ``mine``
    fingerprints it holds in all; at most MAX_SOURCES documents of each kind per
    manuscript, those sharing most first.
    """
    if not common.num_rows:
        return []
    con.register("mine", mine)
    con.register("common", common)
    try:
        dated = first_value(con.execute("SELECT count(*) FROM manuscripts WHERE submitted_date IS NOT NULL "
                                        "AND manuscript_id IN (SELECT DISTINCT m FROM common)"))
        # 1. fingerprints held by the manuscript, its article (when articles are read) and at least one
        #    more document, fewer than df_high in all (a scan of the fingerprint column alone) ...
        article_fps = ("UNION ALL SELECT fp FROM matcher_article_fp WHERE fp IN (SELECT fp FROM common)"
                       if dated else "")
        rare = con.execute(f"""
            SELECT fp FROM (SELECT fp FROM matcher_manuscript_fp WHERE fp IN (SELECT fp FROM common) {article_fps})
            GROUP BY fp HAVING count(*) BETWEEN {3 if dated else 2} AND {int(df_high) - 1}
        """).fetchnumpy()["fp"]
        if not len(rare):
            return []
        con.register("rare", pa.table({"fp": pa.array(np.asarray(rare), type=pa.int64())}))
        article_holders = """
                UNION ALL
                SELECT fp, 'a', CAST(article_id AS VARCHAR) FROM matcher_article_fp WHERE fp IN (SELECT fp FROM rare)
        """ if dated else ""
        # ... and the documents holding them
        found = con.execute(f"""
            WITH rare_holders AS MATERIALIZED (
                SELECT fp, 'm' AS kind, manuscript_id AS doc FROM matcher_manuscript_fp
                WHERE fp IN (SELECT fp FROM rare)
                {article_holders}
            ),
            rare_common AS MATERIALIZED (SELECT * FROM common SEMI JOIN rare USING (fp)),
            pairs AS MATERIALIZED (
                SELECT c.m, h.kind, h.doc, c.fp FROM rare_common c JOIN rare_holders h USING (fp)
                WHERE NOT (h.kind = 'm' AND h.doc = c.m)
            ),
            hits AS MATERIALIZED (
                SELECT h.m, h.kind, h.doc, h.shared, a.url, a.outlet, a.title, a.published_date FROM (
                    SELECT m, kind, doc, count(*) AS shared FROM pairs
                    GROUP BY ALL HAVING count(*) >= {MIN_SHARED_FINGERPRINTS}
                ) h
                JOIN manuscripts ms ON ms.manuscript_id = h.m
                LEFT JOIN articles a ON h.kind = 'a' AND a.article_id = TRY_CAST(h.doc AS BIGINT)
                WHERE h.kind = 'm' OR (ms.submitted_date IS NOT NULL AND a.published_date < ms.submitted_date)
                QUALIFY row_number() OVER (PARTITION BY h.m, h.kind ORDER BY h.shared DESC, h.doc) <= {MAX_SOURCES}
            )
            SELECT h.m, h.kind, h.doc, f.fps, h.url, h.outlet, h.title, h.published_date FROM hits h
            JOIN (SELECT m, kind, doc, list(fp) AS fps FROM pairs SEMI JOIN hits USING (m, kind, doc) GROUP BY ALL) f
              USING (m, kind, doc)
        """).fetchall()
        if not found:
            return []
        # 2. how much of each manuscript those documents hold in all (a placement or a version holds much)
        con.register("found", pa.table({"m": [r[0] for r in found], "kind": [r[1] for r in found],
                                         "doc": [r[2] for r in found]}))
        parts = []
        if any(r[1] == "m" for r in found):
            parts.append("SELECT fp, 'm' AS kind, manuscript_id AS doc FROM matcher_manuscript_fp "
                         "WHERE fp IN (SELECT fp FROM hm) "
                         "AND manuscript_id IN (SELECT doc FROM found WHERE kind = 'm')")
        if any(r[1] == "a" for r in found):
            parts.append("SELECT fp, 'a' AS kind, CAST(article_id AS VARCHAR) AS doc FROM matcher_article_fp "
                         "WHERE fp IN (SELECT fp FROM hm) "
                         "AND article_id IN (SELECT doc::BIGINT FROM found WHERE kind = 'a')")
        overlap = {(m, kind, doc): (n, size, doc_size) for m, kind, doc, n, size, doc_size in con.execute(f"""
            WITH hm AS MATERIALIZED (SELECT * FROM mine SEMI JOIN (SELECT DISTINCT m FROM found) USING (m)),
            h AS ({" UNION ALL ".join(parts)}),
            sizes AS (SELECT m, count(*) AS n FROM hm GROUP BY m)
            SELECT x.m, h.kind, h.doc, count(*), any_value(s.n), any_value(md.fingerprints)
            FROM hm x JOIN h USING (fp) SEMI JOIN found USING (m, kind, doc) JOIN sizes s USING (m)
            LEFT JOIN matcher_documents md
              ON md.doc_kind = CASE h.kind WHEN 'a' THEN 'article' ELSE 'manuscript' END AND md.doc_id = h.doc
            GROUP BY x.m, h.kind, h.doc
        """).fetchall()}
        con.unregister("found")
        return [(m, kind, doc, fps, *overlap.get((m, kind, doc), (0, 1, 1)), url, outlet, title, published)
                for m, kind, doc, fps, url, outlet, title, published in found]
    finally:
        for name in ("mine", "common", "rare"):
            con.unregister(name)


def _runs(positions: np.ndarray) -> list[tuple[int, int]]:
    """Normalised spans covered by runs of nearby fingerprints (a borrowed passage), long enough to count."""
    if len(positions) < MIN_SHARED_FINGERPRINTS:
        return []
    breaks = np.flatnonzero(np.diff(positions) > MAX_RUN_GAP) + 1
    out = []
    for run in np.split(positions, breaks):
        start, end = int(run[0]), int(run[-1]) + FINGERPRINT_K
        if len(run) >= MIN_SHARED_FINGERPRINTS and end - start >= MIN_BORROWED_CHARS:
            out.append((start, end))
    return out


def borrowed_spans(store: Store, docs: Mapping[str, WeighedDoc], pairs: Sequence[tuple[str, np.ndarray]],
                   params: MatcherParams) -> dict[str, list[Span]]:
    """Prior-art and shared spans of the manuscripts ``docs`` (id → weighed text) that
    the articles they are paired with (``pairs``: manuscript_id, the article's distinct
    fingerprints, :func:`~shanggao.matcher.shingle.fingerprints`) carry.

    A document is a source when it shares little else with the manuscript: an
    earlier article holding less than MUCH_OF of the manuscript's fingerprints
    (more is an earlier placement, however short the article), another
    manuscript sharing less than VERSION_OF of either's (more is a version).
    """
    pairs = [(m, a) for m, a in pairs if m in docs and len(docs[m].norm.text)]
    prints = {m: _Prints.of(docs[m]) for m in sorted({m for m, _ in pairs})}
    mine, common = _tables(prints, pairs)
    with store.read() as con:
        rows = borrowing_candidates(con, mine, common, params.df_high)
    spans: dict[str, list[Span]] = defaultdict(list)
    shared_with: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for mid, kind, doc, fps, overlap, size, doc_size, url, outlet, title, published in rows:
        carried = overlap / size if size else 0.0
        made_of = overlap / doc_size if doc_size else 0.0
        if (kind == "a" and carried >= MUCH_OF) or (kind == "m" and max(carried, made_of) >= VERSION_OF):
            continue   # an earlier placement, or a version of the same piece
        for start, end in _runs(prints[mid].positions(fps)):
            if kind == "a":
                spans[mid].append(Span(start, end, "prior_art", {
                    "article_id": int(doc), "url": url, "outlet": outlet or "", "title": title or "",
                    "published": published.isoformat() if published else ""}))
            else:
                shared_with[(mid, start, end)].append(doc)
    for (mid, start, end), with_ in sorted(shared_with.items()):
        spans[mid].append(Span(start, end, "shared", {"manuscripts": sorted(with_)}))
    return dict(spans)


def discounted_spans(store: Store, docs: Mapping[str, WeighedDoc], pairs: Sequence[tuple[str, np.ndarray]],
                     params: MatcherParams) -> dict[str, list[Span]]:
    """Discounted spans of the manuscripts ``docs`` for their ``pairs`` (manuscript_id, the
    article's distinct fingerprints): marked quotations, and the prior art and shared passages
    the articles carry."""
    borrowed = borrowed_spans(store, docs, pairs, params)
    out = {}
    for mid, doc in docs.items():
        spans = marked_spans(doc.norm) + borrowed.get(mid, [])
        if spans:
            out[mid] = sorted(spans, key=lambda s: (s.start, s.end, s.why))
    return out


def span_mask(n: int, spans: Iterable[Span]) -> np.ndarray:
    """Bool per normalised character: inside some discounted span."""
    delta = np.zeros(n + 1, np.int32)
    for s in spans:
        delta[max(0, s.start)] += 1
        delta[min(n, s.end)] -= 1
    return np.cumsum(delta[:n]) > 0


# -- the own-text judgement of one pair ------------------------------------------------

@dataclass(frozen=True)
class OwnText:
    """A pair judged on the manuscript's own text."""

    features: PairFeatures
    passages: list[Passage]            # own-text passages only
    m_weights: np.ndarray              # manuscript weights, discounted spans at 0
    a_weights: np.ndarray              # article weights, characters matched to discounted spans at 0
    spans: list[Span]                  # the manuscript's discounted spans the article carries


def _passage_pairing(m: str, a: str, p: Passage, alignment: Alignment) -> np.ndarray:
    """For each manuscript character of passage ``p``, the article character it is matched to (-1: none)."""
    m_at = np.flatnonzero(alignment.m_mask[p.m_start:p.m_end])
    a_at = np.flatnonzero(alignment.a_mask[p.a_start:p.a_end])
    m_to_a = np.full(p.m_end - p.m_start, -1, np.int64)
    if len(m_at) == len(a_at) == p.matched:
        # the masks inside the passage are its own matches, which pair up in order (an alignment
        # keeps order): no need to align the passage again
        m_to_a[m_at] = a_at + p.a_start
        return m_to_a
    for op in Indel.opcodes(m[p.m_start:p.m_end], a[p.a_start:p.a_end]):   # passages overlap: realign
        if op.tag == "equal":
            m_to_a[op.src_start:op.src_end] = np.arange(op.dest_start, op.dest_end) + p.a_start
    return m_to_a


def _own_pieces(m: str, a: str, p: Passage, alignment: Alignment, mask: np.ndarray,
                a_out: np.ndarray) -> list[Passage]:
    """Split one passage at discounted manuscript characters; mark the article side in ``a_out``."""
    m_to_a = _passage_pairing(m, a, p, alignment)
    local = mask[p.m_start:p.m_end]
    a_out[m_to_a[local & (m_to_a >= 0)]] = True
    pieces: list[Passage] = []
    own = np.flatnonzero(~local)
    if not len(own):
        return pieces
    breaks = np.flatnonzero(np.diff(own) != 1) + 1
    for run in np.split(own, breaks):
        hit = m_to_a[run]
        hit = hit[hit >= 0]
        if len(hit) >= MIN_OWN_SEGMENT:
            pieces.append(Passage(p.m_start + int(run[0]), p.m_start + int(run[-1]) + 1,
                                  int(hit.min()), int(hit.max()) + 1, int(len(hit))))
    return pieces


def own_text_judgement(m_norm: NormText, m_weights: np.ndarray, a_norm: NormText, a_weights: np.ndarray,
                       alignment: Alignment, spans: Sequence[Span], params: MatcherParams) -> OwnText:
    """Features of a pair with the manuscript's discounted spans carrying no weight on either side."""
    mask = span_mask(len(m_norm.text), spans)
    a_mask = np.zeros(len(a_norm.text), bool)
    passages: list[Passage] = []
    for p in alignment.passages:
        if mask[p.m_start:p.m_end].any():
            passages.extend(_own_pieces(m_norm.text, a_norm.text, p, alignment, mask, a_mask))
        else:
            passages.append(p)
    m_w = np.where(mask, 0.0, m_weights)
    a_w = np.where(a_mask, 0.0, a_weights)
    own = Alignment(passages, alignment.m_mask & ~mask, alignment.a_mask & ~a_mask)
    carried = [s for s in spans if alignment.m_mask[s.start:s.end].any()]
    return OwnText(pair_features(m_norm, m_w, a_w, own, params), passages, m_w, a_w, carried)


__all__ = ["OwnText", "Span", "borrowed_spans", "borrowing_candidates", "discounted_spans",
           "marked_spans", "own_text_judgement", "span_mask"]
