"""Importing an existing task table from Excel: through do_create_task, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from taizhang.imports import engine
from taizhang.imports.engine import CommitError
from taizhang.matters.models import Kind, Matter, Status
from tests import task_fixtures
from tests.import_sheets import xlsx
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below
HEAD = ["任务编号", "目标任务", "来源", "责任单位", "配合单位", "责任领导", "完成时限", "目标值", "单位", "比较", "报送周期", "报送日"]  # fmt: skip


def sheet(*rows) -> bytes:
    return xlsx([["2024年政府工作报告目标任务分解表"], HEAD, *rows])


GOOD = [
    [
        "1",
        "新开工项目30个以上",
        "政府工作报告",
        "区发改委",
        "区人社局、红旗街道办事处",
        "王区长",
        "2024-12-31",
        30,
        "个",
        "≥",
        "每月",
        25,
    ],  # fmt: skip
    [
        "2",
        "优化营商环境",
        "会议议定",
        "区人社局",
        "",
        "",
        "2024年6月30日",
        "",
        "",
        "",
        "每季度",
        10,
    ],  # fmt: skip
]


def test_it_imports_a_task_table_through_the_workflow(tworld):
    s = tworld.scope("sup_a")
    with frozen(dt.date(2024, 2, 20)):
        a = engine.run("tasks", s, sheet(*GOOD), "分解表.xlsx", commit=True)
        assert a.counts["create"] == 2, [r.errors for r in a.rows]
        m = Matter.objects.get(title="新开工项目30个以上")
        assert m.kind == Kind.SUPERVISION_TASK and m.status == Status.ASSIGNED
        assert m.lead_unit == tworld.w.unit_a and m.leader == tworld.w.leader_a
        assert {u.name for u in m.co_units.all()} == {"区人社局", "红旗街道办事处"}
        assert m.task.target_value == 30 and m.task.comparator == ">=" and m.task.due_day == 25
        q = Matter.objects.get(title="优化营商环境")
        assert q.task.cycle == "quarterly" and q.deadline == dt.date(2024, 6, 30)
        assert q.task.task_source == "meeting" and q.task.target_value is None
        again = engine.run("tasks", s, sheet(*GOOD), "分解表.xlsx", commit=True)
        assert again.counts["unchanged"] == 2 and again.counts["create"] == 0


def test_it_reports_row_errors_in_chinese_and_skips_those_rows(tworld):
    s = tworld.scope("sup_a")
    bad = [
        ["3", "无单位任务", "政府工作报告", "", "", "", "2024-12-31", "", "", "", "每月", 25],
        [
            "4",
            "外区任务",
            "政府工作报告",
            "淇滨区发改委",
            "",
            "",
            "2024-12-31",
            "",
            "",
            "",
            "每月",
            25,
        ],  # fmt: skip
        [
            "5",
            "周期错误",
            "政府工作报告",
            "区人社局",
            "",
            "",
            "2024-12-31",
            "abc",
            "",
            "",
            "每周",
            25,
        ],  # fmt: skip
    ]
    before = Matter.objects.count()
    with frozen(dt.date(2024, 2, 20)):
        a = engine.run("tasks", s, sheet(*GOOD, *bad), "分解表.xlsx", commit=True)
    errs = {r.row: [e[2] for e in r.errors] for r in a.rows if r.errors}
    assert "请填写牵头单位" in errs[5]
    assert any("不在您的管辖范围内" in e for e in errs[6])
    assert any("目标值必须是数字" in e for e in errs[7]) and any("报送周期" in e for e in errs[7])
    # As with every import kind, valid rows are written and error rows are listed, not written.
    assert Matter.objects.count() == before + 2 and a.counts["error"] == 3
    assert not Matter.objects.filter(title__in=["无单位任务", "外区任务", "周期错误"]).exists()
    with pytest.raises(Exception):  # noqa: B017 - unit staff cannot import
        engine.run("tasks", tworld.scope("unit_rs"), sheet(*GOOD), "分解表.xlsx")


def test_it_rolls_back_when_a_row_fails_at_commit(tworld, monkeypatch):
    from taizhang.imports.kinds import tasks as kind

    real = kind.services.do_create_task
    calls = []

    def flaky(scope, data, **kw):
        calls.append(1)
        if len(calls) == 2:
            from taizhang.core.errors import invalid

            raise invalid("title", "模拟写入失败")
        return real(scope, data, **kw)

    monkeypatch.setattr(kind.services, "do_create_task", flaky)
    before = Matter.objects.count()
    with frozen(dt.date(2024, 2, 20)), pytest.raises(CommitError):
        engine.run("tasks", tworld.scope("sup_a"), sheet(*GOOD), "分解表.xlsx", commit=True)
    assert Matter.objects.count() == before
