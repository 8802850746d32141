"""What verification works with: claims, manuscripts, articles and placements as
read from the store, the loaded :class:`Evidence`, and the :class:`Verdict` it gives."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from shanggao.db.outlets import BUILTIN, Registry

STATUS_LABELS = {
    "verified": "已核实",
    "verified_with_discrepancy": "已核实（有出入）",
    "byline_mismatch": "署名不符",
    "text_mismatch": "内容不符",
    "not_found": "未找到",
    "not_covered": "未抓取，待定",
    "duplicate_claim": "重复申报",
    "before_submission": "早于报送日期",
    "unknown_manuscript": "稿件不明",
    "unknown_outlet": "媒体不明",
}

MATCH_KIND_LABELS = {"full": "全文刊用", "edited": "改编刊用", "excerpt": "摘编", "roundup": "综合稿采用",
                     "page": "见于版面"}
# Evidence added by hand (shanggao evidence add): how a verdict says what it was checked against.
EVIDENCE_SOURCE_LABELS = {"scan": "凭扫描件核实", "pdf": "凭PDF版面核实", "screenshot": "凭截图核实"}


@dataclass(frozen=True)
class Claim:
    claim_id: str
    manuscript_id: str | None
    claimants: tuple[str, ...]
    unit: str | None
    outlet: str | None
    outlet_slug: str | None
    published_date: dt.date | None
    page: str | None
    url: str | None
    title: str | None
    order: tuple                 # filing order: who claimed first
    evidence_url: str | None = None   # the evidence article (evidence:<sha256>) the claim names


@dataclass(frozen=True)
class Manuscript:
    manuscript_id: str
    title: str
    authors: tuple[str, ...]
    unit: str | None
    submitted_date: dt.date | None


@dataclass(frozen=True)
class Article:
    article_id: int
    url: str
    outlet: str
    title: str
    subtitle: str | None
    byline: str | None
    authors: tuple[str, ...]
    published_date: dt.date | None
    page_no: int | None
    body_chars: int
    source: str = "crawl"              # pdf / scan / screenshot: evidence added by hand
    archived_file: str | None = None   # ... kept under the archive folder

    @property
    def is_evidence_file(self) -> bool:
        return self.source in EVIDENCE_SOURCE_LABELS


@dataclass(frozen=True)
class Placement:
    """A matcher link: the manuscript appears in this article."""
    article: Article
    score: float
    kind: str
    article_coverage: float | None


@dataclass
class Evidence:
    """Everything verification reads, loaded in one read-only session."""
    claims: list[Claim]                          # claims of the period, then related ones
    in_period: set[str]
    manuscripts: dict[str, Manuscript]
    titles: dict[str, list[str]]                 # normalized title -> manuscript ids
    placements: dict[str, list[Placement]]       # manuscript id -> links
    articles_by_url: dict[str, Article]
    outlets: Registry
    crawled: dict[str, list[tuple[dt.date, dt.date]]]   # slug -> windows of successful crawls
    article_days: set[tuple[str, dt.date]]               # (slug, day) with stored articles
    # (manuscript_id, article_id) -> why the matcher refused the pair: all they share is quoted text
    quotation_only: dict[tuple[str, int], list[str]] = field(default_factory=dict)


@dataclass
class Verdict:
    claim_id: str
    status: str
    reasons: list[str]
    manuscript_id: str | None = None
    outlet_slug: str | None = None
    article: Article | None = None
    placement: Placement | None = None
    discrepancies: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suggestion: str | None = None
    duplicate_of: str | None = None
    points: float = 0.0
    points_detail: str | None = None
    person_points: dict[str, float] = field(default_factory=dict)
    # The outlet the placement is scored as when it is not the article's own: a post on a
    # platform (微信公众号, 今日头条) or an unregistered host at the claimed link counts for the
    # outlet the claim names.
    scored_outlet: str | None = None
    # The outlet the claim names when it has no tier yet (not in the registry): the placement
    # is verified but earns nothing until the office registers it (`shanggao outlets add`).
    unrated_outlet: str | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def evidence_label(self) -> str:
        """湖南日报 2022-06-24 第4版, or "" without evidence."""
        a = self.article
        if a is None:
            return ""
        name = BUILTIN.name(a.outlet)
        page = f" 第{a.page_no}版" if a.page_no else ""
        return f"{name} {a.published_date or ''}{page}".strip()


@dataclass
class VerifySummary:
    start: dt.date | None
    end: dt.date | None
    verdicts: list[Verdict]
    rules_source: str
    rules_digest: str
    undated_skipped: int = 0

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for v in self.verdicts:
            counts[v.status] += 1
        return dict(sorted(counts.items(), key=lambda kv: list(STATUS_LABELS).index(kv[0])))

    @property
    def total_points(self) -> float:
        return round(sum(v.points for v in self.verdicts), 2)


def placement_key(verdict: Verdict, claim: Claim) -> tuple | None:
    """What one placement is: a manuscript in an article.  A 综合稿 carrying two
    manuscripts holds two placements, so their claims are neither duplicates nor co-authors."""
    if verdict.placement is not None:
        return ("article", verdict.placement.article.article_id, verdict.manuscript_id)
    if (verdict.status in ("not_found", "not_covered", "text_mismatch") and verdict.manuscript_id
            and claim.published_date):
        return ("claimed", verdict.manuscript_id, verdict.outlet_slug, claim.published_date)
    return None


def fmt_article(article: Article, outlets: Registry) -> str:
    """湖南日报 2022-06-24 第4版《标题》: an article as reasons cite it."""
    name = outlets[article.outlet].name if article.outlet in outlets else article.outlet
    page = f" 第{article.page_no}版" if article.page_no else ""
    day = article.published_date.isoformat() if article.published_date else "日期不详"
    return f"{name} {day}{page}《{article.title}》"
