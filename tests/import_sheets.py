"""Helpers that build ugly real-world sheets for the import tests."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

# The columns of a problem ledger as the office's own sheet names them.
PROBLEM_HEADER = [
    "问题编号",
    "统一社会信用代码",
    "问题类别",
    "问题标题",
    "具体内容",
    "问题来源",
    "提出日期",
]


def xlsx(rows: list[list[Any]], merges: list[str] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    text = "\r\n".join(",".join(str(c) for c in row) for row in rows) + "\r\n"
    return text.encode(encoding)
