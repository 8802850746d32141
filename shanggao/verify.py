"""Claim verification: one verdict per claim, with its evidence, reasons and points.

Public API (used by ``shanggao verify`` and the offline demo)::

    from shanggao.db import Store
    from shanggao.rules import load_rules
    from shanggao.verify import verify_claims

    summary = verify_claims(Store("shanggao.duckdb"), date(2022, 6, 1), date(2022, 6, 30), load_rules())
    summary.counts            # {"verified": 12, "not_found": 1, ...}
    summary.verdicts          # list[Verdict], in claim order

``start``/``end`` select claims by their claimed ``published_date`` (both
inclusive); ``None`` for both verifies every claim, undated ones included.
Re-running replaces the verdicts of the claims it covers.

How a claim is judged (reasons are written in Chinese for the office):

1. its manuscript (by id, else by an exactly matching title) and its outlet
   (``claims.outlet_slug``, else :func:`shanggao.db.outlets.resolve_outlet`
   on the written name, else the claimed URL's host);
2. the evidence: the article at the claimed URL when the matcher linked it to
   the manuscript, else the matched article at the claimed outlet (or another
   outlet of its media group) nearest the claimed date;
3. differences between claim and evidence (date beyond the tolerance, page,
   outlet, title, URL), the byline, and whether it appeared before submission;
4. without evidence: ``text_mismatch`` when the claimed URL holds another
   article, ``not_found`` when the outlet and day were crawled, else
   ``not_covered`` with the command that would settle it;
5. across claims: the same placement — one manuscript in one article, so two
   manuscripts merged into one 综合稿 are two placements — claimed again (or by
   someone who is not a co-author) is a ``duplicate_claim``; co-authors share
   the placement's points.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
from rapidfuzz import fuzz

from shanggao.db import Store, utcnow
from shanggao.db.outlets import BUILTIN, Registry, load_registry, outlet_for_host, resolve_outlet
from shanggao.progress import QUIET, Steps
from shanggao.rules import EXCERPT_KINDS, Rules
from shanggao.unit_names import DEFAULT_COUNTY_PREFIXES, canonical_unit

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

MATCH_KIND_LABELS = {"full": "全文刊用", "edited": "改编刊用", "excerpt": "摘编", "roundup": "综合稿采用"}


# -- rows read from the store ---------------------------------------------------------

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


@dataclass(frozen=True)
class Placement:
    """A matcher link: the manuscript appears in this article."""
    article: Article
    score: float
    kind: str
    article_coverage: float | None


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


# -- small text helpers ------------------------------------------------------------------

_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_title(text: str | None) -> str:
    """Titles compared without punctuation, spaces or width differences."""
    return _PUNCT_OR_SPACE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def normalize_url(url: str | None) -> str:
    """Scheme-, case- and trailing-slash-insensitive form for comparing URLs."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def url_variants(url: str) -> list[str]:
    """Spellings of ``url`` an article could be stored under."""
    url = url.strip().split("#")[0]
    parts = urlsplit(url)
    if not parts.netloc:
        return [url]
    host = parts.netloc.lower()
    hosts = {host, host.removeprefix("www."), "www." + host.removeprefix("www.")}
    paths = {parts.path, parts.path.rstrip("/"), parts.path.rstrip("/") + "/"}
    query = f"?{parts.query}" if parts.query else ""
    return sorted({f"{scheme}://{h}{p}{query}" for scheme in ("http", "https") for h in hosts for p in paths} | {url})


