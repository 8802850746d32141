"""The 通报's parts as plain sentences and tables, shared by every output format.

Each renderer (html, md, docx, xlsx) walks the same ``Section`` list, so the
four formats always say the same thing.  The list holds only what a circulated
document may carry: no claim or manuscript ids, no links, no shell commands —
those go to the 工作底稿 (shanggao.reports.working).  Sections marked
``annex`` are the 附件 printed after the 落款.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from shanggao.db.outlets import TIERS
from shanggao.reports.data import PersonLine, PlacementLine, ReportData, UnitLine, beijing_now
from shanggao.reports.gongwen import chinese_date, heading_number
from shanggao.rules import TIER_LABELS

TIER_COLUMNS = [TIER_LABELS[t] for t in TIERS]
# Control characters, and everything XML 1.0 cannot hold (lone surrogates, U+FFFE, U+FFFF), which
# would make the .docx/.xlsx writers fail.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
PRAISED_RANKS = 3          # 表扬: units and persons ranked in the first three places


def clean(value: object) -> str:
    """Display text for a cell: dates ISO, numbers trimmed, control characters gone."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return _CONTROL.sub("", str(value))


def points_text(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    @property
    def safe_url(self) -> str | None:
        """The URL when it is http(s), or a file: link to an archived scan; anything else
        (javascript:, data:) is shown, never linked."""
        return self.url if re.match(r"(?i)^(https?://|file:///)", self.url or "") else None

    def __str__(self) -> str:
        return self.text


Cell = str | int | float | dt.date | Link


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    empty: str = "无"
    wide: bool = False              # better printed on a landscape page


@dataclass
class Section:
    key: str                        # summary / ranking / units_rank / persons_rank / praise / unmet / units /
                                    # matrix / placements / unclaimed / requirements
    title: str
    sentences: list[str] = field(default_factory=list)
    table: Table | None = None
    level: int = 1                  # 1: 一、 黑体; 2: （一） 楷体
    chart: bool = False             # the chart follows the sentences
    annex: bool = False             # a 附件 after the 落款; title without a number
    heading: str = ""               # the numbered heading, filled in by build_sections


@dataclass
class Closing:
    """落款 and 成文日期 (GB/T 9704-2012 7.3.5), and the 附件说明 above them."""
    signatory: str
    date: str
    annexes: list[str]


# -- counting ---------------------------------------------------------------------------------

def counted_months(data: ReportData, today: dt.date | None = None) -> list[tuple[int, int]]:
    """The period's months that count toward quotas: from the first month with any data
    (a submission or a claim) and only months that have ended (Beijing date)."""
    today = today or beijing_now().date()
    active = {m for u in data.units for m, q in u.months.items() if q.submitted or q.placements}
    active |= {(c.claimed_date.year, c.claimed_date.month) for c in data.claims if c.claimed_date}
    first = min(active, default=None)
    if first is None:
        return []
    return [m for m in data.period.months() if m >= first and _month_end(m) < today]


def _month_end(month: tuple[int, int]) -> dt.date:
    y, m = month
    return (dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)) - dt.timedelta(days=1)


def unit_met(unit: UnitLine, months: list[tuple[int, int]]) -> bool:
    return all(unit.months[m].met for m in months if m in unit.months)


def ranks(points: list[float]) -> list[int]:
    """Competition ranking on points, highest first, ties shared: 30, 20, 20, 5 -> 1, 2, 2, 4."""
    order = sorted(range(len(points)), key=lambda i: -points[i])
    out = [0] * len(points)
    for place, i in enumerate(order):
        prev = order[place - 1] if place else None
        out[i] = out[prev] if prev is not None and points[prev] == points[i] else place + 1
    return out


def _ranked_units(data: ReportData) -> list[tuple[int, UnitLine]]:
    """Units other than the office, by points (ties shared), then placements and name."""
    units = sorted((u for u in data.units if u.unit != data.rules.quotas.office),
                   key=lambda u: (-u.points, -u.placements, u.unit))
    return list(zip(ranks([u.points for u in units]), units, strict=True))


