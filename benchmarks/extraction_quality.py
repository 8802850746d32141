"""Extraction quality of ``shanggao fetch`` on real pages, side by side with trafilatura alone and GNE.

    .venv/bin/python benchmarks/extraction_quality.py [--shared ../shared] [--gne-python PY] [--details FILE]

Pages: ``../shared/extraction-zh/`` (132 Chinese pages of public extraction benchmarks, each with its own
truth: ``pages.jsonl``) and ``../shared/real-pages/`` (pages saved from the outlets' live sites, labels read by
hand: ``labels.jsonl``; its 版面 index page is not an article and is left out).  Nothing is copied anywhere.

Each page is given to each extractor as the bytes a fetch receives with no charset header:

* **shanggao fetch** — :func:`shanggao.spiders.fetch.read_page` on a Scrapy ``HtmlResponse``, exactly what
  ``shanggao fetch URL`` stores (a registered outlet's parser first, the generic extractor otherwise);
* **trafilatura alone** — ``trafilatura.bare_extraction(bytes, url=…, with_metadata=True)`` with its defaults;
* **GNE** — ``gne.GeneralNewsExtractor().extract(text)`` when ``gne`` is importable here or in the Python given
  by ``--gne-python`` (GNE is not a dependency of shanggao: install it in a venv of its own,
  ``python3 -m venv /tmp/gne && /tmp/gne/bin/pip install gne==0.4.3``).

Figures (extraction-zh, the table of issue 13):

* title exact — the extracted title equals the benchmark's title (whitespace folded), over pages with one;
* date exact — the extracted publication day equals the benchmark's full Y-M-D date;
* body char-F1 — F1 of the multisets of non-space characters of the extracted body and the truth body,
  averaged over pages with a body truth (a page with no body scores 0);
* chrome — share of those pages whose body holds navigation or boilerplate the truth does not: a
  ``without`` snippet of the benchmark, or a line holding one of the boilerplate phrases below
  (推荐阅读, 分享到, 版权所有, 上一篇, ICP备…) that is not in the truth body;
* dropped — pages with a body (by their truth) for which the extractor gives no article;
* CPU — process CPU seconds per page (first page of the process, median, max).

Real pages: title, date, body start/end found, and a labelled chrome string in the body, each per page.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parent.parent / "shared"

# Boilerplate phrases: navigation, sharing, teaser lists, legal footers.  A body line holding one that the
# truth body does not hold is chrome.
CHROME_PHRASES = (
    "推荐阅读", "相关阅读", "相关新闻", "相关文章", "延伸阅读", "热点推荐", "精彩推荐", "猜你喜欢", "热门推荐",
    "点击排行", "排行榜", "分享到", "分享让更多人看到", "扫一扫", "二维码", "关注我们", "上一篇", "下一篇",
    "版权所有", "Copyright", "copyright", "ICP备", "返回顶部", "打印本页", "关闭窗口", "网站地图", "联系我们",
    "【纠错】", "登录", "注册", "发表评论", "网友评论", "最新评论", "最热评论", "查看评论", "条评论",
)


# -- pages ---------------------------------------------------------------------------

def load_pages(shared: Path) -> tuple[list[dict], list[dict]]:
    """(extraction-zh pages, real-pages articles), each with ``path``."""
    zh_dir, real_dir = shared / "extraction-zh", shared / "real-pages"
    zh = []
    for line in (zh_dir / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            row["path"] = zh_dir / row["file"]
            zh.append(row)
    real = []
    for line in (real_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row.get("kind") == "article":
                row["path"] = real_dir / row["file"]
                real.append(row)
    return zh, real


# -- extractors: each returns {"title", "date", "body", "stored", "cpu"} per page ------------------

def run_shanggao(pages: list[dict]) -> list[dict]:
    from scrapy.http import HtmlResponse

    from shanggao.spiders.fetch import read_page

    results = []
    for page in pages:
        body = page["path"].read_bytes()
        start = time.process_time()
        got = read_page(HtmlResponse(page["url"], body=body))
        cpu = time.process_time() - start
        fields = got.fields or {}
        day = fields.get("published_date")
        results.append({"title": fields.get("title"), "date": day.isoformat() if day else None,
                        "body": fields.get("body") or "", "stored": got.fields is not None,
                        "warnings": got.warnings, "cpu": cpu})
    return results


def run_trafilatura(pages: list[dict]) -> list[dict]:
    import trafilatura

    results = []
    for page in pages:
        body = page["path"].read_bytes()
        start = time.process_time()
        doc = trafilatura.bare_extraction(body, url=page["url"], with_metadata=True)
        cpu = time.process_time() - start
        meta = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
        results.append({"title": meta.get("title"), "date": (meta.get("date") or None),
                        "body": meta.get("text") or "", "stored": bool(meta.get("text")), "cpu": cpu})
    return results


def _gne_worker() -> None:
    """Run inside a Python that has gne: file paths on stdin (JSON list), results on stdout (JSON list)."""
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()
    results = []
    for path in json.load(sys.stdin):
        raw = Path(path).read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", "replace")
        start = time.process_time()
        try:
            found = extractor.extract(text)
        except Exception as exc:  # GNE raises on some markup; that page gets nothing
            found = {"error": repr(exc)}
        cpu = time.process_time() - start
        results.append({"title": found.get("title"), "date": found.get("publish_time"),
                        "body": found.get("content") or "", "stored": bool(found.get("content")), "cpu": cpu})
    json.dump(results, sys.stdout, ensure_ascii=False)


def run_gne(pages: list[dict], python: str | None) -> list[dict] | None:
    """GNE's results, or None when no Python with gne is at hand."""
    candidates = [python] if python else [sys.executable]
    for exe in candidates:
        probe = subprocess.run([exe, "-c", "import gne"], capture_output=True)
        if probe.returncode != 0:
            continue
        done = subprocess.run([exe, __file__, "--gne-worker"], input=json.dumps([str(p["path"]) for p in pages]),
                              capture_output=True, text=True, check=True)
        results = json.loads(done.stdout)
        for row in results:
            row["date"] = _day(row["date"])
        return results
    return None


