"""Everything a report shows, gathered from the store once; the renderers only lay it out.

Claims belong to the period by their claimed date (as in ``shanggao verify``);
a *placement* is a distinct (evidence article, manuscript) pair of claims whose
verdict earns points under the rules (``verification.paying_statuses``): a
综合稿 carrying two manuscripts is two placements.  Units are counted under
their quota unit (:meth:`shanggao.rules.Quotas.unit_key`), so 泸溪县白沙镇 and
白沙镇, or 县委组织部信息宣传室 and 县委组织部, are one unit.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from shanggao.dates import beijing_now
from shanggao.db import Store
from shanggao.db import evidence as evidence_reads
from shanggao.db import manuscripts as manuscripts_table
from shanggao.db import verdicts as verdicts_table
from shanggao.db.outlets import TIERS
from shanggao.periods import Period
from shanggao.rules import TIER_LABELS, Rules
from shanggao.verify import STATUS_LABELS

UNVERIFIED = "未核验"


@dataclass(frozen=True)
class Span:
    """One aligned passage: [manuscript_start, manuscript_end) ↔ [article_start, article_end)."""
    manuscript_start: int
    manuscript_end: int
    article_start: int
    article_end: int


def parse_evidence(raw: object) -> list[Span]:
    """matches.evidence -> spans; anything unreadable gives no spans (the bodies still show).

    The matcher (matcher/pipeline.py) writes ``{"passages": [{"manuscript": [start, end],
    "article": [start, end], …}], …}``: character offsets into manuscripts.body and
    articles.body, end exclusive.  A bare list of passages, and passages spelled
    ``manuscript_start/_end, article_start/_end``, are read too.
    """
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    if isinstance(raw, dict):
        raw = raw.get("passages", [])
    spans = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        try:
            if "manuscript" in item:
                values = [*map(int, item["manuscript"][:2]), *map(int, item["article"][:2])]
            else:
                values = [int(item[k]) for k in ("manuscript_start", "manuscript_end", "article_start", "article_end")]
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        if len(values) == 4:
            spans.append(Span(*values))
    return spans


@dataclass
class Comparison:
    manuscript_title: str
    manuscript_body: str
    article_body: str
    spans: list[Span]


@dataclass
class ClaimLine:
    claim_id: str
    claimants: list[str]
    unit: str
    claimed_outlet: str
    claimed_date: dt.date | None
    claimed_page: str | None
    claimed_url: str | None
    claimed_title: str | None
    status: str | None                     # None: no verdict yet
    reasons: list[str]
    warnings: list[str]
    suggestion: str | None
    points: float
    person_points: dict[str, float]
    article_id: int | None
    outlet_name: str | None
    tier: str | None
    evidence_date: dt.date | None
    evidence_page: int | None
    evidence_title: str | None
    evidence_url: str | None
    manuscript_id: str | None
    manuscript_title: str | None
    rules_hash: str | None
    unrated: bool = False                  # placed in an outlet the registry lacks: no tier yet, no points

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, UNVERIFIED) if self.status else UNVERIFIED


@dataclass
class PlacementLine:
    article_id: int
    outlet_name: str
    tier: str
    published_date: dt.date | None
    page_no: int | None
    title: str
    url: str
    manuscript_id: str | None
    manuscript_title: str | None
    units: list[str]
    people: list[str]
    points: float
    notes: list[str]                       # discrepancies, co-author sharing …
    comparison: Comparison | None = None


@dataclass
class MonthQuota:
    submitted: int
    placements: int
    quota: int

    @property
    def met(self) -> bool:
        return self.submitted >= self.quota

    @property
    def label(self) -> str:
        return "达标" if self.met else "未达标"


@dataclass
class UnitLine:
    unit: str
    quota: int
    months: dict[tuple[int, int], MonthQuota]
    tiers: dict[str, int]
    points: float

    @property
    def submitted(self) -> int:
        return sum(m.submitted for m in self.months.values())

    @property
    def placements(self) -> int:
        return sum(self.tiers.values())

    @property
    def months_met(self) -> int:
        return sum(m.met for m in self.months.values())


@dataclass
class PersonLine:
    name: str
    units: list[str]
    tiers: dict[str, int]
    points: float

    @property
    def placements(self) -> int:
        return sum(self.tiers.values())


@dataclass
class ChartData:
    months: list[tuple[int, int]]
    counts: dict[str, list[int]]           # tier -> placements per month

    @property
    def labels(self) -> list[str]:
        return [f"{m}月" if len({y for y, _ in self.months}) == 1 else f"{y}-{m:02d}" for y, m in self.months]

    @property
    def tiers(self) -> list[str]:
        return [t for t in TIERS if any(self.counts.get(t, ()))] or ["central"]


@dataclass
class ReportData:
    organization: str
    period: Period
    generated_at: dt.datetime              # Beijing time (UTC+8), for the people reading it
    rules: Rules
    claims: list[ClaimLine]
    placements: list[PlacementLine]
    unclaimed: list[PlacementLine]
    units: list[UnitLine]
    persons: list[PersonLine]
    chart: ChartData
    stale_verdicts: int = 0                # verdicts computed under other rules
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.period.is_year:
            return f"{self.organization}{self.period.title}度新闻上稿考核情况"
        return f"{self.organization}{self.period.title}新闻上稿情况通报"

    @property
    def needs_look(self) -> list[ClaimLine]:
        return [c for c in self.claims if c.status != "verified"]

    @property
    def unrated_outlets(self) -> dict[str, list[ClaimLine]]:
        """Outlets with verified placements but no tier yet (not in the registry) -> their claims."""
        found: dict[str, list[ClaimLine]] = {}
        for c in self.claims:
            if c.unrated and c.status in self.rules.paying_statuses:
                found.setdefault(c.claimed_outlet or c.outlet_name or "", []).append(c)
        return found

    @property
    def tier_totals(self) -> dict[str, int]:
        totals = {t: 0 for t in TIERS}
        for p in self.placements:
            totals[p.tier] = totals.get(p.tier, 0) + 1
        return totals

    @property
    def total_points(self) -> float:
        return round(sum(c.points or 0 for c in self.claims), 2)

    def summary_sentences(self) -> list[str]:
        tiers = "、".join(f"{TIER_LABELS[t]}{n}篇" for t, n in self.tier_totals.items() if n) or "无"
        met = sum(1 for u in self.units if all(m.met for m in u.months.values()))
        lines = [
            f"{self.period.title}共收到上稿申报 {len(self.claims)} 条，核实上稿 {len(self.placements)} 篇"
            f"（{tiers}），计积分 {self.total_points:g} 分。",
            f"各单位共报送稿件 {sum(u.submitted for u in self.units)} 篇；{len(self.units)} 个单位中 "
            f"{met} 个{'各月均' if self.period.is_year else ''}完成报送任务，{len(self.units) - met} 个未完成。",
            f"另发现未申报的上稿 {len(self.unclaimed)} 篇；需核查的申报 {len(self.needs_look)} 条（见下文）。",
        ]
        return lines + self.notes


# -- collecting -----------------------------------------------------------------------------

def collect(store: Store, period: Period, rules: Rules) -> ReportData:
    """Read the period's claims, verdicts, placements and submissions into a ReportData."""
    chart_start = dt.date(period.start.year, 1, 1) if period.is_month else period.start
    chart_months = Period(chart_start, period.end, "").months()
    with store.read() as con:
        lines = [_claim_line(row) for row in verdicts_table.claim_verdicts_dated(con, period.start, period.end)]
        paid = verdicts_table.paid_placements(con, chart_start, period.end, rules.paying_statuses)
        submissions = manuscripts_table.submissions_by_month(con, period.start, period.end)
        claims = [line for line, _ in lines]
        placements = _placements(lines, rules)
        unclaimed = [_unclaimed_line(row, rules)
                     for row in evidence_reads.unclaimed_placements(con, period.start, period.end)]
        _attach_comparisons(con, placements + unclaimed)
    data = ReportData(
        organization=rules.organization, period=period, generated_at=beijing_now(),
        rules=rules, claims=claims, placements=placements, unclaimed=unclaimed,
        units=_units(claims, submissions, period.months(), rules), persons=_persons(claims, rules),
        chart=_chart(paid, chart_months),
    )
    _note_unverified_and_stale(data)
    return data


