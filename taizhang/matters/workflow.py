"""The tracked-matter state machine as data: which step may run from which status, and who runs it.

Pure: no database. Services look transitions up here; other kinds of matter
(supervision tasks, suggestions …) extend it with `register_kind` instead of
copying the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from taizhang.matters.models import Kind, Status


class Actor:
    """Who may perform a step (checked by services against the user's scope)."""

    MANAGER = "manager"  # supervision office / admin
    LEAD_UNIT = "lead_unit"  # the lead unit (主办单位) or the office
    UNIT = "unit"  # lead or co-operating unit (协办单位) or the office
    RATER = "rater"  # the enterprise's own user


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: status unchanged (progress notes, extension requests)
    actor: str


S = Status
OPEN = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.RETURNED})

BASE: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("accept", "受理", frozenset({S.SUBMITTED}), S.ACCEPTED, Actor.MANAGER),
        Transition("assign", "交办", frozenset({S.ACCEPTED}), S.ASSIGNED, Actor.MANAGER),
        Transition("progress", "办理中", OPEN, S.IN_PROGRESS, Actor.UNIT),
        Transition("report", "办结", OPEN, S.REPORTED, Actor.LEAD_UNIT),
        Transition("rate", "企业评价", frozenset({S.REPORTED}), S.RATED, Actor.RATER),
        Transition("close", "销号", frozenset({S.RATED}), S.CLOSED, Actor.MANAGER),
        Transition(
            "return", "退回重办", frozenset({S.REPORTED, S.RATED}), S.RETURNED, Actor.MANAGER
        ),
        Transition("request_extension", "延期申请", OPEN, None, Actor.LEAD_UNIT),
        Transition("approve_extension", "同意延期", OPEN, None, Actor.MANAGER),
        Transition("refuse_extension", "不同意延期", OPEN, None, Actor.MANAGER),
    ]
}

# What a step is called when it is the one that should come next, for "out of order" messages.
NEXT_HINT = {
    S.SUBMITTED: "请先由督查室受理",
    S.ACCEPTED: "请先由督查室交办",
    S.ASSIGNED: "事项正在办理，等待主办单位办结",
    S.IN_PROGRESS: "事项正在办理，等待主办单位办结",
    S.RETURNED: "事项已退回重办，等待主办单位重新办结",
    S.REPORTED: "等待企业评价",
    S.RATED: "等待督查室销号",
    S.CLOSED: "事项已销号，流程已结束",
}


@dataclass(frozen=True)
class KindRules:
    """What differs per kind: whether a rating is required before close-out, extra steps."""

    requires_rating: bool = True
    extra: dict[str, Transition] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()


_KINDS: dict[str, KindRules] = {
    Kind.ENTERPRISE_PROBLEM: KindRules(requires_rating=True),
}
_DEFAULT = KindRules(requires_rating=False)

# Supervision tasks, suggestions and proposals (taizhang/tasks): the office publishes them
# already assigned; the lead unit files periodic progress reports (进度报送); the office can
# issue a 督办单 by hand. Tasks close without a rating; for suggestions and proposals the
# office records the deputy's / member's satisfaction (the 满意率) before close-out.
_URGE = Transition("urge", "督办单", OPEN, None, Actor.MANAGER)
_REPORT = Transition("submit_report", "进度报送", OPEN, S.IN_PROGRESS, Actor.LEAD_UNIT)
_KINDS[Kind.SUPERVISION_TASK] = KindRules(
    requires_rating=False, extra={"urge": _URGE, "submit_report": _REPORT}
)
for _kind, _who in ((Kind.SUGGESTION, "代表"), (Kind.PROPOSAL, "委员")):
    _KINDS[_kind] = KindRules(
        requires_rating=True,
        extra={
            "urge": _URGE,
            "submit_report": _REPORT,
            "report": Transition("report", "答复办结", OPEN, S.REPORTED, Actor.LEAD_UNIT),
            "rate": Transition(
                "rate", f"{_who}评价", frozenset({S.REPORTED}), S.RATED, Actor.MANAGER
            ),
        },
    )


def register_kind(kind: str, rules: KindRules) -> None:
    _KINDS[kind] = rules


def rules_for(kind: str) -> KindRules:
    return _KINDS.get(kind, _DEFAULT)


def transitions(kind: str) -> dict[str, Transition]:
    rules = rules_for(kind)
    table = {k: v for k, v in BASE.items() if k not in rules.removed}
    if not rules.requires_rating:
        # Without a rating step the office closes (or returns) straight after 办结.
        table["close"] = Transition(
            "close", "销号", frozenset({S.REPORTED, S.RATED}), S.CLOSED, Actor.MANAGER
        )
        table.pop("rate", None)
    table.update(rules.extra)
    return table


class StepRefused(Exception):
    """A step that the state machine does not allow now; the message is for the user."""


def check(kind: str, status: str, action: str) -> Transition:
    table = transitions(kind)
    t = table.get(action)
    if t is None:
        raise StepRefused(f"该类事项没有「{action}」环节")
    if status not in t.sources:
        current = Status(status).label
        hint = NEXT_HINT.get(status, "")
        if action == "close" and status == S.REPORTED and rules_for(kind).requires_rating:
            raise StepRefused("企业尚未评价，不能销号：请等待企业评价后再销号")
        raise StepRefused(
            f"当前状态为「{current}」，不能执行「{t.label}」。{hint}".rstrip("。") + "。"
        )
    return t


def allowed(kind: str, status: str) -> list[Transition]:
    return [t for t in transitions(kind).values() if status in t.sources]
