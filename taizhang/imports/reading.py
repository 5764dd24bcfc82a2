"""Reading the ledgers people already have: .xlsx/.xls through python-calamine, .csv in UTF-8 or GBK.

Ugly sheets are the normal case: title rows above the header, a header split over
two rows by merged cells, notes and signatures under the table, blank rows,
full-width digits. `read_sheet` finds the header by matching known header texts and
returns the data rows with their row numbers as the sheet shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from taizhang.imports.conf import limit


class ReadError(Exception):
    """The file cannot be read; the message is shown to the user as is."""


EXCEL_EXTS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
NOTE_PREFIXES = (
    "注",
    "备注",
    "说明",
    "填表人",
    "填报人",
    "制表",
    "审核",
    "审批",
    "合计",
    "总计",
    "小计",
    "负责人",
    "联系人：",
    "联系电话：",
    "填报单位",
    "填报日期",
)
HEADER_SCAN_ROWS = 30


def hkey(text: Any) -> str:
    """Header text folded for matching: full-width → ASCII, no spaces, stars or newlines."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊:：]", "", s).lower()


def hkey_bare(text: Any) -> str:
    """Header without a trailing unit in brackets: 总投资（万元） → 总投资."""
    return re.sub(r"\([^)]*\)$", "", hkey(text))


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Sheet:
    headers: list[str]  # display text of each column's header ("" for none)
    header_rows: list[int]  # sheet row numbers of the header row(s)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, cells)
    skipped_notes: int = 0


def _check_zip(data: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ReadError(
            "文件已损坏或不是有效的 Excel 文件（.xlsx），请用 Excel 重新另存后再导入"
        ) from None
    with zf:
        total = 0
        max_total = limit("IMPORT_MAX_UNCOMPRESSED")
        ratio = limit("IMPORT_MAX_RATIO")
        for info in zf.infolist():
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > ratio * max(info.compress_size, 1):
                raise ReadError(
                    f"文件压缩比异常（{info.filename} 解压后是压缩前的"
                    f" {info.file_size // max(info.compress_size, 1)} 倍），疑似恶意文件，已拒绝"
                )
            if total > max_total:
                raise ReadError(
                    f"文件解压后超过 {max_total // (1024 * 1024)} MB，已拒绝；请拆分后分批导入"
                )


def _excel_rows(data: bytes, ext: str) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    from python_calamine import CalamineWorkbook

    if ext in {".xlsx", ".xlsm", ".ods"}:
        _check_zip(data)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not wb.sheet_names:
            raise ReadError("文件中没有工作表")
        sheet = wb.get_sheet_by_index(0)
        _check_size(sheet.height, sheet.width)
        rows = sheet.to_python(skip_empty_area=False)
        merged = []
        try:
            for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
                merged.append((r0, c0, r1, c1))
        except Exception:  # older files or formats without merge information
            merged = []
    except ReadError:
        raise
    except Exception as e:  # calamine raises its own error types for damaged files
        raise ReadError(f"无法读取该文件（文件已损坏或格式不受支持）：{type(e).__name__}") from None
    return rows, merged


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ReadError("无法识别 CSV 文件的编码（支持 UTF-8 与 GBK/GB18030）") from None


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    _check_size(len(rows), max((len(r) for r in rows), default=0))
    return rows


def _check_size(height: int, width: int) -> None:
    max_rows, max_cols = limit("IMPORT_MAX_ROWS"), limit("IMPORT_MAX_COLUMNS")
    if height > max_rows + HEADER_SCAN_ROWS:
        raise ReadError(f"表格共 {height} 行，超过单次导入上限 {max_rows} 行，请拆分后分批导入")
    if width > max_cols:
        raise ReadError(f"表格共 {width} 列，超过上限 {max_cols} 列，请删除无关的列后再导入")


def read_raw(data: bytes, filename: str) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    max_bytes = limit("IMPORT_MAX_BYTES")
    if len(data) > max_bytes:
        raise ReadError(
            f"文件大小 {len(data) / 1048576:.1f} MB，超过上限 {max_bytes / 1048576:.0f} MB，请拆分后分批导入"
        )
    if not data:
        raise ReadError("文件为空")
    ext = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if ext == ".csv" or ext == ".txt":
        return _csv_rows(data), []
    if ext in EXCEL_EXTS:
        return _excel_rows(data, ext)
    raise ReadError("只支持 .xlsx、.xls 和 .csv 文件")


def _is_blank(row: list[Any]) -> bool:
    return all(cell_text(v) == "" for v in row)


def _is_note(row: list[Any]) -> bool:
    filled = [cell_text(v) for v in row if cell_text(v) != ""]
    if not filled:
        return False
    first = unicodedata.normalize("NFKC", filled[0])
    return len(filled) <= 3 and first.startswith(NOTE_PREFIXES)


def _fill_merged(rows: list[list[Any]], merged: list[tuple[int, int, int, int]], upto: int) -> None:
    """Copy a merged header cell's text into every cell it covers (the top rows only)."""
    for r0, c0, r1, c1 in merged:
        if r0 >= upto:
            continue
        value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
        for r in range(r0, min(r1, upto - 1) + 1):
            for c in range(c0, c1 + 1):
                if r < len(rows) and c < len(rows[r]) and cell_text(rows[r][c]) == "":
                    rows[r][c] = value


def _pick(cands: list[str], match: Callable[[str], bool]) -> str | None:
    for c in cands:
        if c and match(c):
            return c
    return None


def read_sheet(data: bytes, filename: str, match: Callable[[str], bool]) -> Sheet:
    """The table in the first sheet, its header found by `match` (is this a known header text?)."""
    rows, merged = read_raw(data, filename)
    width = max((len(r) for r in rows[:HEADER_SCAN_ROWS]), default=0)
    top = [list(r) + [None] * (width - len(r)) for r in rows[: HEADER_SCAN_ROWS + 1]]
    _fill_merged(top, merged, HEADER_SCAN_ROWS + 1)

    best: tuple[int, int, list[str], int] = (0, 0, [], 0)  # score, row index, headers, rows used
    for i in range(min(HEADER_SCAN_ROWS, len(top))):
        one = [cell_text(v) for v in top[i]]
        score1 = sum(1 for h in one if h and match(h))
        if score1 > best[0]:
            best = (score1, i, one, 1)
        if i + 1 < len(top):
            two = [cell_text(v) for v in top[i + 1]]
            combined = []
            for a, b in zip(one, two, strict=False):
                combined.append(_pick([a + b, b, a], match) or (b or a))
            score2 = sum(1 for h in combined if h and match(h))
            # The second row must itself carry header text, not the first data row.
            if score2 > best[0] and sum(1 for b in two if b and match(b)) > 0 and score2 > score1:
                best = (score2, i, combined, 2)
    score, index, headers, used = best
    if score < 2:
        raise ReadError(
            "未找到表头：前 30 行中没有可识别的列名。请使用导入模板，或确认表头包含模板中的列名"
            "（如「项目编号」「项目名称」）"
        )
    sheet = Sheet(headers=headers, header_rows=[index + 1 + k for k in range(used)])
    for n in range(index + used, len(rows)):
        row = rows[n]
        if _is_blank(row):
            continue
        if _is_note(row):
            sheet.skipped_notes += 1
            continue
        sheet.rows.append((n + 1, row))
    if len(sheet.rows) > limit("IMPORT_MAX_ROWS"):
        raise ReadError(
            f"表格共 {len(sheet.rows)} 行数据，超过单次导入上限 {limit('IMPORT_MAX_ROWS')} 行，请拆分后分批导入"
        )
    return sheet
