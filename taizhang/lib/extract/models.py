"""Data types shared by the extractor modules."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

Number = int | float


class ExtractInputError(ValueError):
    """A file the extractor cannot read; the message is meant for the end user (Chinese)."""


def json_number(value: Decimal) -> Number:
    """Integral values become int so JSON shows 3760 rather than 3760.0."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass(slots=True)
class Indicator:
    """One quantitative statement found in the text.

    `start`/`end` index the ORIGINAL text and cover only the digits or Chinese
    numeral that produced `value` (never the unit, the 百分之 prefix or a 万/亿
    multiplier that was folded into `unit`).
    """

    name: str
    value: Number
    unit: str
    base_value: Number
    comparator: str
    kind: str
    period: int | None
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(slots=True)
class OutlineTask:
    """A qualitative task from the forward-looking part of a report.

    Level 1 is a numbered heading such as "(一) 坚持创新驱动，…"; level 2 is an
    "一是…" item under it. `start`/`end` index the original text and cover the
    whole heading line or the whole item including its "一是" marker.
    """

    heading: str
    title: str
    sentence: str
    start: int
    end: int
    level: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
