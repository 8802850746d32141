"""Text normalisation: the one canonical character stream every other step works on.

Editors change what a placement check must ignore: full/half width, punctuation
marks, spacing, traditional characters, ``120多篇`` → ``120余篇``, leftover HTML.
Normalisation therefore keeps only letters and digits, each mapped to one
canonical form (NFKC, traditional → simplified via OpenCC's dictionary, lower
case, 余 → 多), and drops everything else — punctuation, whitespace, emoji and
markup.  Punctuation still matters as structure, so :func:`normalize_with_offsets`
records clause and sentence boundaries and, for every kept character, its offset
in the original text, which is what evidence spans point at.

Every entry point applies the same per-character mapping, so ``normalize(t) ==
normalize_with_offsets(t).text`` always holds, and :func:`normalize_many` is
``normalize`` over a list (tests check both).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import opencc
from numba import njit

# Marks that end a sentence or a clause.  Checked after NFKC, so the full-width
# forms (，！？；：) arrive here as their ASCII equivalents.
SENTENCE_MARKS = frozenset("。!?;…\n")
CLAUSE_MARKS = frozenset(",、:")

# Tags and character entities left by sloppy HTML-to-text conversion.
_MARKUP = re.compile(r"<[^<>]{0,300}>|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")

# Number-format variants editors swap freely: 120多篇 / 120余篇 (馀 is the traditional 余).
_VARIANTS = {"余": "多"}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


class _CharMap(dict):
    """str.translate table built lazily: each new character is mapped once and cached."""

    def __missing__(self, code: int) -> str:
        out = []
        for ch in unicodedata.normalize("NFKC", chr(code)):
            if unicodedata.category(ch)[0] not in "LN":
                continue
            if ord(ch) > 0x2E7F:  # CJK and beyond: traditional -> simplified
                ch = _t2s().convert(ch)
            ch = ch.lower()
            out.append(_VARIANTS.get(ch, ch))
        mapped = "".join(out)
        self[code] = mapped
        return mapped


_CHARMAP = _CharMap()


def _boundary(ch: str) -> int:
    """2 for a sentence end, 1 for a clause end, 0 otherwise."""
    folded = unicodedata.normalize("NFKC", ch)
    if ch in SENTENCE_MARKS or folded in SENTENCE_MARKS:
        return 2
    if ch in CLAUSE_MARKS or folded in CLAUSE_MARKS:
        return 1
    return 0


def _unmarkup(match: re.Match) -> str:
    token = match.group(0)
    return "" if token.startswith("<") else html.unescape(token)


# Vectorised form of _CHARMAP over code points, filled lazily from it:
# >= 0 the single mapped code point, _DROP nothing, _MULTI several (rare:
# ligatures, ㎡ ...; such texts take the per-character path), _UNKNOWN not seen yet.
_UNKNOWN, _DROP, _MULTI = -2, -1, -3
_LUT = np.full(0x110000, _UNKNOWN, dtype=np.int32)
_BOUNDARY_LUT = np.zeros(0x110000, dtype=np.int8)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _lookup(cp: np.ndarray) -> np.ndarray:
    mapped = _LUT[cp]
    unknown = mapped == _UNKNOWN
    if unknown.any():
        for code in np.unique(cp[unknown]).tolist():
            out = _CHARMAP[code]
            _LUT[code] = ord(out) if len(out) == 1 else (_DROP if not out else _MULTI)
            _BOUNDARY_LUT[code] = _boundary(chr(code))
        mapped = _LUT[cp]
    return mapped


def _decode(cp: np.ndarray) -> str:
    return cp.astype(np.uint32).tobytes().decode("utf-32-le")


def _has_markup(text: str) -> bool:
    return "<" in text or "&" in text


def _without_markup(text: str) -> str:
    """``text`` with tags dropped and character entities decoded."""
    return _MARKUP.sub(_unmarkup, text) if _has_markup(text) else text


def normalize(text: str) -> str:
    """The canonical character stream of ``text`` (letters and digits only)."""
    text = _without_markup(text)
    mapped = _lookup(_codepoints(text))
    if (mapped == _MULTI).any():
        return text.translate(_CHARMAP)
    return _decode(mapped[mapped >= 0])


_MANY_CHARS = 1 << 15   # characters mapped per pass of normalize_many (temporaries stay cache-sized)


def normalize_many(texts: Sequence[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, with one pass of the character table per group of texts
    (per-text numpy calls cost more than the mapping itself when texts are a page long)."""
    out: list[str] = []
    group: list[str] = []
    size = 0
    for text in texts:
        group.append(_without_markup(text))
        size += len(text)
        if size >= _MANY_CHARS:
            out += _normalize_group(group)
            group, size = [], 0
    return out + _normalize_group(group) if group else out


