"""Precision and recall of the similarity score on the labelled problem pairs, per threshold,
and the time to score a radar pool of 500 problems.

Run: .venv/bin/python bench/bench_similar.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taizhang.lib import similar  # noqa: E402
from tests.lib.similar_pairs import PAIRS  # noqa: E402


def main() -> None:
    t = time.perf_counter()
    similar._load()
    print(f"jieba + IDF table loaded in {time.perf_counter() - t:.2f} s")
    scored = [(similar.score(a, b), same) for a, b, same in PAIRS]
    dup = sum(1 for _, same in scored if same)
    print(f"{len(PAIRS)} labelled pairs: {dup} duplicates, {len(PAIRS) - dup} near-misses")
    print("threshold  precision  recall")
    for pct in range(15, 55, 5):
        th = pct / 100
        tp = sum(1 for s, same in scored if s >= th and same)
        fp = sum(1 for s, same in scored if s >= th and not same)
        fn = sum(1 for s, same in scored if s < th and same)
        p = tp / (tp + fp) if tp + fp else 1.0
        print(f"  {th:.2f}      {p:.2f}       {tp / (tp + fn):.2f}")
    texts = [a for a, _, _ in PAIRS] + [b for _, b, _ in PAIRS]
    rng = random.Random(15)
    pool = [rng.choice(texts) + rng.choice(texts) for _ in range(500)]
    t = time.perf_counter()
    vectors = [similar.vector(x) for x in pool]
    edges = similar.pairs(vectors, 0.25)
    groups = similar.clusters(len(pool), edges)
    print(
        f"radar pool of 500: {len(edges)} edges, {len(groups)} clusters "
        f"in {time.perf_counter() - t:.2f} s"
    )


if __name__ == "__main__":
    main()