def _claim_line(row: verdicts_table.ClaimVerdictRow) -> tuple[ClaimLine, list[str]]:
    """(the claim as the report lists it, its verdict's discrepancies)."""
    evidence_url, evidence_title = row.evidence_url, row.evidence_title
    if row.evidence_file:   # checked against a scan, PDF or screenshot: say so and link the archived file
        label = next((r.split("：")[0] for r in row.reasons or [] if r.startswith("凭")), "凭扫描件核实")
        evidence_url, evidence_title = Path(row.evidence_file).as_uri(), f"{evidence_title or ''}（{label}）"
    unrated = row.article_id is not None and row.tier is None   # an outlet the registry lacks: no tier yet
    outlet_name = f"{row.claimed_outlet or row.outlet_name}（未定级）" if unrated else row.outlet_name
    line = ClaimLine(
        claim_id=row.claim_id, claimants=list(row.claimant or []), unit=(row.unit or row.manuscript_unit or "").strip(),
        claimed_outlet=row.claimed_outlet or "", claimed_date=row.claimed_date, claimed_page=row.claimed_page,
        claimed_url=row.claimed_url, claimed_title=row.claimed_title, status=row.status,
        reasons=list(row.reasons or []), warnings=list(row.warnings or []), suggestion=row.suggestion,
        points=row.points or 0.0, person_points=json.loads(row.person_points) if row.person_points else {},
        article_id=row.article_id, outlet_name=outlet_name,
        tier=row.tier or ("other" if row.article_id else None), evidence_date=row.evidence_date,
        evidence_page=row.evidence_page, evidence_title=evidence_title, evidence_url=evidence_url,
        manuscript_id=row.manuscript_id, manuscript_title=row.manuscript_title, rules_hash=row.rules_hash,
        unrated=unrated,
    )
    return line, list(row.discrepancies or [])


