"""政务服务办件: import (upsert by 办件编号), working-day timeliness, figures, 转督办, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from taizhang.core.models import AuditEntry
from taizhang.imports import engine
from taizhang.matters.models import Kind, Status
from taizhang.services import cases
from taizhang.services.figures import service_figures
from taizhang.services.models import ServiceCase
from tests.import_sheets import xlsx

HEAD = ["办件编号", "事项名称", "办理单位", "受理日期", "承诺时限（工作日）", "办结日期", "评价"]


def sheet(*rows) -> bytes:
    return xlsx([HEAD, *rows])


# 2022-03-07 is a Monday: five working days later is Monday 2022-03-14.
ROWS = [
    ["ZH-1", "食品经营许可", "区发改委", "2022-03-07", 5, "2022-03-14", "满意"],  # on time
    ["ZH-2", "食品经营许可", "区发改委", "2022-03-07", 5, "2022-03-15", "基本满意"],  # late
    ["ZH-3", "建设工程规划许可", "红旗街道办事处", "2022-03-07", 5, "", ""],  # open
]


def load(world, rows=ROWS):
    return engine.run("service_cases", world.scope("sup_a"), sheet(*rows), "办件.xlsx", commit=True)


def test_it_imports_cases_and_upserts_them_by_number(world):
    a = load(world)
    assert a.counts["create"] == 3, a.errors
    assert ServiceCase.objects.count() == 3
    first = ServiceCase.objects.get(number="ZH-3")
    assert first.division == world.a  # the town unit's case belongs to its district
    # Next month's export: ZH-3 is now finished, ZH-1 unchanged, ZH-4 new.
    later = [
        ROWS[0],
        ["ZH-3", "建设工程规划许可", "红旗街道办事处", "2022-03-07", 5, "2022-03-10", "满意"],
        ["ZH-4", "营业执照", "区发改委", "2022-04-01", 1, "2022-04-01", "满意"],
    ]
    a = load(world, later)
    assert (a.counts["create"], a.counts["update"], a.counts["unchanged"]) == (1, 1, 1)
    again = ServiceCase.objects.get(number="ZH-3")
    assert again.pk == first.pk and again.finished_on == dt.date(2022, 3, 10)
    assert again.version == 2
    assert AuditEntry.objects.filter(verb="导入更新政务服务办件").count() == 1


def test_it_reports_every_bad_row_in_chinese_and_writes_none_of_them(world):
    bad = [
        *ROWS,
        ["ZH-9", "营业执照", "区发改委", "2022-03-07", 5, "2022-03-01", "满意"],  # before 受理
        ["ZH-10", "营业执照", "没有的局", "2022-03-07", 5, "", ""],
        ["ZH-11", "营业执照", "区发改委", "2022-03-07", "五", "", "很好"],
        ["ZH-12", "营业执照", "区发改委", "2022-03-07", 5, "", "满意"],  # rated while open
    ]
    a = engine.run("service_cases", world.scope("sup_a"), sheet(*bad), "x.xlsx", commit=True)
    reasons = " ".join(e[3] for e in a.errors)
    assert "不能早于受理日期" in reasons
    assert "没有的局" in reasons
    assert "承诺时限" in reasons
    assert "未办结的办件不能有评价" in reasons
    assert a.counts["error"] == 4
    assert sorted(ServiceCase.objects.values_list("number", flat=True)) == ["ZH-1", "ZH-2", "ZH-3"]


def test_it_counts_timeliness_in_working_days(world):
    load(world)
    by = {c.number: c for c in cases.with_timing(ServiceCase.objects.all(), dt.date(2022, 3, 14))}
    assert (by["ZH-1"].state, by["ZH-1"].used_workdays) == ("on_time", 5)
    assert by["ZH-3"].state == "open"  # 5 working days used, the limit is 5
    by = {c.number: c for c in cases.with_timing(ServiceCase.objects.all(), dt.date(2022, 3, 15))}
    assert (by["ZH-2"].state, by["ZH-2"].used_workdays) == ("late", 6)
    assert (by["ZH-3"].state, by["ZH-3"].used_workdays) == ("overdue", 6)


def test_it_gives_the_figures_per_unit_as_of_a_day(world):
    load(world)
    s = world.scope("sup_a")
    f = service_figures(s, world.a, 2022, as_of=dt.date(2022, 3, 14))
    # As of 14 March: ZH-1 on time, ZH-2 open (not yet late), ZH-3 open → 1 of 1 decided.
    assert (f["cases"], f["on_time_rate_pct"]) == (3, Decimal("100.0"))
    f = service_figures(s, world.a, 2022)
    # Year end: ZH-1 on time, ZH-2 late, ZH-3 overdue → 1 of 3; one 满意 of two rated.
    assert f["cases"] == 3
    assert f["on_time_rate_pct"] == Decimal("33.3")
    assert f["satisfaction_rate_pct"] == Decimal("50.0")
    assert f["avg_workdays"] == Decimal("5.5")
    units = {u["unit"]: u for u in f["units"]}
    assert units["红旗街道办事处"]["overdue"] == 1 and units["区发改委"]["cases"] == 2
    # The handling unit sees only its own cases; the other district none of them.
    assert service_figures(world.scope("unit_a_town"), world.a, 2022)["cases"] == 1
    assert service_figures(world.scope("sup_b"), world.a, 2022)["cases"] == 0


def test_it_turns_an_overdue_case_into_a_supervision_task_once(world):
    load(world)
    s = world.scope("sup_a")
    open_case = ServiceCase.objects.get(number="ZH-3")
    m = cases.do_escalate_case(s, open_case)
    assert m.kind == Kind.SUPERVISION_TASK and m.status == Status.ASSIGNED
    assert m.lead_unit == world.unit_a_town
    assert "ZH-3" in m.description
    open_case.refresh_from_db()
    assert open_case.matter == m
    with pytest.raises(ValidationError, match="不能重复转办"):
        cases.do_escalate_case(s, open_case)
    with pytest.raises(ValidationError, match="未超期"):
        cases.do_escalate_case(s, ServiceCase.objects.get(number="ZH-1"))


def test_it_lets_only_the_office_escalate_and_hides_cases_from_outsiders(world):
    load(world)
    case = ServiceCase.objects.get(number="ZH-3")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        cases.do_escalate_case(world.scope("unit_a_town"), case)
    with pytest.raises(Http404):
        world.scope("sup_b").get(ServiceCase.objects.all(), case.pk)
    with pytest.raises(Http404):
        world.scope("unit_a").get(ServiceCase.objects.all(), case.pk)
    assert world.scope("unit_a_town").get(ServiceCase.objects.all(), case.pk) == case


def test_it_corrects_one_case_with_a_clear_message_for_bad_dates(world):
    load(world)
    s = world.scope("sup_a")
    case = ServiceCase.objects.get(number="ZH-1")
    data = {
        "item": case.item,
        "unit": case.unit_id,
        "accepted_on": "2022-03-07",
        "limit_workdays": "5",
        "finished_on": "2022-03-01",
        "evaluation": "满意",
    }
    with pytest.raises(ValidationError, match="不能早于受理日期"):
        cases.do_correct_case(s, case, data, expected_version=case.version)
    fixed = cases.do_correct_case(
        s, case, data | {"finished_on": "2022-03-11"}, expected_version=case.version
    )
    assert fixed.finished_on == dt.date(2022, 3, 11) and fixed.version == 2
