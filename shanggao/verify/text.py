"""Text helpers for comparing a claim with its evidence: titles, URLs, 版次, bylines, units."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from shanggao.db.outlets import BUILTIN
from shanggao.unit_names import DEFAULT_COUNTY_PREFIXES, canonical_unit

_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_title(text: str | None) -> str:
    """Titles compared without punctuation, spaces or width differences."""
    return _PUNCT_OR_SPACE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def normalize_url(url: str | None) -> str:
    """Scheme-, case- and trailing-slash-insensitive form for comparing URLs."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def url_variants(url: str) -> list[str]:
    """Spellings of ``url`` an article could be stored under."""
    url = url.strip().split("#")[0]
    parts = urlsplit(url)
    if not parts.netloc:
        return [url]
    host = parts.netloc.lower()
    hosts = {host, host.removeprefix("www."), "www." + host.removeprefix("www.")}
    paths = {parts.path, parts.path.rstrip("/"), parts.path.rstrip("/") + "/"}
    query = f"?{parts.query}" if parts.query else ""
    return sorted({f"{scheme}://{h}{p}{query}" for scheme in ("http", "https") for h in hosts for p in paths} | {url})


_BYLINE_NOISE = re.compile(
    r"本报|记者|通讯员|特约|实习生|见习|全媒体|融媒体|首席|摄影|撰稿|作者|编辑|责任编辑|责编|来源|文/|图/|"
    r"供图|报道|整理|[文图摄]|[\s\W\d_]"
)
_OUTLET_WORDS = BUILTIN.words


def names_someone(byline_text: str) -> bool:
    """Does the byline name a person or unit, beyond role words and outlet names?"""
    rest = byline_text
    for word in _OUTLET_WORDS:
        rest = rest.replace(word, "")
    return bool(_BYLINE_NOISE.sub("", rest))


def unit_variants(unit: str | None, county_prefixes: tuple[str, ...] = DEFAULT_COUNTY_PREFIXES) -> set[str]:
    """泸溪县白沙镇 -> {泸溪县白沙镇, 白沙镇, 白沙}: forms a byline may use (shanggao.unit_names)."""
    if not unit:
        return set()
    unit = unit.strip()
    forms = {unit, canonical_unit(unit, county_prefixes)}
    for form in list(forms):
        for suffix in ("街道", "镇", "乡"):
            if form.endswith(suffix) and len(form) > len(suffix) + 1:
                forms.add(form[: -len(suffix)])
    return {f for f in forms if len(f) >= 2}