# -- scoring ---------------------------------------------------------------------------

_DAY = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _day(value: object) -> str | None:
    """A Y-M-D date in any of the usual spellings -> ISO, else None (a year or a month alone is no date)."""
    if not value:
        return None
    m = _DAY.search(str(value))
    if not m:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def _fold(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def _chars(text: str) -> Counter:
    return Counter(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def char_f1(got: str, truth: str) -> float:
    a, b = _chars(got), _chars(truth)
    if not a or not b:
        return 0.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def chrome_in(body: str, truth_body: str, without: list[str] = (), labelled: list[str] = ()) -> list[str]:
    """The boilerplate found in an extracted body (empty: none)."""
    folded, truth = _fold(body), _fold(truth_body)
    found = [s for s in list(without) + list(labelled) if _fold(s) and _fold(s) in folded]
    for line in body.split("\n"):
        line = _fold(line)
        for phrase in CHROME_PHRASES:
            if phrase in line and phrase not in truth:
                found.append(line[:60])
                break
    return found


def score_zh(pages: list[dict], results: list[dict]) -> dict:
    titles = dates = bodies = 0
    title_ok = date_ok = 0
    f1s: list[float] = []
    chrome_pages = 0
    failures: dict[str, list] = {"title": [], "date": [], "chrome": [], "f1": []}
    for page, got in zip(pages, results, strict=False):
        truth = page["truth"]
        if truth.get("title"):
            titles += 1
            if _fold(got["title"]) == _fold(truth["title"]):
                title_ok += 1
            else:
                failures["title"].append((page["id"], got["title"], truth["title"]))
        if truth.get("date"):
            dates += 1
            if got["date"] == truth["date"]:
                date_ok += 1
            else:
                failures["date"].append((page["id"], got["date"], truth["date"]))
        if truth.get("body"):
            bodies += 1
            f1 = char_f1(got["body"], truth["body"])
            f1s.append(f1)
            if f1 < 0.8:
                failures["f1"].append((page["id"], round(f1, 3), len(got["body"]), len(truth["body"])))
            chrome = chrome_in(got["body"], truth["body"], truth.get("without", []))
            if chrome:
                chrome_pages += 1
                failures["chrome"].append((page["id"], chrome[:3]))
    return {"title": (title_ok, titles), "date": (date_ok, dates), "f1": (sum(f1s) / len(f1s) if f1s else 0.0),
            "bodies": bodies, "chrome": (chrome_pages, bodies), "failures": failures}


def score_real(pages: list[dict], results: list[dict]) -> list[dict]:
    rows = []
    for page, got in zip(pages, results, strict=False):
        expect = page["expect"]
        body = _fold(got["body"])
        rows.append({
            "id": page["id"],
            "title": _fold(got["title"]) == _fold(expect.get("title")),
            "got_title": got["title"],
            "date": got["date"] == expect.get("date"),
            "got_date": got["date"],
            "start": _fold(expect.get("body_start"))[:30] in body,
            "end": _fold(expect.get("body_end"))[-30:] in body,
            "chrome": [c for c in page.get("chrome") or [] if _fold(c) in body],
            "stored": got["stored"],
        })
    return rows


def _has_body(page: dict) -> bool:
    """The page holds an article body by its truth (a body truth, or a hand-read body start)."""
    return bool(page.get("truth", {}).get("body") or page.get("expect", {}).get("body_start"))


def _pct(pair: tuple[int, int]) -> str:
    ok, total = pair
    return f"{100 * ok / total:.1f} % ({ok}/{total})" if total else "n/a"


def _cpu(results: list[dict]) -> str:
    cpu = [r["cpu"] for r in results]
    return f"first {cpu[0]:.2f} s, median {statistics.median(cpu):.3f} s, max {max(cpu):.2f} s"


def _in_fresh_process(name: str, shared: Path, only: str | None = None) -> list[dict] | None:
    """run_<name> over the pages (or only the page with id ``only``) in a new Python process."""
    done = subprocess.run([sys.executable, "-c", (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import extraction_quality as q; "
        f"zh, real = q.load_pages(__import__('pathlib').Path({str(shared)!r})); "
        f"pages = [p for p in zh + real if {only!r} in (None, p['id'])]; "
        f"res = q.run_{name}(pages); json.dump(res, sys.stdout, ensure_ascii=False, default=str)"
    )], capture_output=True, text=True, env={**os.environ})
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return None
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--gne-python", help="a Python that can import gne (default: this one, if it can)")
    parser.add_argument("--only", choices=["shanggao", "trafilatura", "gne"], action="append",
                        help="run only these extractors (repeatable)")
    parser.add_argument("--details", type=Path, help="write every failure (title, date, chrome, F1 < 0.8) as JSON")
    parser.add_argument("--gne-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.gne_worker:
        _gne_worker()
        return 0
    if not (args.shared / "extraction-zh" / "pages.jsonl").is_file():
        print(f"skipped: {args.shared}/extraction-zh/pages.jsonl not found (the shared pages are needed)")
        return 0
    zh, real = load_pages(args.shared)
    pages = zh + real
    wanted = args.only or ["shanggao", "trafilatura", "gne"]
    runs: dict[str, list[dict] | None] = {}
    # Each extractor runs in a fresh process so that its first page shows the cold start.
    for name in wanted:
        if name == "gne":
            runs["GNE 0.4.3"] = run_gne(pages, args.gne_python)
            if runs["GNE 0.4.3"] is None:
                print("GNE: not importable (give --gne-python /path/to/venv/bin/python); left out")
                del runs["GNE 0.4.3"]
            continue
        results = _in_fresh_process(name, args.shared)
        if results is None:
            return 1
        runs["shanggao fetch" if name == "shanggao" else "trafilatura 2.3 alone"] = results

    n_zh = len(zh)
    scored = {name: score_zh(zh, res[:n_zh]) for name, res in runs.items()}
    any_score = next(iter(scored.values()))
    print(f"extraction-zh: {n_zh} pages; real-pages: {len(real)} articles")
    print()
    print(f"| | title exact ({any_score['title'][1]} with truth) | date exact ({any_score['date'][1]}) "
          f"| body char-F1 ({any_score['bodies']}) | pages with chrome in body | dropped with a body |")
    print("|---|---|---|---|---|---|")
    for name, s in scored.items():
        res = runs[name]
        dropped = sum(1 for r, p in zip(res, pages, strict=False) if not r["stored"] and _has_body(p))
        print(f"| {name} | {_pct(s['title'])} | {_pct(s['date'])} | {s['f1']:.3f} | {_pct(s['chrome'])} | {dropped} |")
    print()
    print("CPU per page (all pages):")
    for name, res in runs.items():
        print(f"  {name}: {_cpu(res)}")
    if "trafilatura 2.3 alone" in runs and "shanggao fetch" in runs:
        # Cold start: the page trafilatura spends most on, as the first page of a new process.
        costly = max(range(len(pages)), key=lambda i: runs["trafilatura 2.3 alone"][i]["cpu"])
        page_id = pages[costly]["id"]
        cold = {label: _in_fresh_process(name, args.shared, page_id)
                for label, name in (("shanggao fetch", "shanggao"), ("trafilatura alone", "trafilatura"))}
        print(f"cold start ({page_id} as a new process's first page): "
              + ", ".join(f"{label} {res[0]['cpu']:.2f} s" for label, res in cold.items() if res))
    if "shanggao fetch" in runs:
        guessed = sum(1 for r in runs["shanggao fetch"] if r.get("warnings"))
        print(f"shanggao fetch: {guessed} of {len(pages)} pages stored with a guessed title (and a warning)")
    print()
    print("real-pages (hand-read labels): title / date / body start / body end / no labelled chrome")
    real_tables = {}
    for name, res in runs.items():
        rows = score_real(real, res[n_zh:])
        real_tables[name] = rows
        total = len(rows)
        print(f"  {name}: title {sum(r['title'] for r in rows)}/{total}, date {sum(r['date'] for r in rows)}/{total}, "
              f"start {sum(r['start'] for r in rows)}/{total}, end {sum(r['end'] for r in rows)}/{total}, "
              f"no chrome {sum(not r['chrome'] for r in rows)}/{total}")
    if "shanggao fetch" in runs:
        s = scored["shanggao fetch"]
        rows = real_tables["shanggao fetch"]
        res = runs["shanggao fetch"]
        print()
        print("targets for shanggao fetch:")
        checks = [
            ("date >= 90 %", s["date"][0] >= 0.9 * s["date"][1]),
            ("body F1 >= 0.88", s["f1"] >= 0.88),
            ("chrome <= 5 %", s["chrome"][0] <= 0.05 * s["chrome"][1]),
            ("title right on every real page", all(r["title"] for r in rows)),
            ("no page with a body dropped",
             not any(not r["stored"] and _has_body(p) for r, p in zip(res, pages, strict=True))),
            ("median CPU per page < 0.5 s", statistics.median(r["cpu"] for r in res) < 0.5),
        ]
        for label, ok in checks:
            print(f"  {'met ' if ok else 'MISSED'} {label}")
        for r in rows:
            if not (r["title"] and r["date"] and r["start"] and r["end"]) or r["chrome"]:
                print(f"  real page {r['id']}: title {r['got_title']!r}, date {r['got_date']}, "
                      f"start {r['start']}, end {r['end']}, chrome {r['chrome']}")
    if args.details:
        args.details.write_text(json.dumps({name: s["failures"] for name, s in scored.items()}, ensure_ascii=False,
                                           indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
