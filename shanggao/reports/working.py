"""The 工作底稿: the office's working sheet written beside every 通报 (an .xlsx).

What a circulated 通报 must not carry lives here: the register's claim ids and
manuscript ids, every claim that needs a look with its reasons and the remedy
(the ``shanggao crawl``/``fetch`` command that would settle it), the evidence
links, discrepancies, the rules file and its hash, and the warnings about
unverified claims or verdicts computed under other rules.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from shanggao.reports.data import ClaimLine, PlacementLine, ReportData
from shanggao.reports.sections import Cell, Link, Table, footer, points_text
from shanggao.reports.xlsx import write_sheet
from shanggao.rules import TIER_LABELS


def working_sheet_name(report: Path) -> Path:
    """上稿通报-2022-06.docx -> 上稿通报-2022-06-工作底稿.xlsx beside it."""
    return report.with_name(f"{report.stem}-工作底稿.xlsx")


def report_warnings(data: ReportData) -> list[str]:
    """What the office should know before circulating the 通报 (printed on the terminal)."""
    warnings = []
    unverified = sum(1 for c in data.claims if c.status is None)
    if unverified:
        warnings.append(f"{unverified} claim(s) of {data.period.label} have no verdict yet: "
                        f"run `shanggao verify --period {data.period.label}` before circulating the report")
    if data.stale_verdicts:
        warnings.append(f"{data.stale_verdicts} verdict(s) were computed under other rules than "
                        f"{data.rules.source} ({data.rules.digest}): run `shanggao verify --period "
                        f"{data.period.label}` again")
    return warnings


def _link(url: str | None) -> Cell:
    return Link(url, url) if url else ""


def _look_rows(claims: list[ClaimLine]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for c in claims:
        rows.append([c.claim_id, "、".join(c.claimants), c.unit, c.claimed_outlet, c.claimed_date or "",
                     c.claimed_title or c.manuscript_title or "", c.manuscript_id or "", c.status_label,
                     "；".join(c.reasons + c.warnings), c.suggestion or "", _link(c.evidence_url or c.claimed_url)])
    return rows


def _placement_rows(placements: list[PlacementLine], claims: list[ClaimLine]) -> list[list[Cell]]:
    by_pair: dict[tuple[int, str | None], list[str]] = {}
    for c in claims:
        if c.article_id is not None:
            by_pair.setdefault((c.article_id, c.manuscript_id), []).append(c.claim_id)
    rows: list[list[Cell]] = []
    for i, p in enumerate(placements, 1):
        rows.append([i, "、".join(by_pair.get((p.article_id, p.manuscript_id), [])), p.manuscript_id or "",
                     p.outlet_name, TIER_LABELS.get(p.tier, p.tier), p.published_date or "",
                     f"第{p.page_no}版" if p.page_no else "", p.title, "、".join(p.units), "、".join(p.people),
                     points_text(p.points), "；".join(p.notes), _link(p.url)])
    return rows


def render_working_sheet(data: ReportData, out: Path, number: str = "",
                         warnings: list[str] | None = None) -> Path:
    wb = Workbook()
    about = wb.active
    about.title = "说明"
    lines = [f"{data.title}（工作底稿，不对外印发）", *([f"发文字号：{number}"] if number else []),
             f"统计期间：{data.period.start} 至 {data.period.end}", footer(data),
             *(warnings if warnings is not None else report_warnings(data))]
    write_sheet(about, lines[0], lines[1:], None)
    look = [c for c in data.claims if c.status != "verified"]
    write_sheet(wb.create_sheet("需核查"), "需核查的申报（原因、建议操作和证据链接）",
                ["核验结论不是“已核实”的每条申报；“建议操作”是可判定该申报的命令。"],
                Table(["申报编号", "申报人", "单位", "申报媒体", "申报日期", "申报标题", "稿件编号", "核验结论",
                       "原因", "建议操作", "证据链接"], _look_rows(look), wide=True))
    write_sheet(wb.create_sheet("已核实上稿"), "已核实上稿（含编号、出入说明和链接）", [],
                Table(["序号", "申报编号", "稿件编号", "媒体", "级别", "日期", "版次", "标题", "单位", "作者", "积分",
                       "出入说明", "链接"], _placement_rows(data.placements, data.claims), wide=True))
    unrated = [c for claims in data.unrated_outlets.values() for c in claims]
    if unrated:
        write_sheet(wb.create_sheet("未定级媒体"), "尚未定级的媒体（上稿已核实，定级后计分）",
                    ["“建议操作”登记该媒体（--tier 按其实际级别填写），然后重新核验。"],
                    Table(["申报媒体", "申报编号", "申报人", "申报标题", "核验结论", "建议操作", "链接"],
                          [[c.claimed_outlet, c.claim_id, "、".join(c.claimants), c.claimed_title or c.manuscript_title
                            or "", c.status_label, c.suggestion or "", _link(c.evidence_url or c.claimed_url)]
                           for c in unrated], wide=True))
    write_sheet(wb.create_sheet("未申报上稿"), "比对发现的未申报上稿", [],
                Table(["序号", "申报编号", "稿件编号", "媒体", "级别", "日期", "版次", "标题", "单位", "作者", "积分",
                       "出入说明", "链接"], _placement_rows(data.unclaimed, []), wide=True))
    wb.save(out)
    return out

