"""What shanggao accepts as a link to an article: the one check for claims, manuscripts and ``fetch``."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_URL_CHARS = 2048  # browsers and servers refuse far shorter URLs than this in practice


def link_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) link shanggao should keep or request; None when it is fine."""
    if len(url) > MAX_URL_CHARS:
        return f"link is {len(url):,} characters long (at most {MAX_URL_CHARS:,})"
    bad = next((ch for ch in url if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
                or ch in '<>"`'), None)
    if bad is not None:
        name = unicodedata.name(bad, "")
        label = f"U+{ord(bad):04X}{' ' + name if name else ''}"
        return f"link contains {label} (whitespace and control characters are not allowed)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        return f"not a valid link: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) link: {url[:80]!r}"
    if not parts.hostname:
        return f"link has no host: {url[:80]!r}"
    return None
