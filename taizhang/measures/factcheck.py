"""Fact-check a document against the ledger: each figure whose name matches a measure is set
beside the ledger's value for the figure's own period, and coloured.

* ``match``: equal after the document's rounding (the decimals it wrote, in its unit —
  亿元 and 万元 convert), or inside the bound it wrote (以上, 余/多);
* ``mismatch``: the ledger says otherwise (or has no value for it);
* ``unchecked``: no measure speaks of the figure.

A figure's window: the year it belongs to (``去年`` → last year, whole year), narrowed by a
period written before it in its clause (上半年, 一季度, 1至8月); otherwise from the start
(default 1 January) to the check's date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from taizhang.core.models import Division
from taizhang.lib.extract import extract
from taizhang.lib.numbers import fmt_value
from taizhang.lib.periods import month_end
from taizhang.measures.figures import ledger_value
from taizhang.measures.matching import suggest
from taizhang.measures.registry import Measure, unit_factor

MATCH, MISMATCH, UNCHECKED = "match", "mismatch", "unchecked"
STATUS_LABELS = {MATCH: "一致", MISMATCH: "不一致", UNCHECKED: "未核对"}
_CLAUSE_END = "，。；！？,;\n"
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
           "十": 10, "十一": 11, "十二": 12}  # fmt: skip
_MONTHS = re.compile(r"(?:1|一)\s*(?:至|到|-|—|~)\s*(\d{1,2}|十[一二]?|[二三四五六七八九])\s*月")
_FIRST_MONTHS = re.compile(r"前(\d{1,2}|[二三四五六七八九十]|十[一二])个月")
_QUARTERS = (("一季度", 3), ("上半年", 6), ("前三季度", 9), ("三季度", 9))
_DATES = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日|底|末)")


def document_date(text: str, today: dt.date) -> dt.date | None:
    """The latest full date the document writes (2022年8月31日, 截至2022年8月底), not after today."""
    found: list[dt.date] = []
    for y, mo, d in _DATES.findall(text or ""):
        try:
            day = dt.date(int(y), int(mo), int(d)) if d else month_end(int(y), int(mo))
        except ValueError:
            continue
        if day <= today:
            found.append(day)
    return max(found) if found else None


def _clause_before(text: str, start: int) -> str:
    i = start
    while i > 0 and text[i - 1] not in _CLAUSE_END:
        i -= 1
    if i == 0 or text[i - 1] in "。；！？\n":
        return text[i:start]
    # The clause may continue a sentence whose time words came earlier (今年上半年，全区…).
    j = i - 1
    while j > 0 and text[j - 1] not in "。；！？\n":
        j -= 1
    return text[max(j, 0) : start]


def _month(word: str) -> int:
    return int(word) if word.isdigit() else _CN_NUM.get(word, 0)


def window(
    clause: str, period: int | None, as_of: dt.date, start: dt.date
) -> tuple[dt.date, dt.date]:
    """The figure's window: its year's whole span for a past year, else ``start`` to ``as_of``,
    cut at a period end written in its clause."""
    year = as_of.year
    first, last = start, as_of
    if period is not None and period < as_of.year:
        year = period
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cut: dt.date | None = None
    m = _MONTHS.search(clause) or _FIRST_MONTHS.search(clause)
    if m and 1 <= _month(m.group(1)) <= 12:
        cut = month_end(year, _month(m.group(1)))
    else:
        for word, mo in _QUARTERS:
            if word in clause:
                cut = month_end(year, mo)
                break
    if cut is not None and cut < last:
        last = cut
    return min(first, last), last


def decimals_of(numeral: str) -> int:
    """Decimals the document wrote: "123.3" → 1, "1,288" → 0, Chinese numerals → 0."""
    folded = numeral.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    return len(folded.split(".", 1)[1]) if "." in folded else 0


def _step(value: Decimal) -> Decimal:
    """The span of "1100余": up to the next step of its last non-zero digit (100 → 1100–1200)."""
    n = int(value)
    step = 1
    while n and n % 10 == 0:
        n //= 10
        step *= 10
    return Decimal(step)


def compare(written: Decimal, ledger: Decimal, comparator: str, decimals: int, after: str) -> bool:
    """Is the written figure true of the ledger's (same unit)?"""
    q = Decimal(1).scaleb(-decimals)
    rounded = ledger.quantize(q, rounding=ROUND_HALF_UP)
    if comparator == ">=":
        return ledger >= written or rounded >= written
    if comparator == ">":
        return ledger > written
    if comparator in ("<=", "<"):
        return ledger <= written or rounded <= written
    if comparator == "≈":
        if after[:1] in ("余", "多"):
            return written <= ledger < written + _step(written)
        # 约/左右/近: within 5 % of the written value.
        return abs(ledger - written) <= abs(written) * Decimal("0.05")
    return rounded == written


