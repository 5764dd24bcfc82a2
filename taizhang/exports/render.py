"""One renderer for every list export: rows in, a ledger-style .xlsx or .csv out.

Laid out the way ledgers are printed here: a merged title row, a 填报单位 /
截至日期 line, a 序号 column, a frozen header, A4 landscape with the header rows
repeated on every printed page. Text that a spreadsheet would run as a formula
is neutralised.

Rows are consumed once, in order, and never held: a province's export is 100k rows,
so both go out in chunks as the rows come: the CSV (:func:`iter_csv`) and the workbook's
zip (:func:`taizhang.exports.xlsx.iter_xlsx`, its sheet deflated row by row).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

# Re-exported: every export builds its Table from here.
from taizhang.exports.table import FORMULA_START, Column, Table, neutralise
from taizhang.exports.xlsx import iter_xlsx, write_xlsx

__all__ = [
    "CONTENT_TYPES",
    "Column",
    "Table",
    "iter_csv",
    "iter_xlsx",
    "neutralise",
    "render",
    "to_csv",
    "to_xlsx",
    "write_xlsx",
]


def to_xlsx(table: Table) -> bytes:
    """The whole workbook as bytes: for tests and small callers; downloads stream it."""
    return b"".join(iter_xlsx(table))


def _csv_value(value: Any, numbers_as_text: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float) and not numbers_as_text:
        return str(value)
    return neutralise(str(value))


def _csv_formatter(kind: str) -> Callable[[Any], str]:
    """A column's cell text, chosen once per column: text and dates are the common cases,
    text only checked for a formula start; anything else is typed by :func:`_csv_value`."""
    as_text = kind == "text"

    def cell(value: Any) -> str:
        if type(value) is str:
            return "'" + value if value.startswith(FORMULA_START) else value
        if type(value) is dt.date:
            return value.isoformat()
        return _csv_value(value, as_text)

    return cell


def _csv_rows(columns: Sequence[Column], rows: Any) -> Iterator[list[Any]]:
    formatters = [_csv_formatter(c.kind) for c in columns]
    for n, row in enumerate(rows, 1):
        yield [n, *[f(v) for f, v in zip(formatters, row, strict=False)]]


CSV_CHUNK = 64 * 1024  # characters per chunk: a few hundred rows, few writes to the socket


def iter_csv(table: Table, chunk: int = CSV_CHUNK) -> Iterator[bytes]:
    """The CSV in UTF-8 chunks, rows read as they are needed.

    UTF-8 with BOM so that Excel on a Chinese Windows desktop opens it without mojibake.
    The first chunk holds the header and the first rows, so a caller that takes it before
    answering has run the query (and any error in it) before the first byte is sent.
    """
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(["序号", *[c.header for c in table.columns]])
    for line in _csv_rows(table.columns, table.rows):
        w.writerow(line)
        if out.tell() >= chunk:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    # No notes: a CSV is data for another program, as it always was.
    yield out.getvalue().encode("utf-8")


def to_csv(table: Table) -> bytes:
    return b"".join(iter_csv(table))


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def render(table: Table, fmt: str) -> tuple[bytes, str]:
    if fmt == "csv":
        return to_csv(table), CONTENT_TYPES["csv"]
    if fmt == "xlsx":
        return to_xlsx(table), CONTENT_TYPES["xlsx"]
    raise ValueError(f"不支持的导出格式：{fmt}（可选 xlsx、csv）")
