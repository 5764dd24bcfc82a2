"""The problem rollup equals the raw counts: after random changes made through the services
(create, import, accept, assign, progress, finish, rate, close, return, merge), the dashboard's
figures summed from ``ProblemRollup`` are those counted from the problems, for a district and
the divisions above it; ``taizhang rollup --rebuild`` gives the rows the services kept."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from taizhang.core.errors import ConflictError
from taizhang.core.models import Role, Unit
from taizhang.core.scope import Scope
from taizhang.matters import rollup, services
from taizhang.matters.figures import problem_figures, uses_rollup
from taizhang.matters.merge import do_merge_problems
from taizhang.matters.models import Kind, Matter, ProblemCategory, ProblemRollup, Rating, Status
from taizhang.matters.problems import clean_problem, insert_problems
from tests.conftest import make_user

REFUSED = (ValidationError, PermissionDenied, ConflictError)


def figures(scope: Scope, division, year: int, month: int | None, rolled: bool) -> dict:
    fig = problem_figures(scope, division, year, month, rolled=rolled)
    return {**fig.as_contract(), "by_month": fig.by_month}


def assert_same(eworld, year: int) -> None:
    w = eworld.w
    admin = w.scope("admin")
    today = timezone.localdate()
    for division in (w.a, w.city, w.province, w.b):
        # The rollup answers from today on: the year, and the month that runs.
        for month in (None, today.month):
            raw = figures(admin, division, year, month, rolled=False)
            assert figures(admin, division, year, month, rolled=True) == raw, (division, month)


def rows() -> set[tuple]:
    return set(
        ProblemRollup.objects.values_list(
            "division_id",
            "year",
            "month",
            "dim",
            "key",
            "raised",
            "resolved",
            "finished",
            "finished_on_time",
            "rated",
            "satisfied",
            "span_sum",
            "spans",
        )
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_equals_the_raw_counts_after_random_changes(eworld, seed):
    w = eworld.w
    rnd = random.Random(seed)
    today = timezone.localdate()
    year = today.year
    start = dt.date(year, 1, 1)
    admin = w.scope("admin")
    town_ent = services.ent_services.do_create_enterprise(
        admin,
        {"name": "红旗商贸", "credit_code": "91410603MA00000T1X", "division": w.a_town},
    )
    w.users["ent_town"] = make_user("ent_town", Role.ENTERPRISE, enterprise=town_ent)
    enterprises = [w.enterprise_a, eworld.enterprise_a2, eworld.enterprise_b, town_ent]
    ents = {
        w.enterprise_a.pk: "ent_a",
        eworld.enterprise_a2.pk: "ent_a2",
        eworld.enterprise_b.pk: "ent_b",
        town_ent.pk: "ent_town",
    }
    units = {
        w.unit_a.pk: "unit_a",
        eworld.unit_a2.pk: "unit_a2",
        w.unit_a_town.pk: "unit_a_town",
        w.unit_b.pk: "unit_b",
    }
    categories = list(ProblemCategory.objects.all())

    def day_after(d: dt.date) -> dt.date:
        return d + dt.timedelta(days=rnd.randint(0, max(0, (today - d).days)))

    def create() -> None:
        ent = rnd.choice(enterprises)
        services.do_create_problem(
            admin,
            {
                "enterprise": ent,
                "category": rnd.choice(categories),
                "title": f"问题{rnd.randint(1, 10**6)}",
                "description": "随机",
                "raised_on": day_after(start),
            },
        )

    def imported() -> None:
        ent = rnd.choice([w.enterprise_a, town_ent, eworld.enterprise_b])
        ps = [
            clean_problem(
                admin,
                {
                    "enterprise": ent,
                    "category": rnd.choice(categories),
                    "title": f"导入问题{rnd.randint(1, 10**6)}",
                    "description": "导入",
                    "raised_on": day_after(start),
                },
            )
            for _ in range(rnd.randint(1, 3))
        ]
        for _ in insert_problems(admin, ps):
            pass

    def step(m: Matter) -> None:
        action = rnd.choice(
            ["accept", "assign", "progress", "finish", "rate", "close", "return", "merge"]
        )
        day = day_after(max(m.raised_on, m.updated_at.date().replace(year=year)))
        day = min(day, today)
        lead = units.get(m.lead_unit_id)
        ent = ents.get(m.enterprise_id)
        unit_pool = [u for u in (w.unit_a, eworld.unit_a2, w.unit_a_town, w.unit_b)]
        calls = {
            "accept": [lambda s: services.do_accept(s, m, expected_version=m.version, date=day)],
            "assign": [
                lambda s: services.do_assign(
                    s,
                    m,
                    lead_unit=rnd.choice(unit_pool),
                    deadline=day + dt.timedelta(days=rnd.randint(-20, 30)),
                    expected_version=m.version,
                    date=day,
                )
            ],
            "progress": [
                lambda s: services.do_progress(
                    s, m, note="进展", expected_version=m.version, date=day
                )
            ],
            "finish": [
                lambda s: services.do_finish(
                    s, m, note="办结", expected_version=m.version, date=day
                )
            ],
            "rate": [
                lambda s: services.do_rate(
                    s,
                    m,
                    rating=rnd.choice(list(Rating.values)),
                    comment="评价",
                    new_deadline=day + dt.timedelta(days=10),
                    allow_earlier=True,
                    expected_version=m.version,
                    date=day,
                )
            ],
            "close": [lambda s: services.do_close(s, m, expected_version=m.version, date=day)],
            "return": [
                lambda s: services.do_send_back(
                    s,
                    m,
                    note="退回",
                    deadline=day + dt.timedelta(days=10),
                    allow_earlier=True,
                    expected_version=m.version,
                    date=day,
                )
            ],
            "merge": [
                lambda s: do_merge_problems(
                    s,
                    rnd.choice(
                        list(
                            Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM)
                            .exclude(pk=m.pk)
                            .exclude(status=Status.CLOSED)
                        )
                        or [m]
                    ),
                    m,
                    "重复",
                    expected_version=m.version,
                    date=day,
                )
            ],
        }[action]
        who = ["admin", "sup_a", "sup_b", *([lead] if lead else []), *([ent] if ent else [])]
        for call in calls:
            for name in who:
                try:
                    call(w.scope(name))
                    return
                except REFUSED:
                    continue

    for _ in range(4):
        create()
    for i in range(36):
        r = rnd.random()
        if r < 0.15:
            create()
        elif r < 0.2:
            imported()
        else:
            problems = list(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM))
            step(rnd.choice(problems))
        if i % 12 == 11:
            assert_same(eworld, year)
    assert_same(eworld, year)
    kept = rows()
    assert kept
    call_command("rollup", "--rebuild", stdout=StringIO())
    assert rows() == kept


def test_only_readers_of_the_whole_subtree_of_a_district_or_above_read_the_rollup(eworld):
    w = eworld.w
    assert w.scope("admin").sees_whole(w.province)
    assert w.scope("sup_a").sees_whole(w.a) and w.scope("leader_a").sees_whole(w.a_town)
    assert not w.scope("sup_a").sees_whole(w.city)
    assert not any(w.scope(u).sees_whole(w.a) for u in ("unit_a", "cadre_a", "ent_a"))
    assert uses_rollup(w.a) and uses_rollup(w.province)
    assert not uses_rollup(w.a_town)
    assert rollup.rollup_ids([w.a_town.pk, w.a.pk, w.city.pk]) == {
        w.a_town.pk: w.a.pk,
        w.a.pk: w.a.pk,
        w.city.pk: w.city.pk,
    }


def test_a_calendar_change_refreshes_the_spans(eworld):
    """A holiday added inside a problem's 交办→办结 span shortens it; the rollup follows."""
    from taizhang.core.models import CalendarOverride

    w = eworld.w
    admin = w.scope("admin")
    year = timezone.localdate().year
    m = services.do_create_problem(
        admin,
        {
            "enterprise": w.enterprise_a,
            "category": eworld.ordinary,
            "title": "跨节假日的问题",
            "description": "x",
            "raised_on": dt.date(year, 1, 5),
        },
    )
    m = services.do_accept(admin, m, expected_version=m.version, date=dt.date(year, 1, 5)).matter
    m = services.do_assign(
        admin,
        m,
        lead_unit=Unit.objects.get(pk=w.unit_a.pk),
        expected_version=m.version,
        date=dt.date(year, 1, 5),
    ).matter
    services.do_finish(admin, m, note="办结", expected_version=m.version, date=dt.date(year, 1, 30))
    before = problem_figures(admin, w.a, year, rolled=True).avg_workdays
    # A Wednesday made a day off.
    day = dt.date(year, 1, 14)
    day += dt.timedelta(days=(2 - day.weekday()) % 7)
    CalendarOverride.objects.create(date=day, is_workday=False, note="测试")
    assert (
        problem_figures(admin, w.a, year, rolled=True).avg_workdays
        == problem_figures(admin, w.a, year, rolled=False).avg_workdays
    )
    assert problem_figures(admin, w.a, year, rolled=True).avg_workdays != before


def test_a_rollup_out_of_step_is_recomputed_and_an_empty_one_is_built_after_migrate(eworld):
    w = eworld.w
    year = timezone.localdate().year
    m = eworld.problem_a
    Matter.objects.filter(pk=m.pk).update(raised_on=dt.date(year, 1, 10))
    rollup.rebuild()
    kept = rows()
    # Rows lost (a restore of an older copy, say): the next write cannot subtract from
    # them, so its months are recomputed from the problems instead.
    ProblemRollup.objects.all().delete()
    m.refresh_from_db()
    m.lead_unit = w.unit_b
    m.save()
    moved = {r for r in rows() if (r[1], r[2]) == (year, 1)}
    assert moved
    rollup.rebuild()
    kept = rows()
    assert {r for r in kept if (r[1], r[2]) == (year, 1)} == moved
    # An upgraded database (problems, no rollup rows) is built by post_migrate.
    ProblemRollup.objects.all().delete()
    rollup.fill_after_migrate(using="default")
    assert rows() == kept
    assert_same(eworld, year)
