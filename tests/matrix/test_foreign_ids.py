"""Defect 1 of issue 12, as a class: every id in every API write payload passes the one
"inside this division" check (taizhang.core.divisions.within / require_within, Scope).

For each API write operation and each of its id fields, district A's office (or the role the
operation is for) sends a payload that succeeds with district A's object, then the same
payload naming district B's object in that one field: it must be refused (404 or 422) and
nothing may be saved. The positive control proves that the foreign id is what is refused.
The completeness test below fails when an API input schema gains an id field that has no
case here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from taizhang.api.api import api
from taizhang.core.models import AuditEntry, Unit, UnitKind
from taizhang.enterprises import services as ent_services
from taizhang.enterprises.models import Enterprise, Liaison, Visit
from taizhang.matters.models import Matter, MatterStep
from taizhang.projects.models import Project
from taizhang.tasks.models import DraftRow
from tests import attachment_files as af
from tests.enterprise_fixtures import code
from tests.matrix import petition_rows, services_rows
from tests.matrix.world import build_matrix_world

V1 = "/api/v1"


@dataclass(frozen=True)
class Case:
    """One id field of one operation: `body(mw, side)` names `side`'s object in that field."""

    op: tuple[str, str]  # (METHOD, OpenAPI path), as in api_table
    field: str
    url: Callable[[Any], str]
    body: Callable[[Any, Any], dict[str, Any]]
    role: str = "sup_a"
    ok: int = 201
    multipart: bool = False  # sent as a form with files (uploads), not as JSON


def _version(model, pk) -> int:
    return model.objects.get(pk=pk).version


def _visit_body(mw, s, *, persons=None, enterprises=None):
    return {
        "date": "2022-03-05",
        "enterprise_ids": [(enterprises or mw.a.enterprise).pk],
        "person_ids": [p.pk for p in (persons or [])],
    }


def _project(mw, s, **over):
    body = {
        "division": mw.a.division.code,
        "code": "FID-1",
        "name": "外区编号测试项目",
        "responsible_unit_id": mw.a.unit.pk,
        "total_investment_wan": "100",
    }
    return body | over


def _civ_standard(mw, s, field: str) -> dict[str, Any]:
    body = {
        "division": mw.a.division.code,
        "year": 2022,
        "section": "市容环境",
        "content": "外区编号测试",
        "text": "外区编号测试标准",
        "point_types": ["street"],
        "unit_id": mw.a.unit.pk,
    }
    return body | {field: s.division.code if field == "division" else s.unit.pk}


def _civ_point(mw, s, field: str) -> dict[str, Any]:
    body = {
        "division_id": mw.a.division.pk,
        "name": "外区编号测试点位",
        "type": "street",
        "unit_id": mw.a.unit.pk,
        "leader_id": mw.a.cadre.pk,
        "leader_level": "road",
    }
    other = {"division_id": s.division.pk, "unit_id": s.unit.pk, "leader_id": s.cadre.pk}
    return body | {field: other[field]}


def _event(mw, s, **over):
    body = {
        "division": mw.a.division.code,
        "kind": "start",
        "date": "2022-04-01",
        "title": "外区编号测试活动",
        "project_ids": [mw.a.project.pk],
    }
    return body | over


def _task(mw, s, **over):
    year = dt.date.today().year
    body = {
        "title": "外区编号测试任务",
        "lead_unit_id": mw.a.unit.pk,
        "division": mw.a.division.code,
        "year": year,
        "deadline": f"{year}-12-31",
    }
    return body | over


def _assign(mw, s, **over):
    body = {"version": _version(Matter, mw.a.accepted.pk), "lead_unit": mw.a.unit.pk}
    return body | over


def _meeting(mw, s, decision=None, **over):
    """A meeting of district A; `over` puts the side's object into one field."""
    body = {
        "date": "2024-01-10",
        "division": mw.a.division.code,
        "chair_id": mw.a.cadre.pk,
        "decisions": [
            {"text": "外区编号测试议定事项", "lead_unit_id": mw.a.unit.pk, "deadline": "2024-12-31"}
            | (decision or {})
        ],
    }
    return body | over


