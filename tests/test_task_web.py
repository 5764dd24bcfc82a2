"""Task pages: lists with filters and exports, detail with report form, dashboard, answers page."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from taizhang.matters import services as ms
from taizhang.matters.models import Kind, Matter, Rating, Status
from taizhang.tasks import services
from taizhang.tasks.models import TaskReport
from tests import task_fixtures
from tests.streams import streamed
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below


def page(client, user, url):
    client.force_login(user)
    r = client.get(url)
    return r.status_code, r.content.decode()


def test_it_shows_a_unit_only_the_tasks_it_leads_or_co_operates_on(tworld, client):
    for who, seen in [
        ("sup_a", True),
        ("unit_rs", True),
        ("unit_a_town", True),
        ("unit_a", False),
        ("sup_b", False),
    ]:
        status, html = page(client, tworld.users[who], "/tasks/")
        assert status == 200 and ("城镇新增就业3760人以上" in html) is seen, who
        status, _ = page(client, tworld.users[who], f"/tasks/{tworld.task.pk}/")
        assert status == (200 if seen else 404), who
    assert page(client, tworld.users["unit_rs"], "/tasks/new/")[0] == 403


def test_it_reports_progress_on_the_detail_page_and_changes_the_light(tworld, client):
    url = f"/tasks/{tworld.task.pk}/"
    with frozen(dt.date(2024, 2, 27)):
        status, html = page(client, tworld.users["unit_rs"], url)
        assert 'data-light="red"' in html and "2024-01、2024-02进度未报送" in html
        assert "act-submit_report" in html
        _, other = page(client, tworld.users["unit_a_town"], url)
        assert "act-submit_report" not in other  # a co-unit does not report
        client.force_login(tworld.users["unit_rs"])
        for period, value in (("2024-01", "300"), ("2024-02", "700")):
            version = Matter.objects.get(pk=tworld.task.pk).version
            r = client.post(
                url + "act/",
                {
                    "action": "submit_report",
                    "version": version,
                    "period": period,
                    "actual_value": value,
                    "text": "推进中",
                },
                follow=True,
            )
            assert f"已完成「{period}进度报送」" in r.content.decode()
        # The form carries the version it was read at: a report from a stale page is refused.
        r = client.post(
            url + "act/",
            {
                "action": "submit_report",
                "version": version,
                "period": "2024-02",
                "actual_value": "9999",
                "text": "旧页面",
            },
            follow=True,
        )
        assert "已被他人处理" in r.content.decode()
        html = client.get(url).content.decode()
    # 700 of 3760 = 18.6% against 16.4% of the year by 29 February.
    assert 'data-field="progress">18.6%' in html and 'data-light="green"' in html
    assert TaskReport.objects.filter(matter=tworld.task).count() == 2
    m = Matter.objects.get(pk=tworld.task.pk)
    assert m.status == Status.IN_PROGRESS and m.task.actual_value == 700


def test_it_lists_targets_and_overdue_tasks_and_exports_them(tworld, client):
    with frozen(dt.date(2024, 3, 1)):
        status, html = page(client, tworld.users["sup_a"], "/tasks/targets/")
        assert status == 200 and "≥3760人" in html
        status, html = page(client, tworld.users["sup_a"], "/tasks/overdue/")
        assert "城镇新增就业3760人以上" in html
        r = client.get("/tasks/export/overdue.xlsx")
        assert r.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(streamed(r))).active
        assert ws["A1"].value == "逾期督办任务清单" and ws["C4"].value == "城镇新增就业3760人以上"
        r = client.get("/tasks/export/list.csv?q=就业")
        body = streamed(r).decode("utf-8-sig")
        assert "城镇新增就业3760人以上" in body and "3760" in body and "E+" not in body
        client.force_login(tworld.users["sup_b"])
        assert "城镇新增就业" not in streamed(client.get("/tasks/export/list.csv")).decode(
            "utf-8-sig"
        )
        assert client.get("/tasks/export/list.pdf").status_code == 404


def test_it_shows_tasks_on_the_dashboard_and_answer_rates(tworld, client):
    s = tworld.scope("sup_a")
    with frozen(dt.date(2024, 3, 1)):
        for n, kind in enumerate([Kind.SUGGESTION, Kind.SUGGESTION, Kind.PROPOSAL]):
            m = services.do_create_task(
                s,
                {
                    "title": f"关于建设口袋公园的建议{n}",
                    "lead_unit": tworld.unit_rs,
                    "year": 2024,
                    "proposer": "张代表",
                },
                kind=kind,
            )
            if n == 0:
                m = services.do_finish_task(
                    tworld.scope("unit_rs"),
                    m,
                    note="已答复",
                    evidence="答复函",
                    expected_version=m.version,
                ).matter
                ms.do_rate(s, m, rating=Rating.SATISFIED, expected_version=m.version)
        assert m.task.doc_number == "提案第1号"
        assert Matter.objects.get(title="关于建设口袋公园的建议1").task.doc_number == "建议第2号"
        status, html = page(client, tworld.users["sup_a"], "/?year=2024&month=2")
        assert status == 200 and 'id="tasks"' in html and "城镇新增就业3760人以上" in html
        status, html = page(client, tworld.users["sup_a"], "/tasks/answers/?year=2024")
    assert 'data-figure="suggestion_total">2<' in html
    assert 'data-figure="suggestion_finish">50.0%<' in html
    assert 'data-figure="suggestion_satisfaction">100.0%<' in html
    assert 'data-figure="proposal_finish">0.0%<' in html


def test_it_publishes_a_task_by_hand_on_the_web(tworld, client):
    client.force_login(tworld.users["sup_a"])
    r = client.post("/tasks/new/", {"kind": "task", "title": "", "lead_unit": ""})
    assert "请填写任务名称" in r.content.decode() and "请选择牵头单位" in r.content.decode()
    r = client.post(
        "/tasks/new/",
        {
            "kind": "task",
            "title": "落实区长批示：冷链物流项目开工",
            "task_source": "instruction",
            "lead_unit": tworld.unit_rs.pk,
            "cycle": "monthly",
            "due_day": "25",
            "year": "2026",
        },
        follow=True,
    )
    assert "已发布「落实区长批示：冷链物流项目开工」" in r.content.decode()


def test_it_writes_targets_as_reports_do():
    from decimal import Decimal

    from taizhang.tasks.models import TaskDetail

    def phrase(cmp: str, value: str, unit: str) -> str:
        return TaskDetail(
            comparator=cmp, target_value=Decimal(value), target_unit=unit
        ).target_phrase

    assert phrase("≈", "6.0000", "%") == "6%左右"
    assert phrase(">=", "3760.0000", "人") == "不低于3760人"
    assert phrase("<=", "5.5000", "%") == "不超过5.5%"
    assert phrase("=", "26", "个") == "26个"
    assert TaskDetail(comparator="", target_value=None).target_phrase == ""
