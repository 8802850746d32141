"""Reading an evidence file: a PDF, a scan, a phone photo or a screenshot of a page.

The type is read from the file's first bytes, never trusted from its name; a
file whose extension names another type is refused.  A PDF gives its text
layer (pypdfium2); a page without one is rendered and OCR'd.  An image is
OCR'd (see :mod:`shanggao.evidence.ocr`).  Every limit — bytes, pages, pixels
— is checked before the expensive step, so a 500-page PDF or a decompression
bomb costs a header read, not minutes or gigabytes.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError


class EvidenceError(Exception):
    """A file that cannot serve as evidence, said in one line (the CLI prints it)."""


@dataclass(frozen=True)
class Limits:
    """What one evidence file may cost; ``shanggao.toml`` and the CLI options set them."""

    max_pages: int = 100                 # PDF pages / TIFF frames
    max_pixels: int = 50_000_000         # one image or rendered page (a 12 MP phone photo is well under)
    max_bytes: int = 200 * 1024 * 1024   # the file itself
    render_dpi: int = 200                # PDF pages without a text layer are rendered at this resolution


# media type, short name, accepted extensions, source kind
_TYPES = {
    "application/pdf": ("PDF", (".pdf",), "pdf"),
    "image/jpeg": ("JPEG image", (".jpg", ".jpeg", ".jpe", ".jfif"), "scan"),
    "image/png": ("PNG image", (".png",), "screenshot"),
    "image/tiff": ("TIFF image", (".tif", ".tiff"), "scan"),
    "image/webp": ("WebP image", (".webp",), "screenshot"),
    "image/bmp": ("BMP image", (".bmp",), "scan"),
    "image/heic": ("HEIC photo", (".heic", ".heif"), "scan"),
}
SOURCE_KINDS = ("pdf", "scan", "screenshot")
# A PDF page whose text layer has fewer letters than this is treated as an image.
_MIN_LAYER_CHARS = 20
_LETTER = re.compile(r"[\w\u3400-\u9fff]")


def sniff(head: bytes) -> str | None:
    """The media type the bytes start with, or None."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:2] == b"BM":
        return "image/bmp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
        return "image/heic"
    return None


def extension_for(media_type: str) -> str:
    return _TYPES[media_type][1][0]


@dataclass
class PageText:
    number: int          # 1-based page (or frame) of the file
    text: str
    method: str          # "text-layer" or "ocr"


@dataclass
class Evidence:
    """What a file says, and what it is."""

    name: str                       # the file's name as given
    sha256: str
    size: int
    media_type: str
    source_kind: str                # pdf / scan / screenshot
    pages: list[PageText] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages if p.text)

    @property
    def ocr_pages(self) -> int:
        return sum(1 for p in self.pages if p.method == "ocr")


OcrFunction = Callable[[Image.Image], str]


def read_evidence(path: Path | str, limits: Limits = Limits(), ocr: OcrFunction | None = None) -> Evidence:
    """Read one evidence file; raise :class:`EvidenceError` (one line) for anything unusable.

    ``ocr`` turns a page image into text (default: :func:`shanggao.evidence.ocr.ocr_image`).
    """
    path = Path(path)
    data = _read_bytes(path, limits)
    media_type = sniff(data[:2048])
    _check_extension(path, media_type)
    assert media_type is not None
    name, _, source_kind = _TYPES[media_type]
    evidence = Evidence(path.name, hashlib.sha256(data).hexdigest(), len(data), media_type, source_kind)
    if ocr is None:
        from shanggao.evidence.ocr import ocr_image

        ocr = ocr_image
    if media_type == "application/pdf":
        evidence.pages = list(_pdf_pages(path, data, limits, ocr))
    else:
        evidence.pages = [PageText(n, ocr(image), "ocr") for n, image in _image_frames(path, data, media_type, limits)]
    if not _LETTER.search(evidence.text):
        raise EvidenceError(f"{path}: no text found in the {name.lower()} "
                            f"(blank, too blurred or too small to read?); nothing stored")
    return evidence


def _read_bytes(path: Path, limits: Limits) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise EvidenceError(f"{path}: not a file")
        if size > limits.max_bytes:
            raise EvidenceError(f"{path}: {size / 2**20:.0f} MB is over the limit of "
                                f"{limits.max_bytes / 2**20:.0f} MB for one evidence file")
        if size == 0:
            raise EvidenceError(f"{path}: the file is empty")
        return path.read_bytes()
    except FileNotFoundError:
        raise EvidenceError(f"{path}: no such file") from None
    except PermissionError:
        raise EvidenceError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise EvidenceError(f"{path}: is a folder, not a file") from None


