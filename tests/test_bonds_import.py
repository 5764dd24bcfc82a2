"""The 专项债 ledger sheet: every row checked by the ledger's own rules, written by its do_*."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from taizhang.imports import engine
from taizhang.imports.workbooks import template
from taizhang.projects import bond_services as bs
from taizhang.projects.bonds import BondProject
from tests.import_sheets import xlsx

HEADER = [
    "项目编号",
    "年度",
    "专项债领域",
    "包装状态",
    "状态日期",
    "拟申请专项债（万元）",
    "获批额度（万元）",
]


def errors_by_row(analysis) -> dict[int, list[tuple[str, str, str]]]:
    out: dict[int, list] = {}
    for row, col, val, reason in analysis.errors:
        out.setdefault(row, []).append((col, val, reason))
    return out


def test_it_previews_and_commits_a_bond_ledger_refusing_bad_rows(world):
    sheet = xlsx(
        [
            HEADER,
            ["SC-001", 2022, "市政和产业园区基础设施", "入库", "2022-06-30", "3.6亿", ""],
            ["SC-002", 2022, "社会事业", "包装", "2022-05-01", "1000", "800"],
            ["SC-002", 2021, "航天", "包装", "2022-05-01", "-5", ""],
            ["QB-001", 2022, "能源", "谋划", "2022-05-01", "10", ""],
        ]
    )
    scope = world.scope("sup_a")
    a = engine.run("bonds", scope, sheet, "专项债.xlsx")
    assert (a.counts["create"], a.counts["error"]) == (1, 3)
    errs = errors_by_row(a)
    assert "尚未到「获批」状态" in errs[3][0][2]
    assert {e[0] for e in errs[4]} == {"专项债领域", "拟申请专项债（万元）"}
    assert "不存在或不在您的管辖范围内" in errs[5][0][2]
    assert not BondProject.objects.exists()  # a preview writes nothing
    engine.run("bonds", scope, sheet, "专项债.xlsx", commit=True)
    bond = BondProject.objects.get()
    assert (bond.status, bond.applied) == ("pooled", Decimal("36000.00"))
    assert bond.changes.get().date == dt.date(2022, 6, 30)


def test_it_updates_a_bond_through_its_status_history_and_skips_unchanged_rows(world):
    scope = world.scope("sup_a")
    bs.do_create_bond(
        scope,
        world.pa,
        year=2022,
        field="municipal",
        status="pooled",
        date=dt.date(2022, 3, 1),
        amounts={"applied": "5000"},
    )
    sheet = xlsx(
        [HEADER, ["SC-001", 2022, "市政和产业园区基础设施", "获批", "2022-08-01", "5000", "4000"]]
    )
    a = engine.run("bonds", scope, sheet, "专项债.xlsx", commit=True)
    assert a.counts["update"] == 1
    bond = BondProject.objects.get()
    assert (bond.status, bond.approved) == ("approved", Decimal("4000.00"))
    assert list(bond.changes.values_list("to_status", flat=True)) == ["pooled", "approved"]
    again = engine.run("bonds", scope, sheet, "专项债.xlsx", commit=True)
    assert again.counts["unchanged"] == 1
    back = xlsx(
        [HEADER, ["SC-001", 2022, "市政和产业园区基础设施", "入库", "2022-08-02", "5000", "0"]]
    )
    refused = engine.run("bonds", scope, back, "专项债.xlsx")
    assert "状态回退必须" in refused.errors[0][3]


def test_it_offers_a_template_with_the_field_list(world):
    wb = load_workbook(io.BytesIO(template("bonds", world.scope("sup_a"))))
    headers = [c.value for c in wb.worksheets[0][1]]
    assert "专项债领域" in headers and "拟申请专项债（万元）" in headers
