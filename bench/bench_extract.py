"""Throughput of `extract()` on ≥10 MB of real text, processed per document.

Run: .venv/bin/python bench/bench_extract.py [--mb 10] [--seeds DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taizhang.lib.extract import extract  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


def load_docs(seed_dir: Path, min_bytes: int) -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))]
    if not seeds:
        raise SystemExit(f"no seed documents in {seed_dir}")
    docs: list[str] = []
    total = 0
    while total < min_bytes:
        for doc in seeds:
            docs.append(doc)
            total += len(doc.encode("utf-8"))
    return docs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (default 10)")
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--min-rate", type=float, default=2.0, help="fail below this MB/s")
    args = ap.parse_args()

    docs = load_docs(args.seeds, int(args.mb * 1024 * 1024))
    size_mb = sum(len(d.encode("utf-8")) for d in docs) / (1024 * 1024)
    extract(docs[0])  # warm caches and lazy imports outside the timed loop
    start = time.perf_counter()
    found = 0
    for doc in docs:
        found += len(extract(doc))
    elapsed = time.perf_counter() - start
    rate = size_mb / elapsed
    print(
        f"{len(docs)} documents, {size_mb:.1f} MB in {elapsed:.2f} s: "
        f"{rate:.2f} MB/s, {found} indicators"
    )
    return 0 if rate >= args.min_rate else 1


if __name__ == "__main__":
    raise SystemExit(main())