def _normalize_group(texts: list[str]) -> list[str]:
    mapped = _lookup(_codepoints("".join(texts)))
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    kept = mapped >= 0
    # kept characters before each text's start and end: the texts' bounds in the kept stream
    bounds = np.concatenate(([0], np.cumsum(kept)))[np.concatenate(([0], ends))].tolist()
    stream = _decode(mapped[kept])
    out = [stream[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    for doc in np.unique(np.searchsorted(ends, np.flatnonzero(mapped == _MULTI), side="right")).tolist():
        out[doc] = texts[doc].translate(_CHARMAP)
    return out


@dataclass(frozen=True)
class NormText:
    """A normalised text that remembers where each character came from.

    ``offsets[i]`` is the index in ``original`` of the character that produced
    ``text[i]``; ``clause_id[i]`` and ``sentence_id[i]`` number the clause and
    the sentence ``text[i]`` belongs to (punctuation of the original decides).
    """

    original: str
    text: str
    offsets: np.ndarray
    clause_id: np.ndarray
    sentence_id: np.ndarray

    def __len__(self) -> int:
        return len(self.text)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) offsets covering normalised characters [start, end)."""
        if end <= start:
            return int(self.offsets[start]) if start < len(self.offsets) else len(self.original), 0
        return int(self.offsets[start]), int(self.offsets[end - 1]) + 1


def normalize_with_offsets(text: str) -> NormText:
    """Like :func:`normalize`, plus offsets into ``text`` and clause/sentence numbering."""
    if not _has_markup(text):
        cp = _codepoints(text)
        mapped = _lookup(cp)
        if not (mapped == _MULTI).any():
            return _vectorised(text, cp, mapped)
    return _per_character(text)


def _vectorised(text: str, cp: np.ndarray, mapped: np.ndarray) -> NormText:
    kept, clause_id, sentence_id = _segments(cp, mapped, _BOUNDARY_LUT)
    return NormText(original=text, text=_decode(mapped[kept]), offsets=kept, clause_id=clause_id,
                    sentence_id=sentence_id)


@njit(cache=True, nogil=True)
def _segments(cp: np.ndarray, mapped: np.ndarray, boundary: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kept characters' offsets and clause and sentence numbers: a boundary mark between
    two kept characters (or on the second) starts a new clause (sentence)."""
    kept = np.empty(len(cp), np.int64)
    clause_id = np.empty(len(cp), np.int32)
    sentence_id = np.empty(len(cp), np.int32)
    n = 0
    clause = sentence = 0
    clause_seen = sentence_seen = False   # a boundary since the last kept character
    for i in range(len(cp)):
        mark = boundary[cp[i]]
        clause_seen |= mark >= 1
        sentence_seen |= mark == 2
        if mapped[i] >= 0:
            if n:
                clause += clause_seen
                sentence += sentence_seen
            clause_seen = sentence_seen = False
            kept[n], clause_id[n], sentence_id[n] = i, clause, sentence
            n += 1
    return kept[:n], clause_id[:n], sentence_id[:n]


def _per_character(text: str) -> NormText:
    """The general path: markup and characters that expand to several."""
    chars: list[str] = []
    offsets: list[int] = []
    clause: list[int] = []
    sentence: list[int] = []
    clause_no = sentence_no = 0
    pending = 0  # strongest boundary seen since the last kept character

    def feed(piece: str, at: int) -> None:
        nonlocal clause_no, sentence_no, pending
        for ch in piece:
            mapped = ch.translate(_CHARMAP)
            if not mapped:
                pending = max(pending, _boundary(ch))
                continue
            if pending and chars:
                clause_no += 1
                if pending == 2:
                    sentence_no += 1
            pending = 0
            for out in mapped:
                chars.append(out)
                offsets.append(at)
                clause.append(clause_no)
                sentence.append(sentence_no)

    position = 0
    if _has_markup(text):
        for match in _MARKUP.finditer(text):
            for i in range(position, match.start()):
                feed(text[i], i)
            token = _unmarkup(match)
            if not token:  # a tag: block elements separate text, treat any tag as a clause end
                pending = max(pending, 1)
            feed(token, match.start())
            position = match.end()
    for i in range(position, len(text)):
        feed(text[i], i)
    return NormText(
        original=text,
        text="".join(chars),
        offsets=np.asarray(offsets, dtype=np.int64),
        clause_id=np.asarray(clause, dtype=np.int32),
        sentence_id=np.asarray(sentence, dtype=np.int32),
    )
