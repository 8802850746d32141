"""The offline end-to-end demo: a bundled mirror crawled by the real spiders, then the office's work.

``shanggao demo`` (and :func:`run_demo`) does, with no network:

1. makes a fresh demo folder (``./shanggao-demo`` by default): the DuckDB file
   ``demo.duckdb`` (with its WARC archive beside it), the office's ``inbox/``
   and ``reports/``.  Each run starts from an empty store, so re-running gives
   the same result and never mixes with an earlier run;
2. serves the bundled mirror (``demo_data/mirror``: 人民日报, 湖南日报, 团结报
   e-papers and 红网's 湘西/湖南 channels, 2026-10-13..15, in each outlet's real
   markup, text written for the demo) through the loopback replay proxy
   (:class:`spiders.replay.ReplayProxy`, 127.0.0.1, a free port) and crawls it
   with the real spiders (:func:`spiders.run.crawl`, politeness off because the
   "sites" are a local folder);
3. writes the office's inbox as the office receives it — Word files (made here
   with python-docx from the bundled text), .txt/.md files, a 县直单位 register
   (.csv) and the claims register (.xlsx) — and imports it with the same
   functions as ``shanggao manuscripts import`` / ``shanggao claims import``;
4. matches, verifies the claims of 2026-10 and writes the month's 通报 in
   xlsx, docx, html and md.

The bundled story: eleven manuscripts of 泸溪县 units; one retitled on
publication (湖南日报), one shortened (人民日报), two merged into one 综合稿
(湖南日报), one reposted by 红网 without a claim, one never placed, one in the
print-only 《湘组研究》 (its claim names a photo of the page, OCR'd on import);
twelve claims, among them a false one (its link shows another county's article
on the same theme), a wrong date and a duplicate.  Same-genre articles with the
same stock phrases (全面从严治党, 一是…二是…三是…) sit on the same pages.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from shanggao.db import Store
from shanggao.db.evidence import UnclaimedOverview, unclaimed_overview
from shanggao.db.manuscripts import UnplacedManuscript, unplaced_manuscripts
from shanggao.db.outlets import sync_outlets
from shanggao.db.verdicts import verdict_overview
from shanggao.shell import shanggao_command

if TYPE_CHECKING:
    from shanggao.importers.common import ImportReport
    from shanggao.matcher.pipeline import MatchRunResult
    from shanggao.spiders.run import OutletResult
    from shanggao.verify import VerifySummary

DEMO_START = date(2026, 10, 13)
DEMO_END = date(2026, 10, 15)
DEMO_PERIOD = "2026-10"
DEMO_OUTLETS = ("rmrb", "hnrb", "tjb", "rednet")
DB_NAME = "demo.duckdb"
MARKER = ".shanggao-demo"        # marks a folder this command made, so it may empty it
REPORT_FORMATS = ("xlsx", "docx", "html", "md")
CLAIMS_XLSX = "上稿申报登记表-2026年10月.xlsx"

# The mirror is a local folder: no delays, no robots.txt round trips, no throttling.
LOOPBACK_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_ENABLED": False,
    "HTTPCACHE_ENABLED": False,
    "LOG_LEVEL": "ERROR",
}
CRAWL_TIMEOUT = 300  # seconds; the crawl takes a few


class DemoError(Exception):
    """The demo cannot run here (folder not ours, bundled data missing, a step failed)."""


@dataclass(frozen=True)
class DemoPaths:
    out: Path

    @property
    def db(self) -> Path:
        return self.out / DB_NAME

    @property
    def archive(self) -> Path:
        return self.out / (DB_NAME + ".archive")

    @property
    def inbox(self) -> Path:
        return self.out / "inbox"

    @property
    def manuscripts(self) -> Path:
        return self.inbox / "稿件"

    @property
    def claims(self) -> Path:
        return self.inbox / CLAIMS_XLSX

    @property
    def reports(self) -> Path:
        return self.out / "reports"


@dataclass
class DemoResult:
    paths: DemoPaths
    crawl: list[OutletResult] = field(default_factory=list)   # one per outlet
    manuscripts: ImportReport | None = None
    claims: ImportReport | None = None
    matching: MatchRunResult | None = None
    verification: VerifySummary | None = None
    reports: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


# -- bundled data -------------------------------------------------------------------

@contextmanager
def bundled(name: str) -> Iterator[Path]:
    """A folder of shanggao/demo_data as a real path (works for installed packages too)."""
    with resources.as_file(resources.files("shanggao") / "demo_data" / name) as path:
        if not Path(path).is_dir():
            raise DemoError(f"bundled demo data {name!r} is missing from this installation ({path})")
        yield Path(path)


# -- the demo folder --------------------------------------------------------------------

def prepare_folder(out: Path) -> DemoPaths:
    """An empty demo folder; refuses a non-empty folder that an earlier demo did not make."""
    paths = DemoPaths(out)
    if out.exists() and not out.is_dir():
        raise DemoError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise DemoError(f"{out} is not empty and was not made by `shanggao demo`; "
                        "choose another --out (the demo empties its folder on every run)")
    if out.is_dir():
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by `shanggao demo`; emptied on every run\n", encoding="utf-8")
    return paths


def create_store(paths: DemoPaths) -> Store:
    store = Store(paths.db, paths.archive)
    store.init()
    with store.write() as con:
        sync_outlets(con)
    return store


# -- the office's inbox ----------------------------------------------------------------------

def write_docx(source: Path, target: Path) -> Path:
    """A Word file from a manuscript text: the title as the heading, one paragraph per line."""
    import docx

    lines = [line.strip() for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    document = docx.Document()
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        document.add_paragraph(line)
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))
    return target


def write_claims_xlsx(source: Path, target: Path) -> Path:
    """The claims register as the office keeps it: a title line above the header row, dates as typed."""
    import openpyxl
    from openpyxl.styles import Font

    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "上稿申报"
    sheet.append(["泸溪县2026年10月上稿申报登记表"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(rows[0])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows[1:]:
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJ", (12, 13, 36, 14, 22, 12, 16, 8, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(target))
    return target


def write_inbox(paths: DemoPaths) -> None:
    """Lay the office's files out under inbox/: .docx, .txt, .md, a register, the claims workbook."""
    with bundled("inbox") as source:
        shutil.copytree(source / "manuscripts", paths.manuscripts)
        for text in sorted((source / "word").glob("*.txt")):
            write_docx(text, paths.manuscripts / (text.stem + ".docx"))
        write_claims_xlsx(source / "claims.csv", paths.claims)
        # the scan a print-only claim names (佐证 column, relative to the register)
        shutil.copytree(source / "佐证", paths.claims.parent / "佐证")