def _check_extension(path: Path, media_type: str | None) -> None:
    suffix = path.suffix.lower()
    claimed = next((mt for mt, (_, exts, _) in _TYPES.items() if suffix in exts), None)
    if media_type is None:
        what = f"not a {_TYPES[claimed][0]}" if claimed else "neither a PDF nor an image"
        raise EvidenceError(f"{path}: {what} (its content is not any PDF or image type shanggao reads: "
                            f"PDF, JPEG, PNG, TIFF, WebP, BMP, HEIC)")
    if suffix and claimed != media_type:
        actual = _TYPES[media_type][0]
        hint = f"; rename it to {path.stem}{extension_for(media_type)}" if claimed else ""
        raise EvidenceError(f"{path}: the name says {suffix} but the content is a {actual}{hint}")


# -- PDF ----------------------------------------------------------------------

def _pdf_pages(path: Path, data: bytes, limits: Limits, ocr: OcrFunction) -> Iterator[PageText]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise EvidenceError(f"{path}: the PDF is encrypted (password protected); "
                                "save an unprotected copy and add that") from None
        raise EvidenceError(f"{path}: not a readable PDF ({reason.rstrip('.')})") from None
    try:
        count = len(pdf)
        if count == 0:
            raise EvidenceError(f"{path}: the PDF has no pages")
        if count > limits.max_pages:
            raise EvidenceError(f"{path}: {count} pages is over the limit of {limits.max_pages} "
                                "(add the pages that carry the placement, or raise evidence_max_pages)")
        for index in range(count):
            page = pdf[index]
            try:
                layer = _page_text(page)
                if len(_LETTER.findall(layer)) >= _MIN_LAYER_CHARS:
                    yield PageText(index + 1, layer, "text-layer")
                    continue
                width, height = page.get_size()
                scale = limits.render_dpi / 72
                pixels = width * scale * height * scale
                if pixels > limits.max_pixels:
                    scale *= (limits.max_pixels / pixels) ** 0.5
                image = page.render(scale=scale).to_pil()
                yield PageText(index + 1, ocr(image), "ocr")
            finally:
                page.close()
    except pdfium.PdfiumError as exc:
        raise EvidenceError(f"{path}: the PDF is damaged ({str(exc).rstrip('.')})") from None
    finally:
        pdf.close()


def _page_text(page) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


# -- images -------------------------------------------------------------------

def _image_frames(path: Path, data: bytes, media_type: str, limits: Limits) -> Iterator[tuple[int, Image.Image]]:
    if media_type == "image/heic":
        try:
            from pillow_heif import register_heif_opener
        except ImportError:
            raise EvidenceError(f"{path}: reading HEIC photos needs pillow-heif "
                                "(pip install 'shanggao[heic]'), or export the photo as JPEG") from None
        register_heif_opener()
    with warnings.catch_warnings():
        # Pillow warns past MAX_IMAGE_PIXELS and refuses past twice that (its guard
        # against decompression bombs); shanggao's own limit is checked below from the
        # header, before any pixel is decoded.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise EvidenceError(f"{path}: the image is over the limit of {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f} "
                                f"megapixels Pillow decodes (a decompression bomb?): {_short(exc)}") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise EvidenceError(f"{path}: not a readable image ({_short(exc)})") from None
        frames = getattr(image, "n_frames", 1)
        if frames > limits.max_pages:
            raise EvidenceError(f"{path}: {frames} frames is over the limit of {limits.max_pages}")
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            width, height = frame.size
            if width * height > limits.max_pixels:
                raise EvidenceError(
                    f"{path}: {width}×{height} = {width * height / 1e6:.0f} megapixels is over the limit of "
                    f"{limits.max_pixels / 1e6:.0f} (a decompression bomb, or a scan at too high a resolution: "
                    "scan at 300 dpi, or raise evidence_max_pixels)")
            try:
                frame.load()
                upright = ImageOps.exif_transpose(frame)   # phone photos carry their orientation in EXIF
                if upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
                raise EvidenceError(f"{path}: the image is damaged ({_short(exc)})") from None
            yield number, upright


def _short(exc: BaseException) -> str:
    return str(exc).split("\n")[0].rstrip(".") or type(exc).__name__
