from __future__ import annotations

from pathlib import Path

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.commands.output import header_names, headers_option, out_option, write_rows
from shanggao.db.outlets import (
    BUILTIN,
    TIERS,
    Registry,
    add_aliases,
    add_domains,
    add_outlet,
    load_registry,
    office_outlet,
    outlet_origins,
)
from shanggao.shell import shanggao_command

# How ``shanggao outlets`` says an outlet's articles are collected (OutletInfo.crawl).
CRAWL_LABELS = {"spider": "spider", "generic": "generic file", "fetch": "fetch-only", "print": "print-only"}
COLUMNS = ("slug", "name", "tier", "crawl", "kind", "aliases", "domains", "media_group", "origin")


def _registry_rows(app: AppContext) -> list[tuple]:
    if app.store.path.exists():
        app.sync_registry()
        with app.store.read() as con:
            registry = load_registry(con)
            origins = outlet_origins(con)
    else:  # no store yet: what `shanggao init` would write
        registry = BUILTIN.with_outlets(app.config.registry)
        origins = {o.slug: "config" for o in app.config.registry}
    return [(o.slug, o.name, o.tier, CRAWL_LABELS[o.crawl], o.kind, list(o.aliases), list(o.domains), o.media_group,
             origins.get(o.slug, "builtin")) for o in Registry(registry.values()).ordered()]


@click.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@out_option
@headers_option("en")
@click.pass_context
def outlets(ctx: click.Context, fmt: str, out_path: Path | None, headers: str) -> None:
    """The outlet registry: list it, add outlets and spellings the office uses.

    Without a subcommand, lists every outlet (slug, name, tier, how it is
    collected: spider / generic file / fetch-only / print-only, aliases,
    hosts, where the entry came from: builtin / office / config / outlet_file).

    \b
    Examples:
      shanggao outlets --format csv --headers zh --out 媒体名录.csv
      shanggao outlets add xuexi --name 学习强国 --tier central --domain www.xuexi.cn
      shanggao outlets add hnzgyj --name 湖南组工研究 --tier provincial --print-only
      shanggao outlets alias rmrb 人民日报（电子版）
    """
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(AppContext)
    assert app is not None, "the shanggao group makes the AppContext"
    write_rows(header_names(COLUMNS, headers), _registry_rows(app), fmt, out_path)


@outlets.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The outlet's Chinese name, as the register writes it (学习强国).")
@click.option("--tier", required=True, type=click.Choice(TIERS),
              help="Its tier for points: central 中央, provincial 省级, prefectural 州级, county 县级, other 其他.")
@click.option("--alias", "aliases", multiple=True, metavar="NAME", help="Another spelling of its name; repeatable.")
@click.option("--domain", "domains", multiple=True, metavar="HOST",
              help="A host its links are on (www.xuexi.cn); repeatable.  Articles already fetched from it are "
                   "attributed to the outlet.")
@click.option("--print-only", is_flag=True, help="Print only: claims are settled with `shanggao evidence add`.")
@pass_app
def add(app: AppContext, slug: str, name: str, tier: str, aliases: tuple[str, ...], domains: tuple[str, ...],
        print_only: bool) -> None:
    """Add an outlet the registry lacks (or redefine one the office added).

    The outlet has no spider: its claims are settled with `shanggao fetch URL`
    (or, --print-only, with `shanggao evidence add`).  Re-run `shanggao verify`
    afterwards: claims naming it are judged and scored at its tier.

    \b
    Examples:
      shanggao outlets add xuexi --name 学习强国 --tier central --alias 学习强国平台 --domain www.xuexi.cn
      shanggao outlets add xzdj --name 湘西党建 --tier prefectural --print-only
    """
    info = office_outlet(slug, name, tier, aliases=aliases, domains=domains, print_only=print_only)
    app.sync_registry()
    with app.store.write() as con:
        added, attributed = add_outlet(con, info)
    how = CRAWL_LABELS[info.crawl]
    click.echo(f"{'added' if added else 'redefined'} {info.slug} {info.name} ({info.tier}, {how})")
    if attributed:
        click.echo(f"{attributed} stored article(s) from {', '.join(info.domains)} now belong to {info.slug}")
    click.echo(f"next: `{shanggao_command('verify')}` judges the claims naming it")


@outlets.command("alias")
@click.argument("slug")
@click.argument("names", nargs=-1)
@click.option("--domain", "domains", multiple=True, metavar="HOST",
              help="A host the outlet's links are on (built-ins too); repeatable.  Articles already fetched "
                   "from it are attributed to the outlet.")
@pass_app
def alias(app: AppContext, slug: str, names: tuple[str, ...], domains: tuple[str, ...]) -> None:
    """Add spellings of an outlet's name that claims registers use, and hosts its links are
    on (built-in outlets too: a county site whose address the registry does not know).

    \b
    Examples:
      shanggao outlets alias lxrmt 泸溪发布 掌上泸溪APP
      shanggao outlets alias luxi --domain www.example.gov.cn
    """
    if not names and not domains:
        raise click.UsageError("give at least one NAME or --domain HOST")
    app.sync_registry()
    with app.store.write() as con:
        new = add_aliases(con, slug, names) if names else []
        hosts, attributed = add_domains(con, slug, domains) if domains else ([], 0)
    if names:
        click.echo(f"{slug}: added {'、'.join(new)}" if new else f"{slug}: already knows {'、'.join(names)}")
    if domains:
        click.echo(f"{slug}: added host(s) {', '.join(hosts)}" if hosts
                   else f"{slug}: already on {', '.join(domains)}")
    if attributed:
        click.echo(f"{attributed} stored article(s) from {', '.join(hosts)} now belong to {slug}")
        click.echo(f"next: `{shanggao_command('verify')}` judges the claims on them again")
