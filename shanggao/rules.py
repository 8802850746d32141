"""The office's reward and quota rules: loading, validation, and the points formula.

The bundled ``default_rules.toml`` documents every key.  A rules file the office
edits only needs the keys it changes; everything else keeps the default.  Points
for one placement are::

    base (per outlet, else per tier) x medium (print / online) x front page
         x length band x excerpt  -> capped at caps.per_article

and are then shared among the people credited, per ``coauthors.split``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from shanggao.config import ConfigError
from shanggao.db.outlets import BUILTIN, TIERS, OutletError, check_slug
from shanggao.unit_names import UnitNames

DEFAULT_RULES_NAME = "default_rules.toml"
SPLIT_MODES = ("equal", "full", "first_author")
PRINT_KINDS = ("epaper", "print")
EXCERPT_KINDS = ("excerpt", "roundup")

# Every verdict status verification can give; rules may only pay some of them.
STATUSES = (
    "verified", "verified_with_discrepancy", "byline_mismatch", "text_mismatch", "not_found",
    "not_covered", "duplicate_claim", "before_submission", "unknown_manuscript", "unknown_outlet",
)


class RulesError(ConfigError):
    """The rules file is missing, not TOML, or holds a value shanggao cannot use."""


@dataclass(frozen=True)
class LengthBand:
    min_chars: int
    factor: float


@dataclass(frozen=True)
class Quotas:
    default_monthly: int
    office: str
    office_monthly: int
    office_units: tuple[str, ...]              # aliases and name prefixes of the office's sections
    roster: tuple[str, ...]                    # unit keys
    units: dict[str, int]                      # unit key -> monthly minimum
    county_prefixes: tuple[str, ...]

    @property
    def names(self) -> UnitNames:
        return UnitNames(self.office, self.office_units, self.county_prefixes)

    def unit_key(self, unit: str | None) -> str:
        """The quota unit a manuscript/claim unit counts toward (shanggao.unit_names: county
        prefix dropped, the office's sections folded into the office)."""
        return self.names.key(unit)

    def minimum(self, unit_key: str) -> int:
        if unit_key in self.units:
            return self.units[unit_key]
        if unit_key == self.office:
            return self.office_monthly
        return self.default_monthly


@dataclass(frozen=True)
class ReportSettings:
    """The ``[report]`` table: what the 通报's 版头, 主送, closing and 落款 say (GB/T 9704-2012 parts)."""
    organization: str                          # heads every report (标题) and signs it (落款) unless signatory is set
    masthead: str                              # 发文机关标志, in red above the separator line
    number: str                                # 发文字号 pattern with {year} and {n}; "" = none
    recipients: str                            # 主送
    signatory: str                             # 落款
    requirements: str                          # the 下一步工作要求 paragraph

    def document_number(self, year: int, n: int) -> str:
        """The pattern filled in: 县组通〔2022〕12号."""
        return self.number.format(year=year, n=n)


@dataclass(frozen=True)
class Rules:
    tier_points: dict[str, float]
    outlet_points: dict[str, float]
    print_factor: float
    online_factor: float
    front_page_factor: float
    excerpt_factor: float
    length_bands: tuple[LengthBand, ...]       # largest min_chars first
    split: str
    cap_per_article: float                     # 0 = no cap
    paying_statuses: tuple[str, ...]
    date_tolerance_days: int
    search_window_days: int
    quotas: Quotas
    organization: str                          # report heading (= report.organization)
    report: ReportSettings
    source: str                                # file path, or "default"
    digest: str                                # first 12 hex of sha256 over the effective rules

    def placement_points(self, *, outlet_slug: str, tier: str | None, outlet_kind: str | None,
                         page_no: int | None, placed_chars: int, match_kind: str | None) -> tuple[float, str]:
        """Points one placement earns in total (before sharing), and how they were reached."""
        if outlet_slug in self.outlet_points:
            base = self.outlet_points[outlet_slug]
            parts = [f"{outlet_slug} {base:g}分"]
        else:
            base = self.tier_points.get(tier or "other", self.tier_points["other"])
            parts = [f"{TIER_LABELS.get(tier or 'other', tier)} {base:g}分"]
        points = base
        is_print = outlet_kind in PRINT_KINDS
        medium = self.print_factor if is_print else self.online_factor
        if medium != 1:
            parts.append(f"{'纸媒' if is_print else '网络'}×{medium:g}")
        points *= medium
        if is_print and page_no == 1 and self.front_page_factor != 1:
            points *= self.front_page_factor
            parts.append(f"头版×{self.front_page_factor:g}")
        length = self.length_factor(placed_chars)
        if length != 1:
            parts.append(f"{placed_chars}字×{length:g}")
        points *= length
        if match_kind in EXCERPT_KINDS and self.excerpt_factor != 1:
            points *= self.excerpt_factor
            parts.append(f"摘编×{self.excerpt_factor:g}")
        if self.cap_per_article and points > self.cap_per_article:
            points = self.cap_per_article
            parts.append(f"封顶{self.cap_per_article:g}")
        points = round(points, 2)
        return points, " ".join(parts) + f" = {points:g}分"

    def length_factor(self, chars: int) -> float:
        for band in self.length_bands:
            if chars >= band.min_chars:
                return band.factor
        return 1.0

    def shares(self, total: float, people: list[str], first_author: str | None) -> dict[str, float]:
        """How one placement's ``total`` is shared among ``people`` (distinct, in claim order)."""
        if not people:
            return {}
        if self.split == "full":
            return {p: total for p in people}
        if self.split == "first_author":
            winner = first_author if first_author in people else people[0]
            return {p: (total if p == winner else 0.0) for p in people}
        each = round(total / len(people), 2)
        return {p: each for p in people}


TIER_LABELS = {"central": "中央", "provincial": "省级", "prefectural": "州级", "county": "县级", "other": "其他"}


# -- loading -----------------------------------------------------------------

def default_rules_text() -> str:
    return resources.files("shanggao").joinpath(DEFAULT_RULES_NAME).read_text(encoding="utf-8")


# Tables whose keys the office chooses (outlet slugs, unit names): merged, not checked.
FREE_TABLES = ("points.outlets", "quotas.units")


def _merge(base: dict, override: dict, where: str, source: str) -> dict:
    """``override`` laid over ``base``; unknown keys are errors (they are typos)."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        path = f"{where}.{key}" if where else key
        if key not in base:
            raise RulesError(f"{source}: unknown rules key {path!r} (known in "
                             f"{where or 'the top level'}: {', '.join(base)})")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise RulesError(f"{source}: {path} must be a table ([{path}])")
            merged[key] = {**base[key], **value} if path in FREE_TABLES else _merge(base[key], value, path, source)
        else:
            merged[key] = value
    return merged


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules in ``path`` layered over the bundled defaults (``None``/"" = defaults only)."""
    defaults = tomllib.loads(default_rules_text())
    if not path:
        return _build(defaults, "default")
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from exc
    return _build(_merge(defaults, data, "", source), source)


def _number(data: dict, key: str, where: str, source: str, *, minimum: float = 0.0) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RulesError(f"{source}: {where}.{key} must be a number, not {value!r}")
    if value < minimum:
        raise RulesError(f"{source}: {where}.{key} must be ≥ {minimum:g}, not {value!r}")
    return float(value)


def _integer(data: dict, key: str, where: str, source: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RulesError(f"{source}: {where}.{key} must be a whole number ≥ 0, not {value!r}")
    return value


def _text(data: dict, key: str, where: str, source: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise RulesError(f"{source}: {where}.{key} must be a non-empty string, not {value!r}")
    return value.strip()


def _strings(data: dict, key: str, where: str, source: str) -> tuple[str, ...]:
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{source}: {where}.{key} must be a list of strings, not {value!r}")
    return tuple(value)


def _build(data: dict[str, Any], source: str) -> Rules:
    points = data["points"]
    tier_points = {tier: _number(points, tier, "points", source) for tier in TIERS}
    outlet_points = {}
    for slug in points["outlets"]:
        # An outlet the office added (`shanggao outlets add`) is not built in: any slug of the
        # right form is accepted here, and `rules`/`verify` warn about one the store lacks.
        try:
            check_slug(str(slug))
        except OutletError as exc:
            raise RulesError(f"{source}: points.outlets.{slug}: not an outlet slug ({exc}); "
                             f"built in: {', '.join(BUILTIN)}") from exc
        outlet_points[slug] = _number(points["outlets"], slug, "points.outlets", source)

    mult = data["multipliers"]
    bands = []
    if not isinstance(mult["length"], list):
        raise RulesError(f"{source}: multipliers.length must be a list of [[multipliers.length]] tables")
    for i, band in enumerate(mult["length"], 1):
        where = f"multipliers.length[{i}]"
        if not isinstance(band, dict) or set(band) != {"min_chars", "factor"}:
            raise RulesError(f"{source}: {where} needs exactly min_chars and factor, got {band!r}")
        bands.append(LengthBand(_integer(band, "min_chars", where, source), _number(band, "factor", where, source)))

    split = data["coauthors"]["split"]
    if split not in SPLIT_MODES:
        raise RulesError(f"{source}: coauthors.split must be one of {', '.join(SPLIT_MODES)}, not {split!r}")

    verification = data["verification"]
    paying = _strings(verification, "paying_statuses", "verification", source)
    for status in paying:
        if status not in STATUSES:
            raise RulesError(f"{source}: verification.paying_statuses: unknown status {status!r} "
                             f"(known: {', '.join(STATUSES)})")

    q = data["quotas"]
    office = _text(q, "office", "quotas", source)
    names = UnitNames(office, _strings(q, "office_units", "quotas", source),
                      _strings(q, "county_prefixes", "quotas", source))
    units: dict[str, int] = {}
    written: dict[str, str] = {}
    for unit in q["units"]:
        key = names.key(unit)
        if key in units:
            raise RulesError(f"{source}: quotas.units: {written[key]!r} and {unit!r} are the same unit ({key})")
        units[key], written[key] = _integer(q["units"], unit, "quotas.units", source), unit
    quotas = Quotas(
        default_monthly=_integer(q, "default_monthly", "quotas", source),
        office=office,
        office_monthly=_integer(q, "office_monthly", "quotas", source),
        office_units=names.office_aliases,
        roster=tuple(dict.fromkeys(names.key(u) for u in _strings(q, "roster", "quotas", source))),
        units=units,
        county_prefixes=names.county_prefixes,
    )
    report = _report_settings(data["report"], source)
    # The digest covers what decides verdicts and points; the report's wording is not part of it.
    scored = {key: value for key, value in data.items() if key != "report"}
    digest = hashlib.sha256(json.dumps(scored, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
    return Rules(
        tier_points=tier_points,
        outlet_points=outlet_points,
        print_factor=_number(mult, "print", "multipliers", source),
        online_factor=_number(mult, "online", "multipliers", source),
        front_page_factor=_number(mult, "front_page", "multipliers", source),
        excerpt_factor=_number(mult, "excerpt", "multipliers", source),
        length_bands=tuple(sorted(bands, key=lambda b: -b.min_chars)),
        split=split,
        cap_per_article=_number(data["caps"], "per_article", "caps", source),
        paying_statuses=paying,
        date_tolerance_days=_integer(verification, "date_tolerance_days", "verification", source),
        search_window_days=_integer(verification, "search_window_days", "verification", source),
        quotas=quotas,
        organization=report.organization,
        report=report,
        source=source,
        digest=digest,
    )


def _report_settings(table: dict[str, Any], source: str) -> ReportSettings:
    organization = _text(table, "organization", "report", source)
    texts = {}
    for key in ("masthead", "number", "recipients", "signatory", "requirements"):
        value = table[key]
        if not isinstance(value, str):
            raise RulesError(f"{source}: report.{key} must be a string, not {value!r}")
        texts[key] = value.strip()
    if texts["number"]:
        try:
            texts["number"].format(year=2022, n=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise RulesError(f"{source}: report.number {texts['number']!r} may use only {{year}} and {{n}} "
                             f"({exc})") from None
    return ReportSettings(organization=organization, masthead=texts["masthead"] or organization,
                          number=texts["number"], recipients=texts["recipients"],
                          signatory=texts["signatory"] or organization, requirements=texts["requirements"])


def rules_for(config_rules: str, config_source: str, override: str | Path | None = None) -> Rules:
    """The rules a command uses: ``--rules``, else the config's ``rules`` (relative to the
    config file), else the bundled defaults."""
    if override:
        return load_rules(override)
    if config_rules:
        path = Path(config_rules)
        if not path.is_absolute() and config_source:
            path = Path(config_source).parent / path
        return load_rules(path)
    return load_rules(None)


def unregistered_outlets(rules: Rules, registry: Mapping[str, object]) -> list[str]:
    """One warning per ``[points.outlets]`` slug the registry does not know (a typo, or an
    outlet not added yet): its points never apply."""
    return [f"{rules.source}: points.outlets.{slug}: no such outlet in the registry; its points never apply "
            "(`shanggao outlets` lists the slugs)" for slug in rules.outlet_points if slug not in registry]
