"""Every change to a tracked matter: one do_* function per step, atomic and audited.

Each step locks the row, checks the version the user started from, asks the kind's
table (registered in steps.py) whether the step may run now, checks who is asking,
then writes the matter, one MatterStep row and one audit entry, and returns a
StepResult with the matter as it is now. Web and API reach these functions through
`steps.take_step`; the enterprise-problem table is in problem_steps.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.calendar import get_calendar
from taizhang.core.divisions import require_within
from taizhang.core.errors import ConflictError, as_date, invalid, messages_of
from taizhang.core.models import AuditEntry, Person, Role, Unit
from taizhang.core.scope import Scope
from taizhang.enterprises import services as ent_services
from taizhang.enterprises.models import Visit
from taizhang.matters import notify, problems, steps, workflow
from taizhang.matters.models import (
    Matter,
    MatterStep,
    NotificationKind,
    Rating,
    Source,
    Status,
)
from taizhang.matters.step_inputs import ALLOW_EARLIER
from taizhang.matters.steps import StepResult
from taizhang.matters.workflow import Actor, StepRefused

OPEN = workflow.OPEN


def default_deadline(matter: Matter, start: dt.date) -> dt.date:
    """A deadline counted from `start` by the matter's rule: its problem category's working
    days, else its kind's (deputies' suggestions and CPPCC proposals: 30)."""
    if matter.category:
        days = matter.category.default_workdays
    else:
        spec = steps.kind_steps(matter.kind)
        days = spec.default_workdays if spec else 7
    return get_calendar().add_workdays(start, days).date


def _reopening_floor(m: Matter) -> dt.date | None:
    return max((d for d in (m.deadline, m.original_deadline) if d), default=None)


def default_redo_deadline(m: Matter, day: dt.date) -> dt.date:
    """The deadline a matter sent back on `day` gets when nobody gives one (see below)."""
    due = default_deadline(m, day)
    floor = _reopening_floor(m)
    return max(due, floor) if floor else due


def reopening_deadline(
    scope: Scope,
    m: Matter,
    day: dt.date,
    given: dt.date | None,
    *,
    allow_earlier: bool,
    field: str,
) -> dt.date:
    """The fresh deadline of a matter sent back (不满意, 退回重办) on `day`.

    Counted from the reopening day by the kind's rule unless a date is given, and never
    earlier than the deadline the matter had (its first one, or as extended): sending a
    matter back must not shorten the time the unit was promised. Only the office may set an
    earlier date, and only by confirming it (`allow_earlier`)."""
    if given is None:
        return default_redo_deadline(m, day)
    floor = _reopening_floor(m)
    if given < day:
        raise invalid(field, f"重办时限（{given:%Y-%m-%d}）不能早于退回日期（{day:%Y-%m-%d}）")
    if floor and given < floor:
        if not allow_earlier:
            raise invalid(
                field,
                f"重办时限（{given:%Y-%m-%d}）早于原办理时限（{floor:%Y-%m-%d}）："
                f"如确需提前，请勾选「{ALLOW_EARLIER}」后再提交",
            )
        if not scope.can_manage:
            raise invalid("allow_earlier", "只有督查室可以把重办时限定得早于原办理时限")
    return given


# Who may act -----------------------------------------------------------------


def may(scope: Scope, matter: Matter, actor: str) -> bool:
    if actor == Actor.RATER:
        return (
            scope.role == Role.ENTERPRISE
            and scope.enterprise is not None
            and matter.enterprise_id == scope.enterprise.pk
        )
    if actor == Actor.OWN_UNIT:
        return (
            scope.role == Role.UNIT
            and scope.unit is not None
            and (matter.lead_unit_id == scope.unit.pk)
        )
    if scope.can_manage:
        return scope.contains(matter)
    if actor == Actor.MANAGER or scope.role != Role.UNIT or scope.unit is None:
        return False
    if matter.lead_unit_id == scope.unit.pk:
        return True
    if actor != Actor.UNIT:
        return False
    # A list that prefetched co_units (the today page) must not pay one query per row.
    if "co_units" in getattr(matter, "_prefetched_objects_cache", {}):
        return any(u.pk == scope.unit.pk for u in matter.co_units.all())
    return matter.co_units.filter(pk=scope.unit.pk).exists()


_DENIED = {
    Actor.MANAGER: "只有督查室可以执行「{label}」",
    Actor.LEAD_UNIT: "只有主办单位或督查室可以执行「{label}」",
    Actor.OWN_UNIT: "只有牵头单位（主办单位）本身可以执行「{label}」",
    Actor.UNIT: "只有承办单位（主办、协办）或督查室可以执行「{label}」",
    Actor.RATER: "只有提出问题的企业本身可以评价",
}


def allowed_actions(scope: Scope, matter: Matter) -> list[str]:
    """The steps this user may take on this matter now (for showing forms and buttons)."""
    out = []
    for t in workflow.allowed(steps.transitions(matter.kind), matter.status):
        if not may(scope, matter, t.actor):
            continue
        if t.action == "request_extension" and matter.pending_deadline:
            continue
        if t.action in {"approve_extension", "refuse_extension"} and not matter.pending_deadline:
            continue
        if t.action == "merge":
            # Not a next step: offered beside the problem's likely duplicates (docs/similar.md).
            continue
        out.append(t.action)
    return out


# The one step runner ---------------------------------------------------------


@dataclass
class Change:
    """What a step writes besides the matter's own fields, which `apply` sets on the locked row.

    target: the status to move to when it is not the transition's (不满意 → 退回重办);
    label: the step's name in the history when not the transition's (企业评价：满意);
    co_units: the new co-operating units; rating: stamped on the MatterStep;
    audit: extra facts for the audit entry; created: a record the step made (TaskReport …),
    handed back in StepResult.created."""

    target: str | None = None
    label: str | None = None
    co_units: list[Unit] | None = None
    rating: str = ""
    audit: dict[str, Any] = field(default_factory=dict)
    created: models.Model | None = None


def _lock(matter: Matter) -> Matter:
    return (
        # Lock only the matter row: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
        Matter.objects.select_for_update(of=("self",))
        .select_related("division", "category", "enterprise", "lead_unit")
        .get(pk=matter.pk)
    )


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _state(m: Matter) -> dict[str, Any]:
    return {
        "状态": m.get_status_display(),
        "办理时限": _iso(m.deadline),
        "主办单位": m.lead_unit.name if m.lead_unit_id else None,
        "企业评价": m.get_rating_display() or None,
        "申请延期至": _iso(m.pending_deadline),
    }


@transaction.atomic
def run_step(
    scope: Scope,
    matter: Matter,
    action: str,
    *,
    expected_version: int | None,
    date: dt.date | str | None = None,
    note: str = "",
    apply: Callable[[Matter, dt.date], Change] | None = None,
) -> StepResult:
    """The runner under every do_* step: lock, check version, status and actor, let `apply`
    write the kind's fields on the locked row, then stamp one MatterStep and one audit entry.

    `expected_version=None` is for internal chains only (creation runs 受理 and 交办 on the
    matter it has just made); the web and the API always pass the version the user read."""
    m = _lock(matter)
    if expected_version is not None and m.version != expected_version:
        raise ConflictError(
            f"操作未生效：该事项已被他人处理（您打开的是第{expected_version}版，"
            f"当前为第{m.version}版，状态「{m.get_status_display()}」）。请刷新后重试。"
        )
    try:
        t = workflow.check(steps.transitions(m.kind), m.status, action)
    except StepRefused as e:
        raise invalid(None, str(e)) from None
    if not may(scope, m, t.actor):
        raise PermissionDenied(_DENIED[t.actor].format(label=t.label))
    today = timezone.localdate()
    day = as_date(date, "date", "日期", required=False) or today
    if day > today:
        raise invalid("date", f"{t.label}日期不能晚于今天")
    if day < m.raised_on:
        raise invalid("date", f"{t.label}日期不能早于问题提出日期（{m.raised_on:%Y-%m-%d}）")
    before = _state(m)
    deadline_before = m.deadline
    from_status = m.status
    change = apply(m, day) if apply else Change()
    target = change.target or t.target
    if target is not None:
        m.status = target
    m.version += 1
    m.updated_at = timezone.now()
    m.save()
    if change.co_units is not None:
        m.co_units.set(change.co_units)
    label = change.label or t.label
    step = MatterStep.objects.create(
        matter=m,
        action=action,
        label=label,
        from_status=from_status,
        to_status=m.status,
        date=day,
        by=scope.actor,
        by_name=scope.actor_name,
        by_unit=scope.unit if scope.role == Role.UNIT else None,
        note=(note or "").strip(),
        deadline_before=deadline_before,
        deadline_after=m.deadline if m.deadline != deadline_before else None,
        rating=change.rating,
        round=m.round,
    )
    audit.record(
        scope.actor,
        step,
        AuditEntry.Action.ACTION,
        before=before,
        after=_state(m),
        verb=label,
        division_path=m.division.path,
        root=m,
        extra={"日期": day, **({"说明": step.note} if step.note else {}), **change.audit},
    )
    _notify_next(m, label)
    return StepResult(m, step, change.created)


def _notify_next(m: Matter, label: str) -> None:
    """Tell whoever acts next that the matter is waiting for them."""
    title = f"{m.title}：{label}"
    if m.status in {Status.ASSIGNED, Status.RETURNED}:
        users = notify.unit_users([m.lead_unit_id, *m.co_units.values_list("pk", flat=True)])
    elif m.status == Status.REPORTED:
        users = notify.enterprise_users(m.enterprise_id)
        spec = steps.kind_steps(m.kind)
        if not (spec and spec.requires_rating):
            users = notify.supervisors_of(m.division)
    elif m.status in {Status.SUBMITTED, Status.RATED} or m.pending_deadline:
        users = notify.supervisors_of(m.division)
    else:
        return
    notify.notify(users, m, NotificationKind.STEP, title)


# Creating a problem -----------------------------------------------------------


@transaction.atomic
def do_create_problem(
    scope: Scope, data: dict[str, Any], *, accept: bool = False, is_synthetic: bool = False
) -> Matter:
    """An enterprise problem enters the ledger (待受理). The office may accept it at once."""
    m = problems.save_problem(scope, problems.clean_problem(scope, data), is_synthetic=is_synthetic)
    if accept:
        m = do_accept(scope, m, expected_version=m.version, date=m.raised_on).matter
    else:
        _notify_next(m, "新问题待受理")
    return m


@transaction.atomic
def do_record_visit_with_problems(
    scope: Scope, data: dict[str, Any], raised: Sequence[dict[str, Any]] = ()
) -> tuple[Visit, list[Matter]]:
    """A visit and the problems raised on the spot (现场收集问题), all or nothing.

    Each entry of `raised` holds title, category, description and optionally the
    enterprise (needed when the visit covers several). Every problem passes the same
    clean_problem as any other, is dated on the visit's day with source 走访, and is
    written by save_problem linked to the visit. Errors of the visit come first; then
    every problem's errors at once, under "problems", each naming its row.
    """
    c = ent_services.clean_visit(scope, data)
    visited = {e.pk: e for e in c["enterprises"]}
    only = next(iter(visited.values())) if len(visited) == 1 else None
    cleaned: list[problems.NewProblem] = []
    errors: list[str] = []
    for n, row in enumerate(raised, start=1):
        enterprise = row.get("enterprise") or only
        pk = getattr(enterprise, "pk", enterprise)
        if enterprise is None:
            errors.append(f"第{n}个问题：本次走访有多家企业，请选择问题所属企业")
            continue
        if str(pk) not in {str(k) for k in visited}:
            errors.append(f"第{n}个问题：所属企业不在本次走访的企业中")
            continue
        try:
            cleaned.append(
                problems.clean_problem(
                    scope,
                    {
                        "enterprise": visited[int(pk)],
                        "category": row.get("category"),
                        "title": row.get("title"),
                        "description": row.get("description"),
                        "source": Source.VISIT,
                        "raised_on": c["date"],
                    },
                )
            )
        except ValidationError as e:
            errors.extend(f"第{n}个问题：{m}" for msgs in messages_of(e).values() for m in msgs)
    if errors:
        raise ValidationError({"problems": errors})
    v = ent_services.save_visit(
        scope, c, extra={"现场收集问题": [p.title for p in cleaned]} if cleaned else None
    )
    matters = [problems.save_problem(scope, replace(p, visit=v)) for p in cleaned]
    for m in matters:
        _notify_next(m, "新问题待受理")
    return v, matters


# The steps -----------------------------------------------------------------
# One do_* function per action, typed, returning StepResult. The action codes stored in
# MatterStep.action are data and keep their historical names ("report" is 办结, done by
# `do_finish`; "return" is 退回重办, done by `do_send_back`).


def do_accept(
    scope: Scope,
    matter: Matter,
    *,
    expected_version: int | None,
    date: dt.date | None = None,
    note: str = "",
) -> StepResult:
    def apply(m: Matter, day: dt.date) -> Change:
        m.accepted_on = day
        return Change()

    return run_step(
        scope,
        matter,
        "accept",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


def _units(value: Iterable[Unit | int | str]) -> list[Unit]:
    out = []
    for u in value or []:
        if isinstance(u, Unit):
            out.append(u)
        elif u not in (None, ""):
            found = Unit.objects.filter(pk=u).first()
            if found is None:
                raise invalid("co_units", f"协办单位「{u}」不存在")
            out.append(found)
    return out


def do_assign(
    scope: Scope,
    matter: Matter,
    *,
    lead_unit: Unit | int | None,
    co_units: Iterable[Unit | int] = (),
    deadline: dt.date | None = None,
    leader: Person | int | None = None,
    expected_version: int | None,
    date: dt.date | None = None,
    note: str = "",
) -> StepResult:
    """交办: lead unit and co-units inside the matter's district; deadline in working days."""
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> Change:
            lead = (
                lead_unit
                if isinstance(lead_unit, Unit)
                else (
                    Unit.objects.filter(pk=lead_unit).first()
                    if lead_unit not in (None, "")
                    else None
                )
            )
            if lead is None:
                raise invalid("lead_unit", "请选择主办单位")
            require_within(m.division, lead, "lead_unit", "主办单位")
            cos = [u for u in _units(co_units) if u.pk != lead.pk]
            for u in cos:
                require_within(m.division, u, "co_units", "协办单位")
            due = as_date(deadline, "deadline", "办理时限", required=False)
            if due is None:
                due = default_deadline(m, day)
            elif due < day:
                raise invalid(
                    "deadline", f"办理时限（{due:%Y-%m-%d}）不能早于交办日期（{day:%Y-%m-%d}）"
                )
            person = leader
            if person not in (None, "") and not isinstance(person, Person):
                person = Person.objects.filter(pk=person).first()
                if person is None:
                    raise invalid("leader", "责任领导不存在")
            if isinstance(person, Person):
                require_within(m.division, person, "leader", "责任领导")
            if not person and m.enterprise_id:
                lia = m.enterprise.liaisons.filter(role="leader").select_related("person").first()
                person = lia.person if lia else None
            m.lead_unit, m.leader = lead, person or m.leader
            m.assigned_on, m.deadline = day, due
            m.original_deadline = m.original_deadline or due
            return Change(co_units=cos, audit={"协办单位": "、".join(u.name for u in cos) or "—"})

        return run_step(
            scope,
            matter,
            "assign",
            expected_version=expected_version,
            date=date,
            note=note,
            apply=apply,
        )


