"""Matching speed and memory on a synthetic archive built from the development texts.

Sentences of ../shared/matching-dev are recombined into 200,000 articles and
20,000 manuscripts; a quarter of the characters of every sampled sentence is
replaced by characters drawn from the same texts, so each document has its
own distinctive text while the recurring remainder behaves like the genre's
stock phrasing.  One article in ten is a placement of a manuscript (sentences
dropped, characters changed) and one in thirty a roundup of excerpts from three.

Prints, each step in its own process (`peak` = that process's max RSS):
  1. index build of the archive (articles/s; target >= 10,000/s);
  2. new manuscripts against the whole archive (target for 10,000 vs 1,000,000: <= 60 s, <= 4 GiB);
  3. the nightly increment: 5,000 new articles against 20,000 manuscripts (<= 5 s);
  4. a naive rapidfuzz baseline (process.cdist, fuzz.partial_ratio) on a subsample,
     extrapolated to step 2's pairs, as a speed ratio;
  5. the store: bytes per article and the matcher index's share;
  --explain: DuckDB's EXPLAIN ANALYZE of step 2's candidate query, run again on the final store.

    .venv/bin/python benchmarks/matching_speed.py [--articles 200000] [--keep DIR] [--explain]
    .venv/bin/python benchmarks/matching_speed.py --articles 1000000 ... --keep DIR --reuse   # again, no generation

--keep DIR also saves the generated archive before any indexing (DIR/generated.duckdb and
DIR/generated.json, the generator's state); --reuse starts the next run from that copy when its
sizes and seed are the same, so a 1,000,000-article measurement is repeated in minutes instead of
regenerating (about 9 minutes).  Every measured step runs as before.
    .venv/bin/python benchmarks/matching_speed.py --articles 1000000 --manuscripts 20000 \
        --new-manuscripts 10000 --new-articles 5000 --explain
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shanggao.dates import utc_now  # noqa: E402
from shanggao.db import Store  # noqa: E402

DEFAULT_DEV = REPO.parent / "shared" / "matching-dev"
MUTATION = 0.25          # share of characters replaced in every recombined sentence
PLACEMENT_SHARE = 0.10   # articles that carry a manuscript
ROUNDUP_SHARE = 1 / 30   # articles that carry excerpts of three manuscripts


class Corpus:
    """Sentence pool of the development texts, as code-point arrays, and a character distribution."""

    def __init__(self, dev: Path, rng: np.random.Generator):
        texts = []
        for name in ("manuscripts.jsonl", "articles.jsonl"):
            for line in (dev / name).read_text(encoding="utf-8").splitlines():
                texts.append(json.loads(line)["body"])
        sentences = {s.strip() + "。" for t in texts for s in re.split(r"[。！？\n]", t) if len(s.strip()) >= 12}
        self.sentences = [np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32) for s in sorted(sentences)]
        everything = np.concatenate(self.sentences)
        self.chars = everything[everything > 0x2E80]   # CJK characters to mutate with
        self.rng = rng

    def text(self, n_sentences: int, mutation: float = MUTATION) -> np.ndarray:
        picks = self.rng.integers(0, len(self.sentences), n_sentences)
        cp = np.concatenate([self.sentences[i] for i in picks]).copy()
        mask = self.rng.random(len(cp)) < mutation
        cp[mask] = self.chars[self.rng.integers(0, len(self.chars), int(mask.sum()))]
        return cp


def decode(cp: np.ndarray) -> str:
    return cp.astype(np.uint32).tobytes().decode("utf-32-le")


def edit(cp: np.ndarray, rng: np.random.Generator, keep: float) -> np.ndarray:
    """A placement: a contiguous share of the text kept, 1% of characters changed."""
    n = len(cp)
    length = max(60, int(n * keep))
    start = int(rng.integers(0, max(1, n - length)))
    out = cp[start:start + length].copy()
    mask = rng.random(len(out)) < 0.01
    out[mask] = out[rng.permutation(len(out))[: int(mask.sum())]]
    return out


def make_manuscripts(corpus: Corpus, n: int) -> list[np.ndarray]:
    return [corpus.text(int(corpus.rng.integers(15, 40))) for _ in range(n)]


def make_articles(corpus: Corpus, n: int, manuscripts: list[np.ndarray], first_id: int) -> list[dict]:
    rng = corpus.rng
    rows = []
    for k in range(n):
        roll = rng.random()
        if roll < PLACEMENT_SHARE:
            body = edit(manuscripts[int(rng.integers(len(manuscripts)))], rng, keep=float(rng.uniform(0.4, 1.0)))
        elif roll < PLACEMENT_SHARE + ROUNDUP_SHARE:
            parts = [edit(manuscripts[int(rng.integers(len(manuscripts)))], rng, keep=0.15) for _ in range(3)]
            body = np.concatenate(parts + [corpus.text(5)])
        else:
            body = corpus.text(int(rng.integers(12, 40)))
        text = decode(body)
        rows.append({"url": f"https://synthetic.example/a/{first_id + k:07d}.html", "title": f"合成稿件{first_id + k}",
                     "body": text})
    return rows


def insert_articles(db: Path, rows: list[dict]) -> None:
    now = utc_now()
    table = pa.table({
        "url": [r["url"] for r in rows],
        "title": [r["title"] for r in rows],
        "body": [r["body"] for r in rows],
        "body_hash": [hashlib.sha256(r["body"].encode()).hexdigest() for r in rows],
        "body_chars": pa.array([len(r["body"]) for r in rows], pa.int32()),
    })
    with Store(db).write() as con:
        con.register("incoming", table)
        con.execute("""INSERT INTO articles (url, outlet, title, body, body_hash, body_chars, source,
                       first_fetched_at, last_fetched_at, published_date)
                       SELECT url, 'synthetic', title, body, body_hash, body_chars, 'import', ?, ?, ?::DATE
                       FROM incoming""", [now, now, now.date()])


def insert_manuscripts(db: Path, texts: list[str], first: int) -> None:
    now = utc_now()
    ids = [f"S{first + i:06d}" for i in range(len(texts))]
    table = pa.table({"id": ids, "body": texts, "h": [hashlib.sha256(t.encode()).hexdigest() for t in texts]})
    with Store(db).write() as con:
        con.register("incoming", table)
        con.execute("INSERT INTO manuscripts (manuscript_id, title, body, body_hash, imported_at) "
                    "SELECT id, '合成稿件' || id, body, h, ? FROM incoming", [now])


MATCH_STEP = """
import json, os, resource, sys, threading, time
from shanggao.db import Store
from shanggao.matcher import match_store
from shanggao.matcher.index import sync_index