def _instruction(mw, s, **over):
    body = {
        "leader_id": mw.a.cadre.pk,
        "text": "抓好落实",
        "given_on": "2024-01-10",
        "doc_title": "外区编号测试报告",
        "lead_unit_id": mw.a.unit.pk,
    }
    return body | over


def _other_unit(mw, s):
    # District A's second unit (the lead unit itself would be dropped as a co-unit).
    return s.unit if s is mw.b else mw.w.unit_a_town


MEETING = ("POST", "/api/v1/meetings")
INSTRUCTION = ("POST", "/api/v1/instructions")
MEETING_CASES: list[Case] = [
    Case(MEETING, "division", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, division=s.division.code)),
    Case(MEETING, "chair_id", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, chair_id=s.cadre.pk)),
    Case(MEETING, "attendee_ids", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, attendee_ids=[s.cadre.pk])),
    Case(MEETING, "attendee_unit_ids", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, attendee_unit_ids=[s.unit.pk])),
    Case(MEETING, "project_ids", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, project_ids=[s.project.pk])),
    Case(MEETING, "enterprise_ids", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, enterprise_ids=[s.enterprise.pk])),
    Case(MEETING, "problem_ids", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, problem_ids=[s.problem.pk])),
    Case(MEETING, "decisions.lead_unit_id", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, {"lead_unit_id": s.unit.pk})),
    Case(MEETING, "decisions.co_unit_ids", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, {"co_unit_ids": [_other_unit(mw, s).pk]})),
    Case(MEETING, "decisions.problem_id", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, {"problem_id": s.problem.pk})),
    Case(MEETING, "decisions.leader_id", lambda a: f"{V1}/meetings", lambda mw, s: _meeting(mw, s, {"leader_id": s.cadre.pk})),
    Case(INSTRUCTION, "leader_id", lambda a: f"{V1}/instructions", lambda mw, s: _instruction(mw, s, leader_id=s.cadre.pk)),
    Case(INSTRUCTION, "division", lambda a: f"{V1}/instructions", lambda mw, s: _instruction(mw, s, division=s.division.code)),
    Case(INSTRUCTION, "on_matter_id", lambda a: f"{V1}/instructions", lambda mw, s: _instruction(mw, s, doc_title="", on_matter_id=s.problem.pk)),
    Case(INSTRUCTION, "on_project_id", lambda a: f"{V1}/instructions", lambda mw, s: _instruction(mw, s, doc_title="", on_project_id=s.project.pk)),
    Case(INSTRUCTION, "lead_unit_id", lambda a: f"{V1}/instructions", lambda mw, s: _instruction(mw, s, lead_unit_id=s.unit.pk)),
    Case(INSTRUCTION, "co_unit_ids", lambda a: f"{V1}/instructions", lambda mw, s: _instruction(mw, s, co_unit_ids=[_other_unit(mw, s).pk])),
]  # fmt: skip


