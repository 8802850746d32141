"""shanggao's configuration file (TOML), with documented defaults.

Lookup: ``--config PATH``, else ``$SHANGGAO_CONFIG``, else ``./shanggao.toml``
when it exists, else the defaults below.  ``--db`` and ``$SHANGGAO_DB``
override the file's ``db``.  Relative paths in a file are relative to that
file's folder.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

CONFIG_ENV = "SHANGGAO_CONFIG"
DEFAULT_CONFIG_FILE = "shanggao.toml"


_TYPE_WORDS = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
PATH_SETTINGS = ("db", "archive_dir", "rules", "reports_dir", "log_file")


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
    source: str = ""                      # which file this came from ("" = defaults)

    @property
    def db_path(self) -> Path:
        return Path(self.db)


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
    known = [f.name for f in fields(Config) if f.name != "source"]
    values = {}
    for key, value in section.items():
        if key not in known:
            raise ConfigError(f"{candidate}: unknown setting {key!r} (known: {', '.join(known)})")
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{candidate}: {key} must be {_TYPE_WORDS[expected]}, not {value!r}")
        if expected is list and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{candidate}: {key} must be a list of strings")
        values[key] = value
    config = Config(**values)
    config.source = str(candidate)
    # Paths in the file are relative to the file, so cron and systemd can run from anywhere.
    for name in PATH_SETTINGS:
        value = getattr(config, name)
        if value and not Path(value).is_absolute():
            setattr(config, name, str(candidate.parent / value))
    return config
