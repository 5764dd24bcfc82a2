"""One renderer for every list export: rows in, a ledger-style .xlsx or .csv out.

Laid out the way ledgers are printed here: a merged title row, a 填报单位 /
截至日期 line, a 序号 column, a frozen header, A4 landscape with the header rows
repeated on every printed page. Text that a spreadsheet would run as a formula
is neutralised.

Rows are consumed once, in order, and never held: a province's export is 100k rows,
so CSV goes out in chunks as the rows come (:func:`iter_csv`) and the workbook is
written row by row in XlsxWriter's constant-memory mode to a file (:func:`write_xlsx`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

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


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in {"money", "rate", "number"}:
        if isinstance(value, Decimal | int | float):
            return float(value)
        return neutralise(str(value))
    if kind == "int":
        return int(value) if isinstance(value, int | Decimal) else neutralise(str(value))
    if kind in {"date", "datetime"}:
        return value
    return neutralise(str(value))


_LINE_HEIGHT = 13.5  # points per line of 10 pt 宋体
_MAX_LINES = 15  # a runaway note should not make one row a page tall


def _display_width(text: str) -> int:
    """Width in Excel column units: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row_lines(columns: Sequence[Column], row: Sequence[Any]) -> int:
    lines = 1
    for col, value in zip(columns, row, strict=False):
        if col.kind != "text" or value is None:
            continue
        text = str(value)
        # Every character is at most two columns wide: a short one-line text fits without
        # measuring each character (most cells of a 100k-row export).
        if 2 * len(text) <= max(col.width - 1, 1) and "\n" not in text:
            continue
        need = sum(
            max(1, math.ceil(_display_width(part) / max(col.width - 1, 1)))
            for part in text.split("\n")
        )
        lines = max(lines, need)
    return min(lines, _MAX_LINES)


def write_xlsx(table: Table, target: str | IO[bytes]) -> None:
    """Write the workbook to ``target`` (a path or a binary file), reading the rows once.

    Not ``in_memory``: that option switches constant_memory off and keeps every cell of
    every row in Python until the end. Here each row goes to XlsxWriter's temporary file
    as it is written, so memory stays flat however many rows there are.
    """
    wb = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    ws = wb.add_worksheet(table.sheet_name[:31])
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    title_fmt = wb.add_format(
        {"font_name": "方正小标宋简体", "font_size": 18, "align": "center", "valign": "vcenter"}
    )
    meta_fmt = wb.add_format({"font_name": "宋体", "font_size": 11})
    head_fmt = wb.add_format(
        {**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#E7EBF0"}
    )
    formats = {
        "text": wb.add_format({**base, "text_wrap": True}),
        "money": wb.add_format({**base, "num_format": "#,##0.00"}),
        # "#,##0.##" would print an integer as "3,760." in Excel: integers get their own.
        "number": wb.add_format({**base, "num_format": "0.0###"}),
        "number_int": wb.add_format({**base, "num_format": "0"}),
        "rate": wb.add_format({**base, "num_format": '0.0"%"'}),
        "int": wb.add_format({**base, "num_format": "0", "align": "center"}),
        "date": wb.add_format({**base, "num_format": "yyyy-mm-dd", "align": "center"}),
        "datetime": wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm", "align": "center"}),
    }
    index_fmt = wb.add_format({**base, "align": "center"})
    ncols = len(table.columns) + 1
    ws.set_column(0, 0, 6)
    for i, col in enumerate(table.columns, 1):
        ws.set_column(i, i, col.width)
    # constant_memory writes row by row, so cells go in strictly ascending row order.
    ws.set_row(0, 36)
    ws.merge_range(0, 0, 0, ncols - 1, table.title, title_fmt)
    as_of = table.as_of.strftime("%Y年%m月%d日") if table.as_of else ""
    ws.write(1, 0, f"填报单位：{table.unit_name}", meta_fmt)
    ws.write(1, max(ncols - 3, 1), f"截至日期：{as_of}", meta_fmt)
    ws.write(2, 0, "序号", head_fmt)
    for i, col in enumerate(table.columns, 1):
        ws.write(2, i, col.header, head_fmt)
    r = 3
    for n, row in enumerate(table.rows, 1):
        # Wrapped text only shows in full when the row is tall enough; Excel does not
        # grow rows written by XlsxWriter, so the height is set from the longest cell.
        lines = _row_lines(table.columns, row)
        if lines > 1:
            ws.set_row(r, _LINE_HEIGHT * lines)
        ws.write_number(r, 0, n, index_fmt)
        for i, (col, value) in enumerate(zip(table.columns, row, strict=False), 1):
            v = _cell(value, col.kind)
            fmt = formats.get(col.kind, formats["text"])
            if col.kind == "number" and isinstance(v, float) and v.is_integer():
                fmt = formats["number_int"]
            if v is None:
                ws.write_blank(r, i, None, fmt)
            elif isinstance(v, dt.datetime):
                ws.write_datetime(r, i, v.replace(tzinfo=None), fmt)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, i, dt.datetime.combine(v, dt.time()), fmt)
            elif isinstance(v, int | float):
                ws.write_number(r, i, v, fmt)
            else:
                ws.write_string(r, i, v, fmt)
        r += 1
        # XlsxWriter keeps each set_row() in row_info and row_sizes (for images, which a
        # ledger has none of) even in constant_memory mode, where the row has already gone
        # to its file once the next row began (r - 2 here): without this a 100k-row ledger
        # of wrapped titles holds ~35 MB of row heights until the end.
        ws.row_info.pop(r - 2, None)
        ws.row_sizes.pop(r - 2, None)
    for note in table.final_notes():
        ws.write(r, 0, neutralise(note), meta_fmt)
        r += 1
    ws.freeze_panes(3, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(0, 2)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()


def to_xlsx(table: Table) -> bytes:
    """The whole workbook as bytes: for tests and small callers; downloads stream a file."""
    buf = io.BytesIO()
    write_xlsx(table, buf)
    return buf.getvalue()


def _csv_cells(columns: Sequence[Column], row: Sequence[Any]) -> list[str]:
    cells = []
    for col, value in zip(columns, row, strict=False):
        if value is None:
            cells.append("")
        elif isinstance(value, dt.datetime):
            cells.append(value.strftime("%Y-%m-%d %H:%M"))
        elif isinstance(value, dt.date):
            cells.append(value.isoformat())
        elif isinstance(value, Decimal | int | float) and col.kind != "text":
            cells.append(str(value))
        else:
            cells.append(neutralise(str(value)))
    return cells


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
    for n, row in enumerate(table.rows, 1):
        w.writerow([n, *_csv_cells(table.columns, row)])
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
