"""Import speed: N generated articles (~2,000 Chinese characters each) through `shanggao articles import`.

Prints articles/s, peak memory of the import process and the store's size.

    .venv/bin/python benchmarks/import_speed.py [--articles 100000] [--compression fsst|zstd|auto]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Common characters of news prose, so the text compresses like real Chinese, not like noise.
SENTENCES = [
    "县委组织部坚持把抓党建促乡村振兴作为重要任务",
    "各乡镇党委结合实际制定了具体的工作方案",
    "今年以来全县共选派驻村第一书记一百二十余名",
    "村级集体经济收入实现了稳步增长",
    "基层党组织的政治功能和组织功能不断增强",
    "工作队深入田间地头了解群众的实际困难",
    "通过开展专题培训提升了干部的履职能力",
    "该镇依托特色产业带动农户增收致富",
    "全县上下形成了比学赶超的浓厚氛围",
    "下一步将继续完善考核评价机制",
    "群众满意度明显提升各项工作取得实效",
    "记者在现场看到工人们正在紧张施工",
]


def article_body(rng: random.Random, target: int = 2000) -> str:
    paragraphs, size = [], 0
    while size < target:
        para = "，".join(rng.choice(SENTENCES) + str(rng.randint(1, 999)) for _ in range(rng.randint(3, 6))) + "。"
        paragraphs.append(para)
        size += len(para)
    return "\n".join(paragraphs)


def write_corpus(path: Path, count: int) -> None:
    rng = random.Random(7)
    outlets = ["rmrb", "hnrb", "tjb", "rednet", "xinhunan"]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            record = {
                "url": f"https://bench.example/{i // 1000}/{i}.html",
                "outlet": outlets[i % len(outlets)],
                "title": f"泸溪县基层党建工作综述之{i}",
                "published": f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "byline": "本报记者 张三 通讯员 李四",
                "authors": ["张三", "李四"],
                "page_no": 1 + i % 8,
                "body": article_body(rng),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def longest_reader_lockout(db: Path, writer: subprocess.Popen) -> float:
    """Poll the store read-only, like an analyst's duckdb session, until the writer ends."""
    import duckdb

    longest, since = 0.0, None
    while writer.poll() is None:
        try:
            duckdb.connect(str(db), read_only=True).close()
            if since is not None:
                longest = max(longest, time.perf_counter() - since)
            since = None
        except duckdb.Error:
            since = since or time.perf_counter()
        time.sleep(0.25)
    if since is not None:
        longest = max(longest, time.perf_counter() - since)
    return longest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    shanggao = Path(sys.executable).with_name("shanggao")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "articles.jsonl"
        db = Path(tmp) / "bench.duckdb"
        write_corpus(corpus, args.articles)
        subprocess.run([str(shanggao), "--db", str(db), "init"], check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run([str(shanggao), "--db", str(db), "articles", "import", str(corpus)], check=True)
        elapsed = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        wal = db.with_suffix(".duckdb.wal")
        size = db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        # The same import into a second store, this time beside a reader (it slows the import a little).
        db2 = Path(tmp) / "beside-a-reader.duckdb"
        subprocess.run([str(shanggao), "--db", str(db2), "init"], check=True, capture_output=True)
        importer = subprocess.Popen([str(shanggao), "--db", str(db2), "articles", "import", str(corpus)],
                                    stdout=subprocess.DEVNULL)
        lockout = longest_reader_lockout(db2, importer)
        if importer.returncode != 0:
            raise SystemExit(f"import beside a reader failed with exit status {importer.returncode}")
        print(f"corpus:        {args.articles:,} articles, {corpus.stat().st_size / 2**20:,.0f} MiB of JSON Lines")
        print(f"import:        {elapsed:.1f} s  ->  {args.articles / elapsed:,.0f} articles/s (target >= 20,000)")
        print(f"peak memory:   {peak_kib / 2**20:.2f} GiB (import process)")
        print(f"store size:    {size / 2**20:,.0f} MiB")
        print(f"reader locked out at most {lockout:.1f} s (a plain read-only duckdb reader polling during the import)")


if __name__ == "__main__":
    os.environ.setdefault("SHANGGAO_LOCK_TIMEOUT", "60")
    main()
