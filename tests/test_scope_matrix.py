"""Who sees and does what: every role inside and outside the scope, on web and API."""

from __future__ import annotations

import json

import pytest
from django.test import Client

VISIBLE = {
    "admin": {"pa", "pa_town", "pb"},
    "sup_a": {"pa", "pa_town"},
    "leader_a": {"pa", "pa_town"},
    "unit_a": {"pa"},
    "unit_a_town": {"pa_town"},
    "cadre_a": {"pa"},
    "ent_a": {"pa"},
    "sup_b": {"pb"},
    "unit_b": {"pb"},
    "nobody": set(),
}
# Status for editing project pa, and for reporting a month on it.
EDIT_PA = {
    "admin": 200,
    "sup_a": 200,
    "leader_a": 403,
    "unit_a": 403,
    "unit_a_town": 404,
    "cadre_a": 403,
    "ent_a": 403,
    "sup_b": 404,
    "unit_b": 404,
    "nobody": 404,
}
REPORT_PA = {
    "admin": 201,
    "sup_a": 201,
    "leader_a": 403,
    "unit_a": 201,
    "unit_a_town": 404,
    "cadre_a": 403,
    "ent_a": 403,
    "sup_b": 404,
    "unit_b": 404,
    "nobody": 404,
}
ROLES = list(VISIBLE)


def client_for(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


@pytest.mark.parametrize("name", ROLES)
def test_it_lists_only_projects_in_scope_on_web(world, name):
    r = client_for(world, name).get("/projects/")
    assert r.status_code == 200
    body = r.content.decode()
    for key in ("pa", "pa_town", "pb"):
        project = getattr(world, key)
        assert (project.name in body) == (key in VISIBLE[name]), key


@pytest.mark.parametrize("name", ROLES)
def test_it_lists_only_projects_in_scope_on_api(world, name):
    r = client_for(world, name).get("/api/v1/projects")
    assert r.status_code == 200
    codes = {item["code"] for item in r.json()["items"]}
    expected = {getattr(world, k).code for k in VISIBLE[name]}
    assert codes == expected


@pytest.mark.parametrize("name", ROLES)
def test_it_shows_detail_only_in_scope(world, name):
    c = client_for(world, name)
    for key in ("pa", "pa_town", "pb"):
        project = getattr(world, key)
        web = c.get(f"/projects/{project.pk}/")
        api = c.get(f"/api/v1/projects/{project.pk}")
        expected = 200 if key in VISIBLE[name] else 404
        assert web.status_code == expected, (key, "web")
        assert api.status_code == expected, (key, "api")
        if expected == 404:
            assert project.name not in web.content.decode()
            assert project.name not in api.content.decode()
        for sub in ("milestones", "reports", "stages"):
            assert c.get(f"/api/v1/projects/{project.pk}/{sub}").status_code == expected


@pytest.mark.parametrize("name", ROLES)
def test_it_allows_editing_only_to_the_supervision_office(world, name):
    c = client_for(world, name)
    pa = world.pa
    r = c.patch(
        f"/api/v1/projects/{pa.pk}",
        data=json.dumps({"version": pa.version, "name": "改名"}),
        content_type="application/json",
    )
    assert r.status_code == EDIT_PA[name], r.content
    web = c.post(f"/projects/{pa.pk}/edit/", {"name": "网页改名"})
    expected_web = {200: 200, 403: 403, 404: 404}[EDIT_PA[name]]
    assert web.status_code == expected_web
    pa.refresh_from_db()
    if EDIT_PA[name] != 200:
        assert pa.name == "新拓洋生物科技产业园"


@pytest.mark.parametrize("name", ROLES)
def test_it_allows_reports_only_to_the_responsible_unit_and_office(world, name):
    c = client_for(world, name)
    pa = world.pa
    r = c.post(
        f"/api/v1/projects/{pa.pk}/reports",
        data=json.dumps({"year": 2022, "month": 3, "amount_wan": "1000"}),
        content_type="application/json",
    )
    assert r.status_code == REPORT_PA[name], r.content
    web = c.post(f"/projects/{pa.pk}/reports/", {"year": 2022, "month": 4, "amount": "500"})
    if REPORT_PA[name] == 201:
        assert web.status_code == 302
        assert pa.reports.filter(month=4).exists()
    else:
        assert web.status_code == REPORT_PA[name]
    assert pa.reports.count() == (2 if REPORT_PA[name] == 201 else 0)


@pytest.mark.parametrize("name", ROLES)
def test_it_scopes_the_dashboard_contract(world, name):
    c = client_for(world, name)
    r = c.get("/api/v1/dashboard/projects", {"division": "山城区", "year": 2022, "month": 12})
    if name in {"admin", "sup_a", "leader_a", "unit_a", "unit_a_town", "cadre_a", "ent_a"}:
        assert r.status_code == 200
        # Each role counts only the projects it may see.
        assert r.json()["project_count"] == len(VISIBLE[name] - {"pb"})
    else:
        assert r.status_code == 404


def test_it_requires_login_everywhere(client, world):
    for url in ("/", "/projects/", f"/projects/{world.pa.pk}/"):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]
    assert client.get("/api/v1/projects").status_code == 401
    assert client.get("/api/v1/dashboard/projects?division=山城区&year=2022").status_code == 401


