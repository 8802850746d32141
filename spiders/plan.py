"""What ``shanggao crawl OUTLET…`` does with each outlet it is given.

The office names outlets the way its registers do — a slug (``rmrb``), a Chinese
name or alias (``人民日报``, ``湘西头条``) — and each is collected the way the
registry says (:attr:`shanggao.db.outlets.OutletInfo.crawl`): a spider runs; a
``generic`` outlet runs the generic spider on its shipped outlet file (``xxnet``);
a fetch-only outlet has nothing to walk (its claims are settled with
``shanggao fetch URL``), nor has a print-only one (``shanggao evidence add``).

Example::

    plan = plan_crawl(BUILTIN, ["人民日报", "xxnet", "人民网"])
    plan.spiders        # ['rmrb']
    plan.outlet_files   # ['…/outlet_files/xxnet.toml']
    plan.not_crawled    # [NotCrawled(info=人民网…, reason='fetch-only: …')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from shanggao.db.outlets import OutletInfo, Registry
from shanggao.shell import shanggao_command


class PlanError(ValueError):
    """A name that is no outlet the registry or the spiders know."""


@dataclass(frozen=True)
class NotCrawled:
    info: OutletInfo
    reason: str          # one line for the office: why, and what settles its claims instead

    def line(self) -> str:
        return f"{self.info.slug} ({self.info.name}): {self.reason}"


@dataclass
class CrawlPlan:
    spiders: list[str] = field(default_factory=list)         # spider names to run
    outlet_files: list[str] = field(default_factory=list)    # outlet files for the generic spider
    not_crawled: list[NotCrawled] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.spiders or self.outlet_files)


def shipped_file_for(slug: str) -> str | None:
    """The shipped outlet file describing ``slug`` (``xxnet`` -> …/xxnet.toml), if any."""
    import tomllib

    from shanggao.spiders.outlets.outlet_file import shipped_outlet_files

    for path in shipped_outlet_files().values():
        try:
            if tomllib.loads(path.read_text(encoding="utf-8")).get("outlet", {}).get("slug") == slug:
                return str(path)
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return None


def crawl_blocker(info: OutletInfo) -> str | None:
    """Why ``shanggao crawl`` cannot collect ``info`` (None when it can), with the remedy."""
    if info.crawl == "spider":
        return None
    if info.crawl == "fetch":
        return (f"fetch-only (no spider walks it): settle its claims with `{shanggao_command('fetch', 'URL')}` "
                "on each claimed link")
    if info.crawl == "print":
        return (f"print-only: add the page's PDF, scan or photo with "
                f"`{shanggao_command('evidence', 'add', 'FILE', '--outlet', info.slug, '--date', 'DATE')}`")
    from shanggao.spiders.outlets.outlet_file import OutletFileError, load_outlet_file

    path = shipped_file_for(info.slug)
    if path is None:
        return (f"no outlet file describes it: crawl it with `{shanggao_command('crawl', '--outlet-file', 'FILE')}`, "
                f"or settle its claims with `{shanggao_command('fetch', 'URL')}`")
    try:
        load_outlet_file(path)
    except OutletFileError as exc:
        return (f"its outlet file is not ready ({exc}); until then settle its claims with "
                f"`{shanggao_command('fetch', 'URL')}`")
    return None


def plan_crawl(registry: Registry, names: Sequence[str], spiders: Sequence[str]) -> CrawlPlan:
    """Sort ``names`` (slugs, spider names, Chinese names or aliases) into spiders to run,
    outlet files to crawl and outlets that cannot be crawled (with the reason).

    ``spiders`` are the spider names available (``scrapy list``).  A name that is no
    outlet — or only a loose guess at one — raises :class:`PlanError`."""
    plan = CrawlPlan()
    unknown: list[str] = []
    for name in names:
        info = _outlet(registry, name, spiders)
        if info is None:
            if name in spiders:
                _add(plan.spiders, name)
            else:
                unknown.append(name)
            continue
        blocker = crawl_blocker(info)
        if blocker is not None:
            plan.not_crawled.append(NotCrawled(info, blocker))
        elif info.crawl == "spider":
            _add(plan.spiders, info.slug)
        else:
            _add(plan.outlet_files, shipped_file_for(info.slug) or "")
    if unknown:
        hints = []
        for name in unknown:
            guess = registry.resolve(name)
            hints.append(f"{name} (did you mean {registry.name(guess.slug)} {guess.slug}?)" if guess.slug else name)
        raise PlanError(f"unknown outlet(s) {', '.join(hints)}; `shanggao outlets` lists them "
                        f"(a slug, a name or an alias), `shanggao outlets add` adds one")
    return plan


def _outlet(registry: Registry, name: str, spiders: Sequence[str]) -> OutletInfo | None:
    if name in registry:
        return registry[name]
    if name in spiders:
        return None
    found = registry.resolve(name)
    return registry[found.slug] if found.slug and found.confident else None


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)