def _unclaimed_line(row: evidence_reads.UnclaimedRow, rules: Rules) -> PlacementLine:
    return PlacementLine(
        article_id=row.article_id, outlet_name=row.outlet_name, tier=row.tier, published_date=row.published_date,
        page_no=row.page_no, title=row.title, url=row.url, manuscript_id=row.manuscript_id,
        manuscript_title=row.manuscript_title, units=[rules.quotas.unit_key(row.unit) if row.unit else ""],
        people=list(row.authors or []), points=0.0, notes=[],
    )


def _attach_comparisons(con: duckdb.DuckDBPyConnection, lines: list[PlacementLine]) -> None:
    """Give each placement with a manuscript its side-by-side texts and aligned passages."""
    wanted = {(p.manuscript_id, p.article_id) for p in lines if p.manuscript_id}
    found = {(r.manuscript_id, r.article_id): Comparison(r.manuscript_title, r.manuscript_body, r.article_body,
                                                         parse_evidence(r.evidence))
             for r in evidence_reads.comparisons(con, wanted)}
    for p in lines:
        p.comparison = found.get((p.manuscript_id, p.article_id)) if p.manuscript_id else None


def _chart(paid: list[verdicts_table.PaidPlacement], chart_months: list[tuple[int, int]]) -> ChartData:
    """Paid placements per month and tier."""
    counts = {t: [0] * len(chart_months) for t in TIERS}
    for p in paid:
        if (p.year, p.month) in chart_months:
            counts[p.tier if p.tier in counts else "other"][chart_months.index((p.year, p.month))] += 1
    return ChartData(chart_months, counts)