def import_inbox(store: Store, paths: DemoPaths) -> tuple[ImportReport, ImportReport]:
    """Import the inbox exactly as `shanggao manuscripts import` / `claims import` do."""
    from shanggao.importers.claims import import_claims
    from shanggao.importers.manuscripts import Defaults, import_manuscripts

    manuscripts = import_manuscripts(store, [paths.manuscripts], Defaults(authors=[]))
    claims = import_claims(store, [paths.claims])
    rejected = [str(r) for r in (*manuscripts.rejected, *claims.rejected)]
    if rejected:
        raise DemoError("the bundled inbox did not import cleanly: " + "; ".join(rejected))
    return manuscripts, claims


# -- crawling the mirror -----------------------------------------------------------------------

def crawl_mirror(store: Store, outlets: tuple[str, ...] = DEMO_OUTLETS) -> list:
    """Crawl the bundled mirror with the real spiders through the loopback replay proxy."""
    from shanggao.spiders.replay import ReplayProxy
    from shanggao.spiders.run import CrawlError, crawl

    with bundled("mirror") as mirror, ReplayProxy(mirror) as proxy:
        env = {**os.environ, **proxy.env()}
        try:
            # The same live per-outlet progress as `shanggao crawl`, on a terminal only.
            overrides = {**LOOPBACK_SETTINGS, "SHANGGAO_PROGRESS": sys.stderr.isatty()}
            return crawl(store, list(outlets), DEMO_START, DEMO_END, settings_overrides=overrides,
                         command="demo", env=env, timeout=CRAWL_TIMEOUT)
        except CrawlError as exc:
            raise DemoError(f"crawling the bundled mirror failed: {exc}") from exc


# -- the whole run -------------------------------------------------------------------------------

