"""The tracked-matter state machine as data: which step may run from which status, and who runs it.

Pure: no database, no kinds. Each kind of matter registers its own table of transitions
in `taizhang.matters.steps` (enterprise problems in `taizhang.matters.problem_steps`,
supervision tasks, suggestions and proposals in `taizhang.tasks.steps`), built from the
pieces here; the step runner asks `check` whether a step may run now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from taizhang.matters.models import Status


class Actor:
    """Who may perform a step (checked by services against the user's scope)."""

    MANAGER = "manager"  # supervision office / admin
    LEAD_UNIT = "lead_unit"  # the lead unit (主办单位) or the office
    OWN_UNIT = "own_unit"  # the lead unit itself, not the office on its behalf (进度报送)
    UNIT = "unit"  # lead or co-operating unit (协办单位) or the office
    RATER = "rater"  # the enterprise's own user


@dataclass(frozen=True)
class Transition:
    # Stored in MatterStep.action: the codes are data and stay as they are, even where the
    # code's word is not the one used in Python (action "report" is 办结, done by `do_finish`).
    action: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: status unchanged (progress notes, extension requests)
    actor: str


S = Status
OPEN = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.RETURNED})

# The enterprise-problem table; other kinds start from it and change what differs.
PROBLEM_TRANSITIONS: tuple[Transition, ...] = (
    Transition("accept", "受理", frozenset({S.SUBMITTED}), S.ACCEPTED, Actor.MANAGER),
    Transition("assign", "交办", frozenset({S.ACCEPTED}), S.ASSIGNED, Actor.MANAGER),
    Transition("progress", "办理中", OPEN, S.IN_PROGRESS, Actor.UNIT),
    Transition("report", "办结", OPEN, S.REPORTED, Actor.LEAD_UNIT),
    Transition("rate", "企业评价", frozenset({S.REPORTED}), S.RATED, Actor.RATER),
    Transition("close", "销号", frozenset({S.RATED}), S.CLOSED, Actor.MANAGER),
    Transition("return", "退回重办", frozenset({S.REPORTED, S.RATED}), S.RETURNED, Actor.MANAGER),
    Transition("request_extension", "延期申请", OPEN, None, Actor.LEAD_UNIT),
    Transition("approve_extension", "同意延期", OPEN, None, Actor.MANAGER),
    Transition("refuse_extension", "不同意延期", OPEN, None, Actor.MANAGER),
)

# Kinds closed by the office straight after 办结, without a rating.
CLOSE_WITHOUT_RATING = Transition(
    "close", "销号", frozenset({S.REPORTED, S.RATED}), S.CLOSED, Actor.MANAGER
)


def table_of(
    base: Iterable[Transition],
    *,
    drop: Iterable[str] = (),
    replace: Iterable[Transition] = (),
) -> dict[str, Transition]:
    """A kind's table: `base` without the `drop`ped actions, with `replace` added or swapped in."""
    dropped = set(drop)
    out = {t.action: t for t in base if t.action not in dropped}
    out.update({t.action: t for t in replace})
    return out


# What a step is called when it is the one that should come next, for "out of order" messages.
NEXT_HINT = {
    S.SUBMITTED: "请先由督查室受理",
    S.ACCEPTED: "请先由督查室交办",
    S.ASSIGNED: "事项正在办理，等待主办单位办结",
    S.IN_PROGRESS: "事项正在办理，等待主办单位办结",
    S.RETURNED: "事项已退回重办，等待主办单位重新办结",
    S.REPORTED: "等待评价",
    S.RATED: "等待督查室销号",
    S.CLOSED: "事项已销号，流程已结束",
}


class StepRefused(Exception):
    """A step that the state machine does not allow now; the message is for the user."""


def check(table: Mapping[str, Transition], status: str, action: str) -> Transition:
    t = table.get(action)
    if t is None:
        raise StepRefused(f"该类事项没有「{action}」环节")
    if status not in t.sources:
        rate = table.get("rate")
        if action == "close" and status == S.REPORTED and rate and status in rate.sources:
            who = rate.label.removesuffix("评价")  # 企业评价 → 企业
            raise StepRefused(f"{who}尚未评价，不能销号：请等待{rate.label}后再销号")
        current = Status(status).label
        hint = NEXT_HINT.get(status, "")
        raise StepRefused(
            f"当前状态为「{current}」，不能执行「{t.label}」。{hint}".rstrip("。") + "。"
        )
    return t


def allowed(table: Mapping[str, Transition], status: str) -> list[Transition]:
    return [t for t in table.values() if status in t.sources]
