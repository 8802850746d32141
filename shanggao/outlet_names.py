"""Loose outlet names as registers write them -> registry slugs.

Claims registers spell outlets every which way: 《人民日报》, 湖南日报社, 人民网,
红网湘西站, 新湖南客户端, sometimes a bare host name.  :func:`resolve_outlet`
maps such text to a slug of ``spiders.registry.OUTLETS`` and says whether the
mapping is certain; an uncertain one carries a note (in Chinese, for the
office) that verification shows as a warning.

Order of attempts, most certain first:
1. exact name, alias or slug after removing brackets, quotes and spaces (certain,
   unless the text is a publisher's name shared by several outlets, e.g. 湖南日报社);
2. the same after dropping a generic suffix (客户端, 电子版, 官网, APP …) (unsure:
   湖南日报客户端 is in fact 新湖南);
3. a host name in the text (www.rednet.cn) (certain);
4. the text begins with / contains a registered name or alias, longest first
   (红网泸溪站 -> 红网) (unsure);
5. a close spelling (rapidfuzz ratio ≥ 75 at equal length — one character off in four —, else ≥ 85) of a name or alias (unsure).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from shanggao.spiders.registry import OUTLETS, outlet_for_host


@dataclass(frozen=True)
class OutletResolution:
    slug: str | None          # None: not a registered outlet
    confident: bool
    note: str                 # empty when confident; otherwise what was assumed, for the office


_BRACKETS = re.compile(r"[《》〈〉<>「」『』“”\"'‘’（）()\[\]【】\s]")
_SUFFIXES = ("客户端", "电子版", "数字报", "手机版", "APP", "App", "app", "官网", "网站", "官方网站", "微信公众号", "公众号")
_HOST = re.compile(r"(?:https?://)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)", re.I)


def _clean(text: str) -> str:
    return _BRACKETS.sub("", unicodedata.normalize("NFKC", text)).strip()


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Every spelling the registry knows -> slug (names win over aliases on a clash)."""
    spellings: dict[str, str] = {}
    for info in OUTLETS.values():
        for alias in info.aliases:
            spellings.setdefault(_clean(alias), info.slug)
        spellings[info.slug] = info.slug
    for info in OUTLETS.values():
        spellings[_clean(info.name)] = info.slug
    return spellings


@lru_cache(maxsize=1)
def _shared_groups() -> dict[str, list[str]]:
    """Publisher names (media_group) that own more than one outlet."""
    groups: dict[str, list[str]] = {}
    for info in OUTLETS.values():
        groups.setdefault(_clean(info.media_group), []).append(info.slug)
    return {g: slugs for g, slugs in groups.items() if len(slugs) > 1}


def _name(slug: str) -> str:
    return OUTLETS[slug].name


def resolve_outlet(text: str | None) -> OutletResolution:
    """The registry outlet a register's outlet text means (see module docs)."""
    raw = (text or "").strip()
    cleaned = _clean(raw)
    if not cleaned:
        return OutletResolution(None, False, "申报未填媒体")
    names = _names()

    slug = names.get(cleaned)
    if slug:
        shared = _shared_groups().get(cleaned)
        if shared:
            others = "、".join(_name(s) for s in shared if s != slug)
            return OutletResolution(slug, False, f"“{raw}”是报社名，按{_name(slug)}核验（同社还有{others}）")
        return OutletResolution(slug, True, "")
    stripped = _strip_suffix(cleaned)
    if stripped != cleaned and stripped in names:
        slug = names[stripped]
        return OutletResolution(slug, False, f"媒体“{raw}”按{_name(slug)}核验（去掉“{cleaned[len(stripped):]}”后对应）")

    host = _HOST.search(raw)
    if host:
        info = outlet_for_host(host.group(1))
        if info:
            return OutletResolution(info.slug, True, "")

    for spelling in sorted(names, key=len, reverse=True):
        if len(spelling) >= 2 and not spelling.isascii() and spelling in cleaned:
            slug = names[spelling]
            return OutletResolution(slug, False, f"媒体“{raw}”按{_name(slug)}核验（名称不完全一致）")

    best = process.extractOne(cleaned, [s for s in names if not s.isascii()], scorer=fuzz.ratio, score_cutoff=75)
    # One wrong character in a name of equal length (湖南曰报) is a typo; a shorter
    # text that merely shares characters (湖南网 ~ 湖南红星网) is not.
    if best and (len(best[0]) == len(cleaned) or best[1] >= 85):
        slug = names[best[0]]
        return OutletResolution(slug, False, f"媒体“{raw}”疑为{_name(slug)}（写法相近），按其核验")
    return OutletResolution(None, False, f"媒体“{raw}”不在媒体名录")


def _strip_suffix(text: str) -> str:
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text
