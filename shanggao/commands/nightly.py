from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import sys

import click

from shanggao.commands.context import AppContext, date_option, pass_app


def _setup_logging(log_file: str) -> None:
    """Log to the config's log_file (rotated at 10 MB, 10 files kept) or to stderr."""
    handler: logging.Handler
    if log_file:
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=10 * 2**20, backupCount=10, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # A log that cannot be written (a full disk) must not print a traceback per record: the job's
    # summary lines and crawl_runs rows still say what happened.
    logging.raiseExceptions = False
    root = logging.getLogger("shanggao")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


@click.command()
@click.argument("outlets", nargs=-1)
@click.option("--today", callback=date_option, metavar="DATE",
              help="Pretend today is DATE (Beijing time by default): for re-running a past night.")
@pass_app
def nightly(app: AppContext, outlets: tuple[str, ...], today: dt.date | None) -> None:
    """Crawl the window, match new articles, verify claims — the unattended job.

    The window is yesterday and today (config `window_days`); an outlet whose
    last successful crawl is older starts from that day, so a missed night is
    caught up.  Only one nightly runs at a time (a lock file beside the
    store; a dead holder's lock is taken over).  Safe to kill at any moment:
    the next run finishes the work.  Prints one line per outlet and exits 1
    naming any outlet that failed or drifted.

    \b
    Examples:
      shanggao nightly
      shanggao --config /etc/shanggao.toml nightly
      shanggao nightly rmrb hnrb --today 2022-06-25
    """
    from shanggao.nightly import run_nightly
    from shanggao.progress import progress_steps

    _setup_logging(app.config.log_file)
    log = logging.getLogger("shanggao.nightly")

    with progress_steps(None, "nightly") as steps:
        def stage(text: str) -> None:
            log.info(text)
            steps.describe(text)
            steps()

        result = run_nightly(app.store, app.config, today=today, outlets=outlets or None, stage=stage)
    if result.marked_failed:
        click.echo(f"marked {result.marked_failed} interrupted earlier run(s) as failed")
    for line in result.outlet_lines:
        click.echo(line)
    click.echo(f"matching:     {result.matched}")
    click.echo(f"verification: {result.verified}")
    if result.report:
        click.echo(f"report:       {result.report}")
    log.info("nightly %s finished: %s", result.job_id, "ok" if result.ok else "; ".join(result.problems))
    if not result.ok:
        for problem in result.problems:
            click.echo(f"PROBLEM {problem}", err=True)
        raise SystemExit(1)
