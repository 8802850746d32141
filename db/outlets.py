"""The outlet registry: who publishes what, at which tier, under which hosts, and how it is crawled.

This is the one home of the outlet concept, at the bottom of the dependency graph
(it imports nothing of shanggao's but the store's own modules):

* :class:`OutletInfo` — one outlet; :data:`TIERS` (in report order), :data:`KINDS`
  and :data:`CRAWLS` are the values its fields take;
* :data:`BUILTIN_OUTLETS` — the outlets shanggao ships with;
* :class:`Registry` — a read-only mapping slug -> :class:`OutletInfo` with the
  lookups every layer needs: by slug, by host (:meth:`Registry.for_host`) and by
  the loose names claims registers write (:meth:`Registry.resolve`);
* the ``outlets`` table is the registry's stored copy: :func:`sync_outlets` writes
  the built-ins (``shanggao init``), :func:`upsert_outlet` one more outlet (a
  generic outlet file's), :func:`read_outlets` reads the rows back and
  :func:`load_registry` builds the registry a store knows (built-ins plus rows).

:data:`BUILTIN` is the registry of the built-ins alone, for code that has no store
at hand (spiders, importers); :func:`outlet_for_host` and :func:`resolve_outlet`
are its lookups.  Code that has a connection and wants what the office has added
to the store uses ``load_registry(con)``.

The crawl attribute says how shanggao collects an outlet's articles, so that
``shanggao outlets`` and ``crawl`` can tell the office: ``spider`` (a spider in
``spiders/outlets/`` named like the slug), ``generic`` (an outlet file in
``spiders/outlet_files/`` or the office's own), ``fetch`` (no spider: claims are
settled with ``shanggao fetch URL``) or ``print`` (print only: nothing to fetch).
``tests/test_outlet_registry.py`` checks that these declarations and the spiders agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import duckdb

from shanggao.db.rows import first_value

TIERS: tuple[str, ...] = ("central", "provincial", "prefectural", "county", "other")  # report order
KINDS: tuple[str, ...] = ("epaper", "portal", "wechat", "print")
CRAWLS: tuple[str, ...] = ("spider", "generic", "fetch", "print")
# Platforms whose accounts belong to anyone: a post there counts for the outlet the claim names
# (湖南组工's WeChat post is 湖南组工's placement, not 微信公众号's).
PLATFORM_SLUGS: frozenset[str] = frozenset({"wechat", "toutiao"})


class OutletError(ValueError):
    """An outlet entry that breaks the registry's rules (unknown tier, kind or crawl)."""


@dataclass(frozen=True)
class OutletInfo:
    slug: str
    name: str
    tier: str
    kind: str
    home_url: str
    media_group: str | None
    domains: tuple[str, ...]
    aliases: tuple[str, ...] = field(default=())
    crawl: str = "spider"

    def __post_init__(self) -> None:
        for value, allowed, what in ((self.tier, TIERS, "tier"), (self.kind, KINDS, "kind"),
                                     (self.crawl, CRAWLS, "crawl")):
            if value not in allowed:
                raise OutletError(f"outlet {self.slug}: {what} {value!r}: one of {', '.join(allowed)}")