_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(text: str) -> int | None:
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def parse_page(text: str | None) -> int | None:
    """版次 as written (第4版, 04版, A4, 头版, 第四版) -> page number, or None."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if text.startswith("头版") or text in ("一版", "第一版"):
        return 1
    m = re.search(r"(\d{1,3})", text)
    if m:
        return int(m.group(1))
    m = re.search(r"第?([〇零一二两三四五六七八九十]{1,3})版", text)
    return _cn_number(m.group(1)) if m else None


_BYLINE_NOISE = re.compile(
    r"本报|记者|通讯员|特约|实习生|见习|全媒体|融媒体|首席|摄影|撰稿|作者|编辑|责任编辑|责编|来源|文/|图/|"
    r"供图|报道|整理|[文图摄]|[\s\W\d_]"
)
_OUTLET_WORDS = BUILTIN.words


def _names_someone(byline_text: str) -> bool:
    """Does the byline name a person or unit, beyond role words and outlet names?"""
    rest = byline_text
    for word in _OUTLET_WORDS:
        rest = rest.replace(word, "")
    return bool(_BYLINE_NOISE.sub("", rest))


def unit_variants(unit: str | None, county_prefixes: tuple[str, ...] = DEFAULT_COUNTY_PREFIXES) -> set[str]:
    """泸溪县白沙镇 -> {泸溪县白沙镇, 白沙镇, 白沙}: forms a byline may use (shanggao.unit_names)."""
    if not unit:
        return set()
    unit = unit.strip()
    forms = {unit, canonical_unit(unit, county_prefixes)}
    for form in list(forms):
        for suffix in ("街道", "镇", "乡"):
            if form.endswith(suffix) and len(form) > len(suffix) + 1:
                forms.add(form[: -len(suffix)])
    return {f for f in forms if len(f) >= 2}


# -- loading ---------------------------------------------------------------------------------

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


_CLAIM_COLUMNS = ("claim_id, manuscript_id, claimant, unit, outlet, outlet_slug, published_date, page, url, title, "
                  "imported_at, source_file, source_row")
_ARTICLE_COLUMNS = ("a.article_id, a.url, a.outlet, a.title, a.subtitle, a.byline, a.authors, a.published_date, "
                    "a.page_no, coalesce(a.body_chars, length(a.body))")


def _claim(row: tuple) -> Claim:
    (claim_id, ms_id, claimant, unit, outlet, slug, date, page, url, title, imported_at, source_file, source_row) = row
    order = (imported_at or dt.datetime.min, source_file or "", source_row or 0, claim_id)
    return Claim(claim_id, ms_id or None, tuple(n for n in (claimant or []) if n), unit, outlet, slug, date, page,
                 url or None, title, order)


def _article(row: tuple) -> Article:
    (article_id, url, outlet, title, subtitle, byline, authors, date, page_no, chars) = row
    return Article(article_id, url, outlet, title, subtitle, byline, tuple(authors or ()), date, page_no, chars or 0)


def _in_list(column: str, values: Iterable) -> tuple[str, list]:
    values = list(values)
    if not values:
        return "FALSE", []
    return f"{column} IN ({', '.join('?' * len(values))})", values


def load_evidence(con: duckdb.DuckDBPyConnection, start: dt.date | None, end: dt.date | None) -> Evidence:
    if start is None:
        rows = con.execute(f"SELECT {_CLAIM_COLUMNS} FROM claims").fetchall()
    else:
        rows = con.execute(f"SELECT {_CLAIM_COLUMNS} FROM claims WHERE published_date BETWEEN ? AND ?",
                           [start, end]).fetchall()
    period_claims = [_claim(r) for r in rows]
    in_period = {c.claim_id for c in period_claims}

    manuscripts = {
        r[0]: Manuscript(r[0], r[1], tuple(r[2] or ()), r[3], r[4])
        for r in con.execute("SELECT manuscript_id, title, authors, unit, submitted_date FROM manuscripts").fetchall()
    }
    titles: dict[str, list[str]] = defaultdict(list)
    for ms in manuscripts.values():
        titles[normalize_title(ms.title)].append(ms.manuscript_id)

    # Claims outside the period that share a manuscript decide who claimed a placement first.
    wanted_ms = {c.manuscript_id for c in period_claims if c.manuscript_id}
    for c in period_claims:
        if not c.manuscript_id or c.manuscript_id not in manuscripts:
            wanted_ms.update(titles.get(normalize_title(c.title), ()))
    related = []
    if start is not None and wanted_ms:
        cond, params = _in_list("manuscript_id", wanted_ms)
        related = [_claim(r) for r in con.execute(f"SELECT {_CLAIM_COLUMNS} FROM claims WHERE {cond}", params)
                   .fetchall() if r[0] not in in_period]
        wanted_ms.update(c.manuscript_id for c in related if c.manuscript_id)

    placements: dict[str, list[Placement]] = defaultdict(list)
    cond, params = _in_list("m.manuscript_id", wanted_ms)
    for row in con.execute(
        f"SELECT m.manuscript_id, m.score, m.kind, m.article_coverage, {_ARTICLE_COLUMNS} "
        f"FROM matches m JOIN articles a ON a.article_id = m.article_id WHERE {cond}", params
    ).fetchall():
        placements[row[0]].append(Placement(_article(row[4:]), row[1], row[2], row[3]))

    claims = period_claims + related
    variants = {v for c in claims if c.url for v in url_variants(c.url)}
    cond, params = _in_list("a.url", variants)
    articles_by_url = {normalize_url(r[1]): _article(r) for r in
                       con.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE {cond}", params).fetchall()}

    outlets = load_registry(con)

    crawled: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for slug, first, last in con.execute(
        "SELECT outlet, window_start, coalesce(window_end, window_start) FROM crawl_runs "
        "WHERE status = 'ok' AND outlet IS NOT NULL AND window_start IS NOT NULL"
    ).fetchall():
        crawled[slug].append((first, last))
    dates = [c.published_date for c in claims if c.published_date]
    article_days: set[tuple[str, dt.date]] = set()
    if dates:
        article_days = set(con.execute(
            "SELECT DISTINCT outlet, published_date FROM articles WHERE published_date BETWEEN ? AND ?",
            [min(dates) - dt.timedelta(days=2), max(dates) + dt.timedelta(days=2)],
        ).fetchall())
    return Evidence(claims, in_period, manuscripts, titles, placements, articles_by_url, outlets, crawled,
                    article_days)


# -- judging one claim ---------------------------------------------------------------------------

def _fmt_article(article: Article, outlets: Registry) -> str:
    name = outlets[article.outlet].name if article.outlet in outlets else article.outlet
    page = f" 第{article.page_no}版" if article.page_no else ""
    day = article.published_date.isoformat() if article.published_date else "日期不详"
    return f"{name} {day}{page}《{article.title}》"


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


class Judge:
    """Judges claims one at a time against the loaded evidence."""

    def __init__(self, evidence: Evidence, rules: Rules):
        self.ev = evidence
        self.rules = rules

    def covered(self, slug: str, day: dt.date) -> bool:
        if (slug, day) in self.ev.article_days:
            return True
        return any(first <= day <= last for first, last in self.ev.crawled.get(slug, ()))

    def outlet_name(self, slug: str | None) -> str:
        return self.ev.outlets[slug].name if slug in self.ev.outlets else (slug or "")

    def _manuscript(self, claim: Claim, warnings: list[str]) -> Manuscript | None:
        if claim.manuscript_id in self.ev.manuscripts:
            return self.ev.manuscripts[claim.manuscript_id]
        same_title = self.ev.titles.get(normalize_title(claim.title), []) if claim.title else []
        if len(same_title) == 1:
            found = self.ev.manuscripts[same_title[0]]
            missing = f"稿件编号 {claim.manuscript_id} 不在稿件库" if claim.manuscript_id else "申报未填稿件编号"
            warnings.append(f"{missing}，按标题对应到稿件 {found.manuscript_id}《{found.title}》")
            return found
        return None

    def _outlet(self, claim: Claim, warnings: list[str]) -> str | None:
        resolution = resolve_outlet(claim.outlet) if claim.outlet else None
        if claim.outlet_slug and claim.outlet_slug in self.ev.outlets:
            if resolution and resolution.slug == claim.outlet_slug and not resolution.confident:
                warnings.append(resolution.note)
            return claim.outlet_slug
        if resolution and resolution.slug:
            if not resolution.confident:
                warnings.append(resolution.note)
            return resolution.slug
        if claim.url:
            info = outlet_for_host(urlsplit(claim.url.strip()).netloc)
            if info:
                written = f"媒体“{claim.outlet}”未能识别" if claim.outlet else "申报未填媒体"
                warnings.append(f"{written}，按链接域名认定为{info.name}")
                return info.slug
        return None

    def _find_placement(self, claim: Claim, ms: Manuscript, slug: str) -> tuple[Placement | None, Article | None]:
        """(placement that answers the claim, article stored at the claimed URL)."""
        links = self.ev.placements.get(ms.manuscript_id, [])
        url_article = self.ev.articles_by_url.get(normalize_url(claim.url)) if claim.url else None
        if url_article is not None:
            for link in links:
                if link.article.article_id == url_article.article_id:
                    return link, url_article
        group = self.ev.outlets[slug].media_group if slug in self.ev.outlets else None
        window = self.rules.search_window_days

        def same_group(outlet: str) -> bool:
            return outlet == slug or bool(group and outlet in self.ev.outlets
                                          and self.ev.outlets[outlet].media_group == group)

        def distance(link: Placement) -> int:
            if claim.published_date is None or link.article.published_date is None:
                return 0 if claim.published_date is None else window + 1
            return abs((link.article.published_date - claim.published_date).days)

        candidates = [p for p in links if same_group(p.article.outlet) and distance(p) <= window]
        candidates.sort(key=lambda p: (p.article.outlet != slug, distance(p), -p.score))
        return (candidates[0] if candidates else None), url_article

    def _elsewhere(self, ms: Manuscript, exclude: int | None = None) -> str | None:
        links = [p for p in self.ev.placements.get(ms.manuscript_id, []) if p.article.article_id != exclude]
        if not links:
            return None
        listed = "；".join(_fmt_article(p.article, self.ev.outlets) for p in links[:3])
        more = f" 等 {len(links)} 处" if len(links) > 3 else ""
        return f"该稿件另见于：{listed}{more}"

    def judge(self, claim: Claim) -> Verdict:
        warnings: list[str] = []
        ms = self._manuscript(claim, warnings)
        if ms is None:
            which = f"稿件编号 {claim.manuscript_id}" if claim.manuscript_id else "申报未填稿件编号"
            title = f"，标题《{claim.title}》也对不上唯一稿件" if claim.title else ""
            return Verdict(claim.claim_id, "unknown_manuscript",
                           [f"{which} 不在稿件库{title}；请先导入该稿件（shanggao manuscripts import）再核验"],
                           warnings=warnings)
        slug = self._outlet(claim, warnings)
        if slug is None:
            reasons = [f"媒体“{claim.outlet or '（未填）'}”不在媒体名录，无法核验（shanggao outlets 列出可识别的媒体）"]
            if found := self._elsewhere(ms):
                reasons.append(found)
            return Verdict(claim.claim_id, "unknown_outlet", reasons, ms.manuscript_id, warnings=warnings)

        placement, url_article = self._find_placement(claim, ms, slug)
        base = dict(manuscript_id=ms.manuscript_id, outlet_slug=slug, warnings=warnings)
        if placement is None:
            return self._no_placement(claim, ms, slug, url_article, base)
        return self._with_placement(claim, ms, slug, placement, base)

    def _no_placement(self, claim: Claim, ms: Manuscript, slug: str, url_article: Article | None,
                      base: dict) -> Verdict:
        name = self.outlet_name(slug)
        elsewhere = self._elsewhere(ms)
        if url_article is not None:
            reasons = [f"申报链接所载为 {_fmt_article(url_article, self.ev.outlets)}，"
                       f"并非稿件《{ms.title}》"]
            if elsewhere:
                reasons.append(elsewhere)
            return Verdict(claim.claim_id, "text_mismatch", reasons, article=url_article, **base)
        if claim.published_date is None:
            fix = f"`shanggao fetch {claim.url}` 可以判定" if claim.url else "请补填刊发日期后重新核验"
            reasons = [f"申报未填刊发日期，无法确定应查{name}哪一天；{fix}"]
            if elsewhere:
                reasons.append(elsewhere)
            return Verdict(claim.claim_id, "not_covered", reasons,
                           suggestion=f"shanggao fetch {claim.url}" if claim.url else None, **base)
        tol = dt.timedelta(days=self.rules.date_tolerance_days)
        days = _days(claim.published_date - tol, claim.published_date + tol)
        missing = [d for d in days if not self.covered(slug, d)]
        crawl = (f"shanggao crawl {slug} --from {min(missing).isoformat()} --to {max(missing).isoformat()}"
                 if missing else None)
        if claim.url:
            suggestion = f"shanggao fetch {claim.url}"
            reasons = [f"申报链接尚未抓取，{name} {claim.published_date} 前后也未找到该稿件；"
                       f"运行 `{suggestion}` 即可判定"]
            if elsewhere:
                reasons.append(elsewhere)
            return Verdict(claim.claim_id, "not_covered", reasons, suggestion=suggestion, **base)
        if claim.published_date in missing:
            reasons = [f"尚未抓取{name} {'、'.join(d.isoformat() for d in missing)}，无法判定；"
                       f"运行 `{crawl}` 后重新核验"]
            if elsewhere:
                reasons.append(elsewhere)
            return Verdict(claim.claim_id, "not_covered", reasons, suggestion=crawl, **base)
        checked = [d for d in days if d not in missing]
        reasons = [f"已抓取{name} {'、'.join(d.isoformat() for d in checked)}，未发现稿件《{ms.title}》"]
        if missing:
            base["warnings"].append(f"相邻日期 {'、'.join(d.isoformat() for d in missing)} 未抓取（`{crawl}`）")
        if elsewhere:
            reasons.append(elsewhere)
        return Verdict(claim.claim_id, "not_found", reasons, suggestion=crawl, **base)

    def _with_placement(self, claim: Claim, ms: Manuscript, slug: str, placement: Placement,
                        base: dict) -> Verdict:
        article = placement.article
        warnings = base["warnings"]
        kind = MATCH_KIND_LABELS.get(placement.kind, placement.kind)
        evidence = f"见 {_fmt_article(article, self.ev.outlets)}，匹配度 {placement.score:.0f}（{kind}）"
        differences = []
        if article.outlet != slug:
            group = self.ev.outlets[slug].media_group if slug in self.ev.outlets else None
            same = f"同属{group}的" if group and article.outlet in self.ev.outlets and \
                self.ev.outlets[article.outlet].media_group == group else ""
            differences.append(f"媒体：申报{self.outlet_name(slug)}，实际刊于{same}{self.outlet_name(article.outlet)}")
        if claim.published_date and article.published_date:
            gap = (article.published_date - claim.published_date).days
            if abs(gap) > self.rules.date_tolerance_days:
                differences.append(f"日期：申报 {claim.published_date}，实际 {article.published_date}")
            elif gap:
                warnings.append(f"实际刊发 {article.published_date}，与申报相差 {abs(gap)} 天（在容差内）")
        claimed_page = parse_page(claim.page)
        if claim.page and claimed_page is None:
            warnings.append(f"版次“{claim.page}”无法识别")
        if claimed_page and article.page_no and claimed_page != article.page_no:
            differences.append(f"版次：申报第{claimed_page}版，实际第{article.page_no}版")
        if claim.title and not self._title_fits(claim.title, article):
            if self._title_fits(claim.title, None, ms.title):
                warnings.append(f"申报为原稿标题，见报标题为《{article.title}》")
            else:
                differences.append(f"标题：申报《{claim.title}》，见报《{article.title}》")
        if claim.url and normalize_url(claim.url) != normalize_url(article.url):
            differences.append(f"链接：申报 {claim.url}，实际 {article.url}")

        kw = dict(base, article=article, placement=placement, discrepancies=differences)
        if ms.submitted_date and article.published_date and article.published_date < ms.submitted_date:
            return Verdict(claim.claim_id, "before_submission",
                           [evidence, f"见报日期 {article.published_date} 早于稿件报送日期 {ms.submitted_date}，请核查"],
                           **kw)
        byline_problem = self._byline_problem(claim, ms, placement, warnings)
        if byline_problem:
            return Verdict(claim.claim_id, "byline_mismatch", [evidence, byline_problem], **kw)
        if differences:
            return Verdict(claim.claim_id, "verified_with_discrepancy", [evidence, *differences], **kw)
        return Verdict(claim.claim_id, "verified", [evidence], **kw)

    @staticmethod
    def _title_fits(claimed: str, article: Article | None, other: str | None = None) -> bool:
        want = normalize_title(claimed)
        if not want:
            return True
        titles = [other] if article is None else [article.title, *(article.subtitle or "").split("\n")]
        for title in filter(None, titles):
            have = normalize_title(title)
            if have and (want == have or want in have or have in want or fuzz.ratio(want, have) >= 90):
                return True
        return False

    def _byline_problem(self, claim: Claim, ms: Manuscript, placement: Placement, warnings: list[str]) -> str | None:
        article = placement.article
        text = " ".join(filter(None, [article.byline, *article.authors]))
        if placement.kind in EXCERPT_KINDS:
            return None  # a 综合稿 carries the editor's byline, not the county writer's
        if not text.strip() or not _names_someone(text):
            warnings.append("见报稿未署作者，无法核对署名")
            return None
        names = set(claim.claimants) | set(ms.authors)
        prefixes = self.rules.quotas.county_prefixes
        units = unit_variants(claim.unit, prefixes) | unit_variants(ms.unit, prefixes)
        if any(n in text for n in names if n) or any(u in text for u in units):
            return None
        who = "、".join(claim.claimants) or "（未填）"
        return f"署名“{article.byline or '、'.join(article.authors)}”中没有申报人（{who}）或单位（{claim.unit or '未填'}）"


# -- across claims: duplicates and points ------------------------------------------------------------

def _placement_key(verdict: Verdict, claim: Claim) -> tuple | None:
    """What one placement is: a manuscript in an article.  A 综合稿 carrying two
    manuscripts holds two placements, so their claims are neither duplicates nor co-authors."""
    if verdict.placement is not None:
        return ("article", verdict.placement.article.article_id, verdict.manuscript_id)
    if verdict.status in ("not_found", "not_covered", "text_mismatch") and verdict.manuscript_id and claim.published_date:
        return ("claimed", verdict.manuscript_id, verdict.outlet_slug, claim.published_date)
    return None


def settle_duplicates(claims: list[Claim], verdicts: dict[str, Verdict], evidence: Evidence) -> None:
    """Mark repeat claims of one placement; co-authors keep their own claims."""
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for claim in sorted(claims, key=lambda c: c.order):
        key = _placement_key(verdicts[claim.claim_id], claim)
        if key:
            groups[key].append(claim)
    for members in groups.values():
        if len(members) < 2:
            continue
        keeper = members[0]
        credited = set(keeper.claimants)
        ms = evidence.manuscripts.get(verdicts[keeper.claim_id].manuscript_id)
        article = verdicts[keeper.claim_id].article
        coauthors = set(ms.authors if ms else ()) | set(article.authors if article else ())
        byline = (article.byline or "") if article else ""
        for claim in members[1:]:
            verdict = verdicts[claim.claim_id]
            people = set(claim.claimants)
            what = f"{verdict.placement and _fmt_article(verdict.placement.article, evidence.outlets) or '同一上稿'}"
            if not people or people & credited:
                reason = f"与 {keeper.claim_id}（{'、'.join(keeper.claimants)}）重复申报{what}"
            elif all(p in coauthors or p in byline for p in people):
                credited |= people
                verdict.warnings.append(f"合作作者分别申报（另见 {keeper.claim_id}），积分按规则分配")
                continue
            else:
                reason = (f"{what}已由 {'、'.join(keeper.claimants)}（{keeper.claim_id}）申报，"
                          f"{'、'.join(sorted(people - coauthors))} 不在稿件作者中")
            verdicts[claim.claim_id] = Verdict(
                claim.claim_id, "duplicate_claim", [reason, *verdict.reasons[:1]], verdict.manuscript_id,
                verdict.outlet_slug, verdict.article, verdict.placement, verdict.discrepancies, verdict.warnings,
                duplicate_of=keeper.claim_id,
            )


def assign_points(claims: list[Claim], verdicts: dict[str, Verdict], evidence: Evidence, rules: Rules) -> None:
    """verdicts.points per the rules: each placement's points shared among everyone credited for it."""
    by_placement: dict[tuple, list[Claim]] = defaultdict(list)
    for claim in sorted(claims, key=lambda c: c.order):
        verdict = verdicts[claim.claim_id]
        if verdict.placement is not None and verdict.status in rules.paying_statuses:
            by_placement[_placement_key(verdict, claim)].append(claim)
    for members in by_placement.values():
        first = verdicts[members[0].claim_id]
        placement = first.placement
        article = placement.article
        outlet = evidence.outlets.get(article.outlet)
        placed = article.body_chars
        if placement.kind in EXCERPT_KINDS and placement.article_coverage:
            placed = round(article.body_chars * placement.article_coverage)
        total, detail = rules.placement_points(
            outlet_slug=article.outlet, tier=outlet.tier if outlet else None, outlet_kind=outlet.kind if outlet else None,
            page_no=article.page_no, placed_chars=placed, match_kind=placement.kind,
        )
        people: list[str] = []
        for claim in members:
            people.extend(p for p in (claim.claimants or ("（未填申报人）",)) if p not in people)
        ms = evidence.manuscripts.get(first.manuscript_id)
        shares = rules.shares(total, people, ms.authors[0] if ms and ms.authors else None)
        for claim in members:
            verdict = verdicts[claim.claim_id]
            mine = {p: shares[p] for p in (claim.claimants or ("（未填申报人）",)) if p in shares}
            verdict.person_points = mine
            verdict.points = round(sum(mine.values()), 2)
            split = f"；{len(people)}人按“{rules.split}”分配" if len(people) > 1 else ""
            verdict.points_detail = detail + split