def run_demo(out: Path, progress: Callable[[str], None] = lambda _line: None) -> DemoResult:
    """Run every step into ``out`` and return what each produced."""
    from shanggao.matcher.pipeline import match_store
    from shanggao.periods import parse_period
    from shanggao.reports import default_report_name, publish
    from shanggao.rules import load_rules
    from shanggao.verify import verify_claims

    result = DemoResult(prepare_folder(out))
    paths = result.paths

    def step(name: str, label: str) -> _Timer:
        progress(label)
        return _Timer(result.seconds, name)

    with step("store", f"[1/6] creating a fresh store {paths.db}"):
        store = create_store(paths)
    with step("crawl", f"[2/6] crawling {DEMO_START}..{DEMO_END} of {', '.join(DEMO_OUTLETS)} "
                       "from the bundled mirror (loopback replay proxy, real spiders)"):
        result.crawl = crawl_mirror(store)
    for outlet in result.crawl:
        progress("      " + outlet.line())
    if not any(r.articles for r in result.crawl):
        raise DemoError("the crawl stored no articles; see the crawl lines above")
    with step("import", f"[3/6] importing the office's inbox {paths.inbox}"):
        write_inbox(paths)
        result.manuscripts, result.claims = import_inbox(store, paths)
    progress("      manuscripts: " + result.manuscripts.summary("manuscripts"))
    progress("      claims:      " + result.claims.summary("claims"))
    with step("match", "[4/6] matching manuscripts to the crawled articles"):
        result.matching = match_store(store)
    progress(f"      {len(result.matching.links)} placements found "
             f"({result.matching.aligned} candidate pairs aligned)")
    period = parse_period(DEMO_PERIOD)
    rules = load_rules(None)
    with step("verify", f"[5/6] verifying the claims of {DEMO_PERIOD}"):
        result.verification = verify_claims(store, period.start, period.end, rules)
    with step("report", f"[6/6] writing the {DEMO_PERIOD} 通报 ({', '.join(REPORT_FORMATS)})"):
        for fmt in REPORT_FORMATS:
            done = publish(store, period, rules, fmt, paths.reports / default_report_name(period, fmt),
                           working_sheet=fmt == REPORT_FORMATS[-1])   # one 工作底稿 for the four
            if done.report:
                result.reports.append(done.report)
            if done.working_sheet:
                result.reports.append(done.working_sheet)
    return result


class _Timer:
    def __init__(self, seconds: dict[str, float], name: str):
        self.seconds, self.name = seconds, name

    def __enter__(self) -> _Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds[self.name] = time.perf_counter() - self.start


# -- what the terminal shows ------------------------------------------------------------------------

def verdict_rows(store: Store) -> list[tuple]:
    """One row per claim: (id, claimant, claimed outlet and day, verdict, evidence, points, status, reasons).

    Days are printed as MM-DD: every demo claim is of October 2026."""
    from shanggao.verify import STATUS_LABELS

    with store.read() as con:
        rows = verdict_overview(con)
    table = []
    for r in rows:
        page = f"{r.evidence_page}版" if r.evidence_page else None
        evidence = " ".join(x for x in (r.evidence_outlet_name, _short(r.evidence_date), page) if x)
        label = STATUS_LABELS.get(r.status or "", r.status or "（未核验）")
        ms = r.claimed_manuscript_id
        table.append((r.claim_id, r.claimants, f"{r.claimed_outlet} {_short(r.claimed_date)}".strip(), label,
                      evidence, r.points or 0, r.status, f"{ms}：{r.reasons}" if r.reasons else ms))
    return table


def _short(day: date | None) -> str:
    return f"{day:%m-%d}" if day else ""


def unclaimed_rows(store: Store) -> list[UnclaimedOverview]:
    """Placements the matcher found that no claim mentions (the ``unclaimed_placements`` view)."""
    with store.read() as con:
        return unclaimed_overview(con)


def unplaced_rows(store: Store) -> list[UnplacedManuscript]:
    """Manuscripts the matcher found in no crawled article."""
    with store.read() as con:
        return unplaced_manuscripts(con)


def example_queries(db: Path) -> list[str]:
    queries = [
        "SELECT claim_id, status, points FROM verdicts ORDER BY claim_id",
        "SELECT manuscript_id, kind, round(score) AS score, a.title FROM matches "
        "JOIN articles a USING (article_id) ORDER BY manuscript_id",
        "SELECT outlet, published_date, page_no, page_name, title FROM articles "
        "WHERE body LIKE '%泸溪%' ORDER BY published_date",
    ]
    return [shanggao_command("--db", db, "query", sql) for sql in queries]
