"""Supervision tasks, suggestions and proposals in the one step table (registered when the
tasks app is ready, TasksConfig.ready).

The office publishes them already assigned (do_create_task runs 受理 and 交办); the lead
unit files periodic progress reports (进度报送) and finishes with evidence; the office can
issue a 督办单 by hand. Tasks close without a rating; for suggestions and proposals the
office records the deputy's / member's satisfaction (the 满意率) before close-out.
"""

from __future__ import annotations

from pydantic import Field

from taizhang.matters.models import Kind, Matter
from taizhang.matters.models import Status as S
from taizhang.matters.problem_steps import common_step
from taizhang.matters.steps import Step, StepInput, register_kind
from taizhang.matters.workflow import (
    CLOSE_WITHOUT_RATING,
    OPEN,
    PROBLEM_TRANSITIONS,
    Actor,
    Transition,
    table_of,
)
from taizhang.tasks import lights, services


class ProgressReportInput(StepInput):
    # 进度报送.

    period: str = Field(title="报送期", description="2024-03（月）或 2024-Q1（季度）")
    text: str = Field(title="进展情况", max_length=2000)
    actual_value: str | None = Field(None, title="截至本期累计实际值", description="量化任务必填")
    evidence: str = Field("", title="佐证材料", max_length=2000)


class FinishTaskInput(StepInput):
    # 办结 of a task: the result and its evidence.

    note: str = Field(title="办理结果", max_length=2000)
    evidence: str = Field(title="佐证材料", max_length=2000)


class NoticeInput(StepInput):
    # 督办单 issued by hand.

    level: str = Field(title="督办单等级", description="blue 蓝色 / yellow 黄色 / red 红色")
    note: str = Field(title="督办要求", max_length=500)


URGE = Transition("urge", "督办单", OPEN, None, Actor.MANAGER)
# Only the lead unit itself reports progress: the office reads reports, it does not file them.
PROGRESS_REPORT = Transition("submit_report", "进度报送", OPEN, S.IN_PROGRESS, Actor.OWN_UNIT)


def _task_steps(table: dict[str, Transition]) -> list[Step]:
    out = []
    for t in table.values():
        if t.action == "report":
            out.append(Step(t, FinishTaskInput, services.do_finish_task))
        elif t.action == "submit_report":
            out.append(Step(t, ProgressReportInput, services.do_submit_progress))
        elif t.action == "urge":
            out.append(Step(t, NoticeInput, services.do_issue_notice))
        else:
            out.append(common_step(t))
    return out


def _refresh_light(m: Matter) -> None:
    # Every step (办结, 延期, 退回, 进度报送 …) may move the light's dates.
    lights.refresh(m.pk)


def register() -> None:
    register_kind(
        Kind.SUPERVISION_TASK,
        _task_steps(
            table_of(
                PROBLEM_TRANSITIONS,
                drop=["rate"],
                replace=[CLOSE_WITHOUT_RATING, URGE, PROGRESS_REPORT],
            )
        ),
        default_workdays=7,
        redo_label="重新办理",
        after_step=_refresh_light,
    )
    for kind, who in ((Kind.SUGGESTION, "代表"), (Kind.PROPOSAL, "委员")):
        register_kind(
            kind,
            _task_steps(
                table_of(
                    PROBLEM_TRANSITIONS,
                    replace=[
                        URGE,
                        PROGRESS_REPORT,
                        Transition("report", "答复办结", OPEN, S.REPORTED, Actor.LEAD_UNIT),
                        Transition(
                            "rate", f"{who}评价", frozenset({S.REPORTED}), S.RATED, Actor.MANAGER
                        ),
                    ],
                )
            ),
            rater=who,
            # Deputies' suggestions and CPPCC proposals are redone within 30 working days.
            default_workdays=30,
            redo_label="重新办理",
            after_step=_refresh_light,
        )
