"""Outlet files: reading and checking the TOML that describes an outlet for the generic spider.

The file (every key is checked; see ``spiders/outlet_files/*.toml`` for two examples)::

    [outlet]
    slug = "luxi"                 # required: a-z, 0-9, _ or -; stored as articles.outlet
    name = "泸溪县人民政府网"       # required
    tier = "county"               # required: central | provincial | prefectural | county | other
    base_url = "http://HOST"      # required: the site's scheme and host (-a base_url=… overrides)
    kind = "portal"               # optional: epaper | portal | wechat | print (default portal)
    home = "http://HOST/"         # optional: the outlet's home page (default base_url + "/")
    extra_hosts = ["m.HOST"]      # optional: more hosts whose article links count
    charset = "gb18030"           # optional: decode every page with this charset

    [listing]
    start = ["/news/"]            # required: list pages (paths under base_url, or absolute URLs)
    article = ['^/news/\\d+\\.html$']  # required: regexes searched in a link's path (+ "?query")
    links = "ul.list a"           # optional: the list's anchors (CSS, or XPath from "/", "./", "(")
    next = "a.next"               # optional: the next-page anchor (default: an anchor reading 下一页)
    max_pages = 10                # optional (default 10)
    url_date = '/(?P<year>\\d{4})(?P<month>\\d{2})(?P<day>\\d{2})/'   # optional: date in the URL

    [article]                     # optional section; every key optional
    title = "h1"
    subtitle = ["h2.yt", "h3.ft"] # one selector or several (each one line)
    byline = "span.author"
    date = "span.time"            # element whose text holds the date
    date_format = "%Y-%m-%d %H:%M"   # strptime format of that text (default: any usual Chinese date)
    date_regex = '发布时间[:：](?P<date>[^ ]+)'  # the part of the text to read (group "date" or 1)
    body = "div.content"
    paragraphs = "p"              # inside body (default "p"; "" = the body's text lines)
    drop = [".share", "script"]   # inside body

Errors in the file are :class:`OutletFileError` with the file, the key and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel.csstranslator import css2xpath

from shanggao.dates import URL_DATE_GROUPS
from shanggao.db.outlets import KINDS, TIERS

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_SECTIONS: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    # key: (type, required)
    "outlet": {"slug": (str, True), "name": (str, True), "tier": (str, True), "base_url": (str, True),
               "extra_hosts": (list, False), "charset": (str, False), "kind": (str, False), "home": (str, False)},
    "listing": {"start": (list, True), "article": (list, True), "links": (str, False), "next": (str, False),
                "max_pages": (int, False), "url_date": (str, False)},
    "article": {"title": ((str, list), False), "subtitle": ((str, list), False), "byline": ((str, list), False),
                "date": ((str, list), False), "date_format": (str, False), "date_regex": (str, False),
                "body": ((str, list), False), "paragraphs": (str, False), "drop": (list, False)},
}
_REQUIRED_SECTIONS = ("outlet", "listing")


class OutletFileError(ValueError):
    """An outlet file that cannot be used, with a message naming the file and the key."""


@dataclass(frozen=True)
class OutletFile:
    path: Path
    slug: str
    name: str
    tier: str
    base_url: str
    kind: str
    home_url: str
    hosts: tuple[str, ...]
    charset: str | None
    start_urls: tuple[str, ...]
    article_patterns: tuple[re.Pattern[str], ...]
    links: str | None
    next_page: str | None
    max_pages: int
    url_date: re.Pattern[str] | None
    fields: dict[str, Any] = field(default_factory=dict)  # the [article] section, validated


def shipped_outlet_files() -> dict[str, Path]:
    """The outlet files shipped in ``shanggao.spiders`` (``spiders/outlet_files/``), by file stem."""
    folder = resources.files("shanggao.spiders").joinpath("outlet_files")
    return {Path(entry.name).stem: Path(str(entry)) for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".toml")}


def find_outlet_file(name: str | Path) -> Path:
    """The file ``name`` means: an existing path as given, else the shipped outlet file of that
    bare name (``xxnet`` or ``xxnet.toml`` -> ``spiders/outlet_files/xxnet.toml``), from any folder."""
    path = Path(name)
    if path.exists() or len(path.parts) != 1:
        return path
    return shipped_outlet_files().get(path.stem if path.suffix == ".toml" else path.name, path)


def load_outlet_file(path: str | Path, base_url: str | None = None) -> OutletFile:
    """Read and check an outlet file (a path, or the bare name of a shipped one, see
    :func:`find_outlet_file`); ``base_url`` (when given) replaces the file's."""
    path = find_outlet_file(path)
    where = path.name
    raw = _read_toml(path, where)
    _check_shape(raw, where)
    site = _site(raw["outlet"], where, base_url)
    walk = _listing(raw["listing"], where, site.base_url)
    fields = _article_fields(raw.get("article", {}), where)
    return OutletFile(path=path, slug=site.slug, name=site.name, tier=site.tier, base_url=site.base_url,
                      kind=site.kind, home_url=site.home_url, hosts=site.hosts, charset=site.charset,
                      start_urls=walk.start_urls, article_patterns=walk.article_patterns, links=walk.links,
                      next_page=walk.next_page, max_pages=walk.max_pages, url_date=walk.url_date,
                      fields=fields)


