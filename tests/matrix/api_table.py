"""The API half of the permission matrix: one entry per (METHOD, path) as OpenAPI lists it.

To add an operation, add one line keyed by its method and OpenAPI path, e.g.
    ("GET", "/api/v1/things/{pk}"): Route(url=lambda s: f"{V1}/things/{s.project.pk}", get=E(...)),
    ("POST", "/api/v1/matters/{id}/steps/report"): step(
        "/matters/{pk}/steps/report", "problem", LEAD_STEP, note="已办结"
    ),
A GET takes `get=E(...)`; a write takes `write=Write(E(...), ok=<success status>, method=...,
data=lambda mw, s: {...})`: the roles given the success status must change something (an
audit entry unless `changed=` says what), the others nothing. A workflow step is `step(path,
on, expect, **body)`, `on` naming the side's matter in a state that allows it. `s` is a
district's Side (tests/matrix/world.py); the statuses are those of district A's object, B's
object is checked as the mirror image. Anonymous callers get 401 unless named.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.attachments.models import Attachment
from taizhang.enterprises.models import Enterprise
from taizhang.imports.models import ImportJob
from taizhang.matters.models import Matter
from taizhang.projects.models import Milestone, Project
from taizhang.tasks.models import DraftRow
from tests.attachment_files import pdf
from tests.bond_fixtures import side_bond, side_event
from tests.enterprise_fixtures import code
from tests.import_sheets import xlsx
from tests.matrix.harness import E, Route, Write

V1 = "/api/v1"


def _version(model, pk) -> int:
    return model.objects.get(pk=pk).version


def _step(attr: str, **extra):
    """The body of a step on the side's matter `attr`; a callable value is called with the side."""

    def data(mw, s):
        body = {k: v(s) if callable(v) else v for k, v in extra.items()}
        return {"version": _version(Matter, getattr(s, attr).pk), **body}

    return data


def step(path: str, on: str, expect: dict, ok: int = 200, **body) -> Route:
    """A workflow step sent to `path` ({pk} = the side's matter `on`: problem, submitted,
    accepted, reported, rated, extending, task — each in a state that allows the step)."""
    return Route(
        url=lambda s: V1 + path.format(pk=getattr(s, on).pk),
        write=Write(expect, ok=ok, data=_step(on, **body)),
    )


# Who may take a step on district A's matter (B's is the mirror image).
OFFICE_STEP = E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403)
# ...on a matter not yet assigned, which the units do not see yet.
INTAKE_STEP = E(404, admin=200, sup_a=200, leader_a=403, cadre_a=403, ent_a=403)
# ...by the lead unit (or the office for it).
LEAD_STEP = E(404, admin=200, sup_a=200, leader_a=403, unit_a=200, cadre_a=403, ent_a=403)
# ...by the lead or a co-operating unit (or the office).
UNIT_STEP = E(404, admin=200, sup_a=200, leader_a=403, unit_a=200, unit_a_town=200)
# ...by the enterprise that raised it: everyone else who sees it is refused.
ENTERPRISE_STEP = E(403, nobody=404, unit_a_town=404, ent_a=200, sup_b=404, unit_b=404)
# ...on a task: only its lead unit files 进度报送 (not even the office for it).
TASK_OWN_UNIT_STEP = E(404, admin=403, sup_a=403, leader_a=403, unit_a=200, unit_a_town=403)
# ...on a task, by the office (督办单).
TASK_OFFICE_STEP = E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, unit_a_town=403)
# An action no kind has: whoever sees the matter is told so (422), nothing changes.
UNKNOWN_STEP = E(422, nobody=404, unit_a_town=404, sup_b=404, unit_b=404)
# Office-only operations refuse A's other roles (403) before looking up B's object.
OFFICE_FIRST = {r: 403 for r in ("leader_a", "unit_a", "unit_a_town", "cadre_a", "ent_a")}


def _attachments(mw):
    return sorted(Attachment.objects.values_list("pk", flat=True))


# District A's problem (s.problem) and its files: who sees it, who may add files.
SEES_PROBLEM_A = E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404)
ATTACH_TO_PROBLEM_A = E(201, nobody=404, leader_a=403, unit_a_town=404, sup_b=404, unit_b=404)


