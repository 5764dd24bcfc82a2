"""Enterprises, liaison and visits: validation, search, coverage, and the figure formulas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.models import AuditEntry
from taizhang.enterprises import services
from taizhang.enterprises.models import Enterprise, Visit
from taizhang.enterprises.queries import EnterpriseFilter, filter_enterprises
from taizhang.matters.figures import compute, problem_figures
from taizhang.matters.models import Status
from tests.enterprise_fixtures import code


def msgs(exc: ValidationError) -> str:
    return " ".join(m for ms in exc.message_dict.values() for m in ms)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "请填写统一社会信用代码"),
        ("91410603MA0000001", "长度应为18位（实际17位）"),
        ("91410603MA000000IX", "含非法字符「I」"),
        ("91410603MA0000007X", "校验位错误，应为「M」"),
    ],
)
def test_it_refuses_invalid_credit_codes(world, raw, fragment):
    before = Enterprise.objects.count()
    with pytest.raises(ValidationError) as e:
        services.do_create_enterprise(
            world.scope("sup_a"), {"name": "某企业", "credit_code": raw, "division": world.a}
        )
    assert fragment in msgs(e.value) and "统一社会信用代码" in msgs(e.value)
    assert Enterprise.objects.count() == before


def test_it_refuses_a_duplicate_credit_code_even_in_another_spelling(world):
    s = world.scope("sup_a")
    c = code(42)
    services.do_create_enterprise(s, {"name": "三贤电子", "credit_code": c, "division": world.a})
    spaced = " ".join([c[:6], c[6:12], c[12:]]).lower()  # same code, other spelling
    with pytest.raises(ValidationError) as e:
        services.do_create_enterprise(
            s, {"name": "另一家", "credit_code": spaced, "division": world.a}
        )
    assert f"统一社会信用代码「{c}」已被企业「三贤电子」使用" in msgs(e.value)
    assert Enterprise.objects.filter(credit_code=c).count() == 1


def test_it_searches_by_name_pinyin_initials_and_credit_code(world):
    s = world.scope("sup_a")
    c = code(7)
    e = services.do_create_enterprise(
        s, {"name": "纳新稀有气体", "credit_code": c, "division": world.a, "category": "industry"}
    )
    assert AuditEntry.objects.filter(
        object_type="enterprises.enterprise", object_id=str(e.pk)
    ).exists()
    today = dt.date(2022, 6, 1)
    for term in ("稀有气体", "nxxyqt", "NXXY", "naxin", c[:17].lower(), c):
        names = [x.name for x in filter_enterprises(s, EnterpriseFilter(q=term), today)]
        assert names == ["纳新稀有气体"], term


def test_it_refuses_enterprise_changes_by_non_managers_and_other_districts(world):
    with pytest.raises(PermissionDenied):
        services.do_create_enterprise(
            world.scope("unit_a"), {"name": "x", "credit_code": code(8), "division": world.a}
        )
    with pytest.raises(ValidationError) as e:
        services.do_create_enterprise(
            world.scope("sup_b"), {"name": "x", "credit_code": code(8), "division": world.a}
        )
    assert "不在您的管辖范围内" in msgs(e.value)


def test_it_counts_coverage_officers_and_unvisited(eworld):
    ew, w = eworld, eworld.w
    admin = ew.scope("admin")
    sup = ew.scope("sup_a")
    c = services.do_create_enterprise(
        admin,
        {
            "name": "德瑞电子化学品",
            "credit_code": code(9),
            "division": w.a_town,
            "category": "industry",
        },
    )
    services.do_add_liaison(
        admin, person=w.cadre_a, role="chief", start="2022-01-01", enterprise=ew.enterprise_a2
    )
    services.do_add_liaison(
        admin, person=w.leader_a, role="officer", start="2022-01-01", end="2022-02-01", enterprise=c
    )
    with pytest.raises(ValidationError) as e:
        services.do_add_liaison(
            admin, person=ew.cadre_b, role="cadre", start="2022-01-01", enterprise=c
        )
    assert "不属于山城区" in msgs(e.value)
    services.do_record_visit(
        ew.scope("cadre_a"),
        {
            "date": "2022-05-18",
            "enterprises": [w.enterprise_a],
            "kind": "visit",
            "notes": "企业服务日走访",
        },
    )
    with pytest.raises(ValidationError):
        services.do_record_visit(
            ew.scope("cadre_a"), {"date": "2022-05-18", "enterprises": [c]}
        )  # not his enterprise
    services.do_record_visit(
        sup,
        {"date": "2022-05-20", "kind": "forum", "enterprises": [w.enterprise_a, ew.enterprise_a2]},
    )
    fig = problem_figures(sup, w.a, 2022, 6, today=dt.date(2022, 7, 1))
    # A, A2 and C are 四上 except A (no category); C's officer liaison ended in February.
    assert fig.enterprises == 3 and fig.sishang == 2
    assert fig.enterprises_under_liaison == 2 and fig.sishang_under_liaison == 1
    assert fig.coverage_pct == Decimal("50.0")
    assert fig.service_officers == 1  # cadre_a as 首席服务官; the ended officer does not count
    assert fig.visits == 1 and fig.forums == 1
    unvisited = filter_enterprises(sup, EnterpriseFilter(unvisited_days=30), dt.date(2022, 6, 10))
    assert [e.name for e in unvisited] == ["德瑞电子化学品"]
    assert Visit.objects.get(kind="visit").persons.get() == w.cadre_a


def row(status, deadline=None, finished=None, assigned=None, rating=""):
    return {
        "status": status,
        "deadline": deadline,
        "finished_on": finished,
        "assigned_on": assigned,
        "rating": rating,
    }


@pytest.mark.django_db  # the working-day calendar reads its overrides from the database
def test_it_computes_the_rates_on_hand_made_rows():
    d = dt.date
    rows = [
        # finished on time (Mon 3-7 → Wed 3-9: 2 working days), closed, satisfied
        row(Status.CLOSED, d(2022, 3, 10), d(2022, 3, 9), d(2022, 3, 7), "satisfied"),
        # finished late (3-7 → 3-14: 5 working days), rated basic
        row(Status.RATED, d(2022, 3, 10), d(2022, 3, 14), d(2022, 3, 7), "basic"),
        # finished on time, waiting for rating (3-7 → 3-8: 1)
        row(Status.REPORTED, d(2022, 3, 10), d(2022, 3, 8), d(2022, 3, 7)),
        # open and overdue, previously unsatisfied
        row(Status.RETURNED, d(2022, 3, 15), None, d(2022, 3, 7), "unsatisfied"),
        # open, not yet due
        row(Status.IN_PROGRESS, d(2022, 3, 30), None, d(2022, 3, 7)),
        # not yet assigned
        row(Status.SUBMITTED),
    ]
    c = compute(rows, d(2022, 3, 20))
    assert c["raised"] == 6 and c["resolved"] == 1
    assert c["resolution_pct"] == Decimal("16.7")  # 1 ÷ 6
    assert c["finished"] == 3 and c["finished_on_time"] == 2 and c["overdue_open"] == 1
    assert c["on_time_pct"] == Decimal("50.0")  # 2 ÷ (3 + 1)
    assert c["rated"] == 3 and c["satisfied"] == 2
    assert c["satisfaction_pct"] == Decimal("66.7")  # 2 ÷ 3
    assert c["avg_workdays"] == Decimal("2.7")  # (2 + 5 + 1) ÷ 3
    assert compute([], d(2022, 3, 20))["resolution_pct"] is None


def test_it_lists_in_my_work_only_what_the_person_can_do_and_names_the_steps(eworld):
    from django.test import Client

    w = eworld.w
    c = Client()
    c.force_login(w.users["unit_a"])
    body = c.get("/my/").content.decode()
    assert eworld.problem_a.title in body and "办结" in body and "项可办理" not in body
    # A leader with nothing to do on a matter does not see it listed as work.
    leader = Client()
    leader.force_login(w.users["leader_a"])
    rows = leader.get("/my/").content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert "0 项" not in rows and eworld.problem_a.title not in rows
