"""Which measure a written figure speaks of: from its name (and the words around it) and unit.

Used twice, the same way: the draft-to-tasks step proposes a binding for a work-report
target, and the fact-check finds the measure of each figure in a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from taizhang.measures.registry import Measure, all_measures, unit_factor

# Size classes written before 项目: 亿元以上项目 → at least 10000 万元 total investment.
_THRESHOLDS = (
    (re.compile(r"(10|十)亿元?以上"), "100000"),
    (re.compile(r"亿元以上"), "10000"),
)
_LEVELS = (
    (re.compile(r"省、?市(级)?重点"), "省市"),
    (re.compile(r"省(级)?重点"), "省"),
    (re.compile(r"市(级)?重点"), "市"),
    (re.compile(r"[区县](级)?重点"), "区"),
)
# A figure about what is new in the period cannot be a stock read on a day.
_NEW = ("新增", "新培育", "新入规", "新纳入")


@dataclass
class Suggestion:
    measure: Measure
    params: dict[str, str] = field(default_factory=dict)
    score: int = 0

    @property
    def label(self) -> str:
        return self.measure.describe(self.params)


def params_from(text: str, measure: Measure) -> dict[str, str]:
    """The parameters a phrase states: level (省市重点) and size class (亿元以上)."""
    names = {p.name for p in measure.params}
    out: dict[str, str] = {}
    if "min_investment_wan" in names:
        for pattern, value in _THRESHOLDS:
            if pattern.search(text):
                out["min_investment_wan"] = value
                break
    if "level" in names:
        for pattern, value in _LEVELS:
            if pattern.search(text):
                out["level"] = value
                break
    return out


def _plain_name(name: str) -> str:
    """The name without size classes and quote marks, so 新签约亿元以上项目 reads 新签约项目."""
    for pattern, _ in _THRESHOLDS:
        name = pattern.sub("", name)
    return re.sub(r"[“”\"'‘’「」]", "", name)


def suggest(name: str, unit: str, context: str = "", near: str = "") -> Suggestion | None:
    """The best measure for a figure named ``name`` in ``unit``, or None.

    A measure fits when one of its synonyms is in the name and the unit is one it accepts
    (or converts: 万元 ↔ 亿元); the longest synonym wins, so 新签约项目总投资 goes to the
    investment, not the count. ``context`` (the clause before the number) adds parameters only.
    ``near`` is the ledger (code prefix) of the figure before it in the same sentence: on a
    tie it wins, so "办件686件，按时办结率100%" reads the 政务服务 rate, not the problems'.
    """
    plain = _plain_name(name or "")
    if not plain or unit is None:
        return None
    best: Suggestion | None = None
    for m in all_measures():
        if unit not in m.units and unit_factor(unit, m.unit) is None:
            continue
        if m.stock and any(w in plain for w in _NEW):
            continue
        if m.requires and not any(w in plain for w in m.requires):
            continue
        score = max((len(s) for s in (m.name, *m.synonyms) if s in plain), default=0)
        if not score:
            continue
        if (
            best is None
            or score > best.score
            or (score == best.score and near and _ledger(m) == near != _ledger(best.measure))
        ):
            best = Suggestion(m, params_from(f"{context}{name}", m), score)
    return best


def _ledger(m: Measure) -> str:
    return m.code.split(".", 1)[0]
