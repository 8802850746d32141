"""Building verification/report scenarios in a real temp DuckDB store, row by row in SQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from shanggao.db import Store
from shanggao.db.outlets import resolve_outlet, sync_outlets

NOW = dt.datetime(2022, 7, 1, 8, 0, 0)


def new_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "office.duckdb")
    store.init()
    with store.write() as con:
        sync_outlets(con)
    return store


def paragraph(topic: str, n: int = 6) -> str:
    """A plausible body about ``topic`` (our own sentences), ``n`` paragraphs."""
    lines = [
        f"今年以来，{topic}坚持把党建引领贯穿工作全过程，推动各项任务落地见效。",
        f"{topic}组织党员干部深入村组院落，逐户走访了解群众急难愁盼问题。",
        f"围绕产业发展，{topic}因地制宜发展特色种养，带动群众稳定增收。",
        f"{topic}建立问题清单和责任清单，实行销号管理，确保件件有着落。",
        f"在人才培养方面，{topic}选派年轻干部到基层一线墩苗历练。",
        f"下一步，{topic}将持续巩固拓展成果，以高质量党建推动高质量发展。",
    ]
    return "\n".join(lines[i % len(lines)] + ("" if i < len(lines) else f"（{i}）") for i in range(n))


@dataclass
class Scenario:
    store: Store
    articles: dict[str, int] = field(default_factory=dict)   # key -> article_id

    # -- rows -----------------------------------------------------------------------
    def manuscript(self, ms_id: str, title: str, unit: str, authors: list[str], submitted: str,
                   body: str | None = None) -> None:
        body = body or paragraph(title[:6])
        with self.store.write() as con:
            con.execute(
                "INSERT INTO manuscripts (manuscript_id, title, body, authors, unit, submitted_date, body_hash, "
                "source_file,"
                " source_row, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'register.xlsx', NULL, ?)",
                [ms_id, title, body, authors, unit, submitted, hashlib.sha256(body.encode()).hexdigest(), NOW],
            )

    def article(self, key: str, url: str, outlet: str, title: str, published: str, *, page_no: int | None = None,
                byline: str | None = None, authors: list[str] | None = None, body: str | None = None,
                page_name: str | None = None, subtitle: str | None = None) -> int:
        body = body or paragraph(title[:6], 8)
        with self.store.write() as con:
            article_id = con.execute(
                "INSERT INTO articles (url, outlet, title, subtitle, byline, authors, published_date, page_no, "
                "page_name, body, body_hash, body_chars, source, first_fetched_at, last_fetched_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'crawl', ?, ?) RETURNING article_id",
                [url, outlet, title, subtitle, byline, authors or [], published, page_no, page_name, body,
                 hashlib.sha256((title + body).encode()).hexdigest(), len(body), NOW, NOW],
            ).fetchone()[0]
        self.articles[key] = article_id
        return article_id

    def match(self, ms_id: str, article_key: str, *, score: float = 92.0, kind: str = "full",
              article_coverage: float | None = 0.9, evidence: object = None) -> None:
        with self.store.write() as con:
            con.execute(
                "INSERT INTO matches VALUES (?, ?, ?, ?, 0.9, ?, ?, 'test', ?)",
                [ms_id, self.articles[article_key], score, kind, article_coverage,
                 json.dumps(evidence) if evidence is not None else None, NOW],
            )

    def claim(self, claim_id: str, ms_id: str | None, claimants: list[str], unit: str, outlet: str,
              published: str | None, *, page: str | None = None, url: str | None = None,
              title: str | None = None, row: int = 0, evidence_url: str | None = None) -> None:
        outlet_slug = resolve_outlet(outlet).slug  # as the claims importer fills it
        with self.store.write() as con:
            con.execute(
                "INSERT INTO claims (claim_id, manuscript_id, claimant, unit, outlet, outlet_slug, published_date, "
                "page, url, title, source_file, source_row, imported_at, evidence_url) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'claims.xlsx', ?, ?, ?)",
                [claim_id, ms_id, claimants, unit, outlet, outlet_slug, published, page, url, title, row, NOW,
                 evidence_url],
            )

    def crawl_run(self, outlet: str, start: str, end: str, status: str = "ok") -> None:
        with self.store.write() as con:
            con.execute(
                "INSERT INTO crawl_runs (job_id, command, outlet, window_start, window_end, started_at, "
                "finished_at, status) VALUES ('job-1', 'crawl', ?, ?, ?, ?, ?, ?)",
                [outlet, start, end, NOW, NOW, status],
            )

    def verdict(self, claim_id: str) -> dict:
        with self.store.read() as con:
            cur = con.execute("SELECT * FROM verdicts WHERE claim_id = ?", [claim_id])
            row = cur.fetchone()
            assert row is not None, f"no verdict for {claim_id}"
            return dict(zip([d[0] for d in cur.description], row, strict=True))


def june_office(tmp_path: Path) -> Scenario:
    """One June of a county office: a claim for every verdict status (see comments)."""
    s = Scenario(new_store(tmp_path))
    s.crawl_run("hnrb", "2022-06-01", "2022-06-30")
    s.crawl_run("rmrb", "2022-06-01", "2022-06-30")
    s.crawl_run("peoplecn", "2022-06-01", "2022-06-30")

    # verified: 湖南日报 front page, claimed as 《湖南日报》; also placed (unclaimed) in 团结报.
    s.manuscript("M01", "白沙镇“党建+产业”带富一方", "白沙镇", ["张三"], "2022-06-01")
    s.article("hnrb-0608", "https://epaper.voc.com.cn/hnrb/html/2022-06/08/content_1.htm", "hnrb",
              "白沙镇“党建+产业”带富一方", "2022-06-08", page_no=1, page_name="要闻", byline="通讯员 张三")
    s.match("M01", "hnrb-0608", evidence={"passages": [{"manuscript": [0, 34], "article": [0, 34]},
                                                       {"manuscript": [70, 100], "article": [70, 100]}]})
    s.claim("C01", "M01", ["张三"], "白沙镇", "《湖南日报》", "2022-06-08", page="头版",
            title="白沙镇“党建+产业”带富一方",
            row=1)
    s.article("tjb-0609", "http://www.xxnet.com.cn/szb/tjbpc/20220609/content_7.html", "tjb",
              "白沙：党建引领产业兴", "2022-06-09", page_no=2, byline="通讯员 张三")
    s.match("M01", "tjb-0609", score=88, kind="edited")
    # duplicate_claim: the same person files the same placement again in another register row.
    s.claim("C02", "M01", ["张三"], "白沙镇", "湖南日报", "2022-06-08", row=2)

    # co-authors claim one placement separately (both verified, points shared);
    # a third person who is no author claims it too (duplicate_claim).
    s.manuscript("M02", "建强组织体系 夯实执政根基", "组织科", ["李四", "王五"], "2022-06-02")
    s.article("rmrb-0610", "https://paper.people.com.cn/rmrb/html/2022-06/10/nw.D110000renmrb_20220610_3-11.htm",
              "rmrb", "建强组织体系 夯实执政根基", "2022-06-10", page_no=11, byline="李四 王五")
    s.match("M02", "rmrb-0610")
    s.claim("C03", "M02", ["李四"], "县委组织部", "人民日报", "2022-06-10", page="11", row=3)
    s.claim("C04", "M02", ["王五"], "县委组织部", "人民日报", "2022-06-10", page="第11版", row=4)
    s.claim("C05", "M02", ["陈某"], "县委组织部", "人民日报", "2022-06-10", row=5)

    # verified_with_discrepancy: claimed 人民日报, placed in 人民网 (same group), two days later.
    s.manuscript("M03", "小网格撬动基层大治理", "浦市镇", ["周九"], "2022-06-03")
    s.article("peoplecn-0614", "http://hn.people.com.cn/n2/2022/0614/c356883-35000001.html", "peoplecn",
              "小网格撬动基层大治理", "2022-06-14", byline="周九")
    s.match("M03", "peoplecn-0614", score=97)
    s.claim("C06", "M03", ["周九"], "浦市镇", "人民日报社", "2022-06-12", title="小网格撬动基层大治理", row=6)

    # verified_with_discrepancy: right outlet and day, wrong page, other title.
    s.manuscript("M04", "兴隆场镇打好乡村振兴组合拳", "兴隆场镇", ["孙八"], "2022-06-04")
    s.article("hnrb-0618", "https://epaper.voc.com.cn/hnrb/html/2022-06/18/content_5.htm", "hnrb",
              "打好乡村振兴组合拳", "2022-06-18", page_no=3, byline="通讯员 孙八")
    s.match("M04", "hnrb-0618", kind="edited")
    s.claim("C07", "M04", ["孙八"], "兴隆场镇", "湖南日报", "2022-06-18", page="第5版", title="山乡巨变看今朝", row=7)

    # byline_mismatch: the article credits other people and another town.
    s.manuscript("M05", "达岚镇党员志愿服务暖人心", "达岚镇", ["郑十一"], "2022-06-05")
    s.article("hnrb-0620", "https://epaper.voc.com.cn/hnrb/html/2022-06/20/content_2.htm", "hnrb",
              "党员志愿服务暖人心", "2022-06-20", page_no=6, byline="通讯员 吴十 冯十二（合水镇）")
    s.match("M05", "hnrb-0620")
    s.claim("C08", "M05", ["郑十一"], "达岚镇", "湖南日报", "2022-06-20", row=8)

    # text_mismatch: the claimed URL holds an article that is not this manuscript.
    s.manuscript("M06", "潭溪镇推进人居环境整治", "潭溪镇", ["钱七"], "2022-06-06")
    s.article("hnrb-0621", "https://epaper.voc.com.cn/hnrb/html/2022-06/21/content_9.htm", "hnrb",
              "长沙地铁新线开通", "2022-06-21", page_no=9, byline="本报记者 某某")
    s.claim("C09", "M06", ["钱七"], "潭溪镇", "湖南日报", "2022-06-21",
            url="https://epaper.voc.com.cn/hnrb/html/2022-06/21/content_9.htm", row=9)

    # not_found: 湖南日报 June was crawled, nothing carries M07.
    s.manuscript("M07", "武溪镇“三治融合”见实效", "武溪镇", ["赵六"], "2022-06-07")
    s.claim("C10", "M07", ["赵六"], "武溪镇", "湖南日报", "2022-06-22", row=10)
    # not_covered: 团结报 was never crawled for that day.
    s.claim("C11", "M07", ["赵六"], "武溪镇", "团结报", "2022-06-23", row=11)
    # not_covered with a URL nobody fetched.
    s.claim("C12", "M07", ["赵六"], "武溪镇", "红网", "2022-06-24", url="https://hn.rednet.cn/content/2022/06/24/1.html",
            row=12)

    # before_submission: in print before it was submitted.
    s.manuscript("M08", "石榴籽一家亲", "小章乡", ["褚十三"], "2022-06-20")
    s.article("hnrb-0615", "https://epaper.voc.com.cn/hnrb/html/2022-06/15/content_4.htm", "hnrb",
              "石榴籽一家亲", "2022-06-15", page_no=4, byline="通讯员 褚十三")
    s.match("M08", "hnrb-0615")
    s.claim("C13", "M08", ["褚十三"], "小章乡", "湖南日报", "2022-06-15", row=13)

    # unknown manuscript / unknown outlet.
    s.claim("C14", "M99", ["卫十四"], "合水镇", "湖南日报", "2022-06-16", title="从未报送的稿子", row=14)
    s.claim("C15", "M07", ["赵六"], "武溪镇", "新华社", "2022-06-25", row=15)

    # a manuscript placed nowhere and claimed by nobody still counts as submitted.
    s.manuscript("M10", "合水镇开展主题党日活动", "合水镇", ["卫十四"], "2022-06-11")
    # A placement from May, to show the month chart and keep June's report to June.
    s.manuscript("M11", "白沙镇五月稿件", "白沙镇", ["张三"], "2022-05-02")
    s.article("hnrb-0510", "https://epaper.voc.com.cn/hnrb/html/2022-05/10/content_3.htm", "hnrb",
              "白沙镇五月稿件", "2022-05-10", page_no=7, byline="张三")
    s.match("M11", "hnrb-0510")
    s.claim("C16", "M11", ["张三"], "白沙镇", "湖南日报", "2022-05-10", row=16)
    return s


EXPECTED_JUNE = {
    "C01": "verified", "C02": "duplicate_claim", "C03": "verified", "C04": "verified", "C05": "duplicate_claim",
    "C06": "verified_with_discrepancy", "C07": "verified_with_discrepancy", "C08": "byline_mismatch",
    "C09": "text_mismatch", "C10": "not_found", "C11": "not_covered", "C12": "not_covered",
    "C13": "before_submission", "C14": "unknown_manuscript", "C15": "unknown_outlet",
}
