from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.errors import ConflictError
from taizhang.core.models import AuditEntry
from taizhang.projects import services
from taizhang.projects.models import MonthlyReport, Project, Stage

TODAY = dt.date(2022, 9, 15)


def messages(exc: ValidationError) -> str:
    return " ".join(m for ms in exc.message_dict.values() for m in ms)


def test_it_keeps_the_cumulative_total_and_corrects_a_month(world):
    s = world.scope("unit_a")
    services.do_submit_monthly_report(s, world.pa, year=2022, month=1, amount="1000", today=TODAY)
    services.do_submit_monthly_report(s, world.pa, year=2022, month=2, amount="2500.5", today=TODAY)
    report, corrected = services.do_submit_monthly_report(
        s, world.pa, year=2022, month=1, amount="1200", today=TODAY
    )
    assert corrected and report.corrections == 1
    assert MonthlyReport.objects.filter(project=world.pa).count() == 2
    total = sum(r.amount for r in world.pa.reports.all())
    assert total == Decimal("3700.50")
    entry = AuditEntry.objects.filter(object_type="projects.monthlyreport", action="update").get()
    assert entry.changes["当月完成投资（万元）"] == ["1000", "1200"]
    assert entry.actor == world.users["unit_a"]


@pytest.mark.parametrize(
    ("amount", "month", "fragment"),
    [
        ("-5", 3, "不能为负数"),
        ("abc", 3, "必须是数字"),
        ("NaN", 3, "必须是数字"),
        ("300001", 3, "超过项目总投资"),
        ("100", 10, "不能报送未来月份"),
        ("100", 13, "月份"),
    ],
)
def test_it_rejects_bad_reports(world, amount, month, fragment):
    s = world.scope("unit_a")
    with pytest.raises(ValidationError) as e:
        services.do_submit_monthly_report(
            s, world.pa, year=2022, month=month, amount=amount, today=TODAY
        )
    assert fragment in messages(e.value)
    assert not MonthlyReport.objects.exists()
    assert not AuditEntry.objects.filter(object_type="projects.monthlyreport").exists()


def test_it_rejects_a_year_that_would_exceed_the_total(world):
    s = world.scope("unit_a_town")
    services.do_submit_monthly_report(
        s, world.pa_town, year=2022, month=1, amount="4000", today=TODAY
    )
    with pytest.raises(ValidationError) as e:
        services.do_submit_monthly_report(
            s, world.pa_town, year=2022, month=2, amount="1500", today=TODAY
        )
    assert "超过项目总投资" in messages(e.value)


def test_it_refuses_reports_on_another_units_project(world):
    with pytest.raises(PermissionDenied):
        services.do_submit_monthly_report(
            world.scope("unit_a_town"), world.pa, year=2022, month=1, amount="1", today=TODAY
        )


def test_it_requires_a_reason_to_go_back_or_skip(world):
    s = world.scope("sup_a")
    with pytest.raises(ValidationError) as e:
        services.do_change_stage(s, world.pa, Stage.SIGNED, date=dt.date(2022, 3, 1))
    assert "回退必须填写原因" in messages(e.value)
    with pytest.raises(ValidationError) as e:
        services.do_change_stage(s, world.pa, Stage.EFFECTIVE, date=dt.date(2022, 3, 1))
    assert "跨阶段" in messages(e.value)
    world.pa.refresh_from_db()
    assert world.pa.stage == Stage.BUILDING
    change = services.do_change_stage(
        s, world.pa, Stage.SIGNED, date=dt.date(2022, 3, 1), reason="土地手续被撤回"
    )
    assert change.from_stage == Stage.BUILDING and change.reason == "土地手续被撤回"
    services.do_change_stage(s, world.pa, Stage.LANDED, date=dt.date(2022, 4, 1))
    world.pa.refresh_from_db()
    assert world.pa.stage == Stage.LANDED
    assert list(world.pa.stage_changes.values_list("to_stage", flat=True)) == [
        Stage.BUILDING,
        Stage.SIGNED,
        Stage.LANDED,
    ]


