"""The ledger workbook (.xlsx) written as a stream: zip bytes go out while the rows are read.

A workbook is a zip of a few XML parts. All but the sheet are fixed and tiny; the sheet is
written row by row into a deflate stream (a zip entry with a data descriptor, so nothing
is seeked back to), and each compressed block is handed on as soon as it exists. Nothing
is held but the current row and zlib's window, and the first bytes leave with the first
rows instead of after the last one.

Why not XlsxWriter: in constant_memory mode it still costs ~10 µs per cell (a method call,
a format lookup, an XML writer call), 30 s for a 100k-row ledger, and it can only hand
the zip over once the whole file is closed. Here a cell is one preformatted string made
by its column's formatter, chosen once per table.

The layout is the printed ledger's: a merged title row, a 填报单位 / 截至日期 line, a
序号 column, a bold shaded header frozen under the title, column widths, rows as tall as
their longest wrapped text, dates as dates and numbers as numbers with their formats, A4
landscape fitted to one page wide with the header rows repeated on every printed page and
a page-number footer. Strings are inline (no shared-string table to hold in memory).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

from taizhang.exports.table import (
    FORMULA_START,
    LINE_HEIGHT,
    Table,
    line_counter,
    neutralise,
)

# Uncompressed sheet XML gathered before it is deflated, and compressed bytes gathered
# before a chunk is handed to the client: few writes, a few hundred KB held at most.
XML_BATCH = 256 * 1024
CHUNK = 256 * 1024
# Deflate level 1: a third of level 6's time for a file ~20% larger (text this regular
# compresses well either way); the zip is written as the client waits.
COMPRESSLEVEL = 1

# ---------------------------------------------------------------------- styles (cellXfs)
# Indices into <cellXfs> below; one per look a cell can have.
S_TITLE, S_META, S_HEAD, S_TEXT, S_MONEY, S_NUMBER, S_NUMBER_INT = 1, 2, 3, 4, 5, 6, 7
S_RATE, S_INT, S_DATE, S_DATETIME, S_INDEX = 8, 9, 10, 11, 12

_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="5"><numFmt numFmtId="164" formatCode="#,##0.00"/>\
<numFmt numFmtId="165" formatCode="0.0###"/><numFmt numFmtId="166" formatCode="0.0&quot;%&quot;"/>\
<numFmt numFmtId="167" formatCode="yyyy-mm-dd"/><numFmt numFmtId="168" formatCode="yyyy-mm-dd hh:mm"/>\
</numFmts>
<fonts count="5"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><sz val="18"/><name val="方正小标宋简体"/><charset val="134"/></font>\
<font><sz val="11"/><name val="宋体"/><charset val="134"/></font>\
<font><b/><sz val="10"/><name val="宋体"/><charset val="134"/></font>\
<font><sz val="10"/><name val="宋体"/><charset val="134"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFE7EBF0"/><bgColor indexed="64"/>\
</patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>\
<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom>\
<diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="13">\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center"/></xf>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="3" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" \
applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" \
wrapText="1"/></xf>\
<xf numFmtId="0" fontId="4" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" \
applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>\
<xf numFmtId="164" fontId="4" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" \
applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>\
<xf numFmtId="165" fontId="4" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" \
applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>\
<xf numFmtId="1" fontId="4" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" \
applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>\
<xf numFmtId="166" fontId="4" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" \
applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>\
<xf numFmtId="1" fontId="4" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" \
applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" \
vertical="center"/></xf>\
<xf numFmtId="167" fontId="4" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" \
applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" \
vertical="center"/></xf>\
<xf numFmtId="168" fontId="4" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" \
applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" \
vertical="center"/></xf>\
<xf numFmtId="0" fontId="4" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" \
applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>\
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""

_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""

_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""

_NS = (
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)

# ---------------------------------------------------------------------- text and numbers

# Characters XML must not carry as they are; control characters are written the way Excel
# does (_xHHHH_), and a literal "_xHHHH_" in the text gets its underscore escaped so that
# it reads back as typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")


def escape(text: str) -> str:
    text = _ESCAPED.sub(r"_x005F\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


# Anything that needs more than copying the text as it is: XML's special characters, an
# escape-like "_xHHHH_", or whitespace at either end (kept only with xml:space="preserve").
_NOT_PLAIN = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]|_x[0-9a-fA-F]{4}_|^\s|\s$")


def _string(text: str, style: int) -> str:
    if not text:
        return f'<c s="{style}"/>'  # an empty string is a blank cell, as in Excel
    if _NOT_PLAIN.search(text) is None:  # nearly every cell: one regex search
        return f'<c s="{style}" t="inlineStr"><is><t>{text}</t></is></c>'
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c s="{style}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _number_text(value: float | int) -> str | None:
    """The number as the sheet stores it ("3760", not "3760.0"); None if not finite."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return None
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (from March 1900 on)
_EPOCH_ORDINAL = _EPOCH.toordinal()
# FORMULA_START are single characters: a set lookup of the first one (never "" in it).
_FORMULA_FIRST = frozenset(FORMULA_START)