def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0

def children(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listed:
                found += [int(c) for c in listed.read().split()]
    except OSError:
        pass
    return found

peak_pss = [0]
def sample():   # proportional set size: pages shared with the workers at fork are counted once in the sum
    while True:
        me = os.getpid()
        peak_pss[0] = max(peak_pss[0], pss_kib(me) + sum(pss_kib(c) for c in children(me)))
        time.sleep(0.2)
threading.Thread(target=sample, daemon=True).start()
store = Store(sys.argv[1])
started = time.perf_counter()
if sys.argv[2] == "index":
    r = sync_index(store)
    out = {"seconds": r.seconds, "articles": r.articles, "manuscripts": r.manuscripts, "fingerprints": r.fingerprints}
else:
    r = match_store(store)
    out = {"seconds": time.perf_counter() - started, "candidates": r.candidates, "aligned": r.aligned,
           "links": len(r.links),
           "steps": {k: round(v, 2) for k, v in r.seconds.items()}, "index_seconds": r.indexed.seconds}
# VmHWM: this process's own peak (ru_maxrss would include the parent's pages at fork)
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
out["peak_mib"] = int(hwm.split()[1]) / 1024
out["worker_peak_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
out["pss_peak_mib"] = peak_pss[0] / 1024
print(json.dumps(out))
"""


def step(db: Path, what: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MATCH_STEP, str(db), what], capture_output=True, text=True,
                          cwd=REPO)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def mark_all_matched(db: Path) -> None:
    """Setup shortcut: declare every indexed document matched (as after earlier nightly runs)."""
    with Store(db).write() as con:
        con.execute("UPDATE matcher_documents SET matched_at = now()::TIMESTAMP WHERE matched_at IS NULL")


def baseline(corpus_manuscripts: list[str], articles: list[str], pairs_to_cover: int) -> tuple[float, float]:
    """Seconds per pair of cdist(partial_ratio) on a subsample, and the extrapolated total."""
    from rapidfuzz import fuzz, process

    from shanggao.matcher.normalize import normalize

    queries = [normalize(t) for t in corpus_manuscripts[:4]]
    choices = [normalize(t) for t in articles[:100]]
    started = time.perf_counter()
    process.cdist(queries, choices, scorer=fuzz.partial_ratio, workers=2)
    per_pair = (time.perf_counter() - started) / (len(queries) * len(choices))
    return per_pair, per_pair * pairs_to_cover


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--articles", type=int, default=200_000, help="archive size (default 200,000)")
    parser.add_argument("--manuscripts", type=int, default=20_000)
    parser.add_argument("--new-manuscripts", type=int, default=2_000)
    parser.add_argument("--new-articles", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the store in this folder and keep it")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the candidate query")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep DIR: start from the archive generated by an earlier run with the same "
                             "sizes and seed (DIR/generated.duckdb) instead of generating it again")
    args = parser.parse_args()
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR (the folder of the earlier run)")
    rng = np.random.default_rng(args.seed)
    corpus = Corpus(args.dev, rng)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="shanggao-speed-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not args.keep:   # the store takes about 1 GB per 200,000 articles: not left behind
        atexit.register(shutil.rmtree, folder, True)
    db = folder / "speed.duckdb"
    if db.exists():
        db.unlink()
    Store(db).init()

    started = time.perf_counter()
    manuscripts = make_manuscripts(corpus, args.manuscripts)
    archive_size = args.articles - args.new_articles
    snapshot, state_file = folder / "generated.duckdb", folder / "generated.json"
    wanted = {"articles": args.articles, "manuscripts": args.manuscripts, "new_articles": args.new_articles,
              "seed": args.seed, "dev": str(args.dev.resolve())}
    saved = json.loads(state_file.read_text()) if args.reuse and state_file.exists() and snapshot.exists() else {}
    if saved.get("sizes") == wanted:
        shutil.copyfile(snapshot, db)
        rng.bit_generator.state = saved["rng"]
        sample_articles: list[str] = saved["sample"]
        print(f"synthetic archive: {archive_size} articles reused from {snapshot} (same sizes and seed)")
    else:
        if args.reuse:
            print(f"--reuse: no archive of these sizes and seed in {folder}; generating it")
        sample_articles = []
        for first in range(0, archive_size, 20_000):
            rows = make_articles(corpus, min(20_000, archive_size - first), manuscripts, first)
            sample_articles.extend(r["body"] for r in rows[:200 - len(sample_articles)])
            insert_articles(db, rows)
        print(f"synthetic archive: {archive_size} articles, {len(corpus.sentences)} source sentences, "
              f"generated and stored in {time.perf_counter() - started:.0f}s (not measured)")
        if args.keep:
            shutil.copyfile(db, snapshot)
            state_file.write_text(json.dumps({"sizes": wanted, "rng": rng.bit_generator.state,
                                              "sample": sample_articles}))

    built = step(db, "index")
    rate = built["articles"] / built["seconds"]
    print(f"1. index build: {built['articles']} articles, {built['fingerprints']} fingerprints in "
          f"{built['seconds']:.1f}s = {rate:,.0f} articles/s (target >= 10,000); peak {built['peak_mib']:.0f} MiB "
          f"(+ 2 fingerprinting workers, {built['worker_peak_mib']:.0f} MiB each at most)")
    mark_all_matched(db)

    texts = [decode(m) for m in manuscripts]
    insert_manuscripts(db, texts[: args.new_manuscripts], 0)
    run = step(db, "match")
    print(f"2. {args.new_manuscripts} new manuscripts vs {archive_size} articles: {run['seconds']:.1f}s "
          f"(target <= 60s), {run['candidates']} candidate pairs, {run['aligned']} aligned, {run['links']} links; "
          f"steps {run['steps']}; peak {run['peak_mib']:.0f} MiB + 2 workers <= {run['worker_peak_mib']:.0f} MiB")

    insert_manuscripts(db, texts[args.new_manuscripts:], args.new_manuscripts)
    step(db, "index")
    mark_all_matched(db)
    rows = make_articles(corpus, args.new_articles, manuscripts, archive_size)
    insert_articles(db, rows)
    nightly = step(db, "match")
    print(f"3. nightly: {args.new_articles} new articles vs {args.manuscripts} manuscripts: "
          f"{nightly['seconds']:.1f}s (target <= 5s), {nightly['candidates']} candidate pairs, "
          f"{nightly['aligned']} aligned, {nightly['links']} links; steps {nightly['steps']}; "
          f"peak {nightly['peak_mib']:.0f} MiB")

    per_pair, total = baseline(texts, sample_articles, args.new_manuscripts * archive_size)
    print(f"4. naive baseline: cdist(fuzz.partial_ratio, workers=2) {per_pair * 1e3:.2f} ms/pair -> "
          f"{total / 3600:,.0f} h for step 2's {args.new_manuscripts * archive_size:,} pairs; "
          f"matcher is {total / run['seconds']:,.0f}x faster")
    steps = (built, run, nightly)
    peak = max(s["peak_mib"] for s in steps)
    workers = max(s["worker_peak_mib"] for s in steps)
    pss = max(s["pss_peak_mib"] for s in steps)
    print(f"peak memory: matching process {peak:.0f} MiB, each forked worker at most {workers:.0f} MiB "
          f"(shared copy-on-write pages counted in both); process and workers together {pss:.0f} MiB "
          f"(sum of their proportional set sizes, sampled every 0.2 s; target <= 4096 MiB)")
    store_report(db)
    if args.explain:
        explain_candidates(db, [f"S{i:06d}" for i in range(args.new_manuscripts)])


def store_report(db: Path) -> None:
    from shanggao.db.matcher_index import storage_share

    with Store(db).read() as con:
        index, tables, documents = storage_share(con)
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        chars = con.execute("SELECT sum(body_chars) FROM articles").fetchone()[0]
    size = db.stat().st_size
    print(f"5. store file {size / 2**20:,.0f} MiB = {size / articles:,.0f} bytes per article "
          f"({chars / articles:,.0f} characters of body each); matcher index {index / 2**20:,.0f} MiB = "
          f"{100 * index / tables:.0f}% of the tables' blocks, {index / documents:,.0f} bytes per indexed document")


def explain_candidates(db: Path, manuscripts: list[str]) -> None:
    """EXPLAIN ANALYZE of the candidate query (step 2's manuscripts against the whole archive)."""
    from shanggao.matcher.index import candidate_pairs
    from shanggao.matcher.score import MatcherParams

    class Explaining:
        def __init__(self, con):
            self.con = con

        def register(self, *args):
            return self.con.register(*args)

        def execute(self, sql, params=None):
            if "matcher_article_fp" not in sql:   # the index's state, read before the candidate query
                return self.con.execute(sql, params)
            plan = json.loads(self.con.execute("EXPLAIN (ANALYZE, FORMAT json) " + sql, params).fetchall()[0][1])
            print("6. EXPLAIN ANALYZE of the candidate query (operator, rows out, seconds; indented = input):")
            show(plan["operator"][0], 0)
            return self.con.execute(sql, params)

    def show(node: dict, depth: int) -> None:
        info = node.get("extra_info", {})
        detail = " ".join(f"{k}={str(v)[:60]!r}" for k, v in info.items()
                          if k in ("Table", "Join Type", "Conditions", "Row Groups Scanned", "CTE Name"))
        if node["type"] not in ("RESULT_COLLECTOR", "EXPLAIN_ANALYZE", "PROJECTION"):
            rows = node.get("operator_cardinality", node.get("intermediate_rows", 0))
            seconds = node.get("operator_timing", node.get("timing", 0.0))
            print(f"   {'  ' * depth}{node['name']:<16} {rows:>12,} {seconds:7.2f}s  {detail}")
            depth += 1
        for child in node.get("children", []):
            show(child, depth)

    params = MatcherParams()
    with Store(db).read() as con:
        started = time.perf_counter()
        candidate_pairs(Explaining(con), manuscripts=manuscripts, articles=None, df_low=params.df_low,
                        df_high=params.df_high, min_shared=3)
        print(f"   (explained and run again in {time.perf_counter() - started:.1f}s)")


if __name__ == "__main__":
    main()