CASES: list[Case] = MEETING_CASES + [
    # ------------------------------------------------------------- attachments
    Case(
        ("POST", "/api/v1/attachments"),
        "owner_id",
        lambda a: f"{V1}/attachments",
        lambda mw, s: {"owner_type": "matter", "owner_id": s.problem.pk, "files": af.jpeg()},
        multipart=True,
    ),
    # ------------------------------------------------------------- enterprises
    Case(
        ("POST", "/api/v1/enterprises"),
        "division",
        lambda a: f"{V1}/enterprises",
        lambda mw, s: {"name": "外区企业", "credit_code": code(91), "division": s.division.code},
    ),
    Case(
        ("POST", "/api/v1/enterprises"),
        "park_id",
        lambda a: f"{V1}/enterprises",
        lambda mw, s: {
            "name": "园区企业",
            "credit_code": code(92),
            "division": mw.a.division.code,
            "park_id": s.extra["park"].pk,
        },
    ),
    Case(
        ("PATCH", "/api/v1/enterprises/{pk}"),
        "park_id",
        lambda a: f"{V1}/enterprises/{a.enterprise.pk}",
        lambda mw, s: {
            "version": _version(Enterprise, mw.a.enterprise.pk),
            "park_id": s.extra["park"].pk,
        },
        ok=200,
    ),
    Case(
        ("PATCH", "/api/v1/enterprises/{pk}"),
        "division",
        lambda a: f"{V1}/enterprises/{a.enterprise.pk}",
        lambda mw, s: {
            "version": _version(Enterprise, mw.a.enterprise.pk),
            "division": s.division.code,
        },
        ok=200,
    ),
    Case(
        ("POST", "/api/v1/enterprises/{pk}/liaisons"),
        "person_id",
        lambda a: f"{V1}/enterprises/{a.enterprise.pk}/liaisons",
        lambda mw, s: {"person_id": s.cadre.pk, "role": "officer", "start": "2022-02-01"},
    ),
    # ------------------------------------------------------------- visits, problems
    Case(
        ("POST", "/api/v1/visits"),
        "person_ids",
        lambda a: f"{V1}/visits",
        lambda mw, s: _visit_body(mw, s, persons=[s.cadre]),
    ),
    Case(
        ("POST", "/api/v1/visits"),
        "person_ids",
        lambda a: f"{V1}/visits",
        lambda mw, s: _visit_body(mw, s, persons=[s.cadre]),
        role="cadre_a",
    ),
    Case(
        ("POST", "/api/v1/visits"),
        "enterprise_ids",
        lambda a: f"{V1}/visits",
        lambda mw, s: _visit_body(mw, s, enterprises=s.enterprise),
    ),
    Case(
        ("POST", "/api/v1/problems"),
        "enterprise_id",
        lambda a: f"{V1}/problems",
        lambda mw, s: {
            "enterprise_id": s.enterprise.pk,
            "category_id": mw.ew.ordinary.pk,
            "title": "外区问题",
        },
    ),
    Case(
        ("POST", "/api/v1/problems"),
        "visit_id",
        lambda a: f"{V1}/problems",
        lambda mw, s: {
            "enterprise_id": mw.a.enterprise.pk,
            "category_id": mw.ew.ordinary.pk,
            "title": "走访中发现的问题",
            "visit_id": s.extra["visit"].pk,
        },
    ),
    # ------------------------------------------------------------- workflow
    Case(
        ("POST", "/api/v1/matters/{pk}/steps/assign"),
        "lead_unit",
        lambda a: f"{V1}/matters/{a.accepted.pk}/steps/assign",
        lambda mw, s: _assign(mw, s, lead_unit=s.unit.pk),
        ok=200,
    ),
    Case(
        ("POST", "/api/v1/matters/{pk}/steps/assign"),
        "co_units",
        lambda a: f"{V1}/matters/{a.accepted.pk}/steps/assign",
        lambda mw, s: _assign(mw, s, co_units=[s.extra["co_unit"].pk]),
        ok=200,
    ),
    Case(
        ("POST", "/api/v1/matters/{pk}/steps/assign"),
        "leader",
        lambda a: f"{V1}/matters/{a.accepted.pk}/steps/assign",
        lambda mw, s: _assign(mw, s, leader=s.extra["leader"].pk),
        ok=200,
    ),
    # ------------------------------------------------------------- projx: bonds, batch events
    Case(
        ("POST", "/api/v1/bonds"),
        "project_id",
        lambda a: f"{V1}/bonds",
        lambda mw, s: {
            "project_id": s.project.pk,
            "year": 2021,
            "field": "municipal",
            "date": "2021-05-01",
        },
    ),
    Case(
        ("POST", "/api/v1/batch-events"),
        "project_ids",
        lambda a: f"{V1}/batch-events",
        lambda mw, s: _event(mw, s, project_ids=[s.project.pk]),
    ),
    Case(
        ("POST", "/api/v1/batch-events"),
        "division",
        lambda a: f"{V1}/batch-events",
        lambda mw, s: _event(mw, s, division=s.division.code),
    ),
    # ------------------------------------------------------------- projects
    Case(
        ("POST", "/api/v1/projects"),
        "responsible_unit_id",
        lambda a: f"{V1}/projects",
        lambda mw, s: _project(mw, s, responsible_unit_id=s.unit.pk),
    ),
    Case(
        ("POST", "/api/v1/projects"),
        "liaison_leader_id",
        lambda a: f"{V1}/projects",
        lambda mw, s: _project(mw, s, liaison_leader_id=s.extra["leader"].pk),
    ),
    Case(
        ("POST", "/api/v1/projects"),
        "division",
        lambda a: f"{V1}/projects",
        lambda mw, s: _project(mw, s, division=s.division.code),
    ),
    Case(
        ("PATCH", "/api/v1/projects/{pk}"),
        "responsible_unit_id",
        lambda a: f"{V1}/projects/{a.project.pk}",
        lambda mw, s: {
            "version": _version(Project, mw.a.project.pk),
            "responsible_unit_id": s.unit.pk,
        },
        ok=200,
    ),
    Case(
        ("PATCH", "/api/v1/projects/{pk}"),
        "division",
        lambda a: f"{V1}/projects/{a.project.pk}",
        # A's control moves the project to a town of A; B's to district B.
        lambda mw, s: {
            "version": _version(Project, mw.a.project.pk),
            "division": mw.w.a_town.code if s is mw.a else s.division.code,
        },
        ok=200,
    ),
    Case(
        ("PATCH", "/api/v1/projects/{pk}"),
        "liaison_leader_id",
        lambda a: f"{V1}/projects/{a.project.pk}",
        lambda mw, s: {
            "version": _version(Project, mw.a.project.pk),
            "liaison_leader_id": s.extra["leader"].pk,
        },
        ok=200,
    ),
    # ------------------------------------------------------------- tasks, drafts
    Case(
        ("POST", "/api/v1/tasks"),
        "lead_unit_id",
        lambda a: f"{V1}/tasks",
        lambda mw, s: _task(mw, s, lead_unit_id=s.unit.pk),
    ),
    Case(
        ("POST", "/api/v1/tasks"),
        "co_unit_ids",
        lambda a: f"{V1}/tasks",
        lambda mw, s: _task(mw, s, co_unit_ids=[s.extra["co_unit"].pk]),
    ),
    Case(
        ("POST", "/api/v1/tasks"),
        "leader_id",
        lambda a: f"{V1}/tasks",
        lambda mw, s: _task(mw, s, leader_id=s.extra["leader"].pk),
    ),
    Case(
        ("POST", "/api/v1/tasks"),
        "division",
        lambda a: f"{V1}/tasks",
        lambda mw, s: _task(mw, s, division=s.division.code),
    ),
    Case(
        ("PATCH", "/api/v1/drafts/{pk}/rows/{rid}"),
        "lead_unit",
        lambda a: f"{V1}/drafts/{a.draft.pk}/rows/{a.row.pk}",
        # The row's lead unit is already A's responsible unit: name another one.
        lambda mw, s: {"lead_unit": s.extra["co_unit"].pk},
        ok=200,
    ),
    Case(
        ("PATCH", "/api/v1/drafts/{pk}/rows/{rid}"),
        "co_units",
        lambda a: f"{V1}/drafts/{a.draft.pk}/rows/{a.row.pk}",
        lambda mw, s: {"co_units": [s.extra["co_unit"].pk]},
        ok=200,
    ),
    Case(
        ("PATCH", "/api/v1/drafts/{pk}/rows/{rid}"),
        "leader",
        lambda a: f"{V1}/drafts/{a.draft.pk}/rows/{a.row.pk}",
        lambda mw, s: {"leader": s.extra["leader"].pk},
        ok=200,
    ),
    Case(
        ("POST", "/api/v1/drafts/{pk}/publish"),
        "row_ids",
        lambda a: f"{V1}/drafts/{a.draft.pk}/publish",
        lambda mw, s: {"row_ids": [s.row.pk]},
    ),
    # ------------------------------------------------------------- 创文 (civility)
    *(
        Case(
            ("POST", "/api/v1/civility/standards"),
            field,
            lambda a: f"{V1}/civility/standards",
            lambda mw, s, field=field: _civ_standard(mw, s, field),
        )
        for field in ("division", "unit_id")
    ),
    *(
        Case(
            ("POST", "/api/v1/civility/points"),
            field,
            lambda a: f"{V1}/civility/points",
            lambda mw, s, field=field: _civ_point(mw, s, field),
        )
        for field in ("division_id", "unit_id", "leader_id")
    ),
    *(
        Case(
            ("PUT", "/api/v1/civility/points/{pk}"),
            field,
            lambda a: f"{V1}/civility/points/{a.extra['civ_point'].pk}",
            lambda mw, s, field=field: _civ_point(mw, s, field) | {"name": "改名点位"},
            ok=200,
        )
        for field in ("division_id", "unit_id", "leader_id")
    ),
    # 政务服务办件 and 银企对接 (issue 14, part services).
    Case(
        ("PUT", "/api/v1/services/cases/{pk}"),
        "unit_id",
        lambda a: f"{V1}/services/cases/{services_rows.case(a).pk}",
        lambda mw, s: {
            "item": "外区编号测试许可",
            "unit_id": s.unit.pk,
            "accepted_on": "2022-03-07",
            "limit_workdays": 5,
            "version": services_rows.case(mw.a).version,
        },
        ok=200,
    ),
    Case(
        ("POST", "/api/v1/financing/needs"),
        "enterprise_id",
        lambda a: f"{V1}/financing/needs",
        lambda mw, s: {
            "enterprise_id": s.enterprise.pk,
            "amount_wan": "100",
            "purpose": "外区编号测试",
            "term_months": 12,
            "published_on": "2022-03-01",
        },
    ),
    # measures (issue 15): a fact-check reads only the named division's ledger.
    Case(
        ("POST", "/api/v1/factcheck"),
        "division",
        lambda a: f"{V1}/factcheck",
        lambda mw, s: {"text": "走访企业5次。", "division": s.division.code, "as_of": "2024-06-30"},
        ok=200,
    ),
    # ------------------------------------------------------------- similar problems
    # 合并 and the radar's task: the other district's problem or unit is refused, even to the
    # administrator who sees both districts (one district's office answers its own enterprises).
    *(
        Case(
            ("POST", "/api/v1/problems/{pk}/merge"),
            "merged",
            lambda a: f"{V1}/problems/{a.problem.pk}/merge",
            lambda mw, s: {"merged": s.accepted.pk, "reason": "重复登记"},
            role=role,
            ok=200,
        )
        for role in ("sup_a", "admin")
    ),
    *(
        Case(
            ("POST", "/api/v1/matters/{pk}/steps/merge"),
            "into",
            lambda a: f"{V1}/matters/{a.accepted.pk}/steps/merge",
            lambda mw, s: {
                "version": _version(Matter, mw.a.accepted.pk),
                "into": s.problem.pk,
                "reason": "重复登记",
            },
            role=role,
            ok=200,
        )
        for role in ("sup_a", "admin")
    ),
    *(
        Case(
            ("POST", "/api/v1/radar/task"),
            "problems",
            lambda a: f"{V1}/radar/task",
            lambda mw, s: {
                "problems": [mw.a.problem.pk, s.accepted.pk],
                "title": "共性问题督办",
                "lead_unit_id": mw.a.unit.pk,
            },
            role=role,
        )
        for role in ("sup_a", "admin")
    ),
    Case(
        ("POST", "/api/v1/radar/task"),
        "lead_unit_id",
        lambda a: f"{V1}/radar/task",
        lambda mw, s: {
            "problems": [mw.a.problem.pk, mw.a.accepted.pk],
            "title": "共性问题督办",
            "lead_unit_id": s.unit.pk,
        },
        role="admin",
    ),
]

