"""The report's sections as plain tables, shared by every output format.

Each renderer (html, md, docx, xlsx) walks the same ``Section`` list, so the
four formats always say the same thing; only the HTML adds the side-by-side
comparisons.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from shanggao.db.outlets import TIERS
from shanggao.reports.data import ClaimLine, PlacementLine, ReportData
from shanggao.rules import TIER_LABELS

TIER_COLUMNS = [TIER_LABELS[t] for t in TIERS]
# Control characters, and everything XML 1.0 cannot hold (lone surrogates, U+FFFE, U+FFFF), which
# would make the .docx/.xlsx writers fail.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(value: object) -> str:
    """Display text for a cell: dates ISO, numbers trimmed, control characters gone."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return _CONTROL.sub("", str(value))


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


Cell = str | int | float | Link


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    empty: str = "无"


@dataclass
class Section:
    key: str                        # units / persons / placements / unclaimed / look / chart / summary / matrix
    title: str
    sentences: list[str] = field(default_factory=list)
    table: Table | None = None


def _tiers(counts: dict[str, int]) -> list[Cell]:
    return [counts.get(t, 0) for t in TIERS]


def _page(page_no: int | None) -> str:
    return f"第{page_no}版" if page_no else ""


def _units(data: ReportData) -> list[Section]:
    year = data.period.is_year
    rows = []
    for u in data.units:
        if year:
            status = "达标" if u.months_met == len(u.months) else f"未达标（{u.months_met}/{len(u.months)}个月达标）"
            rows.append([u.unit, u.submitted, u.quota, status, u.placements, *_tiers(u.tiers), u.points])
        else:
            month = next(iter(u.months.values()))
            rows.append([u.unit, month.submitted, u.quota, month.label, u.placements, *_tiers(u.tiers), u.points])
    columns = ["单位", "报送稿件", "月任务数", "完成情况", "核实上稿", *TIER_COLUMNS, "积分"]
    note = (f"报送任务：乡镇、县直单位每月向{data.rules.quotas.office}报送稿件不少于 "
            f"{data.rules.quotas.default_monthly} 篇；{data.rules.quotas.office}每月向中央、省、州媒体报送不少于 "
            f"{data.rules.quotas.office_monthly} 篇（个别单位另有规定的从其规定）。")
    sections = [Section("units", "各单位报送与上稿情况", [note], Table(columns, rows))]
    if year:
        months = data.period.months()
        matrix = [[u.unit, *(f"{u.months[m].submitted}{'✓' if u.months[m].met else '✗'}" for m in months)]
                  for u in data.units]
        sections.append(Section("matrix", "各单位逐月报送情况", ["“✓”为当月达标，“✗”为未达标；数字为当月报送稿件数。"],
                                Table(["单位", *(f"{m}月" for _, m in months)], matrix)))
    return sections


def _persons(data: ReportData) -> Section:
    rows = [[p.name, "、".join(p.units), *_tiers(p.tiers), p.placements, p.points] for p in data.persons]
    return Section("persons", "个人上稿情况", [],
                   Table(["姓名", "单位", *TIER_COLUMNS, "合计", "积分"], rows))


def _placement_rows(placements: list[PlacementLine], with_points: bool) -> list[list[Cell]]:
    rows = []
    for i, p in enumerate(placements, 1):
        row: list[Cell] = [i, p.outlet_name, TIER_LABELS.get(p.tier, p.tier), clean(p.published_date),
                           _page(p.page_no), Link(p.title, p.url), p.manuscript_title or "", "、".join(p.units),
                           "、".join(p.people)]
        if with_points:
            row += [p.points, "；".join(p.notes)]
        rows.append(row)
    return rows


def _look_rows(claims: list[ClaimLine]) -> list[list[Cell]]:
    rows = []
    for c in claims:
        why = "；".join(c.reasons + c.warnings)
        rows.append([c.claim_id, "、".join(c.claimants), c.unit, c.claimed_outlet, clean(c.claimed_date),
                     c.claimed_title or c.manuscript_title or "", c.status_label, why])
    return rows


def build_sections(data: ReportData) -> list[Section]:
    """The report, section by section, in circulation order."""
    head = ["序号", "媒体", "级别", "日期", "版次", "标题", "稿件", "单位", "作者"]
    numerals = "一二三四五六七八九十"
    sections = [Section("summary", "总体情况", data.summary_sentences()),
                Section("chart", "各月核实上稿走势（按媒体级别）", [])]
    sections += _units(data)
    sections += [
        _persons(data),
        Section("placements", "已核实上稿明细", [],
                Table(head + ["积分", "备注"], _placement_rows(data.placements, True))),
        Section("unclaimed", "比对发现的未申报上稿",
                ["以下上稿经比对确认刊发了本地报送的稿件，但无人申报，请相关单位核实后补报。"] if data.unclaimed else [],
                Table(head, _placement_rows(data.unclaimed, False))),
        Section("look", "需核查的申报",
                ["以下申报未能直接核实，请逐条核查（“原因”列说明依据及下一步操作）。"] if data.needs_look else [],
                Table(["申报编号", "申报人", "单位", "申报媒体", "申报日期", "申报标题", "核验结论", "原因"],
                      _look_rows(data.needs_look))),
    ]
    for i, section in enumerate(sections):
        section.title = f"{numerals[i]}、{section.title}"
    return sections


def chart_table(data: ReportData) -> Table:
    """The chart's figures: one row per month, one column per tier."""
    chart = data.chart
    rows: list[list[Cell]] = [
        [label, *(chart.counts[t][i] for t in TIERS), sum(chart.counts[t][i] for t in TIERS)]
        for i, label in enumerate(chart.labels)
    ]
    return Table(["月份", *TIER_COLUMNS, "合计"], rows)


def footer(data: ReportData) -> str:
    return (f"积分规则：{data.rules.source}（{data.rules.digest}）；"
            f"生成时间：{data.generated_at:%Y-%m-%d %H:%M}（北京时间）；由 shanggao 上稿核验生成。")
