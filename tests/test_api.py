from __future__ import annotations

import json
import re

from django.test import Client

from taizhang.core.models import ApiToken, AuditEntry


def test_it_describes_every_endpoint_in_openapi(client, world):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    paths = spec["paths"]
    for path in (
        "/api/v1/projects",
        "/api/v1/projects/{pk}",
        "/api/v1/projects/{pk}/stage",
        "/api/v1/projects/{pk}/milestones",
        "/api/v1/projects/{pk}/reports",
        "/api/v1/projects/{pk}/years",
        "/api/v1/dashboard/projects",
    ):
        assert path in paths, path
    from taizhang.api.api import api
    from taizhang.urls import urlpatterns  # noqa: F401

    routed = {op_path for _, router in api._routers for op_path in router.path_operations}
    documented = {p.removeprefix("/api/v1") for p in paths}
    # OpenAPI writes a typed parameter {int:job_id} as {job_id}.
    routed = {re.sub(r"\{\w+:(\w+)\}", r"{\1}", p) for p in routed}
    assert {"/" + p.lstrip("/") for p in routed if p} <= documented | {""}


def test_it_authenticates_with_a_bearer_token(world):
    token, raw = ApiToken.issue(world.users["sup_a"], "数据中心")
    c = Client()
    r = c.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200 and r.json()["count"] == 2
    assert c.get("/api/v1/projects", HTTP_AUTHORIZATION="Bearer tz_wrong").status_code == 401
    # Token writes need no CSRF token and are audited as API changes.
    r = c.post(
        f"/api/v1/projects/{world.pa.pk}/reports",
        data=json.dumps({"year": 2022, "month": 5, "amount_wan": "88.8"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert r.status_code == 201, r.content
    assert r.json()["cumulative_wan"] == "88.80"  # amounts are decimal strings
    entry = AuditEntry.objects.filter(object_type="projects.monthlyreport").get()
    assert entry.source == "api" and entry.actor == world.users["sup_a"]


def test_it_requires_csrf_for_session_writes(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["sup_a"])
    r = c.post(
        f"/api/v1/projects/{world.pa.pk}/reports",
        data=json.dumps({"year": 2022, "month": 5, "amount_wan": "1"}),
        content_type="application/json",
    )
    assert r.status_code == 403  # ninja refuses a session write without its CSRF token
    assert not world.pa.reports.exists()


def test_it_answers_bad_input_in_chinese_with_the_field(world):
    c = Client()
    c.force_login(world.users["sup_a"])
    r = c.post(
        f"/api/v1/projects/{world.pa.pk}/reports",
        data=json.dumps({"year": 2022, "month": 5, "amount_wan": "-3"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "不能为负数" in r.json()["errors"]["amount"][0]
    r = c.post(
        f"/api/v1/projects/{world.pa.pk}/reports",
        data=json.dumps({"year": 2022, "month": "五月", "amount_wan": "3"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "month" in r.json()["errors"]
    r = c.post(
        "/api/v1/projects",
        data=json.dumps(
            {
                "division": "不存在区",
                "code": "X",
                "name": "X",
                "responsible_unit_id": world.unit_a.pk,
                "total_investment_wan": "1",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 404 and "不存在区" in r.json()["detail"]
    r = c.post(
        f"/api/v1/projects/{world.pa.pk}/stage",
        data=json.dumps({"to_stage": "signed", "date": "2022-03-01"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "原因" in r.json()["detail"]


def test_it_refuses_a_stale_version_with_409(world):
    c = Client()
    c.force_login(world.users["sup_a"])
    url = f"/api/v1/projects/{world.pa.pk}"
    v = c.get(url).json()["version"]
    ok = c.patch(
        url, data=json.dumps({"version": v, "location": "牟山"}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["version"] == v + 1
    stale = c.patch(
        url, data=json.dumps({"version": v, "location": "石林"}), content_type="application/json"
    )
    assert stale.status_code == 409
    body = stale.json()
    assert "已被他人修改" in body["detail"]
    assert body["changes"][0]["field"] == "建设地点" and body["changes"][0]["after"] == "牟山"


def test_it_creates_projects_and_lists_with_filters(world):
    c = Client()
    c.force_login(world.users["sup_a"])
    r = c.post(
        "/api/v1/projects",
        data=json.dumps(
            {
                "division": "410603",
                "code": "SC-100",
                "name": "德瑞电子化学品",
                "responsible_unit_id": world.unit_a.pk,
                "total_investment_wan": "60000",
                "stage": "signed",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert c.get("/api/v1/projects", {"q": "drdz"}).json()["count"] == 1
    assert c.get("/api/v1/projects", {"stage": "signed"}).json()["count"] == 1
    assert c.get("/api/v1/projects", {"year": 2022, "level": "district"}).json()["count"] == 2
    assert c.get("/api/v1/projects", {"division": "红旗街道"}).json()["count"] == 1


def test_it_serves_the_dashboard_contract(world):
    c = Client()
    c.force_login(world.users["sup_a"])
    from taizhang.projects import services

    s = world.scope("sup_a")
    import datetime as dt

    services.do_submit_monthly_report(
        s, world.pa, year=2022, month=1, amount="30000", today=dt.date(2022, 3, 1)
    )
    services.do_submit_monthly_report(
        s, world.pa, year=2022, month=2, amount="20000", today=dt.date(2022, 3, 1)
    )
    services.do_submit_monthly_report(
        s, world.pa_town, year=2022, month=2, amount="1000", today=dt.date(2022, 3, 1)
    )
    r = c.get("/api/v1/dashboard/projects", {"division": "410603", "year": 2022, "month": 1})
    body = r.json()
    assert body["project_count"] == 2
    assert body["annual_plan_wan"] == "102000.00"
    assert body["completed_wan"] == "30000.00"
    assert body["completion_rate_pct"] == "29.4"
    assert body["elapsed_rate_pct"] == "8.3"
    r = c.get("/api/v1/dashboard/projects", {"division": "山城区", "year": 2022, "month": 2})
    assert r.json()["completed_wan"] == "51000.00" and r.json()["completion_rate_pct"] == "50.0"
    assert r.json()["by_stage"]["在建"] == 2
    r = c.get("/api/v1/dashboard/projects", {"division": "红旗街道", "year": 2022, "month": 2})
    assert r.json()["project_count"] == 1
    assert (
        c.get(
            "/api/v1/dashboard/projects", {"division": "山城区", "year": 2022, "level": "乡"}
        ).status_code
        == 422
    )


def test_it_serves_the_api_docs_without_external_assets(world):
    c = Client()
    c.force_login(world.users["sup_a"])
    body = c.get("/api/v1/docs").content.decode()
    assert "swagger" in body.lower()
    assert "https://" not in body and "http://" not in body.replace("http://testserver", "")


def test_it_lists_every_route_in_the_schema(client, world):
    import re

    from taizhang.api.api import api

    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    routes = {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern)) for p in api.urls[0]
    }
    assert routes - paths == {"/api/v1/", "/api/v1/docs", "/api/v1/openapi.json"}
