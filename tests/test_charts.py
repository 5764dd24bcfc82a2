"""Server-drawn SVG charts: the pure module and each page's chart on a known small ledger."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from taizhang.assessment import service as assessment_service
from taizhang.assessment.models import PublishedScore
from taizhang.lib.numbers import fmt_value
from taizhang.lib.svgcharts import EMPTY_TEXT, Chart, Series, bar_chart, line_chart
from taizhang.matters.models import Kind, Matter, ProblemCategory, Status
from taizhang.projects import rollup
from taizhang.projects.models import MonthlyReport
from taizhang.tasks import services as ts
from taizhang.tasks.queries import TaskFilter, filter_tasks, light_trend
from tests import task_fixtures
from tests.task_fixtures import frozen
from tests.test_assessment import TODAY as ASSESSMENT_TODAY
from tests.test_assessment import ledger  # noqa: F401  (fixture)
from tests.test_dashboard_as_of import _late_task


def _count(html: str, cls: str) -> int:
    return len(re.findall(rf'class="{cls}"', html))


tworld = task_fixtures.tworld  # the fixture, used by name below


# ------------------------------------------------------------------ the pure module
def test_it_draws_one_point_per_value_and_one_line_per_series() -> None:
    svg = line_chart(
        "投资趋势",
        ["1月", "2月", "3月"],
        [Series("累计完成", [10, 25, None]), Series("年度计划", [100, 100, 100], dashed=True)],
        unit="万元",
    )
    assert _count(svg, "tz-series") == 2
    assert _count(svg, "tz-point") == 5  # the missing March value draws no point
    assert "<title>投资趋势</title>" in svg
    assert "累计完成：2月 25万元" in svg  # <desc> names each series' last value
    assert 'viewBox="0 0 ' in svg and 'width="100%"' in svg
    assert "style=" not in svg
    assert ">3月<" in svg and ">万元<" in svg


def test_it_labels_the_value_axis_with_round_ticks() -> None:
    svg = line_chart("x", ["1月"], [Series("a", [87])])
    ticks = re.findall(r'class="tz-tick"[^>]*>([^<]+)<', svg)
    assert ticks == ["0", "20", "40", "60", "80", "100"]


def test_it_draws_one_bar_per_value_with_its_figure() -> None:
    svg = bar_chart(
        "问题分布", ["营商环境", "要素保障"], [Series("提出", [3, 1]), Series("解决", [2, 0])]
    )
    assert _count(svg, "tz-barrect") == 4
    assert "营商环境 提出：3" in svg
    assert '<th scope="row">要素保障</th><td>1</td><td>0</td>' in svg


def test_it_escapes_labels() -> None:
    svg = bar_chart("t", ["<b>&"], [Series("s<", [1])])
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg


@pytest.mark.parametrize(
    "draw, labels, values",
    [
        (line_chart, [], []),
        (line_chart, ["1月"], [None]),
        (bar_chart, ["甲"], [0]),
    ],
)
def test_it_says_no_data_when_there_is_nothing_to_draw(draw, labels, values) -> None:
    svg = draw("空图", labels, [Series("s", values)])
    assert EMPTY_TEXT in svg
    assert "tz-point" not in svg and "tz-barrect" not in svg


def test_it_renders_a_chart_value_by_kind() -> None:
    c = Chart("bar", "t", ["a"], [Series("s", [2])])
    assert _count(c.render(), "tz-barrect") == 1
    c.kind = "line"
    assert _count(c.render(), "tz-point") == 1


# ------------------------------------------------------------------ problem figures page
def _problem(w, cat, raised: dt.date, closed: dt.date | None = None, unit=None) -> Matter:
    return Matter.objects.create(
        kind=Kind.ENTERPRISE_PROBLEM,
        division=w.a,
        title=f"问题{raised}",
        enterprise=w.enterprise_a,
        category=cat,
        raised_on=raised,
        lead_unit=unit or w.unit_a,
        status=Status.CLOSED if closed else Status.ASSIGNED,
        closed_on=closed,
    )


def _figures_page(client, w, **extra) -> str:
    client.force_login(w.users["sup_a"])
    resp = client.get("/problems/figures/", {"division": w.a.code, **extra})
    assert resp.status_code == 200
    return resp.content.decode()


def _chart(html: str, title_part: str) -> str:
    m = re.search(
        rf"<figure[^>]*>(?:(?!</figure>).)*{title_part}(?:(?!</figure>).)*</figure>", html, re.S
    )
    assert m, title_part
    return m.group(0)


def test_it_charts_problems_by_category_unit_and_month(world, client) -> None:
    today = timezone.localdate()
    y = today.year
    c1 = ProblemCategory.objects.create(name="要素保障")
    c2 = ProblemCategory.objects.create(name="审批服务")
    _problem(world, c1, dt.date(y, 1, 5), closed=dt.date(y, 1, 20))
    _problem(world, c1, dt.date(y, 1, 9))
    _problem(world, c2, dt.date(y, 1, 10), unit=world.unit_a_town)
    html = _figures_page(client, world)
    assert '<h1 class="page-title">问题统计</h1>' in html
    by_cat = _chart(html, "问题按类别分布")
    assert _count(by_cat, "tz-barrect") == 2
    assert "要素保障 问题数：2" in by_cat
    by_unit = _chart(html, "问题按主办单位分布")
    assert _count(by_unit, "tz-barrect") == 4  # two units × (交办, 已解决)
    by_month = _chart(html, "各月提出与解决问题数")
    assert _count(by_month, "tz-barrect") == 2 * today.month
    assert "1月 提出：3" in by_month and "1月 解决：1" in by_month


def test_it_keeps_the_figures_page_query_count_flat(world, client) -> None:
    y = timezone.localdate().year
    cat = ProblemCategory.objects.create(name="要素保障")
    _problem(world, cat, dt.date(y, 1, 5))
    client.force_login(world.users["sup_a"])
    url = f"/problems/figures/?division={world.a.code}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for d in range(1, 10):
        _problem(world, cat, dt.date(y, 1, d), closed=dt.date(y, 1, 28))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# ------------------------------------------------------------------ investment trend
def _report(project, year: int, month: int, amount: str) -> None:
    MonthlyReport.objects.create(project=project, year=year, month=month, amount=Decimal(amount))
    # Written behind the services: refresh the investment rollup as they do.
    rollup.refresh_projects([project.pk], [year])


def test_it_charts_a_projects_cumulative_investment_against_plan(world, client) -> None:
    _report(world.pa, 2022, 1, "1000")
    _report(world.pa, 2022, 3, "2500.5")
    client.force_login(world.users["sup_a"])
    html = client.get(f"/projects/{world.pa.pk}/").content.decode()
    trend = _chart(html, "2022年累计完成投资与计划")
    # A past year: the cumulative line runs through December; plan lines draw no points.
    assert _count(trend, "tz-point") == 12
    assert _count(trend, "tz-series") == 3
    assert '<th scope="row">3月</th><td>3,500.50</td><td>100,000.00</td><td>25,000.00</td>' in trend


def test_it_charts_the_divisions_trend_up_to_the_chosen_month(world, client) -> None:
    _report(world.pa, 2022, 1, "10000")
    _report(world.pa_town, 2022, 2, "500")
    _report(world.pb, 2022, 2, "7000")  # another district: not in A's trend
    client.force_login(world.users["sup_a"])
    url = f"/?division={world.a.code}&year=2022&month=6"
    html = client.get(url).content.decode()
    trend = _chart(html, "山城区2022年重点项目累计完成投资")
    assert _count(trend, "tz-point") == 6
    # 102,000 万元 plan = 10.2 亿元; February's cumulative 10,500 万元 = 1.1 亿元.
    assert '<th scope="row">2月</th><td>1.1</td><td>10.2</td><td>1.7</td>' in trend
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for mo in range(3, 7):
        _report(world.pa, 2022, mo, "100")
        _report(world.pa_town, 2022, mo, "100")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# ------------------------------------------------------------------ assessment card
def test_it_charts_a_units_score_over_the_published_quarters(request, client) -> None:
    # The hand-built ledger of test_assessment.py (its fixture, imported above).
    w = request.getfixturevalue("ledger").w
    sup = w.scope("sup_a")
    for q in ("2022Q2", "2022Q3"):
        assessment_service.do_publish(sup, w.a, q, today=ASSESSMENT_TODAY)
    client.force_login(w.users["sup_a"])
    url = f"/assessment/card/unit/{w.unit_a.pk}/"
    html = client.get(url, {"period": "2022Q3"}).content.decode()
    history = _chart(html, "区发改委各季度考评得分")
    assert _count(history, "tz-point") == 2
    totals = dict(
        PublishedScore.objects.filter(unit=w.unit_a).values_list("period__label", "total")
    )
    assert len(totals) == 2
    for label, total in totals.items():
        assert f'<th scope="row">{label}</th><td>{fmt_value(total)}</td>' in history
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"period": "2022Q3"})
    assessment_service.do_publish(sup, w.a, "2022Q1", today=ASSESSMENT_TODAY)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url, {"period": "2022Q3"}).content.decode()
    assert _count(_chart(html, "区发改委各季度考评得分"), "tz-point") == 3
    assert len(many) == len(few)


# ------------------------------------------------------------------ task lights over time
def _may_task(tw, title: str = "新建幼儿园3所") -> None:
    with frozen(dt.date(2022, 5, 10)):
        ts.do_create_task(
            tw.scope("sup_a"),
            {
                "title": title,
                "task_source": "work_report",
                "year": 2022,
                "lead_unit": tw.unit_rs,
                "deadline": dt.date(2022, 12, 31),
                "raised_on": dt.date(2022, 5, 10),
            },
        )


def test_it_counts_task_lights_at_each_month_end_of_the_year(tworld) -> None:
    _late_task(tworld)  # raised 2022-01-10, due 2022-06-30, no progress reported: red
    _may_task(tworld)
    qs = filter_tasks(tworld.scope("sup_a"), TaskFilter(year=2022))
    trend = light_trend(qs, 2022, dt.date(2022, 8, 31))
    assert [mo for mo, _ in trend] == list(range(1, 9))  # bounded to the period's months
    totals = [sum(c.values()) for _, c in trend]
    # The May task did not exist before it was raised.
    assert totals == [1, 1, 1, 1, 2, 2, 2, 2]
    assert all(c["red"] >= 1 for _, c in trend)


def test_it_draws_the_lights_chart_on_the_dashboard_with_constant_queries(tworld, client) -> None:
    _late_task(tworld)
    client.force_login(tworld.users["sup_a"])
    url = "/?division=410603&year=2022&month=8"
    html = client.get(url).content.decode()
    lights = _chart(html, "2022年督查任务亮灯趋势")
    assert _count(lights, "tz-series") == 3
    assert _count(lights, "tz-point") == 3 * 8
    assert '<th scope="row">8月</th><td>1</td><td>0</td><td>0</td>' in lights
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(4):
        _late_task(tworld, f"任务{i}")
        _may_task(tworld, f"幼儿园{i}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    # Every task is red by August: none has reported its monthly progress.
    assert '<th scope="row">8月</th><td>9</td><td>0</td><td>0</td>' in _chart(
        html, "2022年督查任务亮灯趋势"
    )
    assert len(many) == len(few)
