"""Specimen pages: newspaper-like page images rendered from texts, and the ways
phones and scanners degrade them.

The offline demo's bundled scan, the tests and ``benchmarks/ocr_evidence.py``
are made with these: a masthead and date line, articles flowing through two or
three columns with bold headlines, then optionally a photo's rotation,
perspective, blur, uneven light and JPEG compression.  Needs a CJK font
(fonts-noto-cjk); :class:`SpecimenError` says so when there is none.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
BOLD_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
) + FONT_FILES
_SC_INDEX = 2   # Simplified Chinese face inside the Noto CJK collections


class SpecimenError(Exception):
    """No CJK font to render with."""


@lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    for path in (BOLD_FONT_FILES if bold else FONT_FILES):
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=_SC_INDEX)
    raise SpecimenError("no CJK font found (install fonts-noto-cjk: apt-get install fonts-noto-cjk)")


def cjk_font_available() -> bool:
    return any(Path(p).exists() for p in FONT_FILES)


@dataclass
class Story:
    title: str
    body: str        # paragraphs separated by newlines


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if font.getlength(current + ch) > width and current:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def render_page(stories: list[Story], *, masthead: str = "湘西日报", dateline: str = "2022年6月24日  星期五  第3版",
                columns: int = 3, width: int = 1800, height: int = 2500, body_size: int = 24,
                seed: int = 0) -> tuple[Image.Image, list[str]]:
    """A page image (grayscale) carrying ``stories`` in order, flowing column to column,
    and the text of each story that made it onto the page (title and body lines).

    Text that does not fit on the page is left off (as a page continues elsewhere).
    """
    rng = random.Random(seed)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    margin = int(width * 0.05)
    big = _font(int(width * 0.07), bold=True)
    draw.text((margin, margin), masthead, font=big, fill=0)
    small = _font(int(body_size * 0.9))
    top = margin + int(width * 0.07 * 1.35)
    draw.text((margin, top), dateline, font=small, fill=40)
    top += int(body_size * 1.8)
    draw.line((margin, top, width - margin, top), fill=0, width=4)
    top += body_size
    gutter = int(body_size * 1.5)
    col_width = (width - 2 * margin - (columns - 1) * gutter) / columns
    for c in range(1, columns):   # column rules
        x = margin + c * (col_width + gutter) - gutter / 2
        draw.line((x, top, x, height - margin), fill=150, width=1)
    body, head = _font(body_size), _font(int(body_size * 1.5), bold=True)
    line_height = int(body_size * 1.55)
    bottom = height - margin
    column, y = 0, top
    placed: list[str] = []
    for story in stories:
        placed.append("")
        items: list[tuple[str, ImageFont.FreeTypeFont, int]] = []
        for line in _wrap(story.title, head, col_width):
            items.append((line, head, int(body_size * 2.1)))
        items.append(("", body, int(body_size * 0.5)))
        for paragraph in story.body.split("\n"):
            paragraph = paragraph.strip()
            if paragraph:
                for line in _wrap("\u3000\u3000" + paragraph, body, col_width):
                    items.append((line, body, line_height))
        for text, font, step in items:
            if y + step > bottom:
                column += 1
                y = top
                if column >= columns:
                    return page, placed
            x = margin + column * (col_width + gutter)
            if text:
                draw.text((x, y), text, font=font, fill=rng.randint(0, 30))
                placed[-1] += text.lstrip("\u3000")
            y += step
        y += int(body_size * 1.5)   # space, then a rule between stories
        if y < bottom:
            x = margin + column * (col_width + gutter)
            draw.line((x, y - body_size * 0.8, x + col_width, y - body_size * 0.8), fill=90, width=2)
    return page, placed


def degrade(image: Image.Image, *, seed: int = 0, rotation: float | None = None, perspective: float = 0.02,
            blur: float = 0.8, lighting: float = 0.35, jpeg_quality: int = 50) -> bytes:
    """What a phone or a scanner makes of the page: JPEG bytes."""
    rng = random.Random(seed)
    angle = rotation if rotation is not None else rng.uniform(-3, 3)
    img = image.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235)
    w, h = img.size
    if perspective:
        d = [rng.uniform(0, perspective) for _ in range(8)]
        # The quadrilateral of the source that fills the output: corners pulled in at random.
        quad = (d[0] * w, d[1] * h, d[2] * w, (1 - d[3]) * h, (1 - d[4]) * w, (1 - d[5]) * h,
                (1 - d[6]) * w, d[7] * h)
        img = img.transform((w, h), Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC, fillcolor=235)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if lighting:
        # A light falling off from one corner: multiply by a smooth gradient.
        side = int(1.5 * max(w, h))
        gradient = Image.linear_gradient("L").resize((side, side)).rotate(rng.uniform(0, 360),
                                                                          resample=Image.Resampling.BILINEAR)
        gradient = gradient.crop(((side - w) // 2, (side - h) // 2, (side - w) // 2 + w, (side - h) // 2 + h))
        shade = gradient.point(lambda v: int(255 * (1 - lighting * v / 255)))
        img = ImageChops.multiply(img, shade)
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=jpeg_quality)
    return out.getvalue()
