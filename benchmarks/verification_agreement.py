"""Verification agreement on the labelled development set (../shared/matching-dev).

Runs the office's whole path with the real commands on a temporary store —
``shanggao init``, ``articles import``, ``manuscripts import``, ``claims import``,
``match``, ``verify`` — and compares every claim's verdict with the ``expected``
column of claims.csv.  Prints the agreement, a table of expected x given
statuses, the time of each step, and every disagreement with its reasons and
whose it is: the matcher's (the link that decides the claim is missing or
wrong against truth.jsonl) or verification's (the link is right, the verdict
is not).  The dev set is read where it lies, never copied.

claims.csv claims no 综合稿, so a second probe claims every ``roundup``
placement of truth.jsonl (a claim per manuscript, by its authors and unit,
written to the temporary folder): each must be verified and earn the whole
placement's roundup-multiplied points — several manuscripts in one 综合稿 are
several placements, not co-authors sharing one.

    .venv/bin/python benchmarks/verification_agreement.py [--dev PATH] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEV = REPO.parent / "shared" / "matching-dev"
NEEDED = ("articles.jsonl", "manuscripts.jsonl", "claims.csv", "truth.jsonl")


def shanggao(db: Path, *args: str) -> str:
    exe = Path(sys.executable).with_name("shanggao")
    command = [str(exe)] if exe.exists() else [sys.executable, "-c", "from shanggao.cli import main; main()"]
    done = subprocess.run([*command, "--db", str(db), *args], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"shanggao {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_pipeline(db: Path, dev: Path) -> dict[str, float]:
    steps = {
        "init": ["init"],
        "articles import": ["articles", "import", str(dev / "articles.jsonl")],
        "manuscripts import": ["manuscripts", "import", str(dev / "manuscripts.jsonl")],
        "claims import": ["claims", "import", str(dev / "claims.csv")],
        "match": ["match", "--no-show-links"],
        "verify": ["verify", "--format", "csv"],
    }
    seconds = {}
    for name, args in steps.items():
        start = time.perf_counter()
        shanggao(db, *args)
        seconds[name] = time.perf_counter() - start
    return seconds


def read_verdicts(db: Path) -> dict[str, dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(
            "SELECT claim_id, status, claimed_manuscript_id, claimed_url, evidence_url, reasons, warnings, "
            "points, points_detail FROM claim_verdicts")
        names = [d[0] for d in cur.description]
        verdicts = {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
        links = con.execute("SELECT m.manuscript_id, a.url FROM matches m "
                            "JOIN articles a USING (article_id)").fetchall()
    finally:
        con.close()
    for verdict in verdicts.values():
        verdict["links"] = {url for ms, url in links if ms == verdict["claimed_manuscript_id"]}
    return verdicts


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_roundup_claims(dev: Path, target: Path) -> int:
    """A claims register (CSV) claiming every roundup placement of truth.jsonl; returns its size."""
    articles = {a["url"]: a for a in jsonl(dev / "articles.jsonl")}
    manuscripts = {m["id"]: m for m in jsonl(dev / "manuscripts.jsonl")}
    rows = []
    for t in jsonl(dev / "truth.jsonl"):
        if t["relation"] != "roundup":
            continue
        article, manuscript = articles[t["url"]], manuscripts[t["manuscript_id"]]
        authors = manuscript["authors"]
        rows.append({"claim_id": f"ROUNDUP-{len(rows) + 1:03d}", "manuscript_id": manuscript["id"],
                     "claimant": "、".join(authors) if isinstance(authors, list) else authors,
                     "unit": manuscript["unit"], "outlet": article["outlet"], "published": article["published"],
                     "title": article["title"], "url": article["url"]})
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def roundup_problems(verdicts: dict[str, dict]) -> list[str]:
    """Roundup probe claims not verified, or paid less than their placement's whole points."""
    problems = []
    for cid, v in sorted(verdicts.items()):
        if not cid.startswith("ROUNDUP-"):
            continue
        total = re.search(r"= ([\d.]+)分", v["points_detail"] or "")
        if v["status"] != "verified" or not total or abs(float(total.group(1)) - (v["points"] or 0)) > 0.01:
            problems.append(f"{cid} {v['claimed_manuscript_id']}: {v['status']}, {v['points']} points "
                            f"({v['points_detail']}); {'；'.join(v['reasons'] or [])}")
    return problems


def whose(claim: dict, verdict: dict, truth: set[tuple[str, str]]) -> str:
    """The matcher's when the link deciding the claim disagrees with truth.jsonl, else verification's."""
    pair = (claim["manuscript_id"], claim["url"])
    linked = claim["url"] in verdict["links"]
    if pair in truth and not linked:
        return "matcher: true placement not linked"
    if pair not in truth and linked:
        return "matcher: false link to the claimed article"
    return "verification"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV, help=f"the dev set folder (default {DEFAULT_DEV})")
    parser.add_argument("--keep", type=Path, help="build the store in this folder and keep it")
    args = parser.parse_args()
    missing = [name for name in NEEDED if not (args.dev / name).is_file()]
    if missing:
        raise SystemExit(f"dev set not found: {args.dev} lacks {', '.join(missing)} "
                         "(it lives beside the repository as ../shared/matching-dev; pass --dev PATH)")

    claims = {row["claim_id"]: row for row in
              csv.DictReader((args.dev / "claims.csv").open(encoding="utf-8", newline=""))}
    truth = {(t["manuscript_id"], t["url"]) for t in jsonl(args.dev / "truth.jsonl")}

    with tempfile.TemporaryDirectory(prefix="shanggao-agreement-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "agreement.duckdb"
        if db.exists():
            raise SystemExit(f"{db} exists; choose an empty --keep folder")
        seconds = run_pipeline(db, args.dev)
        verdicts = read_verdicts(db)
        probe = folder / "roundup_claims.csv"
        probed = write_roundup_claims(args.dev, probe)
        shanggao(db, "claims", "import", str(probe))
        shanggao(db, "verify", "--format", "csv")
        roundups = roundup_problems(read_verdicts(db))

    agree = [cid for cid, c in claims.items() if verdicts.get(cid, {}).get("status") == c["expected"]]
    print(f"dev set: {args.dev} ({len(claims)} claims, {len(truth)} true placements)")
    print(f"agreement: {len(agree)}/{len(claims)} = {len(agree) / len(claims):.1%}")
    print("steps: " + ", ".join(f"{name} {s:.1f}s" for name, s in seconds.items()))
    print("\nexpected -> given:")
    table = Counter((c["expected"], verdicts.get(cid, {}).get("status") or "(no verdict)") for cid, c in claims.items())
    for (expected, given), n in sorted(table.items()):
        print(f"  {expected:<15} -> {given:<26} {n}")
    wrong = [cid for cid in claims if cid not in agree]
    print(f"\ndisagreements: {len(wrong)}")
    for cid in wrong:
        claim, verdict = claims[cid], verdicts.get(cid, {"status": None, "reasons": [], "warnings": [], "links": set()})
        print(f"  {cid} {claim['manuscript_id']} expected {claim['expected']}, got {verdict['status']} "
              f"[{whose(claim, verdict, truth)}]")
        print(f"    claimed: {claim['outlet']} {claim['published']} {claim['url']}")
        for line in [*(verdict["reasons"] or []), *(verdict["warnings"] or [])]:
            print(f"    - {line}")
    print(f"\nroundup probe: {probed - len(roundups)}/{probed} 综合稿 claims verified with their whole points")
    for line in roundups:
        print(f"  {line}")


if __name__ == "__main__":
    main()
