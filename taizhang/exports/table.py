"""What every export renders: a titled table of typed columns and rows read once.

Shared by the CSV (:mod:`taizhang.exports.render`) and the workbook
(:mod:`taizhang.exports.xlsx`) writers, so both neutralise text and type cells the same way.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | money | int | date | datetime | rate | number
    width: int = 14


@dataclass
class Table:
    title: str
    columns: list[Column]
    # Any iterable, read once: a generator over a database cursor keeps memory flat.
    rows: Iterable[Sequence[Any]]
    unit_name: str = ""
    as_of: dt.date | None = None
    # Printed under the rows, so a callable is asked only after the rows were read: notes
    # that depend on the rows (e.g. years whose holiday notice is unknown) are collected
    # while they stream instead of from a second pass over the scope.
    notes: Sequence[str] | Callable[[], Sequence[str]] = field(default_factory=list)
    sheet_name: str = "台账"

    def final_notes(self) -> list[str]:
        return list(self.notes() if callable(self.notes) else self.notes)


def neutralise(value: Any) -> Any:
    """A leading = + - @ would make Excel evaluate a user's text; prefix it with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


LINE_HEIGHT = 13.5  # points per line of 10 pt 宋体
MAX_LINES = 15  # a runaway note should not make one row a page tall


@functools.cache
def _wide_class() -> re.Pattern[str]:
    """A regex class of the Basic Multilingual Plane's wide and full-width characters
    (built on first use: 50 ms, not paid by a process that never exports)."""
    ranges: list[str] = []
    start = None
    for code in range(0x10000 + 1):
        wide = code < 0x10000 and unicodedata.east_asian_width(chr(code)) in "WF"
        if wide and start is None:
            start = code
        elif not wide and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{code - 1:04x}")
            start = None
    return re.compile(f"[{''.join(ranges)}]")


_ASTRAL = re.compile("[\\U00010000-\\U0010ffff]")


def display_width(text: str) -> int:
    """Width in Excel column units: CJK and full-width characters count two.

    A regex counts the wide characters (this runs for most text cells of an export; a
    Python loop over every character cost more than writing the cell), characters
    outside the BMP (rare) are asked one by one.
    """
    if text.isascii():
        return len(text)
    width = len(text) + len(_wide_class().findall(text))
    for c in _ASTRAL.findall(text):
        width += unicodedata.east_asian_width(c) in "WF"
    return width


def line_counter(columns: Sequence[Column]) -> Callable[[Sequence[Any]], int]:
    """``lines(row)``: how many lines the row's longest wrapped text needs (1 to MAX_LINES).

    Wrapped text only shows in full when the row is tall enough, and spreadsheets do not
    grow rows on opening. The text columns and their widths are worked out once per table.
    """
    text_cols = [(i, max(c.width - 1, 1)) for i, c in enumerate(columns) if c.kind == "text"]

    def lines(row: Sequence[Any]) -> int:
        need = 1
        for i, width in text_cols:  # in column order: a short row ends the loop
            try:
                value = row[i]
            except IndexError:
                break
            if value is None:
                continue
            text = value if value.__class__ is str else str(value)
            if "\n" in text:
                n = sum(max(1, -(-display_width(p) // width)) for p in text.split("\n"))
            elif 2 * len(text) <= width:
                # Every character is at most two columns wide: a short text fits without
                # measuring it (most cells of a 100k-row export).
                continue
            else:
                n = -(-display_width(text) // width)
            need = max(need, n)
        return min(need, MAX_LINES)

    return lines