BUILTIN_OUTLETS: tuple[OutletInfo, ...] = (
    # -- central (中央媒体) ----------------------------------------------------------------------
    # 人民日报, 人民日报海外版, 人民日报客户端 and 人民网 are four outlets of one publisher: a claim
    # names one of them, and the rules file decides whether they score alike ([points.outlets]).
    OutletInfo("rmrb", "人民日报", "central", "epaper", "https://paper.people.com.cn/rmrb/",
               "人民日报社", ("paper.people.com.cn",), ("人民日报社", "人民日报电子版")),
    OutletInfo("rmrbhw", "人民日报海外版", "central", "epaper", "https://paper.people.com.cn/rmrbhwb/",
               "人民日报社", ("paper.people.com.cn/rmrbhwb",), ("人民日报海外版电子版", "海外版"), crawl="fetch"),
    OutletInfo("rmrbapp", "人民日报客户端", "central", "portal", "https://www.peopleapp.com/",
               "人民日报社", ("peopleapp.com", "www.peopleapp.com", "wap.peopleapp.com"),
               ("人民日报APP", "人民日报新媒体"), crawl="fetch"),
    OutletInfo("peoplecn", "人民网", "central", "portal", "http://www.people.com.cn/",
               "人民日报社", ("people.com.cn", "www.people.com.cn", "hn.people.com.cn"), ("人民网湖南频道",),
               crawl="fetch"),
    OutletInfo("xinhua", "新华网", "central", "portal", "http://www.news.cn/",
               "新华通讯社", ("news.cn", "www.news.cn", "xinhuanet.com", "www.xinhuanet.com", "hn.news.cn"),
               ("新华网湖南频道",), crawl="fetch"),
    OutletInfo("xuexi", "学习强国", "central", "portal", "https://www.xuexi.cn/",
               "学习强国", ("xuexi.cn", "www.xuexi.cn"), ("学习强国平台", "学习强国APP", "学习强国学习平台"),
               crawl="fetch"),
    OutletInfo("zzrsb", "中国组织人事报", "central", "epaper", "https://www.zuzhirenshi.com/",
               "中国组织人事报社", ("www.zuzhirenshi.com", "zuzhirenshi.com", "paper.zzrsb.cn"),
               ("组织人事报", "中国组织人事报社")),
    OutletInfo("chinanews", "中国新闻网", "central", "portal", "https://www.chinanews.com.cn/",
               "中国新闻社", ("www.chinanews.com.cn", "www.chinanews.com", "www.hn.chinanews.com.cn",
                            "www.hn.chinanews.com"), ("中新网", "中新网湖南", "中国新闻社")),
    OutletInfo("12371", "共产党员网", "central", "portal", "https://www.12371.cn/",
               "共产党员网", ("www.12371.cn", "news.12371.cn", "12371.cn"), ("12371", "共产党员网站")),
    # The internal journal of the Central Organization Department: print only.
    OutletInfo("zgtx", "组工通讯", "central", "print", "",
               "中共中央组织部", (), ("《组工通讯》",), crawl="print"),
    # -- provincial (省级) -----------------------------------------------------------------------
    OutletInfo("hnrb", "湖南日报", "provincial", "epaper", "https://epaper.voc.com.cn/hnrb/",
               "湖南日报社", ("epaper.voc.com.cn", "hnrb.voc.com.cn"), ("湖南日报社", "湖南日报电子版")),
    OutletInfo("xinhunan", "新湖南", "provincial", "portal", "https://www.hunantoday.cn/",
               "湖南日报社", ("www.hunantoday.cn", "m.voc.com.cn", "www.voc.com.cn", "hunantoday.cn"),
               ("新湖南客户端", "华声在线", "湖南在线")),
    OutletInfo("rednet", "红网", "provincial", "portal", "https://www.rednet.cn/",
               "红网", ("rednet.cn", "www.rednet.cn", "hn.rednet.cn", "xx.rednet.cn", "news.rednet.cn"),
               ("红网湘西站", "红网湘西频道", "红网时刻", "时刻新闻")),
    OutletInfo("hxw", "红星网", "provincial", "portal", "https://www.hxw.gov.cn/",
               "中共湖南省委组织部", ("www.hxw.gov.cn", "hxw.gov.cn"), ("湖南红星网",)),
    # The provincial organization department's WeChat account (its posts are mp.weixin.qq.com links).
    OutletInfo("hnzg", "湖南组工", "provincial", "wechat", "",
               "中共湖南省委组织部", (), ("湖南组工微信公众号", "湖南组工公众号"), crawl="fetch"),
    OutletInfo("hntv", "湖南卫视", "provincial", "portal", "https://www.hunantv.com/",
               "湖南广播影视集团", ("hunantv.com", "www.hunantv.com"),
               ("湖南电视台", "湖南广播电视台", "湖南新闻联播"), crawl="fetch"),
    # Print only: claims are settled from the PDF or a scan (`shanggao evidence add`).
    OutletInfo("xzyj", "湘组研究", "provincial", "print", "",
               "中共湖南省委组织部", (), ("湘组研究杂志",), crawl="print"),
    # -- prefectural (州级) ----------------------------------------------------------------------
    OutletInfo("tjb", "团结报", "prefectural", "epaper", "http://www.xxnet.com.cn/szb/tjbpc/",
               "团结报社", ("www.xxnet.com.cn",), ("湘西团结报", "团结报社")),
    OutletInfo("xxnet", "湘西网", "prefectural", "portal", "http://www.xxnet.com.cn/",
               "团结报社", ("m.xxnet.com.cn", "search.xxnet.com.cn"), ("湘西新闻网",), crawl="generic"),
    OutletInfo("xxrmt", "湘西州融媒体中心", "prefectural", "portal", "",
               "湘西州融媒体中心", (), ("湘西头条", "湘西融媒", "湘西州融媒体", "湘西头条客户端"), crawl="fetch"),
    OutletInfo("xxzg", "湘西组工", "prefectural", "wechat", "",
               "中共湘西州委组织部", (), ("湘西组工微信公众号", "湘西组工公众号"), crawl="fetch"),
    # -- county (县级) ---------------------------------------------------------------------------
    OutletInfo("luxi", "泸溪县人民政府网", "county", "portal", "",
               "泸溪县人民政府", (), ("泸溪县政府网", "泸溪政府网", "泸溪县人民政府门户网站", "泸溪县政府门户网站"),
               crawl="generic"),
    OutletInfo("lxrmt", "泸溪县融媒体中心", "county", "portal", "",
               "泸溪县融媒体中心", (), ("掌上泸溪", "泸溪融媒", "泸溪县融媒体", "掌上泸溪客户端"), crawl="fetch"),
    # -- other (其他): platforms whose accounts are anyone's -----------------------------------------
    OutletInfo("wechat", "微信公众号", "other", "wechat", "https://mp.weixin.qq.com/",
               "微信", ("mp.weixin.qq.com",), ("微信", "公众号"), crawl="fetch"),
    OutletInfo("toutiao", "今日头条", "other", "portal", "https://www.toutiao.com/",
               "今日头条", ("toutiao.com", "www.toutiao.com", "m.toutiao.com"), ("头条号", "今日头条客户端"),
               crawl="fetch"),
)