MANAGE_PA = {
    "admin": 201,
    "sup_a": 201,
    "leader_a": 403,
    "unit_a": 403,
    "unit_a_town": 404,
    "cadre_a": 403,
    "ent_a": 403,
    "sup_b": 404,
    "unit_b": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("name", ROLES)
def test_it_limits_stage_year_and_milestone_writes(world, name):
    c = client_for(world, name)
    pa = world.pa
    post = lambda url, body: c.post(url, data=json.dumps(body), content_type="application/json")  # noqa: E731
    r = post(f"/api/v1/projects/{pa.pk}/stage", {"to_stage": "producing", "date": "2022-05-01"})
    assert r.status_code == MANAGE_PA[name]
    r = c.put(
        f"/api/v1/projects/{pa.pk}/years",
        data=json.dumps({"year": 2023, "level": "city", "annual_plan_wan": "1000"}),
        content_type="application/json",
    )
    assert r.status_code == {201: 200}.get(MANAGE_PA[name], MANAGE_PA[name])
    r = post(f"/api/v1/projects/{pa.pk}/milestones", {"name": "封顶", "planned_date": "2022-06-30"})
    assert r.status_code == MANAGE_PA[name]
    web = c.post(
        f"/projects/{pa.pk}/stage/", {"to_stage": "effective", "date": "2022-06-01", "reason": "x"}
    )
    assert web.status_code == {201: 302}.get(MANAGE_PA[name], MANAGE_PA[name])
    pa.refresh_from_db()
    if MANAGE_PA[name] != 201:
        assert pa.stage == "building" and not pa.milestones.exists()
        assert not pa.years.filter(year=2023).exists()


def test_it_lets_a_cadre_assigned_by_liaison_see_the_project(world):
    import datetime as dt

    from taizhang.core.models import Person, Role
    from taizhang.enterprises import services as ent_services
    from tests.conftest import make_user

    officer = Person.objects.create(name="驻厂专员", division=world.a_town, position="科员")
    user = make_user("officer", Role.CADRE, person=officer)
    c = Client()
    c.force_login(user)
    assert c.get(f"/projects/{world.pa_town.pk}/").status_code == 404
    sup = client_for(world, "sup_a")
    r = sup.post(
        f"/projects/{world.pa_town.pk}/liaisons/",
        {"person": officer.pk, "role": "officer", "start": "2022-01-01"},
    )
    assert r.status_code == 302
    assert c.get(f"/projects/{world.pa_town.pk}/").status_code == 200
    assert c.get("/api/v1/projects").json()["count"] == 1
    liaison = world.pa_town.liaisons.get()
    ent_services.do_end_liaison(world.scope("sup_a"), liaison, end=dt.date(2022, 12, 31))
    liaison.refresh_from_db()
    assert liaison.end == dt.date(2022, 12, 31)
    # Once the liaison has ended, the cadre no longer sees the project.
    assert c.get(f"/projects/{world.pa_town.pk}/").status_code == 404
    assert c.get("/api/v1/projects").json()["count"] == 0
    # Units cannot assign liaison cadres.
    r = client_for(world, "unit_a_town").post(
        f"/projects/{world.pa_town.pk}/liaisons/",
        {"person": officer.pk, "role": "officer", "start": "2022-01-01"},
    )
    assert r.status_code == 403
