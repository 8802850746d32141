from __future__ import annotations

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.commands.output import print_lines, print_rows


@click.command()
@click.option("--days", type=click.IntRange(2, 366), default=30, show_default=True,
              help="How many days of article counts to show.")
@pass_app
def status(app: AppContext, days: int) -> None:
    """Health of the store: last crawl per outlet, articles per day, drift, pending claims, size.

    \b
    Example:
      shanggao status --days 14
    """
    from shanggao.dates import beijing_today
    from shanggao.status import collect_status, human_size

    today = beijing_today()
    state = collect_status(app.store, today, days)
    if state.last_runs[1]:
        print_rows(*state.last_runs, title="Last crawl per outlet (Beijing time)")
    else:
        click.echo("No crawls recorded yet (run `shanggao crawl` or `shanggao nightly`).")
    if state.daily[1]:
        print_rows(*state.daily, title="Articles per day by publication date (· = none)", max_width=None)
    else:
        click.echo(f"No articles published in the last {days} days.")
    if state.drift[1]:
        print_rows(*state.drift, title="Drift warnings, last 7 days: pages whose layout no parser understood")
    else:
        click.echo("No drift warnings in the last 7 days.")
    if state.pending[1]:
        print_rows(*state.pending, title="Claims pending verification")
    else:
        click.echo("No claims pending verification.")
    print_lines(["Store size: " + ", ".join(f"{name} {human_size(size)}" for name, size in state.sizes.items())
                 + f"  ({app.store.path})"])
    index, tables, documents = state.index
    if documents:
        print_lines([f"Matcher index: {human_size(index)} of the tables' {human_size(tables)} "
                     f"({100 * index / max(tables, 1):.0f}%), {human_size(index // documents)} per indexed document "
                     f"({documents:,} documents)"])
