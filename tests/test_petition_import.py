"""Importing an existing petition ledger (信访台账) from Excel: every row checked by the same
clean_petition, all written or none; the template downloads with its columns."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from taizhang.imports import engine
from taizhang.matters.models import Kind, Matter, Status
from tests.import_sheets import xlsx
from tests.petition_fixtures import id_with_check

HEAD = ["信访编号", "信访事项", "登记日期", "信访渠道", "信访人", "联系电话", "身份证号", "来访人数", "重复访", "集体访", "疑难重点", "受理日期", "承办单位", "包案领导"]  # fmt: skip
ID = id_with_check("41060319850505123")
GOOD = [
    [
        "XF-1",
        "反映村务公开不及时",
        "2022-03-01",
        "来访",
        "张某",
        "13812345678",
        ID,
        6,
        "否",
        "是",
        "是",
        "2022-03-03",
        "区发改委",
        "王区长",
    ],  # fmt: skip
    [
        "XF-2",
        "反映低保评定",
        "2022年4月1日",
        "12345热线",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],  # fmt: skip
]


def sheet(*rows) -> bytes:
    return xlsx([["2022年信访件台账"], HEAD, *rows])


def test_it_imports_a_petition_ledger_through_the_services(world):
    s = world.scope("sup_a")
    a = engine.run("petitions", s, sheet(*GOOD), "信访台账.xlsx", commit=True)
    assert a.counts["create"] == 2, [r.errors for r in a.rows]
    m = Matter.objects.get(title="反映村务公开不及时")
    assert m.kind == Kind.PETITION and m.status == Status.ASSIGNED
    assert m.lead_unit == world.unit_a and m.leader == world.leader_a
    assert m.petition.is_collective and m.petition.people_count == 6
    assert m.petition.petitioner_id_number == ID
    hotline = Matter.objects.get(title="反映低保评定")
    assert hotline.status == Status.SUBMITTED and hotline.petition.channel == "hotline"
    again = engine.run("petitions", s, sheet(*GOOD), "信访台账.xlsx", commit=True)
    assert again.counts["unchanged"] == 2 and again.counts["create"] == 0


@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        (
            [
                "XF-3",
                "反映问题",
                "2022-03-01",
                "来访",
                "",
                "",
                ID[:-1] + "0" if ID[-1] != "0" else ID[:-1] + "1",
                1,
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            "身份证号",
            "身份证号",
        ),  # fmt: skip
        (
            ["XF-4", "反映问题", "2022-03-01", "传真", "", "", "", 1, "", "", "", "", "", ""],
            "信访渠道",
            "信访渠道",
        ),  # fmt: skip
        (
            [
                "XF-5",
                "反映问题",
                "2022-03-01",
                "来访",
                "",
                "",
                "",
                1,
                "",
                "",
                "",
                "2022-02-01",
                "区发改委",
                "",
            ],
            "受理日期",
            "受理日期应在登记日期",
        ),  # fmt: skip
        (
            [
                "XF-6",
                "反映问题",
                "2022-03-01",
                "来访",
                "",
                "",
                "",
                1,
                "",
                "",
                "",
                "2022-03-02",
                "区发改委",
                "李干部",
            ],
            "包案领导",
            "领导班子成员",
        ),  # fmt: skip
    ],
)
def test_it_refuses_a_bad_row_and_writes_nothing_of_it(world, row, column, text):
    before = Matter.objects.count()
    a = engine.run("petitions", world.scope("sup_a"), sheet(row), "x.xlsx", commit=True)
    errors = [e for r in a.rows for e in r.errors]
    assert any(col == column and text in reason for col, _v, reason in errors), errors
    assert Matter.objects.count() == before


def test_it_offers_the_template_with_the_ledger_columns(world):
    c = Client()
    c.force_login(world.users["sup_a"])
    r = c.get("/imports/template/petitions.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    cells = {str(v.value) for row in wb.worksheets[0].iter_rows(max_row=5) for v in row if v.value}
    assert {"信访编号", "信访事项", "身份证号", "包案领导"} <= cells