# -- writing ---------------------------------------------------------------------------------------

_VERDICT_SCHEMA = pa.schema([
    ("claim_id", pa.string()), ("status", pa.string()), ("article_id", pa.int64()),
    ("reasons", pa.list_(pa.string())), ("points", pa.float64()), ("verified_at", pa.timestamp("us")),
    ("manuscript_id", pa.string()), ("outlet_slug", pa.string()), ("evidence_url", pa.string()),
    ("evidence_outlet", pa.string()), ("evidence_date", pa.date32()), ("evidence_page", pa.int32()),
    ("evidence_title", pa.string()), ("match_score", pa.float64()), ("match_kind", pa.string()),
    ("discrepancies", pa.list_(pa.string())), ("warnings", pa.list_(pa.string())), ("suggestion", pa.string()),
    ("duplicate_of", pa.string()), ("points_detail", pa.string()), ("rules_hash", pa.string()),
    ("rules_source", pa.string()), ("person_points", pa.string()),
])


def _verdict_table(verdicts: list[Verdict], rules: Rules, now: dt.datetime) -> pa.Table:
    rows = []
    for v in verdicts:
        a = v.article
        rows.append({
            "claim_id": v.claim_id, "status": v.status, "article_id": a.article_id if a else None,
            "reasons": v.reasons, "points": v.points, "verified_at": now,
            "manuscript_id": v.manuscript_id, "outlet_slug": v.outlet_slug,
            "evidence_url": a.url if a else None, "evidence_outlet": a.outlet if a else None,
            "evidence_date": a.published_date if a else None, "evidence_page": a.page_no if a else None,
            "evidence_title": a.title if a else None,
            "match_score": v.placement.score if v.placement else None,
            "match_kind": v.placement.kind if v.placement else None,
            "discrepancies": v.discrepancies, "warnings": v.warnings, "suggestion": v.suggestion,
            "duplicate_of": v.duplicate_of, "points_detail": v.points_detail,
            "rules_hash": rules.digest, "rules_source": rules.source,
            "person_points": json.dumps(v.person_points, ensure_ascii=False) if v.person_points else None,
        })
    return pa.Table.from_pylist(rows, schema=_VERDICT_SCHEMA)


