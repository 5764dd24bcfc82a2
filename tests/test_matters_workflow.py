"""The tracked-matter workflow on enterprise problems: happy path, every refusal, concurrency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.calendar import get_calendar
from taizhang.core.errors import ConflictError
from taizhang.core.models import AuditEntry
from taizhang.matters import services, steps, workflow
from taizhang.matters.models import Kind, Matter, MatterStep, Notification, Rating, Status
from taizhang.matters.timing import light_of
from tests.enterprise_fixtures import accept_and_assign, new_problem

DAY = dt.date(2022, 3, 1)


def msgs(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return " ".join(exc.messages)


def snapshot(m: Matter) -> tuple:
    m.refresh_from_db()
    return (
        m.status,
        m.version,
        m.deadline,
        m.rating,
        m.lead_unit_id,
        m.steps.count(),
        AuditEntry.objects.filter(root_type="matters.matter", root_id=str(m.pk)).count(),
    )


def test_it_runs_the_whole_workflow_with_a_second_round(eworld):
    ew, w = eworld, eworld.w
    m = new_problem(
        ew, "ent_a", w.enterprise_a, "融资授信未落实", raised_on=DAY, category=ew.complex
    )
    assert m.status == Status.SUBMITTED and m.source == "self" and m.kind == Kind.ENTERPRISE_PROBLEM
    sup, unit, ent = ew.scope("sup_a"), ew.scope("unit_a"), ew.scope("ent_a")
    m = services.do_accept(sup, m, expected_version=m.version, date=DAY).matter
    m = services.do_assign(
        sup, m, lead_unit=w.unit_a, co_units=[w.unit_a_town], expected_version=m.version, date=DAY
    ).matter
    # Complex category: 30 working days from the assignment date.
    assert m.deadline == get_calendar().add_workdays(DAY, 30).date
    assert m.leader == w.leader_a  # the enterprise's liaison leader answers for it
    assert set(m.co_units.all()) == {w.unit_a_town}
    m = services.do_progress(
        unit, m, note="已对接银行", expected_version=m.version, date=DAY
    ).matter
    m = services.do_finish(
        unit, m, note="银行已授信500万元", expected_version=m.version, date=dt.date(2022, 3, 10)
    ).matter
    assert m.status == Status.REPORTED and m.finished_on == dt.date(2022, 3, 10)
    m = services.do_rate(
        ent,
        m,
        rating=Rating.UNSATISFIED,
        comment="额度不够",
        expected_version=m.version,
        date=dt.date(2022, 3, 11),
    ).matter
    assert m.status == Status.RETURNED and m.round == 2 and m.finished_on is None
    assert m.deadline == get_calendar().add_workdays(dt.date(2022, 3, 11), 30).date
    step = m.steps.get(action="rate")
    assert step.deadline_after == m.deadline and step.rating == Rating.UNSATISFIED
    m = services.do_finish(
        unit, m, note="追加授信300万元", expected_version=m.version, date=dt.date(2022, 3, 20)
    ).matter
    m = services.do_rate(
        ent,
        m,
        rating=Rating.SATISFIED,
        comment="",
        expected_version=m.version,
        date=dt.date(2022, 3, 21),
    ).matter
    m = services.do_close(sup, m, expected_version=m.version, date=dt.date(2022, 3, 22)).matter
    assert m.status == Status.CLOSED and m.rating == Rating.SATISFIED
    actions = list(m.steps.values_list("action", flat=True))
    assert actions == [
        "submit",
        "accept",
        "assign",
        "progress",
        "report",
        "rate",
        "report",
        "rate",
        "close",
    ]
    # Every step stamps who and lands in the audit log under the problem.
    assert all(s.by_id for s in m.steps.all())
    entries = AuditEntry.objects.filter(root_type="matters.matter", root_id=str(m.pk))
    assert entries.count() == 9
    assert entries.filter(verb="销号", actor=w.users["sup_a"]).exists()
    # The unit heard about the assignment, the enterprise about the result.
    assert Notification.objects.filter(user=w.users["unit_a"], matter=m).exists()
    assert Notification.objects.filter(user=w.users["ent_a"], matter=m).exists()


def test_it_handles_an_extension_request(eworld):
    ew, m = eworld, eworld.problem_a
    before = m.deadline
    unit, sup = ew.scope("unit_a"), ew.scope("sup_a")
    with pytest.raises(ValidationError) as e:
        services.do_request_extension(
            unit, m, deadline=before + dt.timedelta(days=10), reason="", expected_version=m.version
        )
    assert "理由" in msgs(e.value)
    m = services.do_request_extension(
        unit,
        m,
        deadline=before + dt.timedelta(days=10),
        reason="需等待省厅批复",
        expected_version=m.version,
        date=DAY,
    ).matter
    assert m.pending_deadline == before + dt.timedelta(days=10)
    assert services.allowed_actions(sup, m) and "approve_extension" in services.allowed_actions(
        sup, m
    )
    with pytest.raises(PermissionDenied):
        services.do_approve_extension(unit, m, expected_version=m.version)
    m = services.do_approve_extension(sup, m, expected_version=m.version, date=DAY).matter
    assert m.deadline == before + dt.timedelta(days=10) and m.pending_deadline is None
    m = services.do_request_extension(
        unit,
        m,
        deadline=m.deadline + dt.timedelta(days=5),
        reason="再延",
        expected_version=m.version,
        date=DAY,
    ).matter
    m = services.do_refuse_extension(
        sup, m, note="不予延期", expected_version=m.version, date=DAY
    ).matter
    assert m.deadline == before + dt.timedelta(days=10) and m.pending_deadline is None


# Bad input: each refused with a Chinese message, nothing changed ----------------------


def _reported(ew):
    m = ew.problem_a
    return services.do_finish(
        ew.scope("unit_a"), m, note="已解决", expected_version=m.version, date=DAY
    ).matter


def test_it_refuses_a_rating_by_anyone_but_the_enterprise(eworld):
    m = _reported(eworld)
    before = snapshot(m)
    for who in ("sup_a", "admin", "unit_a", "ent_a2", "cadre_a", "leader_a"):
        with pytest.raises(PermissionDenied) as e:
            services.do_rate(
                eworld.scope(who), m, rating=Rating.SATISFIED, expected_version=m.version
            )
        assert "只有提出问题的企业本身可以评价" in str(e.value)
    assert snapshot(m) == before


def test_it_refuses_closing_out_an_unrated_problem(eworld):
    m = _reported(eworld)
    before = snapshot(m)
    with pytest.raises(ValidationError) as e:
        services.do_close(eworld.scope("sup_a"), m, expected_version=m.version)
    assert "企业尚未评价，不能销号" in msgs(e.value)
    assert snapshot(m) == before


def test_it_refuses_a_unit_outside_the_division(eworld):
    ew, w = eworld, eworld.w
    m = new_problem(ew, "ent_a", w.enterprise_a, "停电频繁", raised_on=DAY)
    m = services.do_accept(ew.scope("sup_a"), m, expected_version=m.version, date=DAY).matter
    before = snapshot(m)
    with pytest.raises(ValidationError) as e:
        services.do_assign(
            ew.scope("admin"), m, lead_unit=w.unit_b, expected_version=m.version, date=DAY
        )
    assert "主办单位「淇滨区发改委」不属于山城区" in msgs(e.value)
    with pytest.raises(ValidationError) as e:
        services.do_assign(
            ew.scope("admin"),
            m,
            lead_unit=w.unit_a,
            co_units=[w.unit_b],
            expected_version=m.version,
            date=DAY,
        )
    assert "协办单位「淇滨区发改委」不属于山城区" in msgs(e.value)
    assert snapshot(m) == before
    assert not m.co_units.exists()


def test_it_refuses_a_deadline_before_the_assignment_date(eworld):
    ew, w = eworld, eworld.w
    m = new_problem(ew, "ent_a", w.enterprise_a, "道路破损", raised_on=DAY)
    m = services.do_accept(ew.scope("sup_a"), m, expected_version=m.version, date=DAY).matter
    before = snapshot(m)
    with pytest.raises(ValidationError) as e:
        services.do_assign(
            ew.scope("sup_a"),
            m,
            lead_unit=w.unit_a,
            deadline=DAY - dt.timedelta(days=1),
            expected_version=m.version,
            date=DAY,
        )
    assert "办理时限（2022-02-28）不能早于交办日期（2022-03-01）" in msgs(e.value)
    assert snapshot(m) == before


@pytest.mark.parametrize(
    ("who", "action", "fragment"),
    [
        ("sup_a", "report", "当前状态为「待受理」，不能执行「办结」。请先由督查室受理"),
        ("sup_a", "close", "当前状态为「待受理」，不能执行「销号」"),
        ("sup_a", "assign", "当前状态为「待受理」，不能执行「交办」。请先由督查室受理"),
        ("ent_a", "rate", "当前状态为「待受理」，不能执行「企业评价」"),
    ],
)
def test_it_refuses_steps_out_of_order(eworld, who, action, fragment):
    ew, w = eworld, eworld.w
    m = new_problem(ew, "ent_a", w.enterprise_a, "证照办理", raised_on=DAY)
    before = snapshot(m)
    fn = {
        "report": lambda s: services.do_finish(s, m, note="x", expected_version=m.version),
        "close": lambda s: services.do_close(s, m, expected_version=m.version),
        "assign": lambda s: services.do_assign(
            s, m, lead_unit=w.unit_a, expected_version=m.version
        ),
        "rate": lambda s: services.do_rate(s, m, rating="satisfied", expected_version=m.version),
    }[action]
    with pytest.raises(ValidationError) as e:
        fn(ew.scope(who))
    assert fragment in msgs(e.value)
    assert snapshot(m) == before


def test_it_refuses_accepting_twice_and_reporting_by_another_unit(eworld):
    ew = eworld
    m = ew.problem_a
    with pytest.raises(ValidationError) as e:
        services.do_accept(ew.scope("sup_a"), m, expected_version=m.version)
    assert "当前状态为「已交办」，不能执行「受理」" in msgs(e.value)
    with pytest.raises(PermissionDenied):
        services.do_finish(ew.scope("unit_a2"), m, note="x", expected_version=m.version)
    # A co-unit may record progress but not report the result.
    m2 = ew.problem_a2
    m2 = services.do_progress(
        ew.scope("unit_a_town"), m2, note="协办意见已反馈", expected_version=m2.version, date=DAY
    ).matter
    with pytest.raises(PermissionDenied) as e:
        services.do_finish(ew.scope("unit_a_town"), m2, note="x", expected_version=m2.version)
    assert "只有主办单位" in str(e.value)


def test_it_refuses_an_unsatisfied_rating_without_a_reason(eworld):
    m = _reported(eworld)
    with pytest.raises(ValidationError) as e:
        services.do_rate(
            eworld.scope("ent_a"),
            m,
            rating=Rating.UNSATISFIED,
            comment=" ",
            expected_version=m.version,
        )
    assert "请说明原因" in msgs(e.value)


def test_it_refuses_problems_for_another_enterprise(eworld):
    ew, w = eworld, eworld.w
    with pytest.raises(PermissionDenied):
        new_problem(ew, "ent_a", ew.enterprise_a2, "冒名提交", raised_on=DAY)
    with pytest.raises(PermissionDenied):
        new_problem(ew, "unit_a", w.enterprise_a, "单位代报", raised_on=DAY)
    with pytest.raises(ValidationError) as e:
        new_problem(ew, "sup_a", ew.enterprise_b, "跨区登记", raised_on=DAY)
    assert "企业不存在或不在您的范围内" in msgs(e.value)
    with pytest.raises(ValidationError) as e:
        services.do_create_problem(ew.scope("ent_a"), {"title": "", "category": None})
    assert "请填写问题标题" in msgs(e.value) and "请选择问题类别" in msgs(e.value)


# Concurrency ---------------------------------------------------------------


def test_it_lets_exactly_one_of_two_concurrent_steps_win(eworld):
    ew, w = eworld, eworld.w
    m = new_problem(ew, "ent_a", w.enterprise_a, "并发测试", raised_on=DAY)
    stale = m.version
    # Two users of the office opened the same page (same version) and both press 受理.
    one, two = ew.scope("sup_a"), ew.scope("admin")
    first_copy = Matter.objects.get(pk=m.pk)
    second_copy = Matter.objects.get(pk=m.pk)
    services.do_accept(one, first_copy, expected_version=stale, date=DAY)
    with pytest.raises(ConflictError) as e:
        services.do_assign(two, second_copy, lead_unit=w.unit_a, expected_version=stale, date=DAY)
    assert "已被他人处理" in e.value.message
    m.refresh_from_db()
    assert m.status == Status.ACCEPTED and m.version == stale + 1
    assert MatterStep.objects.filter(matter=m, action="accept").count() == 1
    assert not MatterStep.objects.filter(matter=m, action="assign").exists()


def test_it_lets_exactly_one_of_two_concurrent_ratings_win(eworld):
    ew = eworld
    m = _reported(ew)
    from taizhang.core.models import Role
    from tests.conftest import make_user

    ew.w.users["ent_a_2nd"] = make_user("ent_a_2nd", Role.ENTERPRISE, enterprise=ew.w.enterprise_a)
    v = m.version
    services.do_rate(
        ew.scope("ent_a"), Matter.objects.get(pk=m.pk), rating=Rating.SATISFIED, expected_version=v
    )
    with pytest.raises(ConflictError):
        services.do_rate(
            ew.scope("ent_a_2nd"),
            Matter.objects.get(pk=m.pk),
            rating=Rating.UNSATISFIED,
            comment="不行",
            expected_version=v,
        )
    m.refresh_from_db()
    assert m.status == Status.RATED and m.steps.filter(action="rate").count() == 1


# The transition table is data other kinds extend --------------------------------


def test_it_lets_other_kinds_reuse_the_table_without_rating():
    t = steps.transitions(Kind.SUPERVISION_TASK)
    assert "rate" not in t and Status.REPORTED in t["close"].sources
    problems = steps.transitions(Kind.ENTERPRISE_PROBLEM)
    assert problems["close"].sources == {Status.RATED}
    with pytest.raises(workflow.StepRefused) as e:
        workflow.check(problems, Status.REPORTED, "close")
    assert "企业尚未评价" in str(e.value)


def test_it_accepts_bulk_assignment_and_reports_failures(eworld):
    ew, w = eworld, eworld.w
    sup = ew.scope("sup_a")
    ms = [new_problem(ew, "ent_a", w.enterprise_a, f"批量{i}", raised_on=DAY) for i in range(3)]
    for i in (0, 1):
        ms[i] = services.do_accept(sup, ms[i], expected_version=ms[i].version, date=DAY).matter
    done, errors = services.do_bulk_assign(
        sup, [(m, m.version) for m in ms], lead_unit=w.unit_a, date=DAY
    )
    assert done == 2 and len(errors) == 1 and "请先由督查室受理" in errors[0]
    assert Matter.objects.filter(pk__in=[m.pk for m in ms], status=Status.ASSIGNED).count() == 2


def test_it_lights_problems_by_working_days(eworld):
    m = eworld.problem_a  # assigned 2022-03-01, ordinary: 7 working days
    assert m.deadline == dt.date(2022, 3, 10)
    assert light_of(m, dt.date(2022, 3, 1)).light == "green"
    assert light_of(m, dt.date(2022, 3, 4)).light == "yellow"
    assert light_of(m, dt.date(2022, 3, 11)).light == "red"
    accept_and_assign  # noqa: B018  (fixture helper re-exported for other tests)
