"""The permission matrix's world: the shared test world plus one object of every routed kind
in each district, so that every URL can be built inside district A and inside district B.

Built once per test module (the matrix sends thousands of requests); each test runs in its
own savepoint and each write in a nested one, so nothing leaks from one request to the next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from taizhang.assessment import service as assessment
from taizhang.attachments import services as attachments
from taizhang.core.models import Division, Role, Unit
from taizhang.enterprises.models import Enterprise, Liaison
from taizhang.imports import jobs
from taizhang.imports.models import ImportJob
from taizhang.matters import services as msvc
from taizhang.matters.models import Matter, ProblemCategory
from taizhang.meetings import services as meetings
from taizhang.projects import services as projects
from taizhang.projects.models import Milestone, Project
from taizhang.tasks import drafts
from taizhang.tasks import services as tasks
from taizhang.tasks.models import DraftRow, ReportDraft
from tests.attachment_files import jpeg
from tests.civility_fixtures import civ_extra
from tests.conftest import World, build_world, make_user
from tests.enterprise_fixtures import EWorld, accept_and_assign, build_eworld, code, new_problem
from tests.import_sheets import xlsx
from tests.task_fixtures import frozen

TASK_DAY = dt.date(2024, 1, 10)
SCHEME = {
    "name": "季度综合考评",
    "indicators": [
        {
            "code": "jd",
            "name": "节点按期完成率",
            "weight": "50",
            "formula": "milestone_on_time_rate",
        },
        {"code": "tz", "name": "投资完成率", "weight": "50", "formula": "investment_vs_plan"},
    ],
    "lead_weight": "1",
    "co_weight": "0.5",
    "empty": "full",
    "board_size": 1,
}


@dataclass
class Side:
    """The objects of one district, named alike in A and B so one URL builder serves both."""

    division: Division
    unit: Unit  # the district's responsible unit (区发改委 / 淇滨区发改委)
    project: Project
    milestone: Milestone
    enterprise: Enterprise
    liaison: Liaison
    problem: Matter
    task: Matter
    draft: ReportDraft
    row: DraftRow
    job: ImportJob
    adjustment: Any
    cadre: Any  # a cadre (Person) of the district
    accepted: Matter  # a problem accepted by the office, waiting to be assigned
    submitted: Matter  # a problem raised by the enterprise, not yet accepted
    reported: Matter  # finished (办结) by the lead unit, waiting for the enterprise's rating
    rated: Matter  # rated 满意, waiting for the office to close it
    extending: Matter  # assigned, with an extension requested by the lead unit
    extra: dict[str, Any] = field(default_factory=dict)
    attachment: Any = None  # a photo (with thumbnail) on `problem`, uploaded by the office


@dataclass
class MatrixWorld:
    w: World
    ew: EWorld
    a: Side
    b: Side

    @property
    def users(self) -> dict[str, Any]:
        return self.w.users


def _task(w: World, sup: str, unit: Unit, co: list[Unit], leader, title: str) -> Matter:
    with frozen(TASK_DAY):
        return tasks.do_create_task(
            w.scope(sup),
            {
                "title": title,
                "task_source": "work_report",
                "year": 2024,
                "lead_unit": unit,
                "co_units": co,
                "leader": leader,
                "deadline": dt.date(2024, 12, 31),
                "target_value": 3760,
                "target_unit": "人",
                "comparator": ">=",
                "source_sentence": f"{title}。",
                "raised_on": TASK_DAY,
            },
        )


def _job(w: World, sup: str, unit_name: str) -> ImportJob:
    """An import job validated into a preview with one bad row, so its error report exists."""
    data = xlsx(
        [
            ["项目编号", "项目名称", "责任单位", "总投资"],
            ["IM-1", "导入测试项目", unit_name, "100"],
            ["IM-2", "错误行", "没有的局", "1"],
        ]
    )
    job = jobs.create(w.users[sup], "projects", "p.xlsx", data)
    return jobs.process(job.pk) or job


def _draft(w: World, sup: str, division: Division, text: str) -> ReportDraft:
    # This year's draft: its rows' deadline (31 Dec) must not precede the day they are published.
    year = dt.date.today().year
    return drafts.do_create_draft(w.scope(sup), text=text, year=year, division=division)


def _visit(w: World, sup: str, enterprise: Enterprise, division: Division):
    visit, _ = msvc.do_record_visit_with_problems(
        w.scope(sup),
        {"date": dt.date(2022, 3, 5), "enterprises": [enterprise], "title": "走访"},
        [{"title": f"{division.name}现场问题", "category": ProblemCategory.objects.first()}],
    )
    return visit


def _meeting(w: World, sup: str, division: Division, unit: Unit, chair) -> Any:
    """A 推进会 of the district with one decision for its unit, and a 领导批示 on a document."""
    meeting = meetings.do_create_meeting(
        w.scope(sup),
        {
            "division": division,
            "date": TASK_DAY,
            "title": f"{division.name}重点产业项目推进会",
            "chair": chair,
            "attendee_units": [unit],
            "decisions": [
                {"text": f"{division.name}城镇新增就业议定事项", "lead_unit": unit,
                 "deadline": dt.date(2024, 12, 31)}
            ],
        },
    )  # fmt: skip
    instruction = meetings.do_create_instruction(
        w.scope(sup),
        {
            "division": division,
            "leader": chair,
            "text": "抓好落实",
            "given_on": TASK_DAY,
            "doc_title": f"{division.name}城镇新增就业情况报告",
            "lead_unit": unit,
        },
    )
    return meeting, instruction


def build_matrix_world() -> MatrixWorld:
    w = build_world()
    # 三权分立: the three administrators, installation-wide (no division).
    for name, role in (
        ("sysadmin", Role.SYSADMIN),
        ("secadmin", Role.SECADMIN),
        ("auditor", Role.AUDITOR),
    ):
        w.users[name] = make_user(name, role)
    # The shared world's enterprise has a made-up credit code; its edit form needs a valid one.
    Enterprise.objects.filter(pk=w.enterprise_a.pk).update(credit_code=code(1))
    w.enterprise_a.refresh_from_db()
    ew = build_eworld(w)
    sides = {}
    for key, sup, ent, division, unit, project, enterprise, problem, co, leader, cadre in (
        (
            "a",
            "sup_a",
            "ent_a",
            w.a,
            w.unit_a,
            w.pa,
            w.enterprise_a,
            ew.problem_a,
            [w.unit_a_town],
            w.leader_a,
            w.cadre_a,
        ),
        (
            "b",
            "sup_b",
            "ent_b",
            w.b,
            w.unit_b,
            w.pb,
            ew.enterprise_b,
            ew.problem_b,
            [],
            None,
            ew.cadre_b,
        ),
    ):
        assessment.do_save_scheme(w.scope(sup), division, 2022, SCHEME)
        # A published quarter: only a published period's bulletin can be issued (印发).
        assessment.do_publish(w.scope(sup), division, "2022Q2", today=dt.date(2022, 7, 15))
        accepted = new_problem(
            ew, ent, enterprise, f"{division.name}待交办问题", raised_on=dt.date(2022, 3, 1)
        )
        msvc.do_accept(
            w.scope(sup), accepted, expected_version=accepted.version, date=dt.date(2022, 3, 2)
        )
        milestone = projects.do_add_milestone(
            w.scope(sup), project, {"name": "开工", "planned_date": dt.date(2022, 8, 15)}
        )
        task = _task(w, sup, unit, co, leader, f"{division.name}城镇新增就业3760人以上")
        draft = _draft(w, sup, division, f"{division.name}全年城镇新增就业3760人以上。")
        # A lead unit makes the first row publishable.
        drafts.do_update_row(
            w.scope(sup), draft.rows.order_by("pk").first(), {"lead_unit": unit.pk}
        )
        adjustment = assessment.do_add_adjustment(
            w.scope(sup),
            division,
            unit=unit,
            points="2",
            reason="获省级表彰",
            on=dt.date(2022, 9, 1),
        )
        staged = {}
        for stage in ("submitted", "reported", "rated", "extending"):
            m = new_problem(
                ew, ent, enterprise, f"{division.name}{stage}问题", raised_on=dt.date(2022, 3, 1)
            )
            if stage != "submitted":
                m = accept_and_assign(ew, m, sup, unit, day=dt.date(2022, 3, 2))
            lead = w.scope("unit_a" if key == "a" else "unit_b")
            if stage in ("reported", "rated"):
                msvc.do_finish(
                    lead, m, note="已解决", expected_version=m.version, date=dt.date(2022, 3, 10)
                )
                m.refresh_from_db()
            if stage == "rated":
                msvc.do_rate(
                    w.scope(ent), m, rating="satisfied", comment="", expected_version=m.version
                )
            if stage == "extending":
                msvc.do_request_extension(
                    lead,
                    m,
                    deadline=dt.date(2022, 12, 30),
                    reason="需省厅批复",
                    expected_version=m.version,
                )
            m.refresh_from_db()
            staged[stage] = m
        sides[key] = Side(
            division=division,
            unit=unit,
            project=project,
            milestone=milestone,
            enterprise=enterprise,
            liaison=Liaison.objects.filter(enterprise=enterprise).order_by("pk").first(),
            problem=problem,
            task=task,
            draft=draft,
            row=draft.rows.order_by("pk").first(),
            job=_job(w, sup, unit.name),
            adjustment=adjustment,
            cadre=cadre,
            accepted=accepted,
            **staged,
            # A visit recorded by the office, with a problem raised on the spot (picker branch).
            extra={"visit": _visit(w, sup, enterprise, division)},
        )
    for key, sup in (("a", "sup_a"), ("b", "sup_b")):
        side = sides[key]
        chair = w.leader_a if key == "a" else ew.cadre_b
        side.extra["meeting"], side.extra["instruction"] = _meeting(
            w, sup, side.division, side.unit, chair
        )
        side.attachment = attachments.do_attach(w.scope(sup), side.problem, [jpeg()])[0]
        # 创文: a tree, a point, an inspection with an assigned and a reported rectification.
        side.extra.update(civ_extra(w, sup, f"unit_{key}", side.division, side.unit))
    return MatrixWorld(w, ew, sides["a"], sides["b"])