@dataclass(frozen=True)
class OutletResolution:
    slug: str | None          # None: not a registered outlet
    confident: bool
    note: str                 # empty when confident; otherwise what was assumed, for the office


# -- loose names (claims registers) -----------------------------------------------------------

_BRACKETS = re.compile(r"[《》〈〉<>「」『』“”\"'‘’（）()\[\]【】\s]")
_SUFFIXES = ("客户端", "电子版", "数字报", "手机版", "APP", "App", "app", "官网", "网站", "官方网站",
             "微信公众号", "公众号")
_HOST = re.compile(r"(?:https?://)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)", re.I)


# 人民网-湖南频道, 湖南日报·新湖南: a separator between Chinese words is not part of the name
_JOINER = re.compile(r"(?<=[\u4e00-\u9fff])\s*[-—–·・|/]+\s*(?=[\u4e00-\u9fff])")


def _clean(text: str) -> str:
    return _BRACKETS.sub("", _JOINER.sub("", unicodedata.normalize("NFKC", text))).strip()


def _strip_suffix(text: str) -> str:
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


class Registry(Mapping[str, OutletInfo]):
    """Outlets by slug, in the order given, with the lookups by host and by loose name.

    Immutable: a registry that grows (an outlet or alias the office adds) is a new
    ``Registry`` built from the old entries plus the new ones (:meth:`with_outlets`).
    """

    def __init__(self, outlets: Iterable[OutletInfo] = ()):
        self._outlets: dict[str, OutletInfo] = {o.slug: o for o in outlets}

    # -- mapping --------------------------------------------------------------------------

    def __getitem__(self, slug: str) -> OutletInfo:
        return self._outlets[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self._outlets)

    def __len__(self) -> int:
        return len(self._outlets)

    def __repr__(self) -> str:
        return f"Registry({', '.join(self._outlets)})"

    def with_outlets(self, outlets: Iterable[OutletInfo]) -> Registry:
        """This registry with ``outlets`` added; an entry with a known slug replaces it."""
        return Registry([*self._outlets.values(), *outlets])

    def name(self, slug: str | None) -> str:
        """The outlet's Chinese name, or the slug itself when it is not registered."""
        info = self._outlets.get(slug or "")
        return info.name if info else (slug or "")

    def ordered(self) -> list[OutletInfo]:
        """Every outlet in report order: by tier (:data:`TIERS`), then slug."""
        return sorted(self._outlets.values(), key=lambda o: (TIERS.index(o.tier), o.slug))

    # -- by host --------------------------------------------------------------------------

    def for_host(self, host: str) -> OutletInfo | None:
        """The registered outlet owning a host (exact host or a parent domain).

        Domains with a path (``paper.people.com.cn/rmrbhwb``) are only for :meth:`for_url`."""
        host = host.lower().split(":")[0]
        best: tuple[int, OutletInfo] | None = None
        for info in self._outlets.values():   # the most specific domain wins (hunan.xuexi.cn over xuexi.cn)
            for domain in info.domains:
                if "/" not in domain and (host == domain or host.endswith("." + domain)):
                    if best is None or len(domain) > best[0]:
                        best = (len(domain), info)
        return best[1] if best else None

    def for_url(self, url: str) -> OutletInfo | None:
        """The registered outlet a link belongs to: a host-and-path domain
        (``paper.people.com.cn/rmrbhwb`` for 人民日报海外版) before the host's owner."""
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        where = host + (parts.path or "/")
        for info in self._outlets.values():
            for domain in info.domains:
                if "/" in domain and (where == domain or where.startswith(domain.rstrip("/") + "/")):
                    return info
        return self.for_host(host) if host else None

    # -- by loose name --------------------------------------------------------------------

    @cached_property
    def words(self) -> list[str]:
        """Every name and alias, longest first (for removing outlet names from a byline)."""
        return sorted({w for o in self._outlets.values() for w in (o.name, *o.aliases)}, key=len, reverse=True)

    @cached_property
    def _spellings(self) -> dict[str, str]:
        """Every spelling the registry knows -> slug (names win over aliases on a clash)."""
        spellings: dict[str, str] = {}
        for info in self._outlets.values():
            for alias in info.aliases:
                spellings.setdefault(_clean(alias), info.slug)
            spellings[info.slug] = info.slug
        for info in self._outlets.values():
            spellings[_clean(info.name)] = info.slug
        return spellings

    @cached_property
    def _shared_groups(self) -> dict[str, list[str]]:
        """Publisher names (media_group) that own more than one outlet."""
        groups: dict[str, list[str]] = {}
        for info in self._outlets.values():
            if info.media_group:
                groups.setdefault(_clean(info.media_group), []).append(info.slug)
        return {g: slugs for g, slugs in groups.items() if len(slugs) > 1}

    def resolve(self, text: str | None) -> OutletResolution:
        """The outlet a register's outlet text means, and how sure that is.

        Claims registers spell outlets every which way: 《人民日报》, 湖南日报社, 人民网,
        红网湘西站, 新湖南客户端, sometimes a bare host name.  An uncertain mapping
        carries a note (in Chinese, for the office) that verification shows as a warning.
        Order of attempts, most certain first:

        1. exact name, alias or slug after removing brackets, quotes and spaces (certain,
           unless the text is a publisher's name shared by several outlets, e.g. 湖南日报社);
        2. the same after dropping a generic suffix (客户端, 电子版, 官网, APP …) (unsure:
           湖南日报客户端 is in fact 新湖南);
        3. a host name in the text (www.rednet.cn) (certain);
        4. the text begins with / contains a registered name or alias, longest first
           (红网泸溪站 -> 红网) (unsure);
        5. a close spelling (rapidfuzz ratio ≥ 75 at equal length — one character off in
           four —, else ≥ 85) of a name or alias (unsure).
        """
        from rapidfuzz import fuzz, process

        raw = (text or "").strip()
        cleaned = _clean(raw)
        if not cleaned:
            return OutletResolution(None, False, "申报未填媒体")
        names = self._spellings
        name = self.name

        slug = names.get(cleaned)
        if slug:
            shared = self._shared_groups.get(cleaned)
            if shared:
                others = "、".join(name(s) for s in shared if s != slug)
                return OutletResolution(slug, False, f"“{raw}”是报社名，按{name(slug)}核验（同社还有{others}）")
            return OutletResolution(slug, True, "")
        stripped = _strip_suffix(cleaned)
        if stripped != cleaned and stripped in names:
            slug = names[stripped]
            dropped = cleaned[len(stripped):]
            return OutletResolution(slug, False, f"媒体“{raw}”按{name(slug)}核验（去掉“{dropped}”后对应）")

        host = _HOST.search(raw)
        if host:
            info = self.for_host(host.group(1))
            if info:
                return OutletResolution(info.slug, True, "")

        for spelling in sorted(names, key=len, reverse=True):
            if len(spelling) >= 2 and not spelling.isascii() and spelling in cleaned:
                slug = names[spelling]
                return OutletResolution(slug, False, f"媒体“{raw}”按{name(slug)}核验（名称不完全一致）")

        best = process.extractOne(cleaned, [s for s in names if not s.isascii()], scorer=fuzz.ratio, score_cutoff=75)
        # One wrong character in a name of equal length (湖南曰报) is a typo; a shorter
        # text that merely shares characters (湖南网 ~ 湖南红星网) is not.
        if best and (len(best[0]) == len(cleaned) or best[1] >= 85):
            slug = names[best[0]]
            return OutletResolution(slug, False, f"媒体“{raw}”疑为{name(slug)}（写法相近），按其核验")
        return OutletResolution(None, False, f"媒体“{raw}”不在媒体名录")


