"""创文整改 in the one step table (registered when the civility app is ready).

交办 happens at the inspection (the matter is born assigned); then 整改报送 by the unit
with after-photos, 复查通过 (closes) or 复查不通过 (back with a new short deadline) by
the office; 办理中 notes as for every kind."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from taizhang.civility import services
from taizhang.core.params import ID_MAX
from taizhang.matters.models import Kind
from taizhang.matters.models import Status as S
from taizhang.matters.problem_steps import common_step
from taizhang.matters.steps import Step, StepInput, register_kind
from taizhang.matters.workflow import OPEN, Actor, Transition


class RectifyInput(StepInput):
    # 整改报送: what was done, and the after-photos uploaded to the matter beforehand.

    note: str = Field(title="整改情况", max_length=2000)
    photos: list[Annotated[int, Field(ge=1, le=ID_MAX)]] = Field(
        default_factory=list,
        title="整改后照片",
        description="已上传到本事项的照片编号（POST /api/v1/attachments，owner_type=matter）",
    )


class RecheckPassInput(StepInput):
    note: str = Field("", title="复查意见", max_length=2000)


class RecheckFailInput(StepInput):
    note: str = Field(title="复查意见", max_length=2000)
    deadline: dt.date | None = Field(
        None, title="重新整改时限", description="留空自复查日起按测评标准的整改工作日数计算"
    )


REPORT = Transition("rectify", "整改报送", OPEN, S.REPORTED, Actor.LEAD_UNIT)
PASS = Transition("recheck_pass", "复查通过", frozenset({S.REPORTED}), S.CLOSED, Actor.MANAGER)
FAIL = Transition("recheck_fail", "复查不通过", frozenset({S.REPORTED}), S.RETURNED, Actor.MANAGER)
PROGRESS = Transition("progress", "整改进展", OPEN, S.IN_PROGRESS, Actor.UNIT)


def register() -> None:
    register_kind(
        Kind.RECTIFICATION,
        [
            common_step(PROGRESS),
            Step(REPORT, RectifyInput, services.do_submit_rectification),
            Step(PASS, RecheckPassInput, services.do_recheck_pass),
            Step(FAIL, RecheckFailInput, services.do_recheck_fail),
        ],
        rater="督查室",
        default_workdays=3,
        redo_label="复查不通过",
    )