def _ranked_persons(data: ReportData) -> list[tuple[int, PersonLine]]:
    persons = sorted(data.persons, key=lambda p: (-p.points, -p.placements, p.name))
    return list(zip(ranks([p.points for p in persons]), persons, strict=True))


def _tier_phrase(counts: dict[str, int]) -> str:
    return "、".join(f"{TIER_LABELS[t]}媒体{n}篇" for t in TIERS if (n := counts.get(t, 0)))


def _names(items: list[str]) -> str:
    return "、".join(items)


# -- the parts --------------------------------------------------------------------------------

def _summary(data: ReportData, months: list[tuple[int, int]]) -> Section:
    period = "本年度" if data.period.is_year else "本月" if data.period.is_month else "本期"
    totals = data.tier_totals
    placed = len(data.placements)
    tiers = _tier_phrase(totals)
    sentences = [
        f"{period}共收到上稿申报{len(data.claims)}条，经逐条比对核实，确认上稿{placed}篇"
        + (f"，其中{tiers}" if tiers else "") + f"，合计积分{points_text(data.total_points)}分。"
    ]
    office = next((u for u in data.units if u.unit == data.rules.quotas.office), None)
    others = [u for u in data.units if u is not office]
    submitted = sum(u.submitted for u in others)
    if months:
        met = sum(1 for u in others if unit_met(u, months))
        every = "各月均" if len(months) > 1 else ""
        sentences.append(f"各乡镇、县直单位共报送稿件{submitted}篇，{len(others)}个单位中{met}个{every}完成报送任务，"
                         f"{len(others) - met}个未完成。")
    else:
        sentences.append(f"各乡镇、县直单位共报送稿件{submitted}篇；统计期尚未结束，报送任务完成情况待期末统计。")
    if office is not None:
        quota = office.quota * max(len(months), 1)
        sentences.append(f"{office.unit}向中央、省、州媒体报送稿件{office.submitted}篇（任务{quota}篇），"
                         f"核实上稿{office.placements}篇。")
    if data.period.is_year and len(months) < len(data.period.months()):
        if months:
            first, last = months[0], months[-1]
            sentences.append(f"报送任务按{first[0]}年{first[1]}月至{last[1]}月共{len(months)}个月统计"
                             f"（此前无报送记录的月份和尚未结束的月份不计）。")
    if data.unclaimed:
        sentences.append(f"经比对，另发现已刊发但无人申报的上稿{len(data.unclaimed)}篇，请相关单位核实后补报。")
    unrated = data.unrated_outlets
    if unrated:
        listed = "、".join(f"{name}{len(claims)}篇" for name, claims in unrated.items())
        sentences.append(f"刊于尚未定级媒体的上稿（{listed}）已核实，待媒体定级后计分。")
    look = [c for c in data.needs_look if c.status not in data.rules.paying_statuses]
    if look:
        sentences.append(f"另有{len(look)}条申报未能核实或存在重复，已另行反馈相关单位核查，未计入积分。")
    return Section("summary", "总体情况", sentences, chart=True)


def _unit_rank_table(data: ReportData, months: list[tuple[int, int]]) -> Table:
    year = data.period.is_year
    rows: list[list[Cell]] = []
    for rank, u in _ranked_units(data):
        quota = u.quota * len(months)
        submitted = sum(u.months[m].submitted for m in months) if months else u.submitted
        if not months:
            status = "—"
        elif year:
            missed = sum(1 for m in months if not u.months[m].met)
            status = "完成" if not missed else f"{missed}个月未完成"
        else:
            status = "完成" if unit_met(u, months) else "未完成"
        rows.append([rank, u.unit, submitted, quota if months else u.quota, status, u.placements,
                     u.points])
    return Table(["名次", "单位", "报送稿件", "任务数", "报送任务", "核实上稿", "积分"], rows,
                 empty="本期无单位报送记录")