BUILTIN = Registry(BUILTIN_OUTLETS)


def outlet_for_host(host: str) -> OutletInfo | None:
    """The built-in outlet owning a host (exact host or a parent domain)."""
    return BUILTIN.for_host(host)


def outlet_for_url(url: str) -> OutletInfo | None:
    """The built-in outlet a link belongs to (see :meth:`Registry.for_url`)."""
    return BUILTIN.for_url(url)


def resolve_outlet(text: str | None) -> OutletResolution:
    """The built-in outlet a register's outlet text means (see :meth:`Registry.resolve`)."""
    return BUILTIN.resolve(text)


# -- the stored copy: the ``outlets`` table ---------------------------------------------------
#
# Built-ins are defined here, in code: their rows are refreshed from it (``sync_outlets``), and
# only the aliases and hosts the office adds to them (``office_aliases``, ``office_domains``) live
# in the store alone.  Rows
# of other outlets come from the office (``shanggao outlets add``: origin ``office``), the
# config file's ``[outlet.SLUG]`` tables (``config``) or a crawled outlet file (``outlet_file``).

ORIGINS: tuple[str, ...] = ("builtin", "office", "config", "outlet_file")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_COLUMNS = "slug, name, tier, kind, home_url, media_group, aliases, domains, crawl, origin"


