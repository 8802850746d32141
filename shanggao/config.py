"""shanggao's configuration file (TOML), with documented defaults.

Lookup: ``--config PATH``, else ``$SHANGGAO_CONFIG``, else ``./shanggao.toml``
when it exists, else the defaults below.  ``--db`` and ``$SHANGGAO_DB``
override the file's ``db``.  Relative paths in a file are relative to that
file's folder.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shanggao.db.outlets import BUILTIN, OutletError, OutletInfo, host_of, office_outlet, with_additions
from shanggao.importers.common import ZipLimits

if TYPE_CHECKING:
    from shanggao.spiders.run import CrawlOptions

CONFIG_ENV = "SHANGGAO_CONFIG"
DEFAULT_CONFIG_FILE = "shanggao.toml"


_TYPE_WORDS = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
PATH_SETTINGS = ("db", "archive_dir", "rules", "reports_dir", "log_file")


# (lowest, highest) of every number; anything outside is a one-line ConfigError.
RANGES: dict[str, tuple[float, float]] = {
    "window_days": (1, 366),
    "max_catchup_days": (1, 3660),
    "download_delay": (0, 3600),
    "concurrency_per_domain": (1, 64),
    "max_response_mb": (0.01, 4096),
    "max_links_per_page": (1, 1_000_000),
    "max_unpacked_mb": (0.01, 65536),
    "max_zip_ratio": (1, 1_000_000),
    "evidence_max_pages": (1, 100_000),
    "evidence_max_pixels": (1, 2_000_000_000),
}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    db: str = "shanggao.duckdb"
    archive_dir: str = ""                 # WARC evidence folder; default: <db>.archive next to the db
    outlets: list[str] = field(default_factory=list)   # enabled outlets for crawl/nightly; empty = all
    window_days: int = 2                  # nightly: yesterday and today
    max_catchup_days: int = 14            # nightly: how far back a missed night is caught up
    contact: str = "https://github.com/shanggao/shanggao"  # goes into the User-Agent
    download_delay: float = 1.0           # seconds between requests to one domain
    concurrency_per_domain: int = 2
    autothrottle: bool = True
    obey_robots: bool = True
    http_cache: bool = False              # development: cache responses under .scrapy/httpcache
    rules: str = ""                       # reward/quota rules TOML; default: the bundled rules
    reports_dir: str = "reports"
    log_file: str = ""                    # nightly log; empty = stderr
    allow_internal: list[str] = field(default_factory=list)  # intranet hosts/networks fetch and crawl may reach
    max_response_mb: float = 8.0          # a bigger response (after decompression) is dropped as too_large
    max_links_per_page: int = 500         # links followed from one listing page at most
    max_unpacked_mb: float = 256.0        # .docx/.xlsx: declared uncompressed size at most
    max_zip_ratio: float = 200.0          # .docx/.xlsx: uncompressed/compressed size of a big member at most
    evidence_max_pages: int = 100         # evidence add: PDF pages / TIFF frames one file may have
    evidence_max_pixels: int = 50_000_000  # evidence add: pixels of one image or rendered page
    columns: dict[str, str] = field(default_factory=dict)  # [columns]: the office's register headers -> fields
    registry: list[OutletInfo] = field(default_factory=list)  # [outlet.SLUG]: outlets the office adds
    source: str = ""                      # which file this came from ("" = defaults)

    @property
    def db_path(self) -> Path:
        return Path(self.db)

    @property
    def zip_limits(self) -> ZipLimits:
        return ZipLimits(self.max_unpacked_mb, self.max_zip_ratio)

    def crawl_options(self, allow_internal: Iterable[str] = ()) -> CrawlOptions:
        """What a crawl or fetch needs of this config, with ``allow_internal`` hosts (``--allow-internal``)
        added to the file's; ConfigError for a host or network that makes no sense."""
        from shanggao.spiders.address_guard import AllowListError
        from shanggao.spiders.run import CrawlOptions

        try:
            return CrawlOptions(
                contact=self.contact, download_delay=self.download_delay,
                concurrency_per_domain=self.concurrency_per_domain, autothrottle=self.autothrottle,
                obey_robots=self.obey_robots, http_cache=self.http_cache,
                allow_internal=(*self.allow_internal, *allow_internal),
                max_response_mb=self.max_response_mb, max_links_per_page=self.max_links_per_page)
        except AllowListError as exc:
            raise ConfigError(f"--allow-internal: {exc}") from exc


def _columns(table: object, path: Path) -> dict[str, str]:
    """``[columns]``: register header as the office writes it = field name (见报日期 = "published")."""
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f"{path}: [columns] maps a register header to a field name, e.g. 见报日期 = \"published\"")
    return dict(table)


_OUTLET_KEYS = ("name", "tier", "aliases", "domains", "print_only", "kind", "home_url")


