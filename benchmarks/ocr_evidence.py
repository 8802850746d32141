"""OCR'd evidence on the development set (../shared/matching-dev): throughput, character
accuracy, matching on scanned pages, and verdicts from a scan against verdicts from the web.

Pages are built from the dev set's published articles (the web copies of true
placements), never copied into the repository: each placement page carries one
placed article between unrelated neighbours (articles that place no
manuscript) under a masthead, in two or three columns, then is degraded as a
phone or scanner would (rotation ±3°, perspective, blur, uneven light, JPEG
quality 50).  "Other" pages carry neighbours only.  Two more files per run: the
first placement page as a PDF with a text layer (Chromium prints it) and as
an image-only PDF.

Printed:
* OCR pages per minute on this machine (RapidOCR, its default threads) and
  character accuracy (1 − CER over letters and digits, against the text that
  was laid out on the page);
* matching recall of the placements on OCR'd pages (target ≥ 0.98), links from
  "other" pages (target 0), and any other false link;
* end to end: one claim per placement page, without a link, verified once in a
  store holding the web copy and once in a store holding only the scan: how
  many verdicts agree.

    .venv/bin/python benchmarks/ocr_evidence.py [--pages 8] [--other 2] [--dev PATH] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEV = REPO.parent / "shared" / "matching-dev"
NEEDED = ("articles.jsonl", "manuscripts.jsonl", "truth.jsonl", "decoys.jsonl")
MASTHEADS = {"rmrb": "人民日报", "hnrb": "湖南日报", "tjb": "团结报", "zzrsb": "中国组织人事报"}


def letters(text: str) -> str:
    return "".join(re.findall(r"[\w\u3400-\u9fff]", text))


def char_accuracy(ocr: str, truth: str) -> float:
    from rapidfuzz.distance import Levenshtein

    a, b = letters(ocr), letters(truth)
    return max(0.0, 1 - Levenshtein.distance(a, b) / max(1, len(b)))


def chromium_pdf(html: str, out: Path) -> bool:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        return False
    page = out.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    done = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={out}",
                           "--no-pdf-header-footer", page.as_uri()], capture_output=True, timeout=120)
    return done.returncode == 0 and out.exists()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--pages", type=int, default=8, help="placement pages (each OCR'd once)")
    parser.add_argument("--other", type=int, default=2, help="pages carrying only unrelated articles")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="keep the pages and stores in this folder")
    args = parser.parse_args()
    missing = [n for n in NEEDED if not (args.dev / n).exists()]
    if missing:
        print(f"skipped: {args.dev} lacks {', '.join(missing)} (the development set lives in ../shared)")
        return
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        print("skipped: rapidocr-onnxruntime is not installed")
        return

    from shanggao.db import Store
    from shanggao.db.outlets import sync_outlets
    from shanggao.evidence import Limits
    from shanggao.evidence.add import add_evidence
    from shanggao.evidence.specimen import Story, cjk_font_available, degrade, render_page
    from shanggao.importers.articles import import_articles
    from shanggao.importers.manuscripts import Defaults, import_manuscripts
    from shanggao.matcher import match_store
    from shanggao.rules import load_rules
    from shanggao.verify import verify_claims

    if not cjk_font_available():
        print("skipped: no CJK font (apt-get install fonts-noto-cjk)")
        return
    rng = random.Random(args.seed)

    def read(name: str) -> list[dict]:
        lines = (args.dev / name).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    articles = {a["url"]: a for a in read("articles.jsonl")}
    manuscripts = {m["id"]: m for m in read("manuscripts.jsonl")}
    truth = read("truth.jsonl")
    placed_urls = {t["url"] for t in truth} | {d["url"] for d in read("decoys.jsonl")}
    neighbours = [a for url, a in articles.items() if url not in placed_urls and len(a["body"]) > 300]
    # one placement per manuscript, every relation represented, roundups included
    by_ms: dict[str, dict] = {}
    for t in sorted(truth, key=lambda t: (t["relation"], t["manuscript_id"])):
        by_ms.setdefault(t["manuscript_id"], t)
    chosen = list(by_ms.values())
    rng.shuffle(chosen)
    chosen = chosen[:args.pages]

    work = Path(tempfile.mkdtemp(prefix="ocr-evidence-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    files: list[dict] = []   # {path, kind: placement/other, target, url, outlet, date, truth_text}
    for n, t in enumerate(chosen + [None] * args.other):
        columns = 2 + (n % 2)
        others = rng.sample(neighbours, 3)
        if t is None:
            stories = [Story(a["title"], a["body"]) for a in others]
            target, outlet, day, url = None, "hnrb", "2022-06-30", None
        else:
            article = articles[t["url"]]
            stories = [Story(others[0]["title"], others[0]["body"][:rng.randint(150, 400)]),
                       Story(article["title"], article["body"]),
                       Story(others[1]["title"], others[1]["body"])]
            target, outlet, day, url = t["manuscript_id"], article["outlet"], article["published"], t["url"]
        image, placed = render_page(stories, masthead=MASTHEADS.get(outlet, "湘西日报"), columns=columns,
                                    width=1500 if columns == 2 else 1800, height=2200, body_size=24, seed=n)
        path = work / f"page-{n:02d}.jpg"
        path.write_bytes(degrade(image, seed=args.seed + n))
        files.append({"path": path, "kind": "placement" if t else "other", "target": target, "url": url,
                      "outlet": outlet, "date": day, "truth": "".join(placed),
                      "target_placed": placed[1] if t else "", "relation": t["relation"] if t else None})
        if n == 0 and t is not None:
            # the same page as PDFs: with a text layer (Chromium) and image only
            image_pdf = work / "page-00-image.pdf"
            image.convert("RGB").save(image_pdf, "PDF", resolution=150)
            files.append(dict(files[0], path=image_pdf, kind="placement-pdf-image"))
            html = ("<html><head><meta charset='utf-8'><style>body{font-family:'Noto Serif CJK SC';columns:2;"
                    "font-size:11pt} h1{column-span:all}</style></head><body><h1>" + MASTHEADS.get(outlet, "湘西日报")
                    + "</h1>" + "".join(f"<h2>{s.title}</h2>" + "".join(f"<p>{p}</p>" for p in s.body.split("\n"))
                                        for s in stories) + "</body></html>")
            text_pdf = work / "page-00-text.pdf"
            if chromium_pdf(html, text_pdf):
                files.append(dict(files[0], path=text_pdf, kind="placement-pdf-text",
                                  truth="".join(s.title + s.body for s in stories)))

    # the archive: every dev article except the placed ones on our pages, and the manuscripts
    targets = {f["url"] for f in files if f["url"]}
    (work / "archive.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for url, a in articles.items()
                                                if url not in targets), encoding="utf-8")
    (work / "web.jsonl").write_text("".join(json.dumps(articles[u], ensure_ascii=False) + "\n"
                                            for u in sorted(targets)),
                                    encoding="utf-8")
    scan_store = Store(work / "scan.duckdb")
    scan_store.init()
    with scan_store.write() as con:
        sync_outlets(con)
    import_articles(scan_store, [work / "archive.jsonl"])
    import_manuscripts(scan_store, [args.dev / "manuscripts.jsonl"], Defaults([]))
    web_store = Store(work / "web.duckdb")
    shutil.copy(scan_store.path, web_store.path)
    import_articles(web_store, [work / "web.jsonl"])

    print(f"{len(files)} files in {work}: {sum(f['kind'] == 'placement' for f in files)} placement pages "
          f"(relations {dict(Counter(f['relation'] for f in files if f['kind'] == 'placement'))}), "
          f"{args.other} pages of other articles, PDFs: {[f['kind'] for f in files if 'pdf' in f['kind']]}")
    ocr_seconds, ocr_pages, accuracies = 0.0, 0, []
    for f in files:
        started = time.perf_counter()
        added = add_evidence(scan_store, f["path"], outlet=f["outlet"], published=dt.date.fromisoformat(f["date"]),
                             page_no=3, limits=Limits())
        seconds = time.perf_counter() - started
        f["article_id"] = added.article_id
        with scan_store.read() as con:
            body = con.execute("SELECT body FROM articles WHERE article_id = ?", [added.article_id]).fetchone()[0]
        f["accuracy"] = char_accuracy(body, f["truth"])
        f["target_found"] = char_accuracy(body, f["target_placed"]) if f["target_placed"] else None
        if added.ocr_pages:
            ocr_seconds += seconds
            ocr_pages += added.ocr_pages
            accuracies.append(f["accuracy"])
        print(f"  {f['path'].name:22s} {f['kind']:20s} {added.ocr_pages} OCR page(s) {seconds:6.1f}s  "
              f"character accuracy {f['accuracy']:.3f}  ({len(letters(f['truth']))} characters on the page)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"OCR: {ocr_pages} pages in {ocr_seconds:.0f}s = {60 * ocr_pages / max(ocr_seconds, 1e-9):.2f} pages/minute "
          f"on {os.cpu_count()} cores (load average {load:.1f} at the end); "
          f"character accuracy mean {sum(accuracies) / len(accuracies):.3f}, "
          f"min {min(accuracies):.3f}")

    match_store(scan_store)
    with scan_store.read() as con:
        links = con.execute("SELECT manuscript_id, article_id, kind, score FROM matches").fetchall()
    by_article: dict[int, list[tuple]] = {}
    for m, a, kind, score in links:
        by_article.setdefault(a, []).append((m, kind, score))
    placement_files = [f for f in files if f["kind"].startswith("placement")]
    found = [f for f in placement_files if any(m == f["target"] for m, _, _ in by_article.get(f["article_id"], []))]
    # a 综合稿 carries several manuscripts: those of truth.jsonl for the placed article are true links too
    true_pairs = {(t["manuscript_id"], t["url"]) for t in truth}
    also = [(f["path"].name, m) for f in files for m, _, _ in by_article.get(f["article_id"], [])
            if m != f["target"] and (m, f["url"]) in true_pairs]
    false = [(f["path"].name, m) for f in files for m, _, _ in by_article.get(f["article_id"], [])
             if m != f["target"] and (m, f["url"]) not in true_pairs]
    other_links = [(f["path"].name, m) for f in files if f["kind"] == "other"
                   for m, _, _ in by_article.get(f["article_id"], [])]
    kinds = Counter(kind for f in placement_files for m, kind, _ in by_article.get(f["article_id"], [])
                    if m == f["target"])
    print(f"matching: recall {len(found)}/{len(placement_files)} = {len(found) / max(1, len(placement_files)):.3f} "
          f"(target ≥ 0.98), kinds {dict(kinds)}; links from pages of other articles: {len(other_links)} (target 0); "
          f"other false links: {len(false) - len(other_links)}; further true links (other manuscripts of a "
          f"综合稿 on the page): {len(also)}")
    for f in placement_files:
        if f not in found:
            print(f"  missed: {f['path'].name} {f['target']} ({f['relation']}), accuracy {f['accuracy']:.3f}")
    for name, m in false:
        print(f"  false link: {name} -> {m}")

    # end to end: the same claims against the web copy and against the scan
    claims = work / "claims.csv"
    rows = ["申报编号,稿件编号,作者,单位,媒体,刊发日期,版次"]
    for n, f in enumerate(x for x in files if x["kind"] == "placement"):
        ms = manuscripts[f["target"]]
        authors = "、".join(ms.get("authors") or []) or "某某"
        rows.append(f"E{n:03d},{f['target']},{authors},{ms.get('unit') or ''},{f['outlet']},{f['date']},")
    claims.write_text("\n".join(rows) + "\n", encoding="utf-8")
    from shanggao.importers.claims import import_claims

    rules = load_rules()
    verdicts = {}
    for name, store in (("web", web_store), ("scan", scan_store)):
        import_claims(store, [claims])
        match_store(store)
        summary = verify_claims(store, None, None, rules)
        verdicts[name] = {v.claim_id: (v.status, v.points) for v in summary.verdicts}
    same = [c for c in verdicts["web"] if verdicts["web"][c][0] == verdicts["scan"].get(c, (None,))[0]]
    print(f"end to end: {len(same)}/{len(verdicts['web'])} claims get the same verdict from the scan as from the "
          f"web copy; web {dict(Counter(s for s, _ in verdicts['web'].values()))}, "
          f"scan {dict(Counter(s for s, _ in verdicts['scan'].values()))}")
    for c in sorted(verdicts["web"]):
        if verdicts["web"][c][0] != verdicts["scan"].get(c, (None,))[0]:
            print(f"  differs: {c} web {verdicts['web'][c]} scan {verdicts['scan'].get(c)}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