def _row(info: OutletInfo, origin: str) -> list[Any]:
    return [info.slug, info.name, info.tier, info.kind, info.home_url or None, info.media_group,
            list(info.aliases), list(info.domains), info.crawl, origin]


def sync_outlets(con: duckdb.DuckDBPyConnection, registry: Registry = BUILTIN) -> int:
    """Upsert every outlet of ``registry`` (default: the built-ins) into the table; return how many.
    The aliases the office added (``office_aliases``) are kept."""
    rows = [_row(o, "builtin") for o in registry.values()]
    con.executemany(
        f"INSERT INTO outlets ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (slug) DO UPDATE SET name = excluded.name, tier = excluded.tier, kind = excluded.kind, "
        "home_url = excluded.home_url, media_group = excluded.media_group, aliases = excluded.aliases, "
        "domains = excluded.domains, crawl = excluded.crawl, origin = excluded.origin",
        rows,
    )
    return len(rows)


def upsert_outlet(con: duckdb.DuckDBPyConnection, info: OutletInfo) -> bool:
    """Add or refresh the row of an outlet that is not built in (a crawled outlet file's);
    False (nothing written) when ``info.slug`` is a built-in, whose row belongs to the
    registry (``shanggao init``).

    A refresh updates name, tier, kind, home URL and hosts, and keeps the stored
    media group, aliases and origin."""
    if info.slug in BUILTIN:
        return False
    con.execute(
        f"INSERT INTO outlets ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (slug) DO UPDATE SET name = excluded.name, tier = excluded.tier, kind = excluded.kind, "
        "home_url = excluded.home_url, domains = excluded.domains, crawl = excluded.crawl",
        _row(info, "outlet_file"),
    )
    return True


