"""The meetings API: one payload creates a meeting and its decisions' tasks; figures and minutes."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client

from taizhang.matters.models import Matter
from taizhang.meetings.models import Meeting
from tests.task_fixtures import frozen

TODAY = dt.date(2022, 3, 8)


def client(w, name: str) -> Client:
    c = Client()
    c.force_login(w.users[name])
    return c


def post(c: Client, url: str, body: dict):
    return c.post(url, json.dumps(body, default=str), content_type="application/json")


def payload(w, **extra) -> dict:
    return {
        "kind": "progress",
        "title": "重点产业项目推进会",
        "date": "2022-03-07",
        "chair_id": w.leader_a.pk,
        "attendee_unit_ids": [w.unit_a.pk],
        "project_ids": [w.pa.pk],
        "decisions": [
            {"text": "协调用电增容", "lead_unit_id": w.unit_a.pk, "deadline": "2022-03-31"},
            {
                "text": "清理占道",
                "lead_unit_id": w.unit_a_town.pk,
                "co_unit_ids": [w.unit_a.pk],
                "deadline": "2022-03-15",
            },
        ],
        **extra,
    }


def test_it_creates_a_meeting_with_its_decisions_in_one_payload(world):
    c = client(world, "sup_a")
    with frozen(TODAY):
        r = post(c, "/api/v1/meetings", payload(world))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["doc_number"] == "山会纪〔2022〕1号" and body["decision_count"] == 2
    assert [d["lead_unit"] for d in body["decisions"]] == ["区发改委", "红旗街道办事处"]
    assert body["items"] == [{"kind": "project", "id": world.pa.pk, "name": "新拓洋生物科技产业园"}]
    task = Matter.objects.get(pk=body["decisions"][0]["task_id"])
    assert task.task.task_source == "meeting"
    with frozen(TODAY):
        listing = c.get("/api/v1/meetings", {"year": 2022}).json()
        detail = c.get(f"/api/v1/meetings/{body['id']}").json()
        docx = c.get(f"/api/v1/meetings/{body['id']}/minutes")
    assert listing["count"] == 1 and listing["items"][0]["decision_count"] == 2
    assert detail["decisions"][1]["light"] == "yellow"
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_it_refuses_a_bad_payload_in_chinese_and_saves_nothing(world):
    body = payload(world)
    body["decisions"][1]["deadline"] = "2022-03-01"
    with frozen(TODAY):
        r = post(client(world, "sup_a"), "/api/v1/meetings", body)
    assert r.status_code == 422
    assert "第2条议定事项" in r.json()["detail"]
    assert not Meeting.objects.exists()
    with frozen(TODAY):
        r = post(client(world, "unit_a"), "/api/v1/meetings", payload(world))
    assert r.status_code == 403 and not Meeting.objects.exists()


def test_it_answers_the_figures_of_a_period(world):
    c = client(world, "sup_a")
    with frozen(TODAY):
        post(c, "/api/v1/meetings", payload(world))
    with frozen(dt.date(2022, 4, 30)):
        fig = c.get("/api/v1/meetings/figures", {"division": "410603", "year": 2022}).json()
    assert (fig["meetings"], fig["decisions"], fig["done"], fig["overdue"]) == (1, 2, 0, 2)
    assert fig["on_time_rate_pct"] == "0.0" and "按时办结率" in fig["formulas"]["on_time_rate_pct"]
    assert c.get("/api/v1/meetings/figures", {"division": "410611"}).status_code == 404


def test_it_turns_an_instruction_into_a_task_through_the_api(world):
    c = client(world, "sup_a")
    with frozen(TODAY):
        r = post(
            c,
            "/api/v1/instructions",
            {
                "leader_id": world.leader_a.pk,
                "text": "抓紧推进",
                "given_on": "2022-03-08",
                "on_project_id": world.pa.pk,
                "lead_unit_id": world.unit_a.pk,
            },
        )
        assert r.status_code == 201, r.content
        assert r.json()["subject"] == "新拓洋生物科技产业园"
        listing = c.get("/api/v1/instructions").json()
        other = client(world, "sup_b").get("/api/v1/instructions").json()
    assert listing["count"] == 1 and other["count"] == 0
