"""Supervision tasks on the one workflow: publishing, progress reports, lights, 督办单, close-out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from taizhang.core.models import AuditEntry
from taizhang.matters import services as ms
from taizhang.matters.models import Kind, Matter, Notification, Reminder, Status
from taizhang.matters.timing import timing_of
from taizhang.tasks import services
from taizhang.tasks.models import TaskReport
from taizhang.tasks.status import task_status
from tests import task_fixtures
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below

D = dt.date


def report(tw, period, value, day, who="unit_rs", text="按计划推进"):
    with frozen(day):
        m = Matter.objects.get(pk=tw.task.pk)
        return services.do_submit_progress(
            tw.scope(who),
            m,
            period=period,
            actual_value=value,
            text=text,
            expected_version=m.version,
        ).created


def test_it_publishes_a_task_assigned_to_its_lead_unit(tworld):
    m = Matter.objects.get(pk=tworld.task.pk)
    assert m.kind == Kind.SUPERVISION_TASK and m.status == Status.ASSIGNED
    assert m.lead_unit == tworld.unit_rs and m.deadline == D(2024, 12, 31)
    assert list(m.co_units.all()) == [tworld.w.unit_a_town]
    assert m.task.target_value == Decimal(3760) and m.task.comparator == ">="
    assert m.task.cycle == "monthly" and m.task.due_day == 25
    assert [s.action for s in m.steps.all()] == ["submit", "accept", "assign"]
    assert m.number.startswith("DB2024-")


def test_it_validates_a_new_task_with_every_error_at_once(tworld):
    with frozen(D(2024, 1, 10)), pytest.raises(ValidationError) as e:
        services.do_create_task(
            tworld.scope("sup_a"),
            {"title": "", "cycle": "weekly", "target_value": "abc", "due_day": 40},
        )
    errs = e.value.message_dict
    assert set(errs) >= {"title", "cycle", "target_value", "due_day", "lead_unit"}
    with frozen(D(2024, 1, 10)), pytest.raises(PermissionDenied):
        services.do_create_task(tworld.scope("unit_rs"), {"title": "x"})


def test_it_records_monthly_reports_progress_and_lights_with_a_frozen_today(tworld):
    tw = tworld
    m = Matter.objects.get(pk=tw.task.pk)
    assert task_status(m, D(2024, 1, 15)).light.light.value == "green"
    st = task_status(m, D(2024, 1, 22))  # January's report due on the 25th: 3 working days
    assert st.light.light.value == "yellow" and "2024-01进度应于" in st.light.reason
    st = task_status(m, D(2024, 1, 26))
    assert st.light.light.value == "red" and "2024-01进度未报送" in st.light.reason
    assert [p.label for p in st.missed] == ["2024-01"]

    report(tw, "2024-01", 300, D(2024, 1, 26))  # late, but reported
    m = Matter.objects.get(pk=tw.task.pk)
    assert m.status == Status.IN_PROGRESS
    st = task_status(m, D(2024, 2, 1))
    # 300 of 3760 = 8.0% vs 8.5% of the year by 31 January: slightly behind.
    assert st.progress.pct == Decimal("8.0") and st.progress.pace == Decimal("8.5")
    assert st.light.light.value == "yellow" and "落后时序进度0.5个百分点" in st.light.reason
    assert timing_of(m, D(2024, 2, 1)).light == "yellow"  # the one as-of rule agrees

    report(tw, "2024-02", 3604 * 3760 // 3400, D(2024, 2, 20))
    m = Matter.objects.get(pk=tw.task.pk)
    st = task_status(m, D(2024, 2, 21))
    assert st.progress.pct >= Decimal("100") and st.light.light.value == "green"
    assert m.task.actual_value == Decimal(3604 * 3760 // 3400)
    assert m.task.actual_period == "2024-02"


def test_it_shows_3604_of_3400_as_106_percent(tworld):
    tw = tworld
    with frozen(D(2024, 1, 10)):
        m = services.do_create_task(
            tw.scope("sup_a"),
            {
                "title": "城镇新增就业3400人",
                "lead_unit": tw.unit_rs,
                "target_value": "3400",
                "target_unit": "人",
                "comparator": "不低于",
                "year": 2024,
            },
        )
    with frozen(D(2024, 12, 20)):
        services.do_submit_progress(
            tw.scope("unit_rs"),
            m,
            period="2024-01",
            actual_value="3604",
            text="全年完成",
            expected_version=m.version,
        )
    # As of the day after the report (a status as of an earlier day cannot know it).
    st = task_status(Matter.objects.get(pk=m.pk), D(2024, 12, 21))
    assert st.progress.pct == Decimal("106.0") and st.progress.light.value == "green"


def test_it_submits_a_period_once_and_audits_a_correction(tworld):
    tw = tworld
    report(tw, "2024-01", 300, D(2024, 1, 20))
    report(tw, "2024-01", 320, D(2024, 1, 21), text="更正：补录两家企业")
    r = TaskReport.objects.get(matter=tw.task, period="2024-01")
    assert r.actual_value == Decimal(320) and r.corrections == 1
    assert r.submitted_on == D(2024, 1, 20)  # the first submission's date stands
    entry = AuditEntry.objects.get(verb="更正2024-01进度报送", object_type="tasks.taskreport")
    assert entry.changes["实际值（累计）"] == ["300", "320"]
    assert TaskReport.objects.count() == 1
    with pytest.raises(ValidationError, match="报送期「2024-05」无效"):
        report(tw, "2024-05", 1, D(2024, 1, 21))  # a future period
    with pytest.raises(ValidationError, match="实际值"):
        report(tw, "2024-01", None, D(2024, 1, 21))


def test_it_lets_only_the_lead_unit_report(tworld):
    for who in ("unit_a_town", "sup_a", "unit_a", "unit_b", "leader_a"):
        with pytest.raises(PermissionDenied, match="只有牵头单位"):
            report(tworld, "2024-01", 1, D(2024, 1, 20), who=who)


def test_it_answers_which_reports_were_due_by_a_date(tworld):
    tw = tworld
    report(tw, "2024-01", 300, D(2024, 1, 26))
    facts = services.report_facts(tw.scope("sup_a"), tw.w.a, D(2024, 3, 31))
    assert [(f["period"], f["due"], f["submitted_on"]) for f in facts] == [
        ("2024-01", D(2024, 1, 25), D(2024, 1, 26)),
        ("2024-02", D(2024, 2, 25), None),
        ("2024-03", D(2024, 3, 25), None),
    ]
    assert facts[0]["unit_id"] == tw.unit_rs.pk
    assert services.report_facts(tw.scope("sup_b"), tw.w.a, D(2024, 3, 31)) == []


def test_it_extends_finishes_with_evidence_and_closes_out(tworld):
    tw = tworld
    m = Matter.objects.get(pk=tw.task.pk)
    with frozen(D(2024, 11, 1)):
        m = ms.do_request_extension(
            tw.scope("unit_rs"),
            m,
            deadline=D(2025, 1, 31),
            reason="年底集中招聘",
            expected_version=m.version,
        ).matter
        with pytest.raises(PermissionDenied):
            ms.do_approve_extension(tw.scope("unit_rs"), m, expected_version=m.version)
        m = ms.do_approve_extension(tw.scope("sup_a"), m, expected_version=m.version).matter
        assert m.deadline == D(2025, 1, 31)
        with pytest.raises(ValidationError, match="佐证材料"):
            services.do_finish_task(
                tw.scope("unit_rs"), m, note="完成", evidence="", expected_version=m.version
            )
        m = services.do_finish_task(
            tw.scope("unit_rs"),
            m,
            note="全年新增就业3800人",
            evidence="人社局统计月报（2024年10月）",
            expected_version=m.version,
        ).matter
        assert m.status == Status.REPORTED and m.task.evidence.startswith("人社局")
        with pytest.raises(PermissionDenied):
            ms.do_close(tw.scope("unit_rs"), m, expected_version=m.version)
        ms.do_close(tw.scope("sup_a"), m, expected_version=m.version, note="销号")
    m = Matter.objects.get(pk=m.pk)
    assert m.status == Status.CLOSED
    assert task_status(m, D(2025, 3, 1)).light.reason == "按期办结"


def test_it_issues_a_notice_by_hand_once_a_day(tworld):
    tw = tworld
    m = Matter.objects.get(pk=tw.task.pk)
    with frozen(D(2024, 2, 1)):
        with pytest.raises(PermissionDenied):
            services.do_issue_notice(
                tw.scope("unit_rs"), m, level="blue", note="请报送", expected_version=m.version
            )
        done = services.do_issue_notice(
            tw.scope("sup_a"),
            m,
            level="yellow",
            note="请立即报送1月进度",
            expected_version=m.version,
        )
        r, m = done.created, done.matter
        assert r.level == "yellow" and r.by == tw.users["sup_a"] and r.recipients == 3
        with pytest.raises(ValidationError, match="今天已"):
            services.do_issue_notice(
                tw.scope("sup_a"), m, level="red", note="再催", expected_version=m.version
            )
    got = Notification.objects.filter(kind="db_yellow").values_list("user__username", flat=True)
    assert sorted(got) == ["sup_a", "unit_a_town", "unit_rs"]
    assert m.steps.filter(action="urge", label="黄色督办单").exists()


def remind(day: str) -> str:
    out = StringIO()
    call_command("remind", f"--today={day}", stdout=out)
    return out.getvalue()


def test_it_escalates_notices_blue_yellow_red_once_each(tworld):
    tw = tworld
    assert "蓝色0份" in remind("2024-01-25")
    assert "蓝色1份" in remind("2024-01-26")  # January's report missed
    assert "蓝色0份" in remind("2024-01-26")  # idempotent
    assert "黄色1份，红色0份" in remind("2024-02-05")  # 6 working days late (> 5)
    assert "黄色0份，红色1份" in remind("2024-02-20")  # > 10 working days late
    assert "红色0份" in remind("2024-02-21")
    levels = list(
        Reminder.objects.filter(matter=tw.task).order_by("pk").values_list("level", flat=True)
    )
    assert levels == ["blue", "yellow", "red"]
    red_to = Notification.objects.filter(kind="db_red").values_list("user__username", flat=True)
    assert "leader_a" in red_to and "unit_rs" in red_to and "sup_a" in red_to
    # Reporting ends the cycle; the next missed report starts a new one.
    report(tw, "2024-01", 300, D(2024, 2, 21))
    report(tw, "2024-02", 600, D(2024, 2, 21))
    assert "蓝色0份，黄色0份，红色0份" in remind("2024-02-22")
    assert "蓝色1份" in remind("2024-03-26")


def test_it_jumps_straight_to_the_reached_level_without_resending_lower_ones(tworld):
    assert "蓝色0份，黄色0份，红色1份" in remind("2024-03-01")
    assert Notification.objects.filter(kind="db_blue").count() == 0
    assert Reminder.objects.filter(matter=tworld.task).count() == 3