def check_slug(slug: str) -> str:
    """``slug`` when it is a usable outlet id (lower-case letters, digits, - and _), else OutletError."""
    if not _SLUG.match(slug or ""):
        raise OutletError(f"outlet slug {slug!r}: use 1-32 lower-case letters, digits, '-' or '_' "
                          "(e.g. xuexi, lxrmt)")
    return slug


def _clashes(registry: Registry, slug: str, names: Iterable[str]) -> None:
    """OutletError when one of ``names`` already means another outlet."""
    for name in names:
        owner = registry._spellings.get(_clean(name))
        if owner and owner != slug:
            raise OutletError(f"“{name}” already means {registry.name(owner)} ({owner}); "
                              f"choose another name or alias")


def host_of(domain: str) -> str:
    """A host as the office may write it (``https://www.xuexi.cn/``, ``WWW.XUEXI.CN``) -> ``www.xuexi.cn``;
    a path is kept (``paper.people.com.cn/rmrbhwb``)."""
    text = domain.strip()
    parts = urlsplit(text if "//" in text else "//" + text)
    host = (parts.hostname or "").lower()
    if not host or not re.fullmatch(r"[a-z0-9.-]+\.[a-z0-9-]+", host):
        raise OutletError(f"host {domain!r}: write a host name such as www.xuexi.cn")
    path = parts.path.rstrip("/")
    return host + path


def suggest_slug(host: str, registry: Mapping[str, OutletInfo]) -> str:
    """A free slug for an outlet at ``host`` (``www.xxtv.gov.cn`` -> ``xxtv``), for printed remedies."""
    labels = [part for part in re.split(r"[^a-z0-9]+", host.lower()) if part]
    generic = {"www", "m", "wap", "mp", "news", "com", "cn", "net", "org", "gov", "edu", "http", "https"}
    base = next((label for label in labels if label not in generic), "outlet")[:24]
    base = base if _SLUG.match(base) else "outlet"
    slug, n = base, 2
    while slug in registry:
        slug, n = f"{base}{n}", n + 1
    return slug


def office_outlet(slug: str, name: str, tier: str, *, aliases: Iterable[str] = (), domains: Iterable[str] = (),
                  print_only: bool = False, kind: str | None = None, home_url: str = "") -> OutletInfo:
    """The entry of an outlet the office names (``outlets add``, the config's ``[outlet.SLUG]``):
    no spider, so claims are settled with ``shanggao fetch URL`` — or, print only, with
    ``shanggao evidence add``."""
    check_slug(slug)
    if not (name or "").strip():
        raise OutletError(f"outlet {slug}: a name is needed (--name 学习强国)")
    hosts = tuple(dict.fromkeys(host_of(d) for d in domains if d and d.strip()))
    kind = kind or ("print" if print_only else "portal")
    if not home_url and hosts and "/" not in hosts[0]:
        home_url = f"https://{hosts[0]}/"
    return OutletInfo(slug, name.strip(), tier, kind, home_url, None, hosts,
                      tuple(dict.fromkeys(a.strip() for a in aliases if a and a.strip())),
                      crawl="print" if print_only or kind == "print" else "fetch")