def _person_rank_table(data: ReportData) -> Table:
    rows: list[list[Cell]] = [[rank, p.name, _names(p.units), p.placements, p.points]
                              for rank, p in _ranked_persons(data)]
    return Table(["名次", "姓名", "单位", "核实上稿", "积分"], rows, empty="本期无核实上稿")


def _praise(data: ReportData, months: list[tuple[int, int]]) -> Section:
    period = "本年度" if data.period.is_year else "本月" if data.period.is_month else "本期"
    units = [(r, u) for r, u in _ranked_units(data)
             if r <= PRAISED_RANKS and u.points > 0 and months and unit_met(u, months)]
    persons = [(r, p) for r, p in _ranked_persons(data) if r <= PRAISED_RANKS and p.points > 0]
    sentences = []
    if units:
        what = "、".join(f"{u.unit}（上稿{u.placements}篇，积分{points_text(u.points)}分）" for _, u in units)
        every = "各月均" if len(months) > 1 else ""
        sentences.append(f"{what}{every}按时完成报送任务，{period}上稿积分位居全县前列，予以通报表扬。")
    if persons:
        what = "、".join(f"{p.name}（{_names(p.units) or '未填单位'}，积分{points_text(p.points)}分）"
                        for _, p in persons)
        sentences.append(f"{what}{period}上稿积分位居前列，予以表扬。")
    if not sentences:
        sentences.append(f"{period}暂无符合表扬条件的单位和个人。")
    return Section("praise", "表扬", sentences)


def _unmet(data: ReportData, months: list[tuple[int, int]]) -> Section:
    if not months:
        return Section("unmet", "未完成报送任务的单位", ["统计期尚未结束，报送任务完成情况待期末统计。"])
    late = [u for u in data.units if u.unit != data.rules.quotas.office and not unit_met(u, months)]
    if not late:
        return Section("unmet", "未完成报送任务的单位", ["各单位均完成了报送任务。"])
    if len(months) > 1:
        what = "、".join(f"{u.unit}（{sum(1 for m in months if not u.months[m].met)}个月未完成）" for u in late)
    else:
        m = months[0]
        what = "、".join(f"{u.unit}（报送{u.months[m].submitted}篇，任务{u.months[m].quota}篇）" for u in late)
    return Section("unmet", "未完成报送任务的单位",
                   [f"{what}未完成报送任务，请上述单位认真分析原因，明确专人负责，切实抓好整改。"])


def _units_annex(data: ReportData, months: list[tuple[int, int]]) -> Section:
    rows: list[list[Cell]] = []
    tiers = _used_tiers(data)
    for u in data.units:
        submitted = sum(u.months[m].submitted for m in months) if months else u.submitted
        rows.append([u.unit, submitted, u.quota * max(len(months), 1), u.placements,
                     *(u.tiers.get(t, 0) for t in tiers), u.points])
    columns = ["单位", "报送稿件", "任务数", "核实上稿", *(TIER_LABELS[t] for t in tiers), "积分"]
    note = (f"报送任务：乡镇、县直单位每月向{data.rules.quotas.office}报送稿件不少于"
            f"{data.rules.quotas.default_monthly}篇；{data.rules.quotas.office}每月向中央、省、州媒体报送不少于"
            f"{data.rules.quotas.office_monthly}篇（个别单位另有规定的从其规定）。")
    return Section("units", "各单位报送与上稿情况", [note], Table(columns, rows), annex=True)


def _matrix(data: ReportData, months: list[tuple[int, int]]) -> Section:
    rows: list[list[Cell]] = []
    for u in data.units:
        cells: list[Cell] = []
        for m in data.period.months():
            if m not in months:
                cells.append("—")
            else:
                q = u.months[m]
                cells.append(f"{q.submitted}{'✓' if q.met else '✗'}")
        rows.append([u.unit, *cells])
    return Section("matrix", "各单位逐月报送情况",
                   ["“✓”为当月完成报送任务，“✗”为未完成；数字为当月报送稿件数；“—”为不计入统计的月份"
                    "（此前无报送记录或尚未结束）。"],
                   Table(["单位", *(f"{m}月" for _, m in data.period.months())], rows, wide=True), annex=True)


