"""Project figures, lights and lists of a year or period are computed for that year and as of
that period's cut-off: a past dashboard shows what was late then, not what is late today."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.test import Client

from taizhang.core.calendar import get_calendar
from taizhang.lib.lights import Light
from taizhang.projects.figures import project_statuses
from taizhang.projects.models import Milestone
from taizhang.projects.queries import ProjectFilter, filter_projects, lit, statuses_of
from tests import test_assessment
from tests.task_fixtures import frozen

ledger = test_assessment.ledger  # the fixture, used by name below
TODAY = dt.date(2026, 12, 2)


def test_it_lists_a_past_year_with_that_years_plan_completion_and_lights(ledger):
    w = ledger.w
    f = ProjectFilter.from_params({"year": "2022"})
    projects = list(lit(filter_projects(w.scope("sup_a"), f), f, TODAY))
    statuses = statuses_of(projects, f, TODAY)
    pa = statuses[w.pa.pk]
    # 2022's plan and every 2022 report (Jan–Oct: 70000 of 100000), not 2026's "—" and 0.
    assert pa.plan == Decimal("100000") and pa.completed == Decimal("70000")
    assert pa.rate == Decimal("70.0")
    # 竣工 (due 1 Dec 2022, never done) is judged on 31 Dec 2022: 21 working days late.
    cal = get_calendar()
    m = Milestone.objects.get(project=w.pa, name="竣工")
    late = cal.workdays_between(m.planned_date, dt.date(2022, 12, 31)).days
    assert pa.milestone_lights[m.pk].reason == f"已逾期{late}个工作日" and late < 30
    c = Client()
    c.force_login(w.users["sup_a"])
    with frozen(TODAY):
        page = c.get("/projects/", {"year": "2022"}).content.decode()
    assert "100,000" in page and "70,000" in page


def test_it_judges_milestones_as_of_the_cut_off(ledger):
    w = ledger.w
    # 封顶 was due 15 Aug and done 20 Aug: on 18 Aug it was still open and late.
    cap = Milestone.objects.get(project=w.pa, name="封顶")
    then = project_statuses([w.pa], dt.date(2022, 8, 18), year=2022, month=8)[w.pa.pk]
    assert then.milestone_lights[cap.pk].light == Light.RED
    assert then.milestone_lights[cap.pk].reason == "已逾期3个工作日"
    now = project_statuses([w.pa], TODAY)[w.pa.pk]
    assert now.milestone_lights[cap.pk].reason == "逾期完成"
    # Pace of August 2022: Jan–Aug reports (40000 of 100000) against 66.7%.
    assert then.completed == Decimal("40000") and then.rate == Decimal("40.0")


def test_it_shows_the_2022_08_demo_dashboard_as_of_its_cut_off(demo_session, db):
    from django.contrib.auth import get_user_model

    cutoff = dt.date(2022, 8, 31)
    c = Client()
    c.force_login(get_user_model().objects.get(username="sc_duchashi"))
    with frozen(TODAY):
        r = c.get("/", {"year": 2022, "month": 8})
    assert r.context["as_of"] == cutoff
    html = r.content.decode()
    assert "按2022年8月31日的节点与进度" in html
    days = [int(n) for n in re.findall(r"已逾期(\d+)个工作日", html)]
    assert days, "the 2022-08 dashboard lists late projects"
    earliest = Milestone.objects.order_by("planned_date").values_list("planned_date", flat=True)[0]
    # No lateness is counted beyond the cut-off (today's count would be over 1000 days).
    assert max(days) <= get_calendar().workdays_between(earliest, cutoff).days