def _note_unverified_and_stale(data: ReportData) -> None:
    """Tell the reader when claims wait for verification or were scored under other rules."""
    label, digest = data.period.label, data.rules.digest
    unverified = sum(1 for c in data.claims if c.status is None)
    if unverified:
        data.notes.append(f"有 {unverified} 条申报尚未核验，请先运行 shanggao verify --period {label}。")
    data.stale_verdicts = sum(1 for c in data.claims if c.status and c.rules_hash != digest)
    if data.stale_verdicts:
        data.notes.append(f"有 {data.stale_verdicts} 条核验结论的积分按其他规则计算（当前规则 {digest}），"
                          f"请重新运行 shanggao verify --period {label}。")


def _placements(lines: list[tuple[ClaimLine, list[str]]], rules: Rules) -> list[PlacementLine]:
    by_placement: dict[tuple[int, str | None], PlacementLine] = {}
    for claim, discrepancies in lines:
        if claim.article_id is None or claim.status not in rules.paying_statuses:
            continue
        key = (claim.article_id, claim.manuscript_id)
        p = by_placement.get(key)
        if p is None:
            p = by_placement[key] = PlacementLine(
                claim.article_id, claim.outlet_name or "", claim.tier or "other", claim.evidence_date,
                claim.evidence_page, claim.evidence_title or "", claim.evidence_url or "", claim.manuscript_id,
                claim.manuscript_title, [], [], 0.0, [])
        unit = rules.quotas.unit_key(claim.unit)
        if claim.unit and unit not in p.units:
            p.units.append(unit)
        p.people.extend(n for n in claim.claimants if n not in p.people)
        p.points = round(p.points + claim.points, 2)
        p.notes.extend(d for d in discrepancies if d not in p.notes)
    return sorted(by_placement.values(),
                  key=lambda p: (p.published_date or dt.date.min, p.article_id, p.manuscript_id or ""))


def _units(claims: list[ClaimLine], submissions: list[manuscripts_table.SubmissionCount],
           months: list[tuple[int, int]], rules: Rules) -> list[UnitLine]:
    quotas = rules.quotas
    units: dict[str, UnitLine] = {}

    def unit(name: str) -> UnitLine:
        key = quotas.unit_key(name)
        if key not in units:
            quota = quotas.minimum(key)
            units[key] = UnitLine(key, quota, {m: MonthQuota(0, 0, quota) for m in months},
                                  {t: 0 for t in TIERS}, 0.0)
        return units[key]

    for name in (quotas.office, *quotas.roster):
        unit(name)
    for sub in submissions:
        unit(sub.unit or "").months[(sub.year, sub.month)].submitted += sub.manuscripts
    seen: set[tuple[str, int, str | None]] = set()
    for c in claims:
        line = unit(c.unit)
        if c.article_id is None or c.status not in rules.paying_statuses:
            continue
        line.points = round(line.points + c.points, 2)
        placement = (line.unit, c.article_id, c.manuscript_id)
        if placement in seen:
            continue
        seen.add(placement)
        line.tiers[c.tier or "other"] += 1
        if c.claimed_date and (c.claimed_date.year, c.claimed_date.month) in line.months:
            line.months[(c.claimed_date.year, c.claimed_date.month)].placements += 1
    office = units.pop(quotas.office)
    return [office, *sorted(units.values(), key=lambda u: (-u.points, -u.placements, u.unit))]


def _persons(claims: list[ClaimLine], rules: Rules) -> list[PersonLine]:
    people: dict[str, PersonLine] = {}
    for c in claims:
        if c.article_id is None or c.status not in rules.paying_statuses:
            continue
        shares = c.person_points or {n: round(c.points / len(c.claimants), 2) for n in c.claimants if c.claimants}
        for name in c.claimants or ["（未填申报人）"]:
            person = people.setdefault(name, PersonLine(name, [], {t: 0 for t in TIERS}, 0.0))
            unit = rules.quotas.unit_key(c.unit)
            if c.unit and unit not in person.units:
                person.units.append(unit)
            person.tiers[c.tier or "other"] += 1
            person.points = round(person.points + shares.get(name, 0.0), 2)
    return sorted(people.values(), key=lambda p: (-p.points, -p.placements, p.name))