def _used_tiers(data: ReportData) -> list[str]:
    used = [t for t in TIERS if any(u.tiers.get(t) for u in data.units) or any(p.tier == t for p in data.placements)]
    return used or ["central", "provincial", "prefectural"]


def _page(page_no: int | None) -> str:
    return f"第{page_no}版" if page_no else ""


def _placement_rows(placements: list[PlacementLine], with_points: bool) -> list[list[Cell]]:
    rows = []
    for i, p in enumerate(placements, 1):
        row: list[Cell] = [i, p.outlet_name, p.published_date or "", _page(p.page_no), p.title,
                           _names(p.units), _names(p.people)]
        if with_points:
            row.append(p.points)
        rows.append(row)
    return rows


def build_sections(data: ReportData) -> list[Section]:
    """The 通报, part by part in circulation order: the body (numbered 一、（一）), then the 附件."""
    months = counted_months(data)
    head = ["序号", "媒体", "日期", "版次", "标题", "单位", "作者"]
    sections = [
        _summary(data, months),
        Section("ranking", "排名情况"),
        Section("units_rank", "单位排名", ["按核实上稿积分排序，积分相同的名次并列。"],
                _unit_rank_table(data, months), level=2),
        Section("persons_rank", "个人排名", [], _person_rank_table(data), level=2),
        _praise(data, months),
        _unmet(data, months),
        Section("requirements", "下一步工作要求",
                [line.strip() for line in data.rules.report.requirements.splitlines() if line.strip()]),
    ]
    sections += [_units_annex(data, months)]
    if data.period.is_year:
        sections.append(_matrix(data, months))
    sections += [
        Section("placements", "已核实上稿明细", [],
                Table(head + ["积分"], _placement_rows(data.placements, True), empty="本期无核实上稿"), annex=True),
    ]
    if data.unclaimed:
        sections.append(Section("unclaimed", "比对发现的未申报上稿",
                                ["以下上稿经比对确认刊发了本县报送的稿件，但无人申报，请相关单位核实后补报。"],
                                Table(head, _placement_rows(data.unclaimed, False)), annex=True))
    counters = [0, 0]
    annex = 0
    for s in sections:
        if s.annex:
            annex += 1
            s.heading = f"附件{annex}"
            continue
        if s.level == 1:
            counters = [counters[0] + 1, 0]
            s.heading = heading_number(1, counters[0]) + s.title
        else:
            counters[1] += 1
            s.heading = heading_number(2, counters[1]) + s.title
    return sections


def closing(data: ReportData) -> Closing:
    annexes = [s.title for s in build_sections(data) if s.annex]
    return Closing(data.rules.report.signatory, chinese_date(data.generated_at.date()), annexes)


def chart_table(data: ReportData) -> Table:
    """The chart's figures: one row per month, one column per tier."""
    chart = data.chart
    rows: list[list[Cell]] = [
        [label, *(chart.counts[t][i] for t in TIERS), sum(chart.counts[t][i] for t in TIERS)]
        for i, label in enumerate(chart.labels)
    ]
    return Table(["月份", *TIER_COLUMNS, "合计"], rows)


CHART_CAPTION = "图1  各月核实上稿数（按媒体级别）"


def footer(data: ReportData) -> str:
    """The working sheet's provenance line (rules and time); the 通报 itself carries none of it."""
    return (f"积分规则：{data.rules.source}（{data.rules.digest}）；"
            f"生成时间：{data.generated_at:%Y-%m-%d %H:%M}（北京时间）；由 shanggao 上稿核验生成。")