def _serial(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
        return _number_text(delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400)
    return str(value.toordinal() - _EPOCH_ORDINAL)


def _cell(value: Any, style: int, text_style: int = S_TEXT) -> str:
    """Any value by its type: numbers and dates as such, the rest as neutralised text."""
    if value is None:
        return f'<c s="{style}"/>'
    if isinstance(value, dt.date):
        return f'<c s="{style}"><v>{_serial(value)}</v></c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = _number_text(value)
        if text is not None:
            return f'<c s="{style}"><v>{text}</v></c>'
    return _string(neutralise(str(value)), text_style)


Formatter = Callable[[Any], str]


def formatter(kind: str) -> Formatter:
    """The cell XML for a value of a column of this kind, chosen once per column.

    The same typing as the CSV's: numbers of money/rate/number columns as numbers (whole
    numbers of a "number" column without decimals), ints as ints, dates as dates, anything
    else (and any text in a number column) as neutralised text.
    """
    if kind in {"money", "rate", "number"}:
        style = {"money": S_MONEY, "rate": S_RATE, "number": S_NUMBER}[kind]

        def number(value: Any) -> str:
            if isinstance(value, Decimal | int | float):
                f = float(value)
                s = S_NUMBER_INT if kind == "number" and f.is_integer() else style
                return _cell(f, s, style)
            if value is None:
                return f'<c s="{style}"/>'
            return _string(neutralise(str(value)), style)

        return number
    if kind == "int":

        def integer(value: Any) -> str:
            if isinstance(value, int | Decimal):
                return _cell(int(value), S_INT, S_INT)
            return _cell(value if value is None else str(value), S_INT, S_INT)

        return integer
    if kind in {"date", "datetime"}:
        style = S_DATE if kind == "date" else S_DATETIME

        def date(value: Any) -> str:
            if type(value) is dt.date:  # the common case, without _cell's type tests
                return f'<c s="{style}"><v>{value.toordinal() - _EPOCH_ORDINAL}</v></c>'
            return _cell(value, style, style)

        return date
    blank = f'<c s="{S_TEXT}"/>'

    def text(value: Any) -> str:
        if value is None:
            return blank
        s = value if type(value) is str else str(value)
        if s[:1] in _FORMULA_FIRST:
            s = "'" + s
        return _string(s, S_TEXT)

    return text


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _width(width: float) -> str:
    # The character width Excel (and XlsxWriter) store for a width typed in the UI.
    pixels = int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)
    return f"{(pixels * 256 // 7) / 256:.16g}"


# ---------------------------------------------------------------------- the parts


def _workbook(sheet: str) -> str:
    quoted = "'" + sheet.replace("'", "''") + "'"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<workbook {_NS}><bookViews><workbookView/></bookViews>"
        f'<sheets><sheet name="{_attr(sheet)}" sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
        f"{escape(quoted)}!$1:$3</definedName></definedNames>"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _sheet_head(table: Table) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{_width(w)}" customWidth="1"/>'
        for i, w in enumerate([6, *(c.width for c in table.columns)], 1)
    )
    ncols = len(table.columns) + 1
    as_of = table.as_of.strftime("%Y年%m月%d日") if table.as_of else ""
    meta_at = max(ncols - 3, 1)
    meta = [_string(f"填报单位：{table.unit_name}", S_META)]
    meta += ["<c/>"] * (meta_at - 1) + [_string(f"截至日期：{as_of}", S_META)]
    header = [_string("序号", S_HEAD), *(_string(c.header, S_HEAD) for c in table.columns)]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet {_NS}><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        f'<row r="1" ht="36" customHeight="1">{_string(table.title, S_TITLE)}</row>'
        f'<row r="2">{"".join(meta)}</row><row r="3">{"".join(header)}</row>'
    )


def _sheet_tail(table: Table) -> str:
    last = column_letter(len(table.columns))
    return (
        f'</sheetData><mergeCells count="1"><mergeCell ref="A1:{last}1"/></mergeCells>'
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'
        "<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>"
        "</worksheet>"
    )


class _Sink:
    """Where the zip writes: bytes gathered until the generator hands them on."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return out


def iter_xlsx(table: Table, chunk: int = CHUNK) -> Iterator[bytes]:
    """The workbook's bytes in chunks, the rows read once as they are needed.

    The first chunk is handed on after the first rows were read, so a caller that takes
    it before answering has run the query (and met any error in it) before the first byte.
    """
    sink = _Sink()
    formatters = [formatter(c.kind) for c in table.columns]
    lines = line_counter(table.columns)
    sheet_name = table.sheet_name[:31]
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _workbook(sheet_name))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            xml = [_sheet_head(table)]
            size = 0
            first = True
            r = 3
            for r, row in enumerate(table.rows, 4):
                n = lines(row)
                height = f' ht="{LINE_HEIGHT * n:g}" customHeight="1"' if n > 1 else ""
                cells = "".join([f(v) for f, v in zip(formatters, row, strict=False)])
                line = f'<row r="{r}"{height}><c s="{S_INDEX}"><v>{r - 3}</v></c>{cells}</row>'
                xml.append(line)
                size += len(line)
                if size >= XML_BATCH or first:
                    sheet.write("".join(xml).encode())
                    xml.clear()
                    size = 0
                    if first or sink.size >= chunk:
                        first = False
                        yield sink.take()
            for at, note in enumerate(table.final_notes(), r + 1):
                xml.append(f'<row r="{at}">{_string(neutralise(note), S_META)}</row>')
            xml.append(_sheet_tail(table))
            sheet.write("".join(xml).encode())
    if first or sink.size:
        yield sink.take()


def write_xlsx(table: Table, target: IO[bytes]) -> None:
    """The whole workbook into a binary file, chunk by chunk."""
    for chunk in iter_xlsx(table):
        target.write(chunk)
