"""Similar problems on the web and in the API: the question on submission, the panel and 合并
on a problem's page, the radar and its task (docs/similar.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from taizhang.enterprises import services as ent_services
from taizhang.matters.models import Kind, Matter, Status
from taizhang.similar.models import RadarLink
from tests.conftest import make_user
from tests.enterprise_fixtures import code, new_problem
from tests.streams import streamed

DAY = dt.date(2022, 3, 1)
POWER = "园区变压器容量不足，申请电力增容"
POWER_AGAIN = "厂区用电容量不够，希望协调供电公司扩容"
POWER_THIRD = "新建车间用电容量不足，申请增容"


@pytest.fixture
def third(eworld):
    e = ent_services.do_create_enterprise(
        eworld.w.scope("admin"),
        {
            "name": "鹤飞电子",
            "credit_code": code(7),
            "division": eworld.w.a,
            "category": "industry",
        },
    )
    eworld.w.users["ent_a3"] = make_user("ent_a3", "enterprise", enterprise=e)
    return e


@pytest.fixture
def cluster(eworld, third):
    w = eworld.w
    return [
        new_problem(eworld, "ent_a", w.enterprise_a, POWER, raised_on=DAY),
        new_problem(eworld, "ent_a2", eworld.enterprise_a2, POWER_AGAIN, raised_on=DAY),
        new_problem(eworld, "ent_a3", third, POWER_THIRD, raised_on=DAY),
    ]


def _form(ew, title: str, **extra) -> dict:
    return {
        "enterprise": ew.w.enterprise_a.pk,
        "category": ew.ordinary.pk,
        "title": title,
        "source": "visit",
        "raised_on": "2022-03-01",
        **extra,
    }


def test_it_asks_about_a_reworded_problem_on_submission_and_registers_when_confirmed(
    eworld, third, client
):
    existing = new_problem(eworld, "ent_a3", third, POWER, raised_on=DAY)
    client.force_login(eworld.w.users["sup_a"])
    r = client.post("/problems/new/", _form(eworld, POWER_AGAIN))
    html = r.content.decode()
    assert r.status_code == 200 and f'href="/problems/{existing.pk}/"' in html
    assert "鹤飞电子" in html and "相似度" in html and 'name="confirm_duplicate"' in html
    assert not Matter.objects.filter(title=POWER_AGAIN).exists()
    r = client.post("/problems/new/", _form(eworld, POWER_AGAIN, confirm_duplicate="1"))
    assert r.status_code == 302
    assert Matter.objects.filter(title=POWER_AGAIN).count() == 1


def test_it_does_not_ask_about_an_unrelated_problem(eworld, third, client):
    new_problem(eworld, "ent_a3", third, POWER, raised_on=DAY)
    client.force_login(eworld.w.users["sup_a"])
    r = client.post("/problems/new/", _form(eworld, "出口退税到账慢"))
    assert r.status_code == 302


def test_it_shows_duplicates_on_the_page_and_merges_through_the_step_form(eworld, third, client):
    w = eworld.w
    keep = new_problem(eworld, "ent_a", w.enterprise_a, POWER, raised_on=DAY)
    dup = new_problem(eworld, "ent_a3", third, POWER_AGAIN, raised_on=DAY)
    client.force_login(w.users["sup_a"])
    html = client.get(f"/problems/{dup.pk}/").content.decode()
    assert "疑似重复" in html and f'data-similar="{keep.pk}"' in html
    assert "相似度 = " in html  # the formula is on the page
    r = client.post(
        f"/matters/{dup.pk}/steps/merge/",
        {
            "version": dup.version,
            "into": keep.pk,
            "reason": "同一台变压器",
            "next": f"/problems/{keep.pk}/",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/problems/{keep.pk}/"
    dup.refresh_from_db()
    assert dup.status == Status.CLOSED and dup.merged_into_id == keep.pk
    html = client.get(f"/problems/{keep.pk}/").content.decode()
    assert "合并带入的企业" in html and "鹤飞电子" in html and dup.number in html
    # The merged enterprise sees its own problem closed into the kept one.
    client.force_login(w.users["ent_a3"])
    html = client.get(f"/portal/problems/{dup.pk}/").content.decode()
    assert "本问题已合并办理" in html
    # The kept problem's enterprise is not told who else asked.
    client.force_login(w.users["ent_a"])
    html = client.get(f"/portal/problems/{keep.pk}/").content.decode()
    assert "鹤飞电子" not in html and dup.title not in html
    # Nobody else sees the panel's duplicates: a unit gets no 疑似重复 section.
    client.force_login(w.users["unit_a"])
    assert "疑似重复" not in client.get(f"/problems/{eworld.problem_a.pk}/").content.decode()


def test_it_lists_duplicate_pairs_for_the_office(eworld, third, client):
    w = eworld.w
    new_problem(eworld, "ent_a", w.enterprise_a, POWER, raised_on=DAY)
    new_problem(eworld, "ent_a3", third, POWER_AGAIN, raised_on=DAY)
    client.force_login(w.users["sup_a"])
    html = client.get("/problems/similar/").content.decode()
    assert POWER in html and POWER_AGAIN in html
    client.force_login(w.users["cadre_a"])
    assert client.get("/problems/similar/").status_code == 403


def test_it_turns_a_radar_cluster_into_one_task_shown_on_each_problem(eworld, cluster, client):
    w = eworld.w
    client.force_login(w.users["sup_a"])
    html = client.get("/radar/").content.decode()
    assert html.count('class="card radar-cluster"') == 1
    for m in cluster:
        assert f'name="problems" value="{m.pk}"' in html
    csv = streamed(client.get("/radar/export.csv")).decode("utf-8-sig")
    assert all(m.number in csv for m in cluster) and "与代表问题相似度" in csv
    r = client.post(
        "/radar/task/",
        {
            "prefix": "c0",
            "problems": [m.pk for m in cluster],
            "c0-title": "园区电力增容",
            "c0-lead_unit": w.unit_a.pk,
        },
    )
    task = Matter.objects.get(kind=Kind.SUPERVISION_TASK, title="园区电力增容")
    assert r.status_code == 302 and r["Location"] == f"/tasks/{task.pk}/"
    assert RadarLink.objects.filter(task=task).count() == 3
    html = client.get(f"/problems/{cluster[1].pk}/").content.decode()
    assert "已转督办任务" in html and task.number in html
    assert "暂未发现" in client.get("/radar/").content.decode()
    # A refused task (no lead unit) writes nothing and says why.
    r = client.post("/radar/task/", {"prefix": "c0", "problems": [cluster[0].pk]}, follow=True)
    assert "牵头单位" in r.content.decode()


def _json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_it_answers_the_same_in_the_api(eworld, cluster, client):
    w = eworld.w
    client.force_login(w.users["sup_a"])
    r = client.get(f"/api/v1/problems/{cluster[0].pk}/similar")
    assert r.status_code == 200
    body = r.json()
    assert {i["id"] for i in body["items"]} >= {cluster[1].pk}
    assert all(i["score"] >= body["threshold"] for i in body["items"])
    radar = client.get("/api/v1/radar").json()
    assert len(radar["clusters"]) == 1
    assert sorted(p["id"] for p in radar["clusters"][0]["problems"]) == sorted(
        m.pk for m in cluster
    )
    r = _json(
        client,
        f"/api/v1/problems/{cluster[0].pk}/merge",
        {"merged": cluster[1].pk, "reason": "重复", "version": cluster[1].version},
    )
    assert r.status_code == 200 and r.json()["merged_status"] == "closed"
    assert r.json()["other_enterprises"] == [eworld.enterprise_a2.name]
    # Into itself, and a second merge of the closed duplicate: refused with the reason.
    r = _json(
        client, f"/api/v1/problems/{cluster[0].pk}/merge", {"merged": cluster[0].pk, "reason": "x"}
    )
    assert r.status_code == 422 and "它自己" in r.json()["detail"]
    r = _json(
        client, f"/api/v1/problems/{cluster[2].pk}/merge", {"merged": cluster[1].pk, "reason": "x"}
    )
    assert r.status_code == 422 and "已销号" in r.json()["detail"]
    r = _json(
        client,
        "/api/v1/radar/task",
        {
            "problems": [cluster[0].pk, cluster[2].pk],
            "title": "园区电力增容",
            "lead_unit_id": w.unit_a.pk,
        },
    )
    assert r.status_code == 201 and sorted(r.json()["problems"]) == sorted(
        [cluster[0].pk, cluster[2].pk]
    )
    # A merged problem cannot go into a task: the kept one stands for it.
    r = _json(
        client,
        "/api/v1/radar/task",
        {
            "problems": [cluster[1].pk, eworld.problem_a.pk],
            "title": "x",
            "lead_unit_id": w.unit_a.pk,
        },
    )
    assert r.status_code == 422 and "已合并" in r.json()["detail"]