def write_verdicts(store: Store, verdicts: list[Verdict], rules: Rules) -> None:
    """Replace these claims' verdicts in one short transaction."""
    table = _verdict_table(verdicts, rules, utcnow())
    columns = ", ".join(table.column_names)
    with store.write() as con:
        con.register("new_verdicts", table)
        con.execute("DELETE FROM verdicts WHERE claim_id IN (SELECT claim_id FROM new_verdicts)")
        con.execute(f"INSERT INTO verdicts ({columns}) SELECT {columns} FROM new_verdicts")
        con.unregister("new_verdicts")


# -- the API -----------------------------------------------------------------------------------------

def judge_claims(evidence: Evidence, rules: Rules, progress: Steps = QUIET) -> dict[str, Verdict]:
    """Verdicts for every loaded claim (period and related), duplicates and points settled;
    ``progress`` advances once per claim judged."""
    judge = Judge(evidence, rules)
    verdicts = {}
    for claim in evidence.claims:
        verdicts[claim.claim_id] = judge.judge(claim)
        progress()
    settle_duplicates(evidence.claims, verdicts, evidence)
    assign_points(evidence.claims, verdicts, evidence, rules)
    return verdicts


def verify_claims(store: Store, start: dt.date | None, end: dt.date | None, rules: Rules,
                  progress: Steps = QUIET) -> VerifySummary:
    """Verify every claim dated ``start``..``end`` (or all claims) and store one verdict each.

    ``progress`` (shanggao.progress) counts the claims judged, then the write."""
    if (start is None) != (end is None):
        raise ValueError("give both start and end, or neither")
    progress.describe("verify: reading claims and evidence")
    with store.read() as con:
        evidence = load_evidence(con, start, end)
        undated = 0 if start is None else con.execute(
            "SELECT count(*) FROM claims WHERE published_date IS NULL").fetchone()[0]
    progress.set_total(len(evidence.claims) + 1)
    progress.describe("verify: judging claims")
    verdicts = judge_claims(evidence, rules, progress)
    mine = [verdicts[c.claim_id] for c in sorted(evidence.claims, key=lambda c: c.order)
            if c.claim_id in evidence.in_period]
    progress.describe("verify: writing verdicts")
    if mine:
        write_verdicts(store, mine, rules)
    progress()
    return VerifySummary(start, end, mine, rules.source, rules.digest, undated)
