"""The HTML report: one self-contained file, no script, every stored string escaped.

On screen it reads as a web page; printed (or saved as PDF) it is the 通报 on
A4 with the GB/T 9704-2012 margins and fonts, ``— 1 —`` page numbers, table
headers repeated on every page and rows never split.  A Content-Security-Policy
meta tag forbids scripts and remote loads as a second line of defence.  Each
placement can be opened (<details>) to show the manuscript and the published
text side by side with the matched passages highlighted; those comparisons are
for the screen and are left out of print.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from shanggao.reports import gongwen as gw
from shanggao.reports.chart import chart_svg
from shanggao.reports.data import Comparison, PlacementLine, ReportData
from shanggao.reports.sections import CHART_CAPTION, Section, Table, build_sections, clean, closing


def _family(role: str) -> str:
    names = (*gw.FONTS[role], *gw.CSS_FALLBACK[role])
    return ",".join(n if n in ("serif", "sans-serif") else f'"{n}"' for n in names)


_CSS = f"""
body{{font-family:{_family("body")};color:#111;margin:0;background:#f4f4f4;line-height:1.75;font-size:16px}}
main{{max-width:1000px;margin:0 auto;background:#fff;padding:32px 56px 48px}}
.masthead{{text-align:center;color:#{gw.RED};font-family:{_family("title")};font-size:40px;letter-spacing:2px;
 margin:8px 0 24px;line-height:1.3}}
.docno{{text-align:center;margin:0;padding-bottom:10px;border-bottom:2px solid #{gw.RED};min-height:1em}}
h1{{text-align:center;font-family:{_family("title")};font-size:26px;font-weight:normal;margin:36px 0 20px;
 line-height:1.5}}
.recipients{{margin:0 0 4px}}
p.body{{text-indent:2em;margin:0;text-align:justify}}
h2{{font-family:{_family("heading1")};font-size:16px;font-weight:normal;text-indent:2em;margin:6px 0 0}}
h3{{font-family:{_family("heading2")};font-size:16px;font-weight:normal;text-indent:2em;margin:4px 0 0}}
.annex-label{{font-family:{_family("heading1")};font-size:16px;margin:40px 0 0}}
.annex h2{{font-family:{_family("title")};font-size:22px;text-align:center;text-indent:0;margin:8px 0 12px}}
.annexes p{{margin:12px 0 0;text-indent:2em}}
.annexes p.more{{margin:0;text-indent:5em}}
.sign{{text-align:right;margin:0}}
.sign.first{{margin-top:28px}}
figure{{margin:12px 0;text-align:center}}
figcaption{{font-family:{_family("heading2")};font-size:14px}}
table{{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0;line-height:1.5}}
th,td{{border:1px solid #555;padding:3px 5px;vertical-align:top;text-align:left}}
th{{background:#f3ecec;font-family:{_family("heading1")};font-weight:normal;white-space:nowrap}}
td.num{{text-align:center;white-space:nowrap}}
td.short{{white-space:nowrap}}
td.wrap{{min-width:10em}}
thead{{display:table-header-group}}
tr{{break-inside:avoid}}
.status-bad{{color:#b22222}}
.empty{{color:#555}}
details{{margin:6px 0;border:1px solid #ddd;border-radius:4px;padding:4px 8px}}
summary{{cursor:pointer;font-weight:bold}}
.cmp{{display:grid;grid-template-columns:1fr 1fr;gap:16px}}
.cmp h4{{margin:6px 0}}
.cmp .text{{font-size:13px;white-space:normal;border-top:1px solid #eee;padding-top:4px}}
mark{{background:#fff2a8;padding:0 1px}}
mark sup{{color:#b22222;font-size:10px;margin-right:1px}}
@page{{size:A4 portrait;margin:{gw.MARGIN_MM["top"]:g}mm {gw.MARGIN_MM["right"]:g}mm {gw.MARGIN_MM["bottom"]:g}mm
 {gw.MARGIN_MM["left"]:g}mm;
 @bottom-center{{content:"— " counter(page) " —";font-family:{_family("page_number")};font-size:14pt;
 vertical-align:top;padding-top:7mm}}}}
@media print{{
 body{{background:#fff;font-size:16pt;line-height:{gw.LINE_PITCH_PT:.2f}pt}}
 main{{max-width:none;padding:0}}
 .masthead{{font-size:40pt;margin:{35 - 14:g}mm 0 {2 * gw.LINE_PITCH_PT:.0f}pt}}
 .docno{{padding-bottom:4mm}}
 h1{{font-size:22pt;margin:{2 * gw.LINE_PITCH_PT:.0f}pt 0 {gw.LINE_PITCH_PT:.0f}pt}}
 h2,h3{{font-size:16pt;break-after:avoid}}
 table{{font-size:10.5pt;line-height:1.35}}
 figure{{break-inside:avoid}}
 figure svg{{width:100%;height:auto}}
 .screen-only,details{{display:none}}
 .annex{{break-before:page}}
 .annex-label{{margin-top:0}}
 .annex h2{{font-size:22pt}}
}}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


# Columns holding sentences or titles wrap; the rest (dates, outlets, 版次) stay on one line.
_WRAPPING = {"标题", "稿件", "备注", "原因", "申报标题", "单位", "作者", "姓名"}


def _text(value: object) -> str:
    return escape(clean(value), quote=True)


def _cell(value: object, column: str) -> str:
    if isinstance(value, (int, float)):
        return f'<td class="num">{_text(value)}</td>'
    classes = ["wrap"] if column == "标题" else [] if column in _WRAPPING else ["short"]
    if column in ("报送任务",) and value not in ("完成", "—"):
        classes.append("status-bad")
    css = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{css}>{_text(value)}</td>"


def _table(table: Table) -> str:
    if not table.rows:
        return f'<p class="body empty">{_text(table.empty)}</p>'
    head = "".join(f"<th>{_text(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(_cell(v, c) for v, c in zip(row, table.columns, strict=False)) + "</tr>\n"
                   for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>"


def highlight(text: str, spans: list[tuple[int, int, int]]) -> str:
    """``text`` escaped, each (start, end, n) span wrapped in <mark> numbered n; paragraphs kept."""
    out, pos = [], 0
    for start, end, n in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue  # outside the text or overlapping an earlier passage
        out.append(escape(text[pos:start]))
        out.append(f'<mark title="第{n}处"><sup>{n}</sup>{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br>\n")


def _comparison(p: PlacementLine, cmp: Comparison) -> str:
    spans = sorted(cmp.spans, key=lambda s: s.manuscript_start)
    m_spans = [(s.manuscript_start, s.manuscript_end, i) for i, s in enumerate(spans, 1)]
    a_spans = [(s.article_start, s.article_end, i) for i, s in enumerate(spans, 1)]
    found = f"{len(spans)} 处相同段落" if spans else "未记录对应段落"
    return (
        f"<details><summary>{_text(p.outlet_name)} {_text(p.published_date)}《{_text(p.title)}》"
        f" ↔ 稿件《{_text(cmp.manuscript_title)}》（{found}）</summary>"
        f'<div class="cmp"><div><h4>报送稿件</h4><div class="text">{highlight(clean(cmp.manuscript_body), m_spans)}'
        f'</div></div><div><h4>见报稿</h4><div class="text">{highlight(clean(cmp.article_body), a_spans)}</div></div>'
        f"</div></details>"
    )


def _section(section: Section, data: ReportData) -> str:
    if section.annex:
        parts = [f'<section id="{section.key}" class="annex"><p class="annex-label">{_text(section.heading)}</p>'
                 f"<h2>{_text(section.title)}</h2>"]
    else:
        tag = "h2" if section.level == 1 else "h3"
        parts = [f'<section id="{section.key}"><{tag}>{_text(section.heading)}</{tag}>']
    parts += [f'<p class="body">{_text(s)}</p>' for s in section.sentences]
    if section.chart:
        parts.append(f"<figure>{chart_svg(data.chart)}<figcaption>{_text(CHART_CAPTION)}</figcaption></figure>")
    if section.table is not None:
        parts.append(_table(section.table))
    if section.key in ("placements", "unclaimed"):
        lines = data.placements if section.key == "placements" else data.unclaimed
        shown = [_comparison(p, p.comparison) for p in lines if p.comparison]
        if shown:
            parts.append('<p class="screen-only">点开下列条目，可对照报送稿件与见报稿，'
                         '黄色为相同段落（编号一一对应）：</p>')
            parts += shown
    parts.append("</section>")
    return "\n".join(parts)


def _closing(data: ReportData, annexes: list[Section]) -> str:
    end = closing(data)
    parts = []
    if annexes:
        parts.append('<div class="annexes">')
        for i, s in enumerate(annexes, 1):
            label = "附件：" if i == 1 else ""
            parts.append(f'<p class="{"" if i == 1 else "more"}">{label}{i}．{_text(s.title)}</p>')
        parts.append("</div>")
    parts.append(f'<p class="sign first" style="margin-right:2em">{_text(end.signatory)}</p>'
                 f'<p class="sign" style="margin-right:4em">{_text(end.date)}</p>')
    return "\n".join(parts)


def html_document(data: ReportData, number: str = "") -> str:
    sections = build_sections(data)
    body = [s for s in sections if not s.annex]
    annexes = [s for s in sections if s.annex]
    recipients = data.rules.report.recipients
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(data.title)}</title><style>{_CSS}</style></head><body><main>\n"
        f'<header><p class="masthead">{_text(data.rules.report.masthead)}</p>'
        f'<p class="docno">{_text(number)}</p></header>\n'
        f"<h1>{_text(data.title)}</h1>\n"
        + (f'<p class="recipients">{_text(recipients)}</p>\n' if recipients else "")
        + "\n".join(_section(s, data) for s in body)
        + "\n" + _closing(data, annexes) + "\n"
        + "\n".join(_section(s, data) for s in annexes)
        + "\n</main></body></html>\n"
    )


def render_html(data: ReportData, out: Path, number: str = "") -> Path:
    out.write_text(html_document(data, number), encoding="utf-8")
    return out
