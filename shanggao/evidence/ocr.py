"""OCR of a page image with RapidOCR (PP-OCRv4 models inside the wheel, no network),
and the page's reading order.

RapidOCR returns text lines in raster order: on a newspaper page that reads
straight across the columns, so a manuscript's sentences would come out cut
into column-width pieces interleaved with its neighbours'.  :func:`reading_order`
puts the lines back into columns: it straightens the page by the lines' own
median slant (phone photos are rarely level), then cuts the page recursively
— at column gutters first, at wide horizontal gaps (between articles, under a
masthead or a headline) only where no gutter runs through — and reads each
resulting block top to bottom.
"""

from __future__ import annotations

import math
import statistics
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from shanggao.evidence.read import EvidenceError

# The engine scales a page down to this longest side before detecting text; a
# newspaper page needs more than RapidOCR's default 2000 px to keep body type legible.
MAX_SIDE = 3000

_engine = None
_engine_lock = threading.Lock()


class OcrUnavailable(EvidenceError):
    """rapidocr-onnxruntime is not installed (or its models did not load)."""


def engine() -> Any:
    """The process's one RapidOCR engine, loaded on first use (about a second)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise OcrUnavailable(
                    f"OCR needs rapidocr-onnxruntime ({exc}); install it with "
                    "pip install rapidocr-onnxruntime") from None
            _engine = RapidOCR(max_side_len=MAX_SIDE, print_verbose=False)
        return _engine


@dataclass
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def ocr_image(image: Image.Image) -> str:
    """The text of a page image in reading order, one paragraph per line."""
    rgb = np.asarray(image.convert("RGB"))[:, :, ::-1]   # the engine wants BGR like OpenCV
    result, _ = engine()(np.ascontiguousarray(rgb))
    if not result:
        return ""
    return reading_order([(np.asarray(box, dtype=float), text) for box, text, _score in result])


def reading_order(boxes: list[tuple[np.ndarray, str]]) -> str:
    """Text lines (4-point boxes from the detector, with their text) joined in reading order."""
    boxes = [(box, text.strip()) for box, text in boxes if text.strip()]
    if not boxes:
        return ""
    angle = _median_slant(boxes)
    cos, sin = math.cos(-angle), math.sin(-angle)
    lines = []
    for box, text in boxes:
        xs = box[:, 0] * cos - box[:, 1] * sin
        ys = box[:, 0] * sin + box[:, 1] * cos
        # The detector pads each box by about 0.3 of its height on every side
        # (DB "unclip"), enough to bridge a narrow gutter: take the padding off.
        pad = 0.3 * (ys.max() - ys.min()) / 1.6
        lines.append(Line(xs.min() + pad, ys.min() + pad, xs.max() - pad, ys.max() - pad, text))
    unit = statistics.median(line.height for line in lines)
    blocks = _cut(lines, unit)
    return "\n".join(paragraph for block in blocks for paragraph in _paragraphs(block, unit))


def _median_slant(boxes: list[tuple[np.ndarray, str]]) -> float:
    angles = []
    for box, _text in boxes:
        dx, dy = box[1] - box[0]
        height = float(np.linalg.norm(box[3] - box[0]))
        if dx > 3 * max(height, 1):   # long lines only: short boxes give noisy angles
            angles.append(math.atan2(dy, dx))
    return statistics.median(angles) if angles else 0.0


def _gaps(intervals: list[tuple[float, float]], min_gap: float) -> list[float]:
    """Midpoints of the gaps of at least ``min_gap`` between the union of the intervals."""
    cuts = []
    intervals = sorted(intervals)
    reach = intervals[0][1]
    for start, end in intervals[1:]:
        if start - reach >= min_gap:
            cuts.append((start + reach) / 2)
        reach = max(reach, end)
    return cuts


def _gutters(lines: list[Line], unit: float) -> list[float]:
    """x positions of column gutters: runs at least 0.3 line heights wide that (almost)
    no line crosses — a few may, where the detector read a line across the gutter."""
    left = min(line.x0 for line in lines)
    width = int(max(line.x1 for line in lines) - left) + 1
    coverage = np.zeros(width + 1, dtype=np.int32)
    for line in lines:
        coverage[int(line.x0 - left)] += 1
        coverage[int(line.x1 - left)] -= 1
    coverage = np.cumsum(coverage)[:width]
    tolerance = int(0.04 * len(lines))
    free = coverage <= tolerance
    cuts = []
    start = None
    for x in range(width):
        if free[x] and start is None:
            start = x
        elif not free[x] and start is not None:
            if start > 0 and x - start >= 0.3 * unit:
                cuts.append(left + (start + x) / 2)
            start = None
    return cuts


def _split(lines: list[Line], cuts: list[float], key) -> list[list[Line]]:
    groups: list[list[Line]] = [[] for _ in range(len(cuts) + 1)]
    for line in lines:
        groups[sum(1 for cut in cuts if key(line) > cut)].append(line)
    return [group for group in groups if group]


def _cut(lines: list[Line], unit: float) -> list[list[Line]]:
    """Recursive XY-cut preferring column gutters; returns blocks in reading order."""
    if len(lines) <= 1:
        return [lines]
    columns = _gutters(lines, unit)
    if columns:
        return [block for group in _split(lines, columns, lambda line: (line.x0 + line.x1) / 2)
                for block in _cut(group, unit)]
    # No gutter runs through: cut only at gaps clearly wider than the spacing of lines.
    spans = sorted((line.y0, line.y1) for line in lines)
    raw_gaps = []
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach:
            raw_gaps.append(start - reach)
        reach = max(reach, end)
    if raw_gaps:
        typical = statistics.median(raw_gaps)
        rows = _gaps(spans, max(0.9 * unit, 1.6 * typical) + 1e-6)
        if rows:
            return [block for group in _split(lines, rows, lambda line: line.cy) for block in _cut(group, unit)]
    return [lines]


def _paragraphs(block: list[Line], unit: float) -> list[str]:
    """A block's lines top to bottom (boxes on one row left to right); a line ending
    well short of the block's right edge, or a next line indented, ends a paragraph."""
    rows: list[list[Line]] = []
    for line in sorted(block, key=lambda ln: ln.cy):
        if rows and abs(line.cy - statistics.fmean(ln.cy for ln in rows[-1])) < 0.5 * unit:
            rows[-1].append(line)
        else:
            rows.append([line])
    # The block's margins, robust to a stray box read across a gutter.
    left = float(np.percentile([line.x0 for line in block], 20))
    right = float(np.percentile([line.x1 for line in block], 80))
    paragraphs: list[str] = []
    current = ""
    for index, row in enumerate(rows):
        row.sort(key=lambda ln: ln.x0)
        current += "".join(line.text for line in row)
        short = row[-1].x1 < right - 1.5 * unit
        indented_next = index + 1 < len(rows) and min(ln.x0 for ln in rows[index + 1]) > left + 1.5 * unit
        if short or indented_next:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