def add_outlet(con: duckdb.DuckDBPyConnection, info: OutletInfo, origin: str = "office") -> tuple[bool, int]:
    """Add (or redefine) an outlet the office names: ``shanggao outlets add`` / the config file.

    A built-in cannot be redefined (aliases can be added to it: :func:`add_aliases`);
    a name, alias or host that already belongs to another outlet is refused.  Stored
    articles fetched from the outlet's hosts before it was registered (their outlet is
    the bare host name) are attributed to it.  Returns (added — False when an existing
    row was redefined —, articles attributed)."""
    check_slug(info.slug)
    if info.slug in BUILTIN:
        raise OutletError(f"{info.slug} is built in ({BUILTIN.name(info.slug)}); add spellings with "
                          f"`shanggao outlets alias {info.slug} NAME…`")
    if origin not in ORIGINS:
        raise OutletError(f"origin {origin!r}: one of {', '.join(ORIGINS)}")
    sync_outlets(con)
    registry = load_registry(con)
    _clashes(registry, info.slug, (info.name, *info.aliases))
    for domain in info.domains:
        owner = next((o for o in registry.values() if domain in o.domains and o.slug != info.slug), None)
        if owner:
            raise OutletError(f"host {domain} already belongs to {owner.name} ({owner.slug})")
    existed = info.slug in registry
    con.execute(
        f"INSERT INTO outlets ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (slug) DO UPDATE SET name = excluded.name, tier = excluded.tier, kind = excluded.kind, "
        "home_url = excluded.home_url, media_group = excluded.media_group, aliases = excluded.aliases, "
        "domains = excluded.domains, crawl = excluded.crawl, origin = excluded.origin",
        _row(info, origin),
    )
    return not existed, _attribute_articles(con, info)


def sync_registry(con: duckdb.DuckDBPyConnection, configured: Iterable[OutletInfo] = ()) -> None:
    """Refresh the built-ins' rows and write the config file's outlets (``[outlet.SLUG]``);
    an outlet the office added or redefined with ``shanggao outlets add`` keeps its row."""
    sync_outlets(con)
    configured = list(configured)
    if not configured:
        return
    origins = outlet_origins(con)
    stored = {o.slug: o for o in read_outlets(con)}
    for info in configured:
        if origins.get(info.slug) == "office" or stored.get(info.slug) == info:
            continue
        if info.slug in BUILTIN:   # spellings and hosts the config adds to a built-in outlet
            add_aliases(con, info.slug, info.aliases)
            add_domains(con, info.slug, info.domains)
            continue
        add_outlet(con, info, origin="config")


def _attribute_articles(con: duckdb.DuckDBPyConnection, info: OutletInfo) -> int:
    """Articles stored under a bare host name (fetched before any outlet owned it) that
    now belong to ``info``: their outlet becomes its slug."""
    registered = {row[0] for row in con.execute("SELECT slug FROM outlets").fetchall()}
    hosts = [h for (h,) in con.execute("SELECT DISTINCT outlet FROM articles").fetchall()
             if h not in registered and "." in h]
    mine = Registry([info])
    owned = [h for h in hosts if mine.for_host(h) is not None]
    if not owned:
        return 0
    count = first_value(con.execute("SELECT count(*) FROM articles WHERE list_contains(?, outlet)", [owned]))
    con.execute("UPDATE articles SET outlet = ? WHERE list_contains(?, outlet)", [info.slug, owned])
    return int(count)


