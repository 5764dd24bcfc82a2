"""Helpers that build ugly real-world sheets for the import tests."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from taizhang.imports.kinds.problems import ProblemImporter

# A problem ledger's columns as the template names them (no enterprise name, no 提出人).
PROBLEM_HEADER = [
    c.label for c in ProblemImporter.columns if c.key not in ("enterprise", "raised_by_name")
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
