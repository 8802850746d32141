"""The chart every report carries: placements per month, stacked by outlet tier.

``chart_svg`` writes inline SVG for the HTML report (no script, no external
asset); ``chart_png`` draws the same chart with matplotlib for the Word report.
Both use ``TIER_COLOURS`` so the chart reads the same everywhere.
"""

from __future__ import annotations

import io
import math
from html import escape
from pathlib import Path
from typing import cast

from shanggao.reports.data import ChartData
from shanggao.rules import TIER_LABELS

TIER_COLOURS = {
    "central": "#c0392b",      # red
    "provincial": "#e67e22",   # orange
    "prefectural": "#2471a3",  # blue
    "county": "#229954",       # green
    "other": "#7f8c8d",        # grey
}

# Font files with Chinese glyphs, most wanted first (file name stems, matched case-insensitively).
CJK_FONT_FILES = ("NotoSansCJK-Regular", "NotoSansCJKsc-Regular", "NotoSansSC-Regular", "SourceHanSansSC-Regular",
                  "SourceHanSans-Regular", "NotoSerifCJK-Regular", "wqy-zenhei", "wqy-microhei", "msyh", "simhei",
                  "simsun", "DroidSansFallbackFull", "DroidSansFallback")
FONT_PACKAGE = "apt-get install fonts-noto-cjk"
CHART_TITLE = "各月核实上稿数（按媒体级别）"


class ChartFontError(RuntimeError):
    """No font with Chinese glyphs: the chart would come out as empty boxes or in English."""


def _nice_max(value: int) -> int:
    """Top of the y axis: a round number with room above the tallest bar for its label and the legend."""
    target = value + max(1, math.ceil(value * 0.25))
    # five gridlines at whole numbers: the top is 5 x a round step
    for step in (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300, 400, 500):
        if target <= step * 5:
            return step * 5
    return 2500 * math.ceil(target / 2500)


def chart_svg(chart: ChartData, width: int = 760, height: int = 320) -> str:
    """Stacked bars per month with axis, values and legend, as an <svg> element."""
    left, right, top, bottom = 44, 16, 36, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(chart.counts[t][i] for t in chart.tiers) for i in range(len(chart.months))]
    ymax = _nice_max(max(totals, default=0))
    slot = plot_w / max(len(chart.months), 1)
    bar = min(44.0, slot * 0.6)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
             f'<title>{CHART_TITLE}</title>']
    for k in range(6):
        value = ymax * k / 5
        y = top + plot_h - plot_h * k / 5
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{value:g}</text>')
    for i, label in enumerate(chart.labels):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for tier in chart.tiers:
            n = chart.counts[tier][i]
            if not n:
                continue
            h = plot_h * n / ymax
            y -= h
            parts.append(f'<rect class="tier-{tier}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{TIER_COLOURS[tier]}"><title>{escape(label)} {TIER_LABELS[tier]} {n}篇</title></rect>')
        if totals[i]:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="#222">'
                         f'{totals[i]}</text>')
        parts.append(f'<text x="{left + slot * i + slot / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                     f'fill="#333">{escape(label)}</text>')
    x = left
    for tier in chart.tiers:
        parts.append(f'<rect x="{x}" y="10" width="14" height="14" fill="{TIER_COLOURS[tier]}"/>'
                     f'<text x="{x + 18}" y="21" fill="#333">{TIER_LABELS[tier]}</text>')
        x += 70
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#333"/>')
    parts.append("</svg>")
    return "".join(parts)


def find_cjk_font(directories: list[str] | None = None) -> Path:
    """The file of a font with Chinese glyphs among the system's fonts (or in ``directories``).

    Looked up by file, not through matplotlib's font cache, which may predate the
    fonts' installation.  Raises ChartFontError naming the package to install."""
    from matplotlib import font_manager

    files = {Path(f).stem.lower(): Path(f) for f in font_manager.findSystemFonts(directories)}
    for stem in CJK_FONT_FILES:
        if stem.lower() in files:
            return files[stem.lower()]
    where = ", ".join(directories) if directories else "the system's font folders"
    raise ChartFontError(f"no font with Chinese characters in {where} for the report's chart; "
                         f"install one with `{FONT_PACKAGE}`")


def chart_png(chart: ChartData, dpi: int = 150, font_file: Path | None = None) -> bytes:
    """The chart as PNG bytes, its labels in a CJK font loaded from its file (ChartFontError without one)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    path = font_file or find_cjk_font()
    font_manager.fontManager.addfont(str(path))
    small = font_manager.FontProperties(fname=str(path), size=9)
    fig = Figure(figsize=(6.1, 3.2), dpi=dpi)
    ax = fig.add_subplot()
    bottoms = [0] * len(chart.months)
    for tier in chart.tiers:
        values = chart.counts[tier]
        ax.bar(range(len(values)), values, bottom=bottoms, color=TIER_COLOURS[tier], label=TIER_LABELS[tier],
               width=0.6)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=False)]
    for i, total in enumerate(bottoms):
        if total:
            ax.text(i, total, str(total), ha="center", va="bottom", fontproperties=small)
    ax.set_xticks(range(len(chart.labels)), chart.labels)
    for label in ax.get_xticklabels():
        label.set_fontproperties(small)
    ax.set_ylim(0, _nice_max(max(bottoms, default=0)))
    cast(MaxNLocator, ax.yaxis.get_major_locator()).set_params(integer=True)  # the default AutoLocator
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylabel("篇", fontproperties=small, rotation=0, labelpad=10)
    ax.legend(ncols=len(chart.tiers), loc="upper left", frameon=False, prop=small)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
