"""A past period's dashboard shows what was late then, not what is late now."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from taizhang.core.models import Role, Unit
from taizhang.lib.lights import Light
from taizhang.matters import services as ms
from taizhang.matters.figures import compute, problem_figures, problem_rows, problems_in
from taizhang.matters.models import Matter, Status
from taizhang.matters.timing import timing_of
from taizhang.tasks import services as ts
from taizhang.tasks.queries import dashboard_figures
from taizhang.tasks.status import task_status
from tests import task_fixtures
from tests.enterprise_fixtures import accept_and_assign, new_problem
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below
D = dt.date
AUG = D(2022, 8, 31)


def as_user(username: str) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def figure(name: str, html: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


def _late_problem(ew, unit: Unit, title: str = "厂房审批慢") -> Matter:
    """Assigned 2022-05-09 with a deadline of 2022-06-15; 办结 2023-03-01, 销号 2023-03-06."""
    with frozen(D(2022, 5, 9)):
        m = accept_and_assign(
            ew,
            new_problem(ew, "ent_a", ew.w.enterprise_a, title, raised_on=D(2022, 5, 9)),
            "sup_a",
            unit,
            day=D(2022, 5, 9),
            deadline=D(2022, 6, 15),
        )
    m = ms.do_finish(
        ew.scope("unit_zj"), m, note="已办结", expected_version=m.version, date=D(2023, 3, 1)
    ).matter
    m = ms.do_rate(
        ew.scope("ent_a"), m, rating="satisfied", expected_version=m.version, date=D(2023, 3, 2)
    ).matter
    ms.do_close(ew.scope("sup_a"), m, expected_version=m.version, date=D(2023, 3, 6))
    return Matter.objects.get(pk=m.pk)


def _unit(ew) -> Unit:
    from tests.conftest import make_user

    unit = Unit.objects.create(division=ew.w.a, name="区住建局", kind="department")
    ew.w.users["unit_zj"] = make_user("unit_zj", Role.UNIT, unit=unit)
    return unit


def test_it_counts_a_problem_overdue_in_2022_and_closed_in_2023_as_red_on_the_2022_08_dashboard(
    eworld,
):
    ew = eworld
    unit = _unit(ew)
    m = _late_problem(ew, unit)
    assert m.status == Status.CLOSED and m.finished_on == D(2023, 3, 1)

    then = timing_of(m, AUG)
    assert then.light == Light.RED and then.status_then == Status.ASSIGNED
    now = timing_of(m)
    assert now.light != Light.RED and now.status_then == Status.CLOSED

    scope = ew.scope("sup_a")
    fig = problem_figures(scope, ew.w.a, 2022, 8, AUG)
    mine = next(u for u in fig.by_unit if u["unit"] == "区住建局")
    assert (mine["assigned"], mine["resolved"], mine["overdue_open"]) == (1, 0, 1)
    assert fig.resolved == 0 and fig.rated == 0  # nothing was 销号 or rated by 2022-08-31
    # problem_a and problem_a2 of the world are open and late too, then and now.
    assert fig.overdue_open == 3
    # The same cohort counted by its state today: this one is closed, the other two late.
    today_rows = problem_rows(problems_in(scope, ew.w.a, D(2022, 1, 1), AUG), timezone.localdate())
    now_fig = compute(today_rows, timezone.localdate())
    assert (now_fig["overdue_open"], now_fig["resolved"], now_fig["rated"]) == (2, 1, 1)
    # Raised after the cut-off: not there yet.
    assert problem_figures(scope, ew.w.a, 2022, 4, D(2022, 4, 30)).raised == 2

    body = as_user("sup_a").get("/", {"division": "410603", "year": 2022, "month": 8})
    assert body.status_code == 200
    html = body.content.decode()
    assert figure("overdue_open", html) == "3"
    assert figure("problems_resolved", html) == "0"
    # The API's contract is counted as of the same cut-off.
    d = as_user("sup_a").get(
        "/api/v1/dashboard/problems", {"division": "410603", "year": 2022, "month": 8}
    )
    assert d.status_code == 200
    assert (d.json()["overdue_open"], d.json()["problems_resolved"]) == (3, 0)
    assert d.json()["by_status"]["已交办"] == 3 and d.json()["by_status"]["已销号"] == 0


def test_it_keeps_the_number_of_queries_when_the_rows_grow(eworld):
    ew = eworld
    unit = _unit(ew)
    scope = ew.scope("sup_a")

    def queries() -> int:
        problem_figures(
            scope, ew.w.a, 2022, 8, AUG
        )  # the first call after new rows also refills the calendar's cache
        with CaptureQueriesContext(connection) as ctx:
            problem_figures(scope, ew.w.a, 2022, 8, AUG)
        return len(ctx.captured_queries)

    for i in range(5):
        _late_problem(ew, unit, f"问题{i}")
    five = queries()
    for i in range(5, 15):
        _late_problem(ew, unit, f"问题{i}")
    assert problem_figures(scope, ew.w.a, 2022, 8, AUG).overdue_open == 2 + 15
    assert queries() == five


def _late_task(tw, title: str = "老旧小区改造12个") -> Matter:
    """A 2022 task due 2022-06-30, finished 2023-02-01 and closed 2023-02-03."""
    with frozen(D(2022, 1, 10)):
        m = ts.do_create_task(
            tw.scope("sup_a"),
            {
                "title": title,
                "task_source": "work_report",
                "year": 2022,
                "lead_unit": tw.unit_rs,
                "leader": tw.w.leader_a,
                "deadline": D(2022, 6, 30),
                "raised_on": D(2022, 1, 10),
            },
        )
    m = ts.do_finish_task(
        tw.scope("unit_rs"),
        m,
        note="已完成改造",
        evidence="住建局验收文件",
        expected_version=m.version,
        date=D(2023, 2, 1),
    ).matter
    ms.do_close(tw.scope("sup_a"), m, expected_version=m.version, date=D(2023, 2, 3))
    return Matter.objects.get(pk=m.pk)


def test_it_shows_a_task_late_in_2022_and_finished_in_2023_red_on_the_2022_08_dashboard(tworld):
    tw = tworld
    m = _late_task(tw)
    assert m.status == Status.CLOSED

    scope = tw.scope("sup_a")
    fig = dashboard_figures(scope, tw.w.a, 2022, AUG)
    assert fig["total"] == 1 and fig["by_light"]["红灯"] == 1
    assert fig["by_status"] == {"已交办": 1}
    ((late, st),) = fig["overdue"]
    assert late.pk == m.pk and st.light.light == Light.RED

    # Today the same task is finished: not red, not in the overdue list.
    assert task_status(m, timezone.localdate()).light.light != Light.RED
    now = dashboard_figures(scope, tw.w.a, 2022, timezone.localdate())
    assert now["by_light"]["红灯"] == 0 and now["overdue"] == []
    assert now["by_status"] == {"已销号": 1}
    # Before it was raised it did not exist.
    assert dashboard_figures(scope, tw.w.a, 2022, D(2022, 1, 5))["total"] == 0

    html = as_user("sup_a").get("/", {"division": "410603", "year": 2022, "month": 8})
    section = html.content.decode().split('id="tasks"', 1)[1]
    row = re.search(r"<tr><td>(.*?)</tr>", section, re.S).group(1)
    assert 'data-light="red"' in row and "老旧小区改造12个" in row

    r = as_user("sup_a").get("/api/v1/tasks/figures", {"division": "410603", "year": 2022})
    assert r.status_code == 200
    assert r.json()["by_light"]["红灯"] == 1
    assert [o["id"] for o in r.json()["overdue"]] == [m.pk]
    bad = as_user("sup_a").get(
        "/api/v1/tasks/figures", {"division": "410603", "year": 2022, "month": 13}
    )
    assert bad.status_code == 422 and "月份" in bad.json()["errors"]["month"][0]


def test_it_keeps_the_number_of_task_queries_when_the_rows_grow(tworld):
    tw = tworld
    scope = tw.scope("sup_a")

    def queries() -> int:
        dashboard_figures(
            scope, tw.w.a, 2022, AUG
        )  # the first call after new rows also refills the calendar's cache
        with CaptureQueriesContext(connection) as ctx:
            dashboard_figures(scope, tw.w.a, 2022, AUG)
        return len(ctx.captured_queries)

    for i in range(2):
        _late_task(tw, f"任务{i}")
    few = queries()
    for i in range(2, 8):
        _late_task(tw, f"任务{i}")
    assert dashboard_figures(scope, tw.w.a, 2022, AUG)["by_light"]["红灯"] == 8
    assert queries() == few