def _outlets(table: object, path: Path) -> list[OutletInfo]:
    """``[outlet.SLUG]`` tables: outlets the office adds, for a fresh install (written into the
    store like ``shanggao outlets add``)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [outlet.SLUG] tables describe outlets, e.g. [outlet.xuexi] name = \"学习强国\"")
    found = []
    for slug, entry in table.items():
        where = f"{path}: [outlet.{slug}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table (name, tier, aliases, domains, print_only)")
        unknown = sorted(set(entry) - set(_OUTLET_KEYS))
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_OUTLET_KEYS)})")
        for key in ("aliases", "domains"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: {key} must be a list of strings")
        if not isinstance(entry.get("print_only", False), bool):
            raise ConfigError(f"{where}: print_only must be true or false")
        for key in ("name", "tier", "kind", "home_url"):
            if key in entry and not isinstance(entry[key], str):
                raise ConfigError(f"{where}: {key} must be a string")
        if slug in BUILTIN:   # a built-in outlet: the office adds spellings and hosts, nothing else
            extra = sorted(set(entry) - {"aliases", "domains"})
            if extra:
                raise ConfigError(f"{where}: {slug} is built in ({BUILTIN.name(slug)}); only aliases and domains "
                                  f"can be added to it, not {extra[0]!r}")
            found.append(with_additions(BUILTIN[slug], entry.get("aliases", []),
                                        map(host_of, entry.get("domains", []))))
            continue
        try:
            found.append(office_outlet(str(slug), entry.get("name", ""), entry.get("tier", ""),
                                       aliases=entry.get("aliases", []), domains=entry.get("domains", []),
                                       print_only=entry.get("print_only", False), kind=entry.get("kind"),
                                       home_url=entry.get("home_url", "")))
        except OutletError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
    return found


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read the config file named by ``path``/``$SHANGGAO_CONFIG``/``./shanggao.toml``."""
    explicit = path or os.environ.get(CONFIG_ENV)
    candidate = Path(explicit) if explicit else Path(DEFAULT_CONFIG_FILE)
    if not candidate.exists():
        if explicit:
            raise ConfigError(f"{candidate}: config file not found")
        return Config()
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{candidate}: not valid TOML: {exc}") from exc
    section = data.get("shanggao", data)
    defaults = Config()
    known = [f.name for f in fields(Config) if f.name not in ("source", "columns", "registry")]
    values: dict[str, Any] = {"columns": _columns(data.get("columns", {}), candidate),
                              "registry": _outlets(data.get("outlet", {}), candidate)}
    for key, value in section.items():
        if section is data and key in ("columns", "outlet"):
            continue
        if key not in known:
            raise ConfigError(f"{candidate}: unknown setting {key!r} (known: {', '.join(known)})")
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{candidate}: {key} must be {_TYPE_WORDS[expected]}, not {value!r}")
        if expected is list and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{candidate}: {key} must be a list of strings")
        if key in RANGES and not (RANGES[key][0] <= value <= RANGES[key][1]):  # NaN fails too
            low, high = RANGES[key]
            raise ConfigError(f"{candidate}: {key} must be between {low:g} and {high:g}, not {value!r}")
        values[key] = value
    config = Config(**values)
    config.source = str(candidate)
    # Paths in the file are relative to the file, so cron and systemd can run from anywhere.
    for name in PATH_SETTINGS:
        value = getattr(config, name)
        if value and not Path(value).is_absolute():
            setattr(config, name, str(candidate.parent / value))
    check_config(config, str(candidate))
    return config


def check_config(config: Config, source: str = "config") -> None:
    """The paths and names a config gives must make sense before any work starts (one line each)."""
    for name in ("archive_dir", "reports_dir"):
        value = getattr(config, name)
        if value and Path(value).exists() and not Path(value).is_dir():
            raise ConfigError(f"{source}: {name} {value} is a file, not a folder")
    if config.log_file:
        log = Path(config.log_file)
        if log.is_dir():
            raise ConfigError(f"{source}: log_file {log} is a folder, not a file")
        if not log.parent.is_dir():
            raise ConfigError(f"{source}: log_file's folder {log.parent} does not exist")
    if config.rules and not Path(config.rules).is_file():
        raise ConfigError(f"{source}: rules file {config.rules} not found")
    if config.db and Path(config.db).is_dir():
        raise ConfigError(f"{source}: db {config.db} is a folder, not a DuckDB file")
    if config.allow_internal:
        from shanggao.spiders.address_guard import AllowList, AllowListError

        try:
            AllowList(config.allow_internal)
        except AllowListError as exc:
            raise ConfigError(f"{source}: {exc}") from exc
    if config.outlets:
        from shanggao.spiders.run import CrawlError, check_outlets

        try:
            check_outlets(config.outlets)
        except CrawlError as exc:
            raise ConfigError(f"{source}: outlets: {exc}") from exc