# petitions (信访): cases kept beside the part's matrix rows.
CASES += petition_rows.foreign_id_cases(Case)


def _extras(mw) -> None:
    """Objects of each district the shared world lacks: a park, a second unit, a leader, a visit."""
    from taizhang.core.models import Person

    for side, sup in ((mw.a, "sup_a"), (mw.b, "sup_b")):
        side.extra["park"] = Unit.objects.create(
            division=side.division, name=f"{side.division.name}产业园区管委会", kind=UnitKind.PARK
        )
        side.extra["co_unit"] = Unit.objects.create(
            division=side.division, name=f"{side.division.name}住建局", kind="department"
        )
        side.extra["leader"] = Person.objects.create(
            name=f"{side.division.name}副区长", division=side.division, is_leader=True
        )
        side.extra["visit"] = ent_services.do_record_visit(
            mw.w.scope(sup), {"date": dt.date(2022, 3, 1), "enterprises": [side.enterprise]}
        )
    petition_rows.make_petitions(mw)  # petitions (信访): made before any write is counted


@pytest.fixture(scope="module")
def mw(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_matrix_world()
        _extras(world)
        yield world
        transaction.set_rollback(True)


def saved(mw) -> tuple:
    """What a write could leave behind: audit entries, rows of every kind an id names."""
    return (
        AuditEntry.objects.count(),
        Visit.objects.count(),
        Matter.objects.count(),
        MatterStep.objects.count(),
        Liaison.objects.count(),
        Project.objects.count(),
        sorted(Project.objects.values_list("pk", "version")),
        sorted(Enterprise.objects.values_list("pk", "version", "park_id", "division_id")),
        sorted(DraftRow.objects.values_list("pk", "lead_unit_id", "leader_id", "published_id")),
        sorted(DraftRow.co_units.through.objects.values_list("pk", flat=True)),
    )


def send(mw, case: Case, side) -> tuple[int, bool, bytes]:
    client = Client(raise_request_exception=False)
    client.force_login(mw.users[case.role])
    with transaction.atomic():
        before = saved(mw)
        if case.multipart:
            r = client.post(case.url(mw.a), case.body(mw, side))
        else:
            r = client.generic(
                case.op[0],
                case.url(mw.a),
                json.dumps(case.body(mw, side), default=str),
                content_type="application/json",
            )
        after = saved(mw)
        transaction.set_rollback(True)
    return r.status_code, after != before, r.content[:300]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.op[0]} {c.op[1]} {c.field} {c.role}")