def test_it_rejects_stage_dates_out_of_order(world):
    s = world.scope("sup_a")
    with pytest.raises(ValidationError) as e:
        services.do_change_stage(s, world.pa, Stage.PRODUCING, date=dt.date(2021, 1, 1))
    assert "不能早于上一次阶段变更" in messages(e.value)
    with pytest.raises(ValidationError):
        services.do_change_stage(s, world.pa, Stage.PRODUCING, date=dt.date(2999, 1, 1))


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("total_investment", "-1", "不能为负数"),
        ("total_investment", "1e12", "超过1万亿元"),
        ("total_investment", "十亿", "必须是数字"),
        ("code", "SC-002", "已存在"),
        ("name", "  ", "请填写项目名称"),
        ("start_year", "1890", "不合理"),
    ],
)
def test_it_rejects_bad_project_fields(world, field, value, fragment):
    s = world.scope("sup_a")
    data = {
        "division": world.a_town,
        "code": "SC-900",
        "name": "新项目",
        "responsible_unit": world.unit_a,
        "total_investment": "100",
    }
    data[field] = value
    if field == "code":
        data["division"] = world.a_town
    with pytest.raises(ValidationError) as e:
        services.do_create_project(s, data)
    assert fragment in messages(e.value)
    assert not Project.objects.filter(code="SC-900").exists()


def test_it_rejects_a_unit_of_another_district(world):
    s = world.scope("admin")
    with pytest.raises(ValidationError) as e:
        services.do_create_project(
            s,
            {
                "division": world.a,
                "code": "X",
                "name": "X",
                "responsible_unit": world.unit_b,
                "total_investment": "1",
            },
        )
    assert "不属于山城区" in messages(e.value)


def test_it_rejects_a_division_outside_scope(world):
    with pytest.raises(ValidationError) as e:
        services.do_create_project(
            world.scope("sup_a"),
            {
                "division": world.b,
                "code": "X",
                "name": "X",
                "responsible_unit": world.unit_a,
                "total_investment": "1",
            },
        )
    assert "不在您的管辖范围" in messages(e.value)


def test_it_detects_a_concurrent_edit_and_shows_what_changed(world):
    first, second = world.scope("sup_a"), world.scope("admin")
    opened = world.pa.version
    services.do_update_project(first, world.pa, {"name": "新拓洋一期"}, expected_version=opened)
    with pytest.raises(ConflictError) as e:
        services.do_update_project(
            second, world.pa, {"total_investment": "1"}, expected_version=opened
        )
    assert "已被他人修改" in e.value.message
    assert {
        "field": "项目名称",
        "before": "新拓洋生物科技产业园",
        "after": "新拓洋一期",
    }.items() <= e.value.changes[0].items()
    world.pa.refresh_from_db()
    assert world.pa.total_investment == Decimal("300000") and world.pa.name == "新拓洋一期"


def test_it_audits_every_change_with_before_and_after(world):
    s = world.scope("sup_a")
    services.do_update_project(
        s, world.pa, {"location": "牟山园区"}, expected_version=world.pa.version
    )
    entry = AuditEntry.objects.filter(object_type="projects.project", action="update").latest("at")
    assert entry.changes["建设地点"] == ["", "牟山园区"]
    assert entry.source == "command" and entry.actor_name == "sup_a"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_it_lets_units_record_completion_but_not_move_dates(world):
    sup, unit = world.scope("sup_a"), world.scope("unit_a")
    m = services.do_add_milestone(
        sup, world.pa, {"name": "主体封顶", "planned_date": dt.date(2022, 6, 30)}
    )
    m = services.do_update_milestone(
        unit, m, {"actual_date": "2022-06-28", "evidence": "验收单"}, expected_version=1
    )
    assert m.actual_date == dt.date(2022, 6, 28)
    with pytest.raises(PermissionDenied):
        services.do_update_milestone(
            unit, m, {"planned_date": "2022-12-31"}, expected_version=m.version
        )
    with pytest.raises(ConflictError):
        services.do_update_milestone(sup, m, {"evidence": "x"}, expected_version=1)
    with pytest.raises(ValidationError):
        services.do_add_milestone(sup, world.pa, {"name": "x", "planned_date": "2022-02-30"})


def test_it_forbids_leaders_from_writing(world):
    with pytest.raises(PermissionDenied):
        services.do_update_project(
            world.scope("leader_a"), world.pa, {"name": "x"}, expected_version=1
        )
    with pytest.raises(PermissionDenied):
        services.do_change_stage(world.scope("leader_a"), world.pa, Stage.PRODUCING, date=TODAY)
