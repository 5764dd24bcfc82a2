"""Scoring the extractor against hand-annotated texts (precision, recall, F1 per kind).

A gold file lists one indicator per line — value, unit, kind, name, tab-separated, in
document order; `#` starts a comment. A found indicator matches the first unmatched gold
line with the same value and unit. Kind scores count a match only when the kinds agree;
the name score is the share of matches whose name equals the gold name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .core import extract
from .models import Indicator

KINDS = ("target", "achievement")


@dataclass(frozen=True, slots=True)
class Gold:
    value: Decimal
    unit: str
    kind: str
    name: str


@dataclass(slots=True)
class Score:
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    matched: int = 0
    named: int = 0
    misses: list[str] = field(default_factory=list)

    def precision(self, kind: str) -> float:
        found = self.tp[kind] + self.fp[kind]
        return self.tp[kind] / found if found else 1.0

    def recall(self, kind: str) -> float:
        wanted = self.tp[kind] + self.fn[kind]
        return self.tp[kind] / wanted if wanted else 1.0

    def f1(self, kind: str) -> float:
        p, r = self.precision(kind), self.recall(kind)
        return 2 * p * r / (p + r) if p + r else 0.0

    def name_accuracy(self) -> float:
        return self.named / self.matched if self.matched else 1.0

    def add(self, other: Score) -> None:
        for k in KINDS:
            self.tp[k] += other.tp[k]
            self.fp[k] += other.fp[k]
            self.fn[k] += other.fn[k]
        self.matched += other.matched
        self.named += other.named
        self.misses += other.misses


def read_gold(path: Path) -> list[Gold]:
    out: list[Gold] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        value, unit, kind, name = (line.split("\t") + ["", "", "", ""])[:4]
        out.append(Gold(Decimal(value), unit, kind, name))
    return out


def score(found: list[Indicator], gold: list[Gold]) -> Score:
    sc = Score()
    used = [False] * len(gold)
    for ind in found:
        hit = next(
            (
                i
                for i, g in enumerate(gold)
                if not used[i] and g.unit == ind.unit and g.value == Decimal(str(ind.value))
            ),
            None,
        )
        if hit is None:
            if ind.kind in KINDS:
                sc.fp[ind.kind] += 1
            sc.misses.append(f"多余 {ind.value}{ind.unit} {ind.kind} {ind.name}")
            continue
        used[hit] = True
        g = gold[hit]
        sc.matched += 1
        if g.name == ind.name:
            sc.named += 1
        else:
            sc.misses.append(f"名称 {ind.value}{ind.unit}: {ind.name!r} ≠ {g.name!r}")
        if g.kind == ind.kind:
            sc.tp[g.kind] += 1
        else:
            sc.fn[g.kind] += 1
            if ind.kind in KINDS:
                sc.fp[ind.kind] += 1
            sc.misses.append(f"类型 {ind.value}{ind.unit} {ind.name}: {ind.kind} ≠ {g.kind}")
    for i, g in enumerate(gold):
        if not used[i]:
            sc.fn[g.kind] += 1
            sc.misses.append(f"遗漏 {g.value}{g.unit} {g.kind} {g.name}")
    return sc


def score_file(text_path: Path, year: int | None = None) -> Score:
    gold = read_gold(text_path.with_suffix(".gold"))
    return score(extract(text_path.read_text(encoding="utf-8"), year), gold)