def add_aliases(con: duckdb.DuckDBPyConnection, slug: str, names: Iterable[str]) -> list[str]:
    """Add spellings claims registers use for an outlet (built in or not); return those new to it.
    A spelling that already means another outlet is refused (OutletError)."""
    sync_outlets(con)
    registry = load_registry(con)
    if slug not in registry:
        raise OutletError(f"unknown outlet {slug!r}; `shanggao outlets` lists them, "
                          f"`shanggao outlets add {slug} --name … --tier …` adds one")
    wanted = [n.strip() for n in names if n and n.strip()]
    _clashes(registry, slug, wanted)
    info = registry[slug]
    known = {_clean(w) for w in (info.name, *info.aliases, slug)}
    new = [n for n in dict.fromkeys(wanted) if _clean(n) not in known]
    if new:
        con.execute("UPDATE outlets SET office_aliases = list_distinct(list_concat(coalesce(office_aliases, []), ?)) "
                    "WHERE slug = ?", [new, slug])
    return new


def with_additions(info: OutletInfo, aliases: Iterable[str] = (), domains: Iterable[str] = ()) -> OutletInfo:
    """``info`` with more spellings and hosts (the office's additions), each kept once, in order."""
    return replace(info, aliases=tuple(dict.fromkeys((*info.aliases, *aliases))),
                   domains=tuple(dict.fromkeys((*info.domains, *domains))))


def add_domains(con: duckdb.DuckDBPyConnection, slug: str, domains: Iterable[str]) -> tuple[list[str], int]:
    """Add hosts an outlet's links are on (built in or not: a county site whose address the
    registry does not know); return the hosts new to it and the stored articles fetched from
    them that now belong to it.  A host another outlet owns is refused (OutletError)."""
    sync_outlets(con)
    registry = load_registry(con)
    if slug not in registry:
        raise OutletError(f"unknown outlet {slug!r}; `shanggao outlets` lists them, "
                          f"`shanggao outlets add {slug} --name … --tier …` adds one")
    hosts = list(dict.fromkeys(host_of(d) for d in domains if d and d.strip()))
    for host in hosts:
        owner = next((o for o in registry.values() if host in o.domains and o.slug != slug), None)
        if owner:
            raise OutletError(f"host {host} already belongs to {owner.name} ({owner.slug})")
    info = registry[slug]
    new = [h for h in hosts if h not in info.domains]
    if not new:
        return [], 0
    con.execute("UPDATE outlets SET office_domains = list_distinct(list_concat(coalesce(office_domains, []), ?)) "
                "WHERE slug = ?", [new, slug])
    return new, _attribute_articles(con, with_additions(info, domains=new))


def read_outlets(con: duckdb.DuckDBPyConnection) -> list[OutletInfo]:
    """The table's rows as outlets.  A built-in is its definition in code plus the aliases and
    hosts the office added; a row without a crawl value (a store older than migration 0009) came from
    an outlet file (``generic``) — the only writer of such rows before."""
    outlets = []
    for slug, name, tier, kind, home_url, group, aliases, domains, crawl, extra, hosts in con.execute(
        "SELECT slug, name, tier, kind, home_url, media_group, aliases, domains, crawl, office_aliases, "
        "office_domains FROM outlets ORDER BY slug"
    ).fetchall():
        builtin = BUILTIN.get(slug)
        extra = tuple(a for a in (extra or ()) if a)
        hosts = tuple(h for h in (hosts or ()) if h)
        stored = builtin if builtin is not None else OutletInfo(
            slug, name, tier, kind, home_url or "", group, tuple(domains or ()), tuple(aliases or ()),
            crawl or "generic")
        outlets.append(with_additions(stored, extra, hosts))
    return outlets


def outlet_origins(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """slug -> where its row came from (:data:`ORIGINS`)."""
    return {slug: origin or ("builtin" if slug in BUILTIN else "outlet_file")
            for slug, origin in con.execute("SELECT slug, origin FROM outlets").fetchall()}


def load_registry(con: duckdb.DuckDBPyConnection) -> Registry:
    """The registry a store knows: its rows, and the built-ins its rows lack (a store
    initialised before an outlet was built in)."""
    return BUILTIN.with_outlets(read_outlets(con))