def _read_toml(path: Path, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        shipped = ", ".join(shipped_outlet_files())
        raise OutletFileError(f"{path}: outlet file not found (shipped outlet files, usable by name: {shipped})") \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OutletFileError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise OutletFileError(f"{where}: not valid TOML: {exc}") from None


@dataclass(frozen=True)
class _Site:
    """The checked ``[outlet]`` section."""

    slug: str
    name: str
    tier: str
    kind: str
    base_url: str
    home_url: str
    hosts: tuple[str, ...]
    charset: str | None


def _site(outlet: dict[str, Any], where: str, base_url: str | None) -> _Site:
    slug = outlet["slug"].strip()
    if not SLUG.match(slug):
        raise OutletFileError(f"{where}: [outlet] slug {slug!r}: use lowercase letters, digits, '_' or '-'")
    if slug == "generic":
        raise OutletFileError(f"{where}: [outlet] slug 'generic' is the spider's own name; pick the outlet's")
    if outlet["tier"] not in TIERS:
        raise OutletFileError(f"{where}: [outlet] tier {outlet['tier']!r}: one of {', '.join(TIERS)}")
    kind = outlet.get("kind", "portal").strip()
    if kind not in KINDS:
        raise OutletFileError(f"{where}: [outlet] kind {kind!r}: one of {', '.join(KINDS)}")
    base = (base_url if base_url is not None else outlet["base_url"]).strip().rstrip("/")
    if not base:
        raise OutletFileError(f"{where}: [outlet] base_url is empty: write the site's confirmed address "
                              "(e.g. http://www.example.gov.cn), or give scrapy crawl generic -a base_url=…")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutletFileError(f"{where}: [outlet] base_url {base!r}: needs http(s)://host")
    home = outlet.get("home", "").strip() or base + "/"
    if urlsplit(home).scheme not in ("http", "https"):
        raise OutletFileError(f"{where}: [outlet] home {home!r}: needs http(s)://host/…")
    hosts = [parts.hostname] + [_host(h, where) for h in outlet.get("extra_hosts", [])]
    return _Site(slug=slug, name=outlet["name"].strip(), tier=outlet["tier"], kind=kind, base_url=base,
                 home_url=home, hosts=tuple(dict.fromkeys(hosts)), charset=_charset(outlet, where))


def _charset(outlet: dict[str, Any], where: str) -> str | None:
    charset = outlet.get("charset", "").strip() or None
    if charset:
        try:
            "测".encode(charset)
        except LookupError:
            raise OutletFileError(f"{where}: [outlet] charset {charset!r} is not a known encoding") from None
    return charset


@dataclass(frozen=True)
class _Walk:
    """The checked ``[listing]`` section."""

    start_urls: tuple[str, ...]
    article_patterns: tuple[re.Pattern[str], ...]
    links: str | None
    next_page: str | None
    max_pages: int
    url_date: re.Pattern[str] | None


def _listing(listing: dict[str, Any], where: str, base: str) -> _Walk:
    starts = _strings(listing["start"], where, "[listing] start")
    if not starts:
        raise OutletFileError(f"{where}: [listing] start: give at least one list page")
    start_urls = tuple(urljoin(base + "/", s) for s in starts)
    patterns = tuple(_regex(p, where, f"[listing] article[{i}]")
                     for i, p in enumerate(_strings(listing["article"], where, "[listing] article")))
    if not patterns:
        raise OutletFileError(f"{where}: [listing] article: give at least one link pattern")
    url_date = _regex(listing["url_date"], where, "[listing] url_date") if listing.get("url_date") else None
    if url_date is not None and not set(URL_DATE_GROUPS) <= set(url_date.groupindex):
        raise OutletFileError(f"{where}: [listing] url_date needs named groups year, month and day")
    max_pages = listing.get("max_pages", 10)
    if max_pages < 1:
        raise OutletFileError(f"{where}: [listing] max_pages must be at least 1")
    for key in ("links", "next"):
        if listing.get(key):
            _selector(listing[key], where, f"[listing] {key}")
    return _Walk(start_urls=start_urls, article_patterns=patterns, links=listing.get("links") or None,
                 next_page=listing.get("next") or None, max_pages=max_pages, url_date=url_date)


def _article_fields(article: dict[str, Any], where: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in ("title", "subtitle", "byline", "date", "body"):
        if key in article:
            queries = _strings(article[key] if isinstance(article[key], list) else [article[key]],
                               where, f"[article] {key}")
            for query in queries:
                _selector(query, where, f"[article] {key}")
            fields[key] = tuple(queries)
    if "paragraphs" in article:
        if article["paragraphs"]:
            _selector(article["paragraphs"], where, "[article] paragraphs")
        fields["paragraphs"] = article["paragraphs"]
    if "drop" in article:
        fields["drop"] = tuple(_strings(article["drop"], where, "[article] drop"))
        for query in fields["drop"]:
            _selector(query, where, "[article] drop")
    if "date_format" in article:
        fmt = article["date_format"]
        if "%" not in fmt:
            raise OutletFileError(f"{where}: [article] date_format {fmt!r} has no strptime directives (%Y …)")
        fields["date_format"] = fmt
    if "date_regex" in article:
        fields["date_regex"] = _regex(article["date_regex"], where, "[article] date_regex")
    return fields


def _check_shape(raw: dict[str, Any], where: str) -> None:
    for section in raw:
        if section not in _SECTIONS:
            raise OutletFileError(f"{where}: unknown section [{section}] (known: "
                                  f"{', '.join('[' + s + ']' for s in _SECTIONS)})")
    for section in _REQUIRED_SECTIONS:
        if not isinstance(raw.get(section), dict):
            raise OutletFileError(f"{where}: missing section [{section}]")
    for section, spec in _SECTIONS.items():
        values = raw.get(section, {})
        if not isinstance(values, dict):
            raise OutletFileError(f"{where}: [{section}] must be a table")
        for key in values:
            if key not in spec:
                raise OutletFileError(f"{where}: [{section}] unknown key {key!r} (known: {', '.join(spec)})")
        for key, (kind, required) in spec.items():
            if key not in values:
                if required:
                    raise OutletFileError(f"{where}: [{section}] missing key {key!r}")
                continue
            if not isinstance(values[key], kind) or isinstance(values[key], bool):
                wanted = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
                raise OutletFileError(f"{where}: [{section}] {key} must be a {wanted.replace('str', 'string')}")


def _strings(values: list[Any], where: str, what: str) -> list[str]:
    if not all(isinstance(v, str) for v in values):
        raise OutletFileError(f"{where}: {what}: every entry must be a string")
    return [v for v in values if v.strip()]


def _regex(pattern: str, where: str, what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise OutletFileError(f"{where}: {what}: bad regex {pattern!r}: {exc}") from None


def _selector(query: str, where: str, what: str) -> None:
    try:
        if query.startswith(("/", "./", "(")):
            etree.XPath(query)
        else:
            css2xpath(query)
    except Exception as exc:  # cssselect and lxml raise several unrelated error types
        raise OutletFileError(f"{where}: {what}: bad selector {query!r}: {exc}") from None


def _host(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OutletFileError(f"{where}: [outlet] extra_hosts: every entry must be a host name")
    value = value.strip()
    return (urlsplit(value).hostname or "") if "://" in value else value.split("/")[0].lower()
