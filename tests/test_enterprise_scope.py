"""Who sees which enterprises and problems, on the web and the API; steps through both doors."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from taizhang.matters.models import Matter, Status

ENTERPRISES = {
    "admin": {"a", "a2", "b"},
    "sup_a": {"a", "a2"},
    "leader_a": {"a", "a2"},
    "unit_a": {"a"},  # lead unit of problem_a
    "unit_a2": {"a2"},  # lead unit of problem_a2
    "unit_a_town": {"a2"},  # co-unit of problem_a2
    "cadre_a": {"a"},  # liaison of enterprise A
    "ent_a": {"a"},
    "ent_a2": {"a2"},
    "ent_b": {"b"},
    "sup_b": {"b"},
    "unit_b": {"b"},
    "cadre_b": {"b"},  # a cadre of another district: nothing of A
    "nobody": set(),
}
ROLES = list(ENTERPRISES)


def client_for(ew, name: str) -> Client:
    c = Client()
    c.force_login(ew.users[name])
    return c


def ents(ew) -> dict:
    return {"a": ew.w.enterprise_a, "a2": ew.enterprise_a2, "b": ew.enterprise_b}


def probs(ew) -> dict:
    return {"a": ew.problem_a, "a2": ew.problem_a2, "b": ew.problem_b}


@pytest.mark.parametrize("name", ROLES)
def test_it_scopes_enterprises_and_problems_on_the_api(eworld, name):
    c = client_for(eworld, name)
    r = c.get("/api/v1/enterprises")
    assert r.status_code == 200
    expected = {ents(eworld)[k].name for k in ENTERPRISES[name]}
    assert {i["name"] for i in r.json()["items"]} == expected
    r = c.get("/api/v1/problems")
    assert r.status_code == 200
    assert {i["title"] for i in r.json()["items"]} == {
        probs(eworld)[k].title for k in ENTERPRISES[name]
    }
    for key, e in ents(eworld).items():
        want = 200 if key in ENTERPRISES[name] else 404
        assert c.get(f"/api/v1/enterprises/{e.pk}").status_code == want, key
        m = probs(eworld)[key]
        got = c.get(f"/api/v1/problems/{m.pk}")
        assert got.status_code == want, key
        if want == 404:
            assert m.title not in got.content.decode()


@pytest.mark.parametrize("name", ROLES)
def test_it_scopes_enterprises_and_problems_on_the_web(eworld, name):
    c = client_for(eworld, name)
    visible = ENTERPRISES[name]
    if name.startswith("ent_"):
        r = c.get("/portal/")
        assert r.status_code == 200
        body = r.content.decode()
        assert c.get("/problems/").status_code == 302  # enterprises live in the portal
    else:
        body = c.get("/problems/").content.decode()
        body += c.get("/enterprises/").content.decode()
    for key in ("a", "a2", "b"):
        m = probs(eworld)[key]
        assert (m.title in body) == (key in visible), key
        want = 200 if key in visible else 404
        assert c.get(f"/problems/{m.pk}/").status_code == want, key
        assert c.get(f"/enterprises/{ents(eworld)[key].pk}/").status_code == want, key


def test_it_shows_the_portal_only_to_enterprise_users(eworld):
    assert client_for(eworld, "sup_a").get("/portal/").status_code == 403
    r = client_for(eworld, "ent_a").get("/")
    assert r.status_code == 302 and r["Location"] == "/portal/"


def test_it_runs_steps_through_the_api_with_the_same_rules(eworld):
    ew, w = eworld, eworld.w
    ent = client_for(ew, "ent_a")
    cat = ew.ordinary.pk
    r = ent.post(
        "/api/v1/problems",
        json.dumps({"category_id": cat, "title": "电力增容"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    p = r.json()
    assert p["status"] == "submitted" and p["enterprise_id"] == w.enterprise_a.pk
    sup = client_for(ew, "sup_a")

    def post(c, action, **body):
        return c.post(
            f"/api/v1/matters/{p['id']}/steps/{action}",
            json.dumps(body),
            content_type="application/json",
        )

    r = post(sup, "report", version=p["version"], note="x")
    assert r.status_code == 422 and "不能执行「办结」" in r.json()["detail"]
    r = post(sup, "accept", version=p["version"])
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    stale = p["version"]
    p = r.json()
    assert post(sup, "accept", version=stale).status_code == 409
    r = post(sup, "assign", version=p["version"], lead_unit=w.unit_b.pk)
    assert r.status_code == 422 and "不属于山城区" in r.json()["detail"]
    r = post(sup, "assign", version=p["version"], lead_unit=w.unit_a.pk, deadline="2000-01-01")
    assert r.status_code == 422 and "不能早于交办日期" in r.json()["detail"]
    r = post(
        sup,
        "assign",
        version=p["version"],
        lead_unit=w.unit_a.pk,
        co_units=[w.unit_a_town.pk],
    )
    assert r.status_code == 200 and r.json()["lead_unit"] == "区发改委"
    p = r.json()
    assert "report" in p["allowed_actions"]  # the office may finish on the unit's behalf
    unit = client_for(ew, "unit_a")
    assert (
        post(client_for(ew, "unit_a2"), "report", version=p["version"], note="x").status_code == 404
    )
    r = post(unit, "report", version=p["version"], note="已增容")
    assert r.status_code == 200 and r.json()["status"] == "reported"
    p = r.json()
    r = post(sup, "close", version=p["version"])
    assert r.status_code == 422 and "企业尚未评价" in r.json()["detail"]
    r = post(sup, "rate", version=p["version"], rating="satisfied")
    assert r.status_code == 403 and "只有提出问题的企业" in r.json()["detail"]
    r = post(ent, "rate", version=p["version"], rating="satisfied")
    assert r.status_code == 200 and r.json()["status"] == "rated"
    r = post(sup, "close", version=r.json()["version"])
    assert r.status_code == 200 and r.json()["status"] == "closed"
    labels = [s["label"] for s in r.json()["steps"]]
    assert labels == ["提出", "受理", "交办", "办结", "企业评价：满意", "销号"]
    mine = client_for(ew, "unit_a").get("/api/v1/problems/mine").json()
    assert [x["title"] for x in mine] == ["招工难"]


def test_it_takes_a_web_step_and_refuses_a_stale_one(eworld):
    ew = eworld
    m = ew.problem_a
    c = client_for(ew, "unit_a")
    r = c.post(
        f"/problems/{m.pk}/act/", {"action": "report", "version": m.version, "note": "已招工30人"}
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Status.REPORTED
    r = c.post(
        f"/problems/{m.pk}/act/",
        {"action": "progress", "version": m.version - 1, "note": "迟到的进展"},
        follow=True,
    )
    assert "已被他人处理" in r.content.decode()
    r = client_for(ew, "unit_a2").post(
        f"/problems/{m.pk}/act/", {"action": "report", "version": m.version}
    )
    assert r.status_code == 404
    r = client_for(ew, "ent_a").get(f"/portal/problems/{m.pk}/")
    assert "满意" in r.content.decode() and 'data-action="rate"' in r.content.decode()


def test_it_submits_from_the_portal_and_assigns_in_bulk(eworld):
    ew, w = eworld, eworld.w
    r = client_for(ew, "ent_a").post(
        "/portal/",
        {"category": ew.ordinary.pk, "title": "门口道路破损", "description": "影响货车进出"},
    )
    assert r.status_code == 302
    m = Matter.objects.get(title="门口道路破损")
    assert m.enterprise == w.enterprise_a and m.status == Status.SUBMITTED
    sup = client_for(ew, "sup_a")
    sup.post(f"/problems/{m.pk}/act/", {"action": "accept", "version": m.version})
    m.refresh_from_db()
    r = sup.post(
        "/problems/bulk-assign/",
        {"ids": [f"{m.pk}:{m.version}"], "lead_unit": w.unit_a_town.pk},
        follow=True,
    )
    assert "已交办1个问题" in r.content.decode()
    m.refresh_from_db()
    assert m.status == Status.ASSIGNED and m.lead_unit == w.unit_a_town


@pytest.mark.parametrize("name", ROLES)
def test_it_scopes_the_problem_dashboard_contract(eworld, name):
    r = client_for(eworld, name).get(
        "/api/v1/dashboard/problems", {"division": "山城区", "year": 2022}
    )
    if name in {"sup_b", "unit_b", "cadre_b", "ent_b", "nobody"}:
        # Outsiders do not even learn that 山城区 exists.
        assert r.status_code == 404
        return
    assert r.status_code == 200
    data = r.json()
    assert data["problems_raised"] == len(ENTERPRISES[name] - {"b"})
    for key in (
        "enterprises",
        "enterprises_under_liaison",
        "service_officers",
        "visits",
        "forums",
        "problems_resolved",
        "resolution_rate_pct",
        "on_time_rate_pct",
        "satisfaction_rate_pct",
        "overdue_open",
    ):
        assert key in data
