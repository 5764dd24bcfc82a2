"""The streamed workbook (taizhang.exports.xlsx) read back by openpyxl: the ledger's layout,
typed cells and text that survives escaping."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from taizhang.exports.render import Column, Table, to_xlsx
from taizhang.exports.table import display_width
from taizhang.exports.xlsx import column_letter

COLUMNS = [
    Column("名称", "text", 20),
    Column("金额", "money", 12),
    Column("目标", "number", 10),
    Column("完成率", "rate", 8),
    Column("件数", "int", 6),
    Column("日期", "date", 12),
    Column("时间", "datetime", 16),
]


def sheet(rows, **kw):
    table = Table(
        "测试台账", COLUMNS, rows, unit_name="山城区督查室", as_of=dt.date(2024, 6, 1), **kw
    )
    data = to_xlsx(table)
    return data, openpyxl.load_workbook(io.BytesIO(data)).active


def test_cells_keep_their_types_and_formats():
    when = dt.datetime(2024, 5, 6, 14, 30)
    _, ws = sheet(
        [
            ["甲", Decimal("1234.50"), 3760, 87.5, 12, dt.date(2024, 5, 6), when],
            [None, None, 5.5, None, None, None, None],
            ["乙", "待定", "约", "=1", "若干", None, None],
        ]
    )
    row = [ws.cell(4, c) for c in range(1, 9)]
    assert [c.value for c in row] == [
        1,
        "甲",
        1234.5,
        3760,
        87.5,
        12,
        dt.datetime(2024, 5, 6),
        when,
    ]
    assert [c.number_format for c in row[2:]] == [
        "#,##0.00",
        "0",  # a whole number of a "number" column has no decimals
        '0.0"%"',
        "0",
        "yyyy-mm-dd",
        "yyyy-mm-dd hh:mm",
    ]
    assert ws.cell(5, 4).number_format == "0.0###"
    assert [ws.cell(5, c).value for c in (2, 3, 5, 6, 7, 8)] == [None] * 6
    assert ws.cell(5, 2).border.left.style == "thin"  # blank cells keep the ledger's grid
    # Text in a number column stays text, neutralised like any other.
    assert [ws.cell(6, c).value for c in (3, 4, 5, 6)] == ["待定", "约", "'=1", "若干"]


@pytest.mark.parametrize(
    "text",
    [
        "a & b <c> \"d\" 'e'",
        "  前后空格  ",
        "换行\n第二行",
        "控制\x01\x1f字符",
        "_x0041_ 照原样",
        "𠀀𪚥 emoji 😀",
    ],
)
def test_text_reads_back_as_written(text):
    _, ws = sheet([[text]])
    # Excel decodes _xHHHH_ (so a literal one is written _x005F_xHHHH_); openpyxl shows the
    # escapes as stored, as it does for XlsxWriter's files.
    expected = (
        text.replace("_x0041_", "_x005F_x0041_")
        .replace("\x01", "_x0001_")
        .replace("\x1f", "_x001F_")
    )
    assert ws.cell(4, 2).value == expected
    assert ws.cell(4, 2).data_type == "s"


def test_the_layout_is_the_printed_ledgers():
    data, ws = sheet([["甲"]], notes=["注：说明。", "=注意"])
    assert ws.title == "台账"
    assert ws.cell(1, 1).value == "测试台账" and ws.cell(1, 1).font.sz == 18
    assert "A1:H1" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.row_dimensions[1].height == 36
    assert ws.cell(2, 1).value == "填报单位：山城区督查室"
    assert ws.cell(2, 6).value == "截至日期：2024年06月01日"
    head = [ws.cell(3, c) for c in range(1, 9)]
    assert [c.value for c in head] == ["序号", *(c.header for c in COLUMNS)]
    assert all(c.font.b and c.fill.fgColor.rgb == "FFE7EBF0" for c in head)
    assert ws.cell(4, 2).alignment.wrap_text
    assert round(ws.column_dimensions["A"].width, 2) == 6.71
    assert round(ws.column_dimensions["B"].width, 2) == 20.71
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert "第 &P 页" in ws.oddFooter.center.text
    assert [ws.cell(r, 1).value for r in (5, 6)] == ["注：说明。", "'=注意"]
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None


def test_an_empty_table_is_a_valid_workbook_with_its_header():
    _, ws = sheet([])
    assert ws.cell(3, 2).value == "名称" and ws.max_row == 3


def test_rows_are_as_tall_as_their_longest_wrapped_text():
    long = "年度计划投资完成比例低于时序进度二十个百分点，" * 3  # 69 wide chars, 19 columns a line
    _, ws = sheet([["短"], [long], ["一\n二\n三"]])
    assert ws.row_dimensions[4].height is None
    assert ws.row_dimensions[5].height == 13.5 * 8
    assert ws.row_dimensions[6].height == 13.5 * 3


def test_helpers():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert display_width("ab中文，１") == 2 + 4 + 2 + 2
    assert display_width("𠀀a") == 3