def _jobs(mw):
    return sorted(ImportJob.objects.values_list("pk", "status"))


def _rows(mw):
    return sorted(DraftRow.objects.values_list("pk", "title"))


def _sheet():
    rows = [["项目编号", "项目名称", "责任单位", "总投资"], ["IM-8", "接口导入", "区发改委", "10"]]
    return {"file": SimpleUploadedFile("p.xlsx", xlsx(rows))}


# 创文 writes naming a division: whoever may not write is refused before it is looked up.
CIV_REFUSED_FIRST = {
    r: (403, False) for r in ("nobody", "leader_a", "unit_a", "unit_a_town", "cadre_a", "ent_a")
}


def _q(s) -> str:
    return f"division={s.division.code}"


API: dict[tuple[str, str], Route] = {
    # ------------------------------------------------------------------ attachments
    ("POST", "/api/v1/attachments"): Route(
        url=lambda s: f"{V1}/attachments",
        write=Write(
            ATTACH_TO_PROBLEM_A,
            ok=201,
            files=True,
            data=lambda mw, s: {"owner_type": "matter", "owner_id": s.problem.pk, "files": [pdf()]},
            changed=_attachments,
        ),
    ),
    ("GET", "/api/v1/attachments"): Route(
        url=lambda s: f"{V1}/attachments?owner_type=matter&owner_id={s.problem.pk}",
        get=SEES_PROBLEM_A,
    ),
    ("GET", "/api/v1/attachments/{pk}/download"): Route(
        url=lambda s: f"{V1}/attachments/{s.attachment.pk}/download", get=SEES_PROBLEM_A
    ),
    # ------------------------------------------------------------------ assessment
    ("GET", "/api/v1/assessment/scores"): Route(
        url=lambda s: f"{V1}/assessment/scores?period=2022Q3&{_q(s)}",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/assessment/scores/{kind}/{pk}"): Route(
        url=lambda s: f"{V1}/assessment/scores/unit/{s.unit.pk}?period=2022Q3&{_q(s)}",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200),
    ),
    ("GET", "/api/v1/assessment/periods"): Route(
        url=lambda s: f"{V1}/assessment/periods?{_q(s)}",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/assessment/scores/export"): Route(
        url=lambda s: f"{V1}/assessment/scores/export?period=2022Q3&{_q(s)}",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/assessment/bulletin"): Route(
        url=lambda s: f"{V1}/assessment/bulletin?period=2022Q3&{_q(s)}",
        get=E(403, nobody=404, admin=200, sup_a=200, leader_a=200, sup_b=404, unit_b=404),
    ),
    ("POST", "/api/v1/assessment/publish"): Route(
        url=lambda s: f"{V1}/assessment/publish?period=2022Q3&{_q(s)}",
        write=Write(E(403, nobody=404, admin=200, sup_a=200, sup_b=404, unit_b=404), ok=200),
    ),
    # ------------------------------------------------------------------ enterprises, visits
    ("GET", "/api/v1/enterprises"): Route(
        url=lambda s: f"{V1}/enterprises", get=E(200), scoped=False
    ),
    ("POST", "/api/v1/enterprises"): Route(
        url=lambda s: f"{V1}/enterprises",
        scoped=False,
        write=Write(
            E(403, admin=201, sup_a=201, sup_b=404),
            ok=201,
            data=lambda mw, s: {
                "name": "接口登记企业",
                "credit_code": code(78),
                "division": s.division.code,
            },
        ),
    ),
    ("GET", "/api/v1/enterprises/{pk}"): Route(
        url=lambda s: f"{V1}/enterprises/{s.enterprise.pk}",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("PATCH", "/api/v1/enterprises/{pk}"): Route(
        url=lambda s: f"{V1}/enterprises/{s.enterprise.pk}",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            ok=200,
            method="PATCH",
            data=lambda mw, s: {
                "version": _version(Enterprise, s.enterprise.pk),
                "contact": "王经理",
            },
        ),
    ),
    ("POST", "/api/v1/enterprises/{pk}/liaisons"): Route(
        url=lambda s: f"{V1}/enterprises/{s.enterprise.pk}/liaisons",
        write=Write(
            E(404, admin=201, sup_a=201, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            ok=201,
            data=lambda mw, s: {"person_id": s.cadre.pk, "role": "officer", "start": "2022-02-01"},
        ),
    ),
    ("GET", "/api/v1/visits"): Route(url=lambda s: f"{V1}/visits", get=E(200), scoped=False),
    ("POST", "/api/v1/visits"): Route(
        url=lambda s: f"{V1}/visits",
        scoped=False,
        write=Write(
            E(403, admin=201, sup_a=201, cadre_a=201, sup_b=422),
            ok=201,
            data=lambda mw, s: {"date": "2022-03-05", "enterprise_ids": [s.enterprise.pk]},
        ),
    ),
    # ------------------------------------------------------------------ problems
    ("GET", "/api/v1/problems"): Route(url=lambda s: f"{V1}/problems", get=E(200), scoped=False),
    ("POST", "/api/v1/problems"): Route(
        url=lambda s: f"{V1}/problems",
        scoped=False,
        write=Write(
            E(403, admin=201, sup_a=201, cadre_a=201, ent_a=201, sup_b=422),
            ok=201,
            data=lambda mw, s: {
                "enterprise_id": s.enterprise.pk,
                "category_id": mw.ew.ordinary.pk,
                "title": "门口道路破损",
            },
        ),
    ),
    ("GET", "/api/v1/problems/mine"): Route(
        url=lambda s: f"{V1}/problems/mine", get=E(200), scoped=False
    ),
    ("GET", "/api/v1/problems/{pk}"): Route(
        url=lambda s: f"{V1}/problems/{s.problem.pk}",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    # One operation per workflow action, for every kind (the kind's step table says which).
    ("GET", "/api/v1/matters/{pk}"): Route(
        url=lambda s: f"{V1}/matters/{s.problem.pk}",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("POST", "/api/v1/matters/{pk}/steps/accept"): step(
        "/matters/{pk}/steps/accept", "submitted", INTAKE_STEP
    ),
    ("POST", "/api/v1/matters/{pk}/steps/assign"): step(
        "/matters/{pk}/steps/assign", "accepted", INTAKE_STEP, lead_unit=lambda s: s.unit.pk
    ),
    ("POST", "/api/v1/matters/{pk}/steps/progress"): step(
        "/matters/{pk}/steps/progress", "problem", LEAD_STEP, note="已对接人社局"
    ),
    ("POST", "/api/v1/matters/{pk}/steps/report"): step(
        "/matters/{pk}/steps/report", "problem", LEAD_STEP, note="已招工30人"
    ),
    ("POST", "/api/v1/matters/{pk}/steps/rate"): step(
        "/matters/{pk}/steps/rate", "reported", ENTERPRISE_STEP, rating="satisfied"
    ),
    ("POST", "/api/v1/matters/{pk}/steps/close"): step(
        "/matters/{pk}/steps/close", "rated", OFFICE_STEP
    ),
    ("POST", "/api/v1/matters/{pk}/steps/return"): step(
        "/matters/{pk}/steps/return", "reported", OFFICE_STEP, note="企业反映未落实"
    ),
    ("POST", "/api/v1/matters/{pk}/steps/request_extension"): step(
        "/matters/{pk}/steps/request_extension",
        "problem",
        LEAD_STEP,
        deadline="2022-12-30",
        reason="需省厅批复",
    ),
    ("POST", "/api/v1/matters/{pk}/steps/approve_extension"): step(
        "/matters/{pk}/steps/approve_extension", "extending", OFFICE_STEP
    ),
    ("POST", "/api/v1/matters/{pk}/steps/refuse_extension"): step(
        "/matters/{pk}/steps/refuse_extension", "extending", OFFICE_STEP, note="理由不充分"
    ),
    ("POST", "/api/v1/matters/{pk}/steps/submit_report"): step(
        "/matters/{pk}/steps/submit_report",
        "task",
        TASK_OWN_UNIT_STEP,
        period="2024-01",
        text="新增就业300人",
        actual_value="300",
    ),
    ("POST", "/api/v1/matters/{pk}/steps/urge"): step(
        "/matters/{pk}/steps/urge", "task", TASK_OFFICE_STEP, level="blue", note="请加快进度"
    ),
    # Unknown actions (and kinds registered later) reach the catch-all: refused, nothing changes.
    ("POST", "/api/v1/matters/{pk}/steps/{action}"): step(
        "/matters/{pk}/steps/fly", "problem", UNKNOWN_STEP
    ),
    ("GET", "/api/v1/dashboard/problems"): Route(
        url=lambda s: f"{V1}/dashboard/problems?{_q(s)}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    # ------------------------------------------------------------------ imports
    ("POST", "/api/v1/imports/{kind}"): Route(
        url=lambda s: f"{V1}/imports/projects",
        scoped=False,
        write=Write(
            E(403, admin=200, sup_a=200, sup_b=200),
            ok=200,
            files=True,
            data=lambda mw, s: _sheet(),
            changed=_jobs,
        ),
    ),
    ("POST", "/api/v1/imports/{job_id}/commit"): Route(
        url=lambda s: f"{V1}/imports/{s.job.pk}/commit",
        write=Write(E(404, sup_a=202), ok=202, changed=_jobs),
    ),
    ("POST", "/api/v1/imports/{job_id}/cancel"): Route(
        url=lambda s: f"{V1}/imports/{s.job.pk}/cancel",
        write=Write(E(404, sup_a=200), ok=200, changed=_jobs),
    ),
    ("GET", "/api/v1/imports/{job_id}"): Route(
        url=lambda s: f"{V1}/imports/{s.job.pk}", get=E(404, sup_a=200)
    ),
    # ------------------------------------------------------------------ projects
    ("GET", "/api/v1/projects"): Route(url=lambda s: f"{V1}/projects", get=E(200), scoped=False),
    ("POST", "/api/v1/projects"): Route(
        url=lambda s: f"{V1}/projects",
        scoped=False,
        write=Write(
            E(403, admin=201, sup_a=201, sup_b=404),
            ok=201,
            data=lambda mw, s: {
                "division": s.division.code,
                "code": "API-1",
                "name": "接口新建项目",
                "responsible_unit_id": s.unit.pk,
                "total_investment_wan": "100",
            },
        ),
    ),
    ("GET", "/api/v1/projects/export"): Route(
        url=lambda s: f"{V1}/projects/export?format=csv", get=E(200), scoped=False
    ),
    ("GET", "/api/v1/projects/{pk}"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("PATCH", "/api/v1/projects/{pk}"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            ok=200,
            method="PATCH",
            data=lambda mw, s: {"version": _version(Project, s.project.pk), "name": "改名"},
        ),
    ),
    ("POST", "/api/v1/projects/{pk}/stage"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}/stage",
        write=Write(
            E(404, admin=201, sup_a=201, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            ok=201,
            data=lambda mw, s: {"to_stage": "producing", "date": "2022-05-01"},
        ),
    ),
    ("GET", "/api/v1/projects/{pk}/stages"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}/stages",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("PUT", "/api/v1/projects/{pk}/years"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}/years",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            ok=200,
            method="PUT",
            data=lambda mw, s: {"year": 2023, "level": "city", "annual_plan_wan": "1000"},
        ),
    ),
    ("GET", "/api/v1/projects/{pk}/milestones"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}/milestones",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("POST", "/api/v1/projects/{pk}/milestones"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}/milestones",
        write=Write(
            E(404, admin=201, sup_a=201, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            ok=201,
            data=lambda mw, s: {"name": "封顶", "planned_date": "2022-09-30"},
        ),
    ),
    ("PATCH", "/api/v1/projects/{pk}/milestones/{mid}"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}/milestones/{s.milestone.pk}",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=200, cadre_a=403, ent_a=403),
            ok=200,
            method="PATCH",
            data=lambda mw, s: {
                "version": _version(Milestone, s.milestone.pk),
                "actual_date": "2022-08-10",
            },
        ),
    ),
    ("GET", "/api/v1/projects/{pk}/reports"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}/reports",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("POST", "/api/v1/projects/{pk}/reports"): Route(
        url=lambda s: f"{V1}/projects/{s.project.pk}/reports",
        write=Write(
            E(404, admin=201, sup_a=201, leader_a=403, unit_a=201, cadre_a=403, ent_a=403),
            ok=201,
            data=lambda mw, s: {"year": 2022, "month": 3, "amount_wan": "1000"},
        ),
    ),
    ("GET", "/api/v1/dashboard/projects"): Route(
        url=lambda s: f"{V1}/dashboard/projects?{_q(s)}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    # ------------------------------------------------------------------ tasks, drafts
    ("POST", "/api/v1/extract"): Route(
        url=lambda s: f"{V1}/extract",
        scoped=False,
        write=Write(
            E((200, False)),
            ok=200,
            files=True,
            data=lambda mw, s: {
                "file": SimpleUploadedFile("x.txt", "全年新增就业3760人以上。".encode())
            },
            changed=lambda mw: 0,  # reads only
        ),
    ),
    ("GET", "/api/v1/tasks"): Route(url=lambda s: f"{V1}/tasks", get=E(200), scoped=False),
    ("POST", "/api/v1/tasks"): Route(
        url=lambda s: f"{V1}/tasks",
        scoped=False,
        write=Write(
            E(403, nobody=404, admin=201, sup_a=201, sup_b=404, unit_b=404),
            ok=201,
            data=lambda mw, s: {
                "title": "新增市场主体500户",
                "lead_unit_id": s.unit.pk,
                "division": s.division.code,
                "year": dt.date.today().year,
                "deadline": f"{dt.date.today().year}-12-31",
            },
        ),
    ),
    ("GET", "/api/v1/tasks/figures"): Route(
        url=lambda s: f"{V1}/tasks/figures?{_q(s)}&year=2024",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/tasks/report-facts"): Route(
        url=lambda s: f"{V1}/tasks/report-facts?until=2024-06-30&{_q(s)}",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/tasks/{pk}"): Route(
        url=lambda s: f"{V1}/tasks/{s.task.pk}",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200, unit_a_town=200),
    ),
    ("GET", "/api/v1/tasks/{pk}/reports"): Route(
        url=lambda s: f"{V1}/tasks/{s.task.pk}/reports",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200, unit_a_town=200),
    ),
    ("GET", "/api/v1/drafts"): Route(
        url=lambda s: f"{V1}/drafts", get=E(403, admin=200, sup_a=200, sup_b=200), scoped=False
    ),
    ("POST", "/api/v1/drafts"): Route(
        url=lambda s: f"{V1}/drafts",
        scoped=False,
        write=Write(
            E(403, admin=422, sup_a=201, sup_b=201),
            ok=201,
            data=lambda mw, s: {"text": "全年新增市场主体500户以上。", "year": 2024},
        ),
    ),
    ("GET", "/api/v1/drafts/{pk}/rows"): Route(
        url=lambda s: f"{V1}/drafts/{s.draft.pk}/rows",
        get=E(404, admin=200, sup_a=200, leader_a=403),
    ),
    ("PATCH", "/api/v1/drafts/{pk}/rows/{rid}"): Route(
        url=lambda s: f"{V1}/drafts/{s.draft.pk}/rows/{s.row.pk}",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403),
            ok=200,
            method="PATCH",
            data=lambda mw, s: {"title": "城镇新增就业4000人以上"},
            changed=_rows,
        ),
    ),
    ("POST", "/api/v1/drafts/{pk}/publish"): Route(
        url=lambda s: f"{V1}/drafts/{s.draft.pk}/publish",
        write=Write(
            E(404, admin=201, sup_a=201, leader_a=403),
            ok=201,
            data=lambda mw, s: {"row_ids": [s.row.pk]},
        ),
    ),
    # ------------------------------------------------------------------ 创文 (civility)
    ("GET", "/api/v1/dashboard/civility"): Route(
        url=lambda s: f"{V1}/dashboard/civility?{_q(s)}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/civility/boards"): Route(
        url=lambda s: f"{V1}/civility/boards?{_q(s)}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/civility/standards"): Route(
        url=lambda s: f"{V1}/civility/standards?{_q(s)}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("POST", "/api/v1/civility/standards"): Route(
        url=lambda s: f"{V1}/civility/standards",
        write=Write(
            E(403, admin=201, sup_a=201, sup_b=404),
            ok=201,
            b=CIV_REFUSED_FIRST | {"sup_a": (404, False)},
            data=lambda mw, s: {
                "division": s.division.code,
                "year": 2022,
                "section": "志愿服务",
                "content": "志愿服务站点",
                "text": "设有志愿服务站点并正常运行",
                "point_types": ["community"],
            },
        ),
    ),
    ("GET", "/api/v1/civility/points"): Route(
        url=lambda s: f"{V1}/civility/points", get=E(200), scoped=False
    ),
    ("POST", "/api/v1/civility/points"): Route(
        url=lambda s: f"{V1}/civility/points",
        write=Write(
            E(403, admin=201, sup_a=201, sup_b=422),
            ok=201,
            b=CIV_REFUSED_FIRST | {"sup_a": (422, False)},
            data=lambda mw, s: {
                "division_id": s.division.pk,
                "name": "矩阵新点位",
                "type": "park",
                "unit_id": s.unit.pk,
            },
        ),
    ),
    ("GET", "/api/v1/civility/points/{pk}"): Route(
        url=lambda s: f"{V1}/civility/points/{s.extra['civ_point'].pk}",
        get=E(200, nobody=404, unit_a_town=404, cadre_a=404, ent_a=404, sup_b=404, unit_b=404),
    ),
    # The rectification steps (their own actions on the one step route).
    ("POST", "/api/v1/matters/{pk}/steps/rectify"): Route(
        url=lambda s: f"{V1}/matters/{s.extra['civ_rect'].pk}/steps/rectify",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=200),
            ok=200,
            data=lambda mw, s: {
                "version": _version(Matter, s.extra["civ_rect"].pk),
                "note": "已修补",
                "photos": [s.extra["civ_photo"].pk],
            },
        ),
    ),
    **{
        ("POST", f"/api/v1/matters/{{pk}}/steps/{action}"): Route(
            url=lambda s, action=action: (
                f"{V1}/matters/{s.extra['civ_reported'].pk}/steps/{action}"
            ),
            write=Write(
                E(404, admin=200, sup_a=200, leader_a=403, unit_a=403),
                ok=200,
                data=lambda mw, s: {
                    "version": _version(Matter, s.extra["civ_reported"].pk),
                    "note": "复查",
                },
            ),
        )
        for action in ("recheck_pass", "recheck_fail")
    },
    ("PUT", "/api/v1/civility/points/{pk}"): Route(
        url=lambda s: f"{V1}/civility/points/{s.extra['civ_point'].pk}",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=403),
            ok=200,
            method="PUT",
            data=lambda mw, s: {
                "division_id": s.division.pk,
                "name": s.extra["civ_point"].name,
                "type": "street",
                "unit_id": s.unit.pk,
                "position": "人民路东段",
            },
        ),
    ),
    ("POST", "/api/v1/civility/points/{pk}/inspections"): Route(
        url=lambda s: f"{V1}/civility/points/{s.extra['civ_point'].pk}/inspections",
        write=Write(
            E(404, admin=201, sup_a=201, leader_a=403, unit_a=403),
            ok=201,
            data=lambda mw, s: {
                "date": "2022-07-01",
                "failures": [{"standard_id": s.extra["civ_std"].pk, "note": "路面积水"}],
            },
        ),
    ),
    ("GET", "/api/v1/civility/inspections"): Route(
        url=lambda s: f"{V1}/civility/inspections?{_q(s)}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    # ------------------------------------------------------------------ projx: 专项债, 三个一批, 驻厂专员
    ("GET", "/api/v1/bonds"): Route(url=lambda s: f"{V1}/bonds", get=E(200), scoped=False),
    ("GET", "/api/v1/bonds/export"): Route(
        url=lambda s: f"{V1}/bonds/export?format=csv", get=E(200), scoped=False
    ),
    ("POST", "/api/v1/bonds"): Route(
        url=lambda s: f"{V1}/bonds",
        scoped=False,
        write=Write(
            E(403, admin=201, sup_a=201, sup_b=404),
            ok=201,
            data=lambda mw, s: {
                "project_id": s.project.pk,
                "year": 2021,
                "field": "municipal",
                "date": "2021-05-01",
                "applied_wan": "10",
            },
        ),
    ),
    ("GET", "/api/v1/bonds/{pk}"): Route(
        url=lambda s: f"{V1}/bonds/{side_bond(s).pk}",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("PATCH", "/api/v1/bonds/{pk}"): Route(
        url=lambda s: f"{V1}/bonds/{side_bond(s).pk}",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            ok=200,
            method="PATCH",
            data=lambda mw, s: {"version": side_bond(s).version, "applied_wan": "5"},
        ),
    ),
    ("POST", "/api/v1/bonds/{pk}/status"): Route(
        url=lambda s: f"{V1}/bonds/{side_bond(s).pk}/status",
        write=Write(
            E(404, admin=201, sup_a=201, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            ok=201,
            data=lambda mw, s: {"to_status": "pooled", "date": "2022-06-01"},
        ),
    ),
    ("GET", "/api/v1/bonds/{pk}/history"): Route(
        url=lambda s: f"{V1}/bonds/{side_bond(s).pk}/history",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/dashboard/bonds"): Route(
        url=lambda s: f"{V1}/dashboard/bonds?{_q(s)}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/batch-events"): Route(
        url=lambda s: f"{V1}/batch-events", get=E(200), scoped=False
    ),
    ("POST", "/api/v1/batch-events"): Route(
        url=lambda s: f"{V1}/batch-events",
        scoped=False,
        write=Write(
            E(403, admin=201, sup_a=201, sup_b=404),
            ok=201,
            data=lambda mw, s: {
                "division": s.division.code,
                "kind": "start",
                "date": "2022-04-01",
                "title": "集中开工",
                "project_ids": [s.project.pk],
            },
        ),
    ),
    ("GET", "/api/v1/batch-events/{pk}"): Route(
        url=lambda s: f"{V1}/batch-events/{side_event(s).pk}",
        get=E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/officers/workload"): Route(
        url=lambda s: f"{V1}/officers/workload?{_q(s)}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    # ------------------------------------------------------------------ meetings
    ("GET", "/api/v1/meetings"): Route(
        url=lambda s: f"{V1}/meetings", get=E(200, ent_a=403), scoped=False
    ),
    ("GET", "/api/v1/meetings/figures"): Route(
        url=lambda s: f"{V1}/meetings/figures?division={s.division.code}&year=2024",
        get=E(200, nobody=404, ent_a=403, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/meetings/{pk}"): Route(
        url=lambda s: f"{V1}/meetings/{s.extra['meeting'].pk}",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200),
    ),
    ("GET", "/api/v1/meetings/{pk}/minutes"): Route(
        url=lambda s: f"{V1}/meetings/{s.extra['meeting'].pk}/minutes",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200),
    ),
    ("POST", "/api/v1/meetings"): Route(
        url=lambda s: f"{V1}/meetings",
        scoped=False,
        write=Write(
            E(403, admin=422, sup_a=201, sup_b=422),
            ok=201,
            data=lambda mw, s: {
                "date": "2024-01-10",
                "chair_id": s.cadre.pk,
                "decisions": [
                    {"text": "协调用电增容", "lead_unit_id": s.unit.pk, "deadline": "2024-12-31"}
                ],
            },
        ),
    ),
    ("GET", "/api/v1/instructions"): Route(
        url=lambda s: f"{V1}/instructions", get=E(200, ent_a=403), scoped=False
    ),
    ("POST", "/api/v1/instructions"): Route(
        url=lambda s: f"{V1}/instructions",
        scoped=False,
        write=Write(
            E(403, admin=422, sup_a=201, sup_b=422),
            ok=201,
            data=lambda mw, s: {
                "leader_id": s.cadre.pk,
                "text": "抓好落实",
                "given_on": "2024-01-10",
                "doc_title": "关于招商引资的报告",
                "lead_unit_id": s.unit.pk,
            },
        ),
    ),
    # ------------------------------------------------------------------ measures (issue 15)
    ("GET", "/api/v1/measures"): Route(url=lambda s: f"{V1}/measures", get=E(200), scoped=False),
    ("POST", "/api/v1/factcheck"): Route(
        url=lambda s: f"{V1}/factcheck",
        write=Write(
            E(403, nobody=404, admin=200, sup_a=200, leader_a=200, sup_b=404, unit_b=404),
            ok=200,
            data=lambda mw, s: {
                "division": s.division.code,
                "text": "今年上半年，走访企业120次，企业满意率98%。",
                "as_of": "2024-06-30",
            },
        ),
    ),
    ("GET", "/api/v1/tasks/{pk}/measure"): Route(
        url=lambda s: f"{V1}/tasks/{s.task.pk}/measure",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200, unit_a_town=200),
    ),
    ("PUT", "/api/v1/tasks/{pk}/measure"): Route(
        url=lambda s: f"{V1}/tasks/{s.task.pk}/measure",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, unit_a_town=403),
            ok=200,
            method="PUT",
            data=lambda mw, s: {"measure": "enterprises.service_officers"},
        ),
    ),
    # ------------------------------------------------------------------ similar problems
    # The office only (403 before any lookup), inside its scope (docs/similar.md).
    ("GET", "/api/v1/problems/{pk}/similar"): Route(
        url=lambda s: f"{V1}/problems/{s.problem.pk}/similar",
        get=E(403, admin=200, sup_a=200, sup_b=404),
        b=OFFICE_FIRST,
    ),
    ("POST", "/api/v1/problems/{pk}/merge"): Route(
        url=lambda s: f"{V1}/problems/{s.problem.pk}/merge",
        write=Write(
            E(403, admin=200, sup_a=200, sup_b=404),
            ok=200,
            data=lambda mw, s: {"merged": s.accepted.pk, "reason": "重复登记"},
            b=OFFICE_FIRST,
        ),
    ),
    ("POST", "/api/v1/matters/{pk}/steps/merge"): step(
        "/matters/{pk}/steps/merge",
        "accepted",
        INTAKE_STEP,
        into=lambda s: s.problem.pk,
        reason="重复登记",
    ),
    ("GET", "/api/v1/radar"): Route(
        url=lambda s: f"{V1}/radar", get=E(403, admin=200, sup_a=200, sup_b=200), scoped=False
    ),
    ("POST", "/api/v1/radar/task"): Route(
        url=lambda s: f"{V1}/radar/task",
        scoped=False,
        write=Write(
            # B's office names A's problems: 422, nothing written.
            E(403, admin=201, sup_a=201, sup_b=422),
            ok=201,
            data=lambda mw, s: {
                "problems": [s.problem.pk, s.accepted.pk],
                "title": "共性问题督办",
                "lead_unit_id": s.unit.pk,
            },
        ),
    ),
    # forecast: the year-end forecast (a dashboard figure) and the evidence packs (office only).
    ("GET", "/api/v1/dashboard/forecast"): Route(
        url=lambda s: f"{V1}/dashboard/forecast?{_q(s)}&year=2022&month=6",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    ("GET", "/api/v1/matters/{pk}/evidence.docx"): Route(
        url=lambda s: f"{V1}/matters/{s.problem.pk}/evidence.docx",
        get=E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
    ),
    ("GET", "/api/v1/units/{pk}/evidence.docx"): Route(
        url=lambda s: f"{V1}/units/{s.unit.pk}/evidence.docx?from=2024-01-01&to=2024-12-31",
        get=E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
    ),
}

# petitions (信访): rows kept in their own module.
from tests.matrix.petition_rows import API as _PETITION_API  # noqa: E402

API.update(_PETITION_API)
# 政务服务办件 and 银企对接 (issue 14, part services).
from tests.matrix.services_rows import API_ROWS  # noqa: E402

API.update(API_ROWS)
