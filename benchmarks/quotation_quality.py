"""Quotation cases (issue 10): shared quotations and quotation sources must not link; placements must.

Loads benchmarks/quotation_cases/cases.json — manuscripts that paste the same speech and commentary
passages, the earlier articles those passages come from, another county's article quoting them, a
roundup, and the manuscripts' real placements (made here by the transformations the file names: cut,
本报讯 lead, numerals rewritten, traditional script) — into a temporary store with the import commands,
over the development set's articles as background when ../shared/matching-dev is there; runs
``shanggao match`` and ``shanggao verify`` and prints:

* true placements linked (recall) and links that are not placements (through a quotation or source);
* the pairs the matcher refused as 仅引文相同 — the links it made before quotations were discounted;
* each claim's verdict against the expected one.

    .venv/bin/python benchmarks/quotation_quality.py [--no-background] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shanggao.db import Store  # noqa: E402

CASES = REPO / "benchmarks" / "quotation_cases" / "cases.json"
BACKGROUND = REPO.parent / "shared" / "matching-dev" / "articles.jsonl"
_DIGITS = "零一二三四五六七八九"


def shanggao(db: Path, *args: str, check: bool = True) -> str:
    exe = Path(sys.executable).with_name("shanggao")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "shanggao.cli"]
    done = subprocess.run([*command, "--db", str(db), *args], capture_output=True, text=True)
    if check and done.returncode:
        raise SystemExit(f"shanggao {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def chinese_number(n: int) -> str:
    """162 -> 一百六十二 (below 10,000), as editors write numbers out."""
    if n == 0:
        return "零"
    out, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out.append("零")
            out.append(("" if (unit == "十" and d == 1 and not out) else _DIGITS[d]) + unit)
            zero = False
        elif out:
            zero = True
    return "".join(out)


def transform(body: str, steps: list[str]) -> str:
    """The published version of a manuscript: verbatim | cut:i,j (drop paragraphs) | lead:TEXT |
    numerals (integers below 10,000 written out) | traditional (OpenCC s2t)."""
    for step in steps:
        name, _, arg = step.partition(":")
        if name == "cut":
            drop = {int(i) for i in arg.split(",")}
            body = "\n".join(p for i, p in enumerate(body.split("\n")) if i not in drop)
        elif name == "lead":
            body = arg + body
        elif name == "numerals":
            body = re.sub(r"(?<![\d.])\d{1,4}(?![\d.])", lambda m: chinese_number(int(m.group())), body)
        elif name == "traditional":
            import opencc
            body = opencc.OpenCC("s2t").convert(body)
    return body


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-background", action="store_true", help="leave out the dev set's articles")
    parser.add_argument("--keep", type=Path, help="build the store in this folder and keep it")
    args = parser.parse_args()
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    manuscripts = {m["id"]: m for m in cases["manuscripts"]}
    articles = [{k: a[k] for k in ("url", "outlet", "title", "published", "body")} for a in cases["articles"]]
    url_of = {a["id"]: a["url"] for a in cases["articles"]}
    for p in cases["placements"]:
        articles.append({"url": p["url"], "outlet": p["outlet"], "title": p["title"], "published": p["published"],
                         "body": transform(manuscripts[p["manuscript"]]["body"], p["transform"])})
        url_of[p["id"]] = p["url"]
    background = []
    if not args.no_background and BACKGROUND.exists():
        background = [json.loads(line) for line in BACKGROUND.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="shanggao-quotes-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "quotes.duckdb"
    if db.exists():
        db.unlink()
    write_jsonl(folder / "articles.jsonl", background + articles)
    write_jsonl(folder / "manuscripts.jsonl", cases["manuscripts"])
    with (folder / "claims.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["申报编号", "稿件编号", "作者", "单位", "媒体", "刊发日期", "标题", "链接"])
        for c in cases["claims"]:
            w.writerow([c["claim_id"], c["manuscript_id"], c["claimant"], c["unit"], c["outlet"], c["published"],
                        manuscripts[c["manuscript_id"]]["title"], url_of[c["url_of"]]])
    shanggao(db, "init")
    shanggao(db, "articles", "import", str(folder / "articles.jsonl"))
    shanggao(db, "manuscripts", "import", str(folder / "manuscripts.jsonl"))
    print(next((line for line in shanggao(db, "match").splitlines() if "link" in line), "").strip())
    shanggao(db, "claims", "import", str(folder / "claims.csv"))
    shanggao(db, "verify", check=False)

    case_urls = {a["url"] for a in articles}
    name_of = {url: key for key, url in url_of.items()}
    truth = {(m, url_of[a]) for m, a in cases["truth"]}
    with Store(db).read() as con:
        links = {(m, u) for m, u in con.execute(
            "SELECT manuscript_id, url FROM matches JOIN articles USING (article_id)").fetchall()
            if m in manuscripts and u in case_urls}
        refused = {(m, u): json.loads(d) for m, u, d in con.execute(
            "SELECT manuscript_id, url, detail FROM matcher_quotation_pairs JOIN articles USING (article_id)")
            .fetchall() if m in manuscripts}
        verdicts = dict(con.execute("SELECT claim_id, status FROM verdicts").fetchall())
        reasons = dict(con.execute("SELECT claim_id, reasons FROM verdicts").fetchall())
    found = links & truth
    false = sorted(links - truth)
    before = links | set(refused)
    print(f"background: {len(background)} articles of the dev set" if background else "background: none")
    print(f"true placements linked: {len(found)}/{len(truth)} (recall {len(found) / len(truth):.3f})")
    for m, u in sorted(truth - links):
        print(f"  MISSED {m} -> {name_of[u]}")
    print(f"links through a quotation or its source (not placements): {len(false)}")
    for m, u in false:
        print(f"  FALSE {m} -> {name_of[u]}")
    print(f"without discounting quotations (the links refused as 仅引文相同 added back): "
          f"{len(before & truth)}/{len(truth)} true, {len(before - truth)} not placements")
    for (m, u), d in sorted(refused.items()):
        whys = sorted({s["why"] for s in d.get("discounted", [])})
        print(f"  refused {m} -> {name_of[u]}: own text {d['own_evidence']} of {d['required']} needed "
              f"(with quotations {d['evidence_with_quotations']}); discounted: {', '.join(whys)}")
    right = 0
    for c in cases["claims"]:
        got = verdicts.get(c["claim_id"], "-")
        ok = got == c["expected"] or (c["expected"] == "verified" and got.startswith("verified"))
        right += ok
        note = " 仅引文相同" if "仅引文相同" in json.dumps(reasons.get(c["claim_id"]), ensure_ascii=False) else ""
        print(f"  claim {c['claim_id']} {c['manuscript_id']} at {c['url_of']}: {got}{note} "
              f"(expected {c['expected']}){'' if ok else '  <-- WRONG'}")
    print(f"claims: {right}/{len(cases['claims'])} verdicts as expected")
    if not args.keep:
        print(f"(store left in {folder})")


if __name__ == "__main__":
    main()
