"""Petitions (信访件) in the one step table (registered when the app is ready).

登记 (do_register_petition) → 受理 / 不予受理 → 交办 → 办理 → 答复 → 回访评价 → 化解/办结,
with 领导包案 at any open stage and 延期 (≤ 30 days, approved by the office). 答复 is the
办结 of the workflow (the lead unit's work is done; lateness stops counting); 回访评价 is
recorded by the office after calling the petitioner back."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from taizhang.core.params import ID_MAX
from taizhang.matters.models import Kind
from taizhang.matters.models import Status as S
from taizhang.matters.problem_steps import common_step
from taizhang.matters.step_inputs import ExtensionInput, FinishInput
from taizhang.matters.steps import Step, StepInput, register_kind
from taizhang.matters.workflow import OPEN, PROBLEM_TRANSITIONS, Actor, Transition, table_of
from taizhang.petitions import services


class AcceptInput(StepInput):
    note: str = Field("", title="受理意见", max_length=2000)
    deadline: dt.date | None = Field(
        None, title="办理时限", description="留空为受理之日起60日（《信访工作条例》）"
    )


class RejectInput(StepInput):
    note: str = Field(title="不予受理理由", max_length=2000)


class AssignInput(StepInput):
    lead_unit: int = Field(title="承办单位", description="单位编号", ge=1, le=ID_MAX)
    leader: int | None = Field(None, title="包案领导", description="人员编号", ge=1, le=ID_MAX)
    note: str = Field("", title="交办意见", max_length=500)


class TakeChargeInput(StepInput):
    leader: int = Field(
        title="包案领导", description="人员编号（本区领导班子成员）", ge=1, le=ID_MAX
    )
    note: str = Field("", title="包案要求", max_length=500)


class ReplyInput(FinishInput):
    note: str = Field(title="答复意见", max_length=2000)


class ResolveInput(StepInput):
    resolved: bool = Field(True, title="已化解", description="矛盾纠纷已化解为是，仅办结为否")
    note: str = Field("", title="办结意见", max_length=2000)


HANDLING = OPEN | {S.ACCEPTED}
TRANSITIONS = table_of(
    PROBLEM_TRANSITIONS,
    replace=[
        Transition("reject", "不予受理", frozenset({S.SUBMITTED}), S.CLOSED, Actor.MANAGER),
        Transition("take_charge", "领导包案", HANDLING | {S.REPORTED}, None, Actor.MANAGER),
        Transition("report", "答复", OPEN, S.REPORTED, Actor.LEAD_UNIT),
        Transition("rate", "回访评价", frozenset({S.REPORTED}), S.RATED, Actor.MANAGER),
        Transition("close", "化解/办结", frozenset({S.REPORTED, S.RATED}), S.CLOSED, Actor.MANAGER),
    ],
)

OWN = {
    "accept": (AcceptInput, services.do_accept_petition),
    "reject": (RejectInput, services.do_reject_petition),
    "assign": (AssignInput, services.do_assign_petition),
    "take_charge": (TakeChargeInput, services.do_take_charge),
    "report": (ReplyInput, None),
    "close": (ResolveInput, services.do_resolve),
    "request_extension": (ExtensionInput, services.do_request_petition_extension),
}


def _steps() -> list[Step]:
    out = []
    for t in TRANSITIONS.values():
        schema, do = OWN.get(t.action, (None, None))
        if schema is None:
            out.append(common_step(t))
        elif do is None:
            out.append(Step(t, schema, common_step(t).do))
        else:
            out.append(Step(t, schema, do))
    return out


def register() -> None:
    register_kind(
        Kind.PETITION,
        _steps(),
        label="信访件",
        rater="信访人",
        # 复查 after 不满意 (counted by the matters rule in working days, unless a date is given).
        default_workdays=30,
        redo_label="重新办理",
    )