def test_it_refuses_an_id_from_the_other_district_and_saves_nothing(mw, db, case):
    status, changed, body = send(mw, case, mw.a)
    assert (status, changed) == (case.ok, True), f"control with A's object: {status} {body!r}"
    status, changed, body = send(mw, case, mw.b)
    assert status in {404, 422}, body
    assert not changed


def _id_fields(schema: dict[str, Any]) -> set[str]:
    props = schema.get("properties", {})
    return {
        name
        for name, prop in props.items()
        if name.endswith(("_id", "_ids")) or name in {"division", "lead_unit", "co_units", "leader"}
    }


def test_it_has_a_case_for_every_id_field_of_every_api_write():
    """An API input gaining an id field (or a new write operation with one) needs a case."""
    doc = api.get_openapi_schema(path_prefix="/api/v1/")
    schemas = doc["components"]["schemas"]
    covered = {(c.op, c.field) for c in CASES}
    # Fields that name no object of a district: the row's own version, or reference data
    # shared by every district (产业链, 问题类别).
    shared = {"industry_chain_id", "category_id"}
    missing = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method == "get":
                continue
            body = op.get("requestBody", {}).get("content", {})
            schema = next(iter(body.values()), {}).get("schema", {}) if body else {}
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            for variant in schema.get("oneOf", [schema]):
                for name in _id_fields(variant) - shared:
                    if ((method.upper(), path), name) not in covered:
                        missing.append(f"{method.upper()} {path} {name}")
    assert missing == []
