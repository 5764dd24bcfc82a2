"""Defect 5 of issue 12: the OpenAPI document was wrong.

Two schemas named ReportOut (a project's monthly report, a task's progress report) collapsed
into one; GET /imports/{job_id} was shadowed by POST /imports/{kind}; 403/404/409/422 were
undocumented on 56 of 58 operations. These tests check the document itself, and that real
answers of the main operations (successes and refusals) validate against it.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from django.db import transaction
from django.test import Client
from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema

from taizhang.api.api import api
from taizhang.enterprises.models import Enterprise
from tests.matrix.world import build_matrix_world

DOCUMENTED = {400, 401, 403, 404, 409, 422}


def collisions(target: NinjaAPI, prefix: str = "/api/v1/") -> list[str]:
    """Schema names that two different models claimed while the document was built.

    ninja keeps the last definition of a name silently; this records each overwrite that
    changes the definition."""
    found: list[str] = []
    original = OpenAPISchema.add_schema_definitions

    def checking(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                found.append(name)
        original(self, definitions)

    OpenAPISchema.add_schema_definitions = checking
    try:
        target.get_openapi_schema(path_prefix=prefix)
    finally:
        OpenAPISchema.add_schema_definitions = original
    return found


def test_it_gives_every_schema_its_own_name():
    assert collisions(api) == []


def test_it_would_notice_two_schemas_sharing_a_name():
    one = type("ReportOut", (Schema,), {"__annotations__": {"amount": int}})
    two = type("ReportOut", (Schema,), {"__annotations__": {"text": str}})
    twin = NinjaAPI(urls_namespace="openapi_twins")

    @twin.get("/a", response=one)
    def a(request):
        return {}

    @twin.get("/b", response=two)
    def b(request):
        return {}

    assert collisions(twin, prefix="") == ["ReportOut"]


def test_it_documents_the_monthly_report_with_its_own_body():
    doc = api.get_openapi_schema(path_prefix="/api/v1/")
    body = doc["paths"]["/api/v1/projects/{pk}/reports"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    props = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert {"year", "month", "amount_wan"} <= set(props)


def test_it_documents_every_refusal_on_every_operation():
    doc = api.get_openapi_schema(path_prefix="/api/v1/")
    missing = [
        f"{method.upper()} {path}: {sorted(DOCUMENTED - set(map(int, op['responses'])))}"
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if not DOCUMENTED <= set(map(int, op["responses"]))
    ]
    assert missing == []
    assert len(doc["paths"]) > 40


# Real answers against the document ------------------------------------------------


@pytest.fixture(scope="module")
def mw(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_matrix_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))


def _client(mw, role: str) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(mw.users[role])
    return c


def validate(doc: dict[str, Any], method: str, path: str, response) -> list[str]:
    """The document's errors about one answer: its status must be documented and its JSON
    body must match the schema given for that status."""
    op = doc["paths"][path][method.lower()]
    documented = op["responses"].get(str(response.status_code))
    if documented is None:
        return [f"{method} {path}: status {response.status_code} undocumented"]
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return []
    validator = jsonschema_rs.validator_for({**schema, "components": doc["components"]})
    return [
        f"{method} {path} {response.status_code}: {e}"
        for e in validator.iter_errors(response.json())
    ]


def _cases(mw) -> list[tuple[str, str, str, Any]]:
    """(method, OpenAPI path, URL, JSON body) of the main operations, with refusals."""
    a, b = mw.a, mw.b
    ent_version = Enterprise.objects.get(pk=a.enterprise.pk).version
    return [
        ("GET", "/api/v1/enterprises", "/api/v1/enterprises?limit=5", None),
        ("GET", "/api/v1/enterprises/{pk}", f"/api/v1/enterprises/{a.enterprise.pk}", None),
        ("GET", "/api/v1/enterprises/{pk}", f"/api/v1/enterprises/{b.enterprise.pk}", None),
        ("GET", "/api/v1/visits", "/api/v1/visits", None),
        ("GET", "/api/v1/visits", "/api/v1/visits?year=99999", None),
        ("GET", "/api/v1/problems", "/api/v1/problems?limit=5", None),
        ("GET", "/api/v1/problems", "/api/v1/problems?unit=99999999999999999999999", None),
        ("GET", "/api/v1/problems/{pk}", f"/api/v1/problems/{a.problem.pk}", None),
        ("GET", "/api/v1/problems/mine", "/api/v1/problems/mine", None),
        ("GET", "/api/v1/matters/{pk}", f"/api/v1/matters/{a.problem.pk}", None),
        ("GET", "/api/v1/projects", "/api/v1/projects", None),
        ("GET", "/api/v1/projects/{pk}", f"/api/v1/projects/{a.project.pk}", None),
        (
            "GET",
            "/api/v1/projects/{pk}/milestones",
            f"/api/v1/projects/{a.project.pk}/milestones",
            None,
        ),
        ("GET", "/api/v1/projects/{pk}/reports", f"/api/v1/projects/{a.project.pk}/reports", None),
        ("GET", "/api/v1/projects/{pk}/stages", f"/api/v1/projects/{a.project.pk}/stages", None),
        ("GET", "/api/v1/tasks", "/api/v1/tasks", None),
        ("GET", "/api/v1/tasks/{pk}", f"/api/v1/tasks/{a.task.pk}", None),
        ("GET", "/api/v1/tasks/{pk}/reports", f"/api/v1/tasks/{a.task.pk}/reports", None),
        ("GET", "/api/v1/drafts", "/api/v1/drafts", None),
        ("GET", "/api/v1/drafts/{pk}/rows", f"/api/v1/drafts/{a.draft.pk}/rows", None),
        ("GET", "/api/v1/imports/{job_id}", f"/api/v1/imports/{a.job.pk}", None),
        (
            "GET",
            "/api/v1/assessment/periods",
            f"/api/v1/assessment/periods?division={a.division.code}",
            None,
        ),
        (
            "POST",
            "/api/v1/projects/{pk}/reports",
            f"/api/v1/projects/{a.project.pk}/reports",
            {"year": 2022, "month": 3, "amount_wan": "1000"},
        ),
        (
            "POST",
            "/api/v1/visits",
            "/api/v1/visits",
            {"date": "2022-03-05", "enterprise_ids": [a.enterprise.pk]},
        ),
        (
            "POST",
            "/api/v1/visits",
            "/api/v1/visits",
            {"date": "2022-03-05", "enterprise_ids": [a.enterprise.pk], "person_ids": [b.cadre.pk]},
        ),
        (
            "PATCH",
            "/api/v1/enterprises/{pk}",
            f"/api/v1/enterprises/{a.enterprise.pk}",
            {"version": ent_version - 1, "contact": "王经理"},
        ),
        (
            "POST",
            "/api/v1/matters/{pk}/steps/accept",
            f"/api/v1/matters/{a.submitted.pk}/steps/accept",
            {"version": a.submitted.version},
        ),
    ]


def test_it_answers_the_main_operations_as_the_document_says(mw, db, doc):
    client = _client(mw, "sup_a")
    errors: list[str] = []
    statuses = set()
    for method, path, url, body in _cases(mw):
        with transaction.atomic():
            if body is None:
                r = client.generic(method, url)
            else:
                r = client.generic(method, url, json.dumps(body), content_type="application/json")
            transaction.set_rollback(True)
        statuses.add(r.status_code)
        errors += validate(doc, method, path, r)
    assert errors == []
    # Successes and refusals were both checked (a stale version is a 409).
    assert {200, 201, 400, 404, 409, 422} <= statuses


def test_it_reaches_an_import_job_by_get_beside_the_upload_route(mw, db):
    r = _client(mw, "sup_a").get(f"/api/v1/imports/{mw.a.job.pk}")
    assert r.status_code == 200
    assert r.json()["job_id"] == mw.a.job.pk


def test_it_would_reject_an_answer_that_breaks_the_document(doc):
    class Fake:
        status_code = 200

        def json(self):
            return {"count": "many", "items": []}

    assert validate(doc, "GET", "/api/v1/visits", Fake())
