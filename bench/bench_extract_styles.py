"""Precision, recall and F1 of `extract()` per report style, on the hand-annotated corpus.

Run: .venv/bin/python bench/bench_extract_styles.py
The six texts (full work report, 督查通报, 半年总结和下半年安排, terse bulleted county
summary, news report, plain target list) and their gold files are in
tests/lib/extract_corpus/; the targets are F1 >= 0.95 for targets and achievements on
every style and name accuracy >= 0.9 (tests/lib/test_extract_styles.py checks them).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taizhang.lib.extract.evaluate import KINDS, Score, score_file  # noqa: E402

CORPUS = ROOT / "tests" / "lib" / "extract_corpus"


def row(label: str, sc: Score) -> str:
    cells = [f"{label:<16}"]
    for k in KINDS:
        cells.append(f"{sc.precision(k):6.3f} {sc.recall(k):6.3f} {sc.f1(k):6.3f}")
    cells.append(f"{sc.name_accuracy():6.3f}")
    return "  ".join(cells)


def main() -> int:
    total = Score()
    print(f"{'style':<16}  {'target P/R/F1':<20}  {'achievement P/R/F1':<20}  names")
    ok = True
    for path in sorted(CORPUS.glob("*.txt")):
        sc = score_file(path)
        total.add(sc)
        print(row(path.stem, sc))
        ok &= all(sc.f1(k) >= 0.95 for k in KINDS) and sc.name_accuracy() >= 0.9
    print(row("all", total))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
