from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from taizhang.exports.render import Column, Table, neutralise, to_csv, to_xlsx
from taizhang.projects import services
from tests.streams import streamed


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def test_it_neutralises_formulas():
    for hostile in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")'):
        assert neutralise(hostile).startswith("'")
    assert neutralise("正常文本") == "正常文本"
    table = Table("t", [Column("名称")], [["=cmd|' /C calc'!A0"]])
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(table)))
    ws = wb.active
    assert ws.cell(4, 2).value == "'=cmd|' /C calc'!A0"
    assert ws.cell(4, 2).data_type == "s"
    assert "'=cmd" in to_csv(table).decode("utf-8-sig")


@pytest.mark.parametrize("name", ["unit_a", "sup_a", "sup_b"])
def test_it_exports_only_the_rows_in_scope(world, name):
    r = login(world, name).get("/projects/export.xlsx")
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(streamed(r))).active
    names = {ws.cell(row, 3).value for row in range(4, ws.max_row + 1)} - {None}
    names = {n for n in names if not str(n).startswith("注")}
    expected = {
        "unit_a": {world.pa.name},
        "sup_a": {world.pa.name, world.pa_town.name},
        "sup_b": {world.pb.name},
    }[name]
    assert names == expected
    api = login(world, name).get("/api/v1/projects/export", {"format": "csv"})
    text = streamed(api).decode("utf-8-sig")
    for p in (world.pa, world.pa_town, world.pb):
        assert (p.name in text) == (p.name in expected)


def test_it_lays_the_sheet_out_like_a_printed_ledger(world):
    services.do_update_project(
        world.scope("sup_a"), world.pa, {"name": "=恶意公式"}, expected_version=world.pa.version
    )
    r = login(world, "sup_a").get("/projects/export.xlsx", {"q": "恶意"})
    wb = openpyxl.load_workbook(io.BytesIO(streamed(r)))
    ws = wb.active
    assert ws.cell(1, 1).value.endswith("重点项目推进台账")
    assert "A1:N1" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.cell(2, 1).value == "填报单位：山城区督查室"
    assert ws.cell(3, 1).value == "序号" and ws.cell(3, 2).value == "项目编号"
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$1:$3"
    assert ws.cell(4, 1).value == 1
    assert ws.cell(4, 3).value == "'=恶意公式"
    assert ws.cell(4, 9).value == 300000 and ws.cell(4, 9).number_format == "#,##0.00"


def test_it_rejects_unknown_formats(world):
    assert login(world, "sup_a").get("/projects/export.pdf").status_code == 404
    assert (
        login(world, "sup_a").get("/api/v1/projects/export", {"format": "pdf"}).status_code == 422
    )


def test_it_requires_login_to_export(client, world):
    assert client.get("/projects/export.xlsx").status_code == 302
    assert client.get("/api/v1/projects/export").status_code == 401


def test_it_sizes_rows_for_wrapped_text_and_prints_whole_numbers_without_a_dot():
    table = Table(
        title="测试台账",
        columns=[Column("亮灯原因", "text", 30), Column("目标值", "number", 10)],
        rows=[
            ["短", 3760],
            ["进度滞后：" + "年度计划投资完成比例低于时序进度二十个百分点，" * 3, 5.5],
        ],
    )
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(table))).active
    short_row, long_row = 4, 5  # title, meta, header, then the rows
    assert ws.row_dimensions[short_row].height is None  # one line: Excel's default
    assert ws.row_dimensions[long_row].height >= 13.5 * 4
    assert ws.cell(short_row, 3).number_format == "0"
    assert ws.cell(long_row, 3).number_format == "0.0###"
