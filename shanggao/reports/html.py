"""The HTML report: one self-contained file, no script, every stored string escaped.

A Content-Security-Policy meta tag forbids scripts and remote loads as a second
line of defence; links are only made for http(s) URLs.  Each placement can be
opened (<details>) to show the manuscript and the published text side by side
with the matched passages highlighted and numbered alike.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from shanggao.reports.chart import chart_svg
from shanggao.reports.data import Comparison, PlacementLine, ReportData
from shanggao.reports.sections import Link, Section, Table, build_sections, clean, footer

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
 color:#222;margin:0;background:#f4f4f4;line-height:1.6}
main{max-width:1200px;margin:0 auto;background:#fff;padding:24px 40px 40px}
h1{text-align:center;color:#b22222;font-size:26px;margin:12px 0 4px;border-bottom:3px solid #b22222;padding-bottom:10px}
.sub{text-align:center;color:#666;margin:0 0 20px}
h2{font-size:19px;margin:28px 0 8px;color:#333}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f0e6e6}
td.num{text-align:right;white-space:nowrap}
td.short{white-space:nowrap}
tr:nth-child(even) td{background:#fafafa}
.status-bad{color:#b22222;font-weight:bold}
.empty{color:#777}
details{margin:6px 0;border:1px solid #ddd;border-radius:4px;padding:4px 8px}
summary{cursor:pointer;font-weight:bold}
.cmp{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.cmp h4{margin:6px 0}
.cmp .text{font-size:13px;white-space:normal;border-top:1px solid #eee;padding-top:4px}
mark{background:#fff2a8;padding:0 1px}
mark sup{color:#b22222;font-size:10px;margin-right:1px}
footer{margin-top:30px;color:#777;font-size:12px;border-top:1px solid #ddd;padding-top:8px}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


# Columns holding sentences or titles wrap; the rest (dates, outlets, 版次) stay on one line.
_WRAPPING = {"标题", "稿件", "备注", "原因", "申报标题"}


def _text(value: object) -> str:
    return escape(clean(value), quote=True)


def _cell(value: object, column: str) -> str:
    if isinstance(value, Link):
        url = value.safe_url
        if url:
            return f'<td><a href="{escape(url, quote=True)}">{_text(value.text)}</a></td>'
        return f"<td>{_text(value.text)}<br><small>{_text(value.url)}</small></td>"
    if isinstance(value, (int, float)):
        return f'<td class="num">{_text(value)}</td>'
    classes = [] if column in _WRAPPING else ["short"]
    if column in ("完成情况", "核验结论") and value not in ("达标", "已核实"):
        classes.append("status-bad")
    css = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{css}>{_text(value)}</td>"


def _table(table: Table) -> str:
    if not table.rows:
        return f'<p class="empty">{_text(table.empty)}</p>'
    head = "".join(f"<th>{_text(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(_cell(v, c) for v, c in zip(row, table.columns)) + "</tr>\n" for row in table.rows)
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
    parts = [f'<section id="{section.key}"><h2>{_text(section.title)}</h2>']
    parts += [f"<p>{_text(s)}</p>" for s in section.sentences]
    if section.table is not None:
        parts.append(_table(section.table))
    if section.key == "chart":
        parts.append(chart_svg(data.chart))
    if section.key in ("placements", "unclaimed"):
        lines = data.placements if section.key == "placements" else data.unclaimed
        shown = [_comparison(p, p.comparison) for p in lines if p.comparison]
        if shown:
            parts.append("<p>点开下列条目，可对照报送稿件与见报稿，黄色为相同段落（编号一一对应）：</p>")
            parts += shown
    parts.append("</section>")
    return "\n".join(parts)


def render_html(data: ReportData, out: Path) -> Path:
    html = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(data.title)}</title><style>{_CSS}</style></head><body><main>\n"
        f"<h1>{_text(data.title)}</h1>\n"
        f'<p class="sub">统计期间：{_text(data.period.start)} 至 {_text(data.period.end)}</p>\n'
        + "\n".join(_section(s, data) for s in build_sections(data))
        + f"\n<footer>{_text(footer(data))}</footer>\n</main></body></html>\n"
    )
    out.write_text(html, encoding="utf-8")
    return out