@dataclass
class Item:
    start: int
    end: int
    value: Decimal
    unit: str
    name: str
    comparator: str
    status: str
    measure: Measure | None = None
    params: dict[str, str] | None = None
    ledger: Decimal | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    decimals: int = 0
    # 余/多 between number and unit, or 以上 after it: part of what the document claims.
    bound: str = ""

    @property
    def ledger_text(self) -> str:
        if self.ledger is None:
            return ""
        places = self.decimals
        if self.unit == "%" or self.unit in ("亿元", "万元"):
            places = max(places, 1)
        return fmt_value(self.ledger.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))

    @property
    def message(self) -> str:
        """ "文中 解决率99.8%，台账 97.1%（截至2022-08-31）"."""
        written = f"{self.name}{fmt_value(self.value)}{self.bound}{self.unit}"
        if self.status == UNCHECKED:
            return f"文中 {written}：未核对（没有对应的台账指标）"
        ledger = f"{self.ledger_text}{self.unit}" if self.ledger is not None else "无数据"
        return f"文中 {written}，台账 {ledger}（截至{self.window_end:%Y-%m-%d}）"

    def as_contract(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "value": fmt_value(self.value),
            "unit": self.unit,
            "name": self.name,
            "comparator": self.comparator,
            "status": self.status,
            "ledger_value": self.ledger_text or None,
            "measure": self.measure.code if self.measure else None,
            "measure_name": self.measure.describe(self.params) if self.measure else None,
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "window_end": self.window_end.isoformat() if self.window_end else None,
            "message": self.message,
        }


def check(
    text: str, division: Division, as_of: dt.date, start: dt.date | None = None
) -> list[Item]:
    """Every figure of ``text``, checked against ``division``'s ledger as of ``as_of``."""
    start = start or dt.date(as_of.year, 1, 1)
    values: dict[tuple, Decimal | None] = {}
    items = []
    near, near_end = "", 0  # the ledger of the last checked figure, while its sentence lasts
    for ind in extract(text, year=as_of.year):
        value = Decimal(str(ind.value))
        clause = _clause_before(text, ind.start)
        if any(stop in text[near_end : ind.start] for stop in "。；;\n"):
            near = ""
        found = suggest(ind.name, ind.unit, clause, near)
        item = Item(
            ind.start, ind.end, value, ind.unit, ind.name, ind.comparator, UNCHECKED,
            decimals=decimals_of(text[ind.start : ind.end]),
        )  # fmt: skip
        after = text[ind.end : ind.end + 1]
        item.bound = after if after in ("余", "多") else ""
        items.append(item)
        if found is None:
            continue
        m = found.measure
        near, near_end = m.code.split(".", 1)[0], ind.end
        first, last = window(clause, ind.period, as_of, start)
        key = (m.code, tuple(sorted(found.params.items())), first, last)
        if key not in values:
            values[key] = ledger_value(m, division, last, first, found.params)
        ledger = values[key]
        factor = unit_factor(ind.unit, m.unit) or Decimal(1)
        item.measure, item.params = m, found.params
        item.window_start, item.window_end = first, last
        item.ledger = None if ledger is None else ledger / factor
        ok = item.ledger is not None and compare(
            value, item.ledger, ind.comparator, item.decimals, text[ind.end : ind.end + 3]
        )
        item.status = MATCH if ok else MISMATCH
    return items
