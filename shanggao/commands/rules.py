from __future__ import annotations

from pathlib import Path

import click

from shanggao.commands.context import AppContext, pass_app
from shanggao.db.outlets import BUILTIN, load_registry
from shanggao.rules import Rules, default_rules_text, rules_for, unregistered_outlets


@click.command()
@click.option("--show", is_flag=True,
              help="Print the bundled default rules file (every key commented), to start your own from it.")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Rules TOML to check (default: the config's `rules`, else the bundled defaults).")
@pass_app
def rules(app: AppContext, show: bool, rules_path: Path | None) -> None:
    """The reward and quota rules: print the bundled defaults, or check the rules in effect.

    Without --show, loads the rules `verify` and `report` would use (--rules,
    else the config's `rules`, else the bundled defaults), and prints where they
    come from and their digest (the `rules_hash` stored with each verdict); a
    mistake in the file is one line naming the key.

    \b
    Examples:
      shanggao rules --show > office_rules.toml
      shanggao rules --rules office_rules.toml
    """
    if show:
        click.echo(default_rules_text(), nl=False)
        return
    effective = rules_for(app.config.rules, app.config.source, rules_path)
    source = "the bundled defaults" if effective.source == "default" else effective.source
    click.echo(f"rules: {source} (digest {effective.digest})")
    warn_unregistered_outlets(app, effective)


def warn_unregistered_outlets(app: AppContext, rules: Rules) -> None:
    """Warn (stderr) about ``[points.outlets]`` slugs the store's registry lacks."""
    if not rules.outlet_points or set(rules.outlet_points) <= set(BUILTIN):
        return
    if app.store.path.exists():
        with app.store.read() as con:
            registry = load_registry(con)
    else:
        registry = BUILTIN.with_outlets(app.config.registry)
    for warning in unregistered_outlets(rules, registry):
        click.echo(f"warning: {warning}", err=True)
