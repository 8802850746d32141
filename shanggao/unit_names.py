"""Unit names as people write them -> one name per unit, for quotas, reports and bylines.

Registers and manuscripts write a unit with or without the county in front:
泸溪县白沙镇 / 白沙镇, 中共泸溪县委组织部 / 泸溪县委组织部 / 县委组织部,
泸溪县教育和体育局 / 县教育和体育局.  :func:`canonical_unit` gives each unit one
spelling:

1. full-width characters folded (NFKC) and whitespace removed;
2. the longest county prefix the name starts with is removed (the rules file's
   ``[quotas] county_prefixes``; by default 中共泸溪县委, 中共泸溪县, 泸溪县委,
   泸溪县 and 泸溪县 behind 湖南省 / 湘西州 / 湘西土家族苗族自治州);
3. a township — a name ending in 镇, 乡 or 街道, optionally followed by its
   党委 / 人民政府 / 政府 / 委员会 / 办事处 — stands for itself:
   泸溪县白沙镇 -> 白沙镇, 中共泸溪县白沙镇委员会 -> 白沙镇, 白沙镇党委 -> 白沙镇;
4. any other unit left after a county prefix is county-level and keeps the
   prefix's 县 or 县委: 泸溪县教育和体育局 -> 县教育和体育局,
   中共泸溪县委组织部 -> 县委组织部, 泸溪县委宣传部 -> 县委宣传部;
5. a name without a county prefix is otherwise left as written (县委组织部, 组织科).

:meth:`UnitNames.key` then folds the office's own sections into the office: a
canonical name equal to the office, equal to one of its aliases
(``[quotas] office_units``, canonicalised the same way) or beginning with one
is the office, so with the alias 县委组织部 the units 县委组织部信息宣传室,
中共泸溪县委组织部研究室 and 泸溪县委组织部 all count as the office.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DEFAULT_COUNTY_PREFIXES = (
    "中共泸溪县委", "中共泸溪县", "泸溪县委", "泸溪县",
    "湖南省湘西土家族苗族自治州泸溪县", "湘西土家族苗族自治州泸溪县", "湖南省湘西州泸溪县", "湘西州泸溪县",
    "湖南省泸溪县",
)
UNFILLED_UNIT = "（未填单位）"
# What the name of an office, a township or a village ends with, and a person's name never does
# (县委组织部, 白沙镇党委, 县融媒体中心, 兴隆场社区): one list for the importers and the spiders.
UNIT_ENDINGS = ("委员会", "党委", "党组", "党支部", "党工委", "组织部", "宣传部", "政府", "办公室", "街道", "社区",
                "中心", "委", "部", "局", "县", "镇", "乡", "办", "院", "校", "所", "站", "村")


def is_unit_name(name: str) -> bool:
    """Does ``name`` end like a unit (:data:`UNIT_ENDINGS`)?"""
    return name.endswith(UNIT_ENDINGS)


_SPACE = re.compile(r"\s+")
_TOWNSHIP = re.compile(r"(.+?(?:镇|乡|街道))(?:党委|人民政府|政府|委员会|办事处)?")


def _county_level(prefix: str) -> str:
    """What a county-level unit keeps of its prefix: 泸溪县 -> 县, 中共泸溪县委 -> 县委."""
    at = prefix.rfind("县")
    return prefix[at:] if at >= 0 else "县"


def canonical_unit(name: str | None, county_prefixes: tuple[str, ...] = DEFAULT_COUNTY_PREFIXES) -> str:
    """The one spelling of a unit name (see the module docstring); "" for an empty name."""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", name or ""))
    prefix = max((p for p in county_prefixes if p and text.startswith(p) and len(text) > len(p)),
                 key=len, default="")
    rest = text[len(prefix):]
    township = _TOWNSHIP.fullmatch(rest)
    if township:
        return township.group(1)
    if not prefix:
        return rest
    level = _county_level(prefix)
    return rest if rest.startswith(level) else level + rest


@dataclass(frozen=True)
class UnitNames:
    """Canonical unit names with the office's sections folded into the office."""
    office: str
    office_aliases: tuple[str, ...] = ()
    county_prefixes: tuple[str, ...] = DEFAULT_COUNTY_PREFIXES

    def canonical(self, name: str | None) -> str:
        return canonical_unit(name, self.county_prefixes)

    def is_office(self, canonical: str) -> bool:
        if canonical == self.canonical(self.office):
            return True
        aliases = (self.canonical(a) for a in self.office_aliases)
        return any(a and (canonical == a or canonical.startswith(a)) for a in aliases)

    def key(self, name: str | None) -> str:
        """The unit a manuscript or claim counts toward: the office, a canonical name, or 未填单位."""
        canonical = self.canonical(name)
        if not canonical:
            return UNFILLED_UNIT
        return self.office if self.is_office(canonical) else canonical