def do_progress(
    scope: Scope,
    matter: Matter,
    *,
    note: str,
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """办理中: a unit records what it has done so far."""
    if not (note or "").strip():
        raise invalid("note", "请填写办理进展")
    return run_step(
        scope, matter, "progress", expected_version=expected_version, date=date, note=note
    )


def finish_fields(m: Matter, day: dt.date) -> None:
    """What 办结 writes on the matter, for every kind."""
    if m.assigned_on and day < m.assigned_on:
        raise invalid("date", f"办结日期不能早于交办日期（{m.assigned_on:%Y-%m-%d}）")
    m.finished_on = day
    m.pending_deadline, m.pending_reason = None, ""


def do_finish(
    scope: Scope,
    matter: Matter,
    *,
    note: str,
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """办结: the lead unit reports the result (action code "report")."""
    if not (note or "").strip():
        raise invalid("note", "请填写办理结果")

    def apply(m: Matter, day: dt.date) -> Change:
        finish_fields(m, day)
        return Change()

    return run_step(
        scope,
        matter,
        "report",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


def do_rate(
    scope: Scope,
    matter: Matter,
    *,
    rating: str,
    comment: str = "",
    new_deadline: dt.date | None = None,
    allow_earlier: bool = False,
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """The rater's verdict (企业评价, or the deputy's / member's opinion recorded by the
    office). 不满意 sends the matter back with a fresh deadline (see `reopening_deadline`)."""
    if rating not in Rating.values:
        raise invalid("rating", "请选择评价：满意、基本满意或不满意")
    comment = (comment or "").strip()
    if rating == Rating.UNSATISFIED and not comment:
        raise invalid("comment", "评价为不满意时，请说明原因")

    def apply(m: Matter, day: dt.date) -> Change:
        spec = steps.kind_steps(m.kind)
        who = spec.rater if spec else "企业"
        m.rating, m.rating_comment, m.rated_on = rating, comment[:500], day
        label = str(Rating(rating).label)
        change = Change(rating=rating, label=f"{who}评价：{label}", audit={"评价": label})
        if rating == Rating.UNSATISFIED:
            due = as_date(new_deadline, "new_deadline", "重办时限", required=False)
            m.deadline = reopening_deadline(
                scope, m, day, due, allow_earlier=allow_earlier, field="new_deadline"
            )
            m.finished_on = None
            m.round += 1
            redo = spec.redo_label if spec else "退回重办"
            change.target, change.label = Status.RETURNED, f"{who}评价：不满意，{redo}"
        return change

    return run_step(
        scope,
        matter,
        "rate",
        expected_version=expected_version,
        date=date,
        note=comment,
        apply=apply,
    )


def do_close(
    scope: Scope,
    matter: Matter,
    *,
    expected_version: int | None,
    date: dt.date | None = None,
    note: str = "",
) -> StepResult:
    """销号 by the supervision office (kinds with a rating: only once rated, per the table)."""

    def apply(m: Matter, day: dt.date) -> Change:
        m.closed_on = day
        return Change()

    return run_step(
        scope, matter, "close", expected_version=expected_version, date=date, note=note, apply=apply
    )


def do_send_back(
    scope: Scope,
    matter: Matter,
    *,
    note: str,
    deadline: dt.date | None = None,
    allow_earlier: bool = False,
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """退回重办 by the office (result not acceptable; action code "return"), with a fresh
    deadline (see `reopening_deadline`)."""
    if not (note or "").strip():
        raise invalid("note", "请填写退回理由")

    def apply(m: Matter, day: dt.date) -> Change:
        due = as_date(deadline, "deadline", "重办时限", required=False)
        m.deadline = reopening_deadline(
            scope, m, day, due, allow_earlier=allow_earlier, field="deadline"
        )
        m.finished_on, m.rating, m.rated_on = None, "", None
        m.round += 1
        return Change()

    return run_step(
        scope,
        matter,
        "return",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


def do_request_extension(
    scope: Scope,
    matter: Matter,
    *,
    deadline: dt.date | None,
    reason: str,
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "申请延期必须填写理由")

    def apply(m: Matter, day: dt.date) -> Change:
        if m.pending_deadline:
            raise invalid(None, f"已有待审批的延期申请（至{m.pending_deadline:%Y-%m-%d}）")
        due = as_date(deadline, "deadline", "延期后时限")
        if m.deadline and due <= m.deadline:
            raise invalid("deadline", f"延期后时限应晚于当前时限（{m.deadline:%Y-%m-%d}）")
        m.pending_deadline, m.pending_reason = due, reason[:300]
        return Change(audit={"申请延期至": due})

    return run_step(
        scope,
        matter,
        "request_extension",
        expected_version=expected_version,
        date=date,
        note=reason,
        apply=apply,
    )


def _decide_extension(
    scope: Scope,
    matter: Matter,
    approve: bool,
    *,
    note: str,
    expected_version: int | None,
    date: dt.date | None,
) -> StepResult:
    def apply(m: Matter, day: dt.date) -> Change:
        if not m.pending_deadline:
            raise invalid(None, "没有待审批的延期申请")
        if approve:
            m.deadline = m.pending_deadline
        m.pending_deadline, m.pending_reason = None, ""
        return Change()

    action = "approve_extension" if approve else "refuse_extension"
    return run_step(
        scope, matter, action, expected_version=expected_version, date=date, note=note, apply=apply
    )


def do_approve_extension(
    scope: Scope,
    matter: Matter,
    *,
    note: str = "",
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """同意延期: the requested date becomes the deadline."""
    return _decide_extension(
        scope, matter, True, note=note, expected_version=expected_version, date=date
    )


def do_refuse_extension(
    scope: Scope,
    matter: Matter,
    *,
    note: str = "",
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """不同意延期: the request is dropped, the deadline stays."""
    return _decide_extension(
        scope, matter, False, note=note, expected_version=expected_version, date=date
    )


def do_bulk_assign(
    scope: Scope, matters: list[tuple[Matter, int]], **kwargs: Any
) -> tuple[int, list[str]]:
    """Assign several accepted problems at once; each is its own transaction and version check."""
    scope.require_manage()
    done, errors = 0, []
    for m, version in matters:
        try:
            do_assign(scope, m, expected_version=version, **kwargs)
            done += 1
        except ValidationError as e:
            msgs = [
                msg
                for ms in (e.message_dict.values() if hasattr(e, "error_dict") else [e.messages])
                for msg in ms
            ]
            errors.append(f"{m.title}：{'；'.join(msgs)}")
        except (ConflictError, PermissionDenied) as e:
            errors.append(f"{m.title}：{e}")
    return done, errors
