"""Every change to a tracked matter: one do_* function per step, atomic and audited.

Each step locks the row, checks the version the user started from, asks the
state machine (workflow.py) whether the step may run now, checks who is asking,
then writes the matter, one MatterStep row and one audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.calendar import get_calendar
from taizhang.core.errors import ConflictError, as_date, invalid
from taizhang.core.models import AuditEntry, Person, Role, Unit
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise, Visit
from taizhang.matters import notify, workflow
from taizhang.matters.models import (
    Kind,
    Matter,
    MatterStep,
    Notification,
    ProblemCategory,
    Rating,
    Source,
    Status,
)
from taizhang.matters.workflow import Actor, StepRefused

OPEN = workflow.OPEN
FINISHED = frozenset({Status.REPORTED, Status.RATED, Status.CLOSED})


# Deputies' suggestions and CPPCC proposals are redone within 30 working days.
REDO_WORKDAYS = {Kind.SUGGESTION: 30, Kind.PROPOSAL: 30}
# Who rates the result, as the step history names them.
RATER_LABEL = {Kind.SUGGESTION: "代表", Kind.PROPOSAL: "委员"}


def default_deadline(matter: Matter, start: dt.date) -> dt.date:
    if matter.category:
        days = matter.category.default_workdays
    else:
        days = REDO_WORKDAYS.get(matter.kind, 7)
    return get_calendar().add_workdays(start, days).date


# Who may act -----------------------------------------------------------------


def may(scope: Scope, matter: Matter, actor: str) -> bool:
    if actor == Actor.RATER:
        return (
            scope.role == Role.ENTERPRISE
            and scope.enterprise is not None
            and matter.enterprise_id == scope.enterprise.pk
        )
    if scope.can_manage:
        return scope.contains(matter)
    if actor == Actor.MANAGER or scope.role != Role.UNIT or scope.unit is None:
        return False
    if matter.lead_unit_id == scope.unit.pk:
        return True
    return actor == Actor.UNIT and matter.co_units.filter(pk=scope.unit.pk).exists()


_DENIED = {
    Actor.MANAGER: "只有督查室可以执行「{label}」",
    Actor.LEAD_UNIT: "只有主办单位或督查室可以执行「{label}」",
    Actor.UNIT: "只有承办单位（主办、协办）或督查室可以执行「{label}」",
    Actor.RATER: "只有提出问题的企业本身可以评价",
}


def allowed_actions(scope: Scope, matter: Matter) -> list[str]:
    """The steps this user may take on this matter now (for showing forms and buttons)."""
    out = []
    for t in workflow.allowed(matter.kind, matter.status):
        if not may(scope, matter, t.actor):
            continue
        if t.action == "request_extension" and matter.pending_deadline:
            continue
        if t.action in {"approve_extension", "refuse_extension"} and not matter.pending_deadline:
            continue
        out.append(t.action)
    return out


# The one step runner ---------------------------------------------------------


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


def _run(
    scope: Scope,
    matter: Matter,
    action: str,
    *,
    expected_version: int | None,
    date: Any = None,
    note: str = "",
    apply: Callable[[Matter, dt.date], dict[str, Any]] | None = None,
) -> MatterStep:
    m = _lock(matter)
    if expected_version is not None and m.version != expected_version:
        raise ConflictError(
            f"操作未生效：该事项已被他人处理（您打开的是第{expected_version}版，"
            f"当前为第{m.version}版，状态「{m.get_status_display()}」）。请刷新后重试。"
        )
    try:
        t = workflow.check(m.kind, m.status, action)
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
    extra = apply(m, day) if apply else {}
    target = extra.pop("_target", t.target)
    if target is not None:
        m.status = target
    m.version += 1
    m.updated_at = timezone.now()
    m.save()
    if "_co_units" in extra:
        m.co_units.set(extra.pop("_co_units"))
    label = extra.pop("_label", t.label)
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
        rating=extra.pop("_rating", ""),
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
        extra={"日期": day, **({"说明": step.note} if step.note else {}), **extra},
    )
    _notify_next(m, label)
    matter.__dict__.update({k: v for k, v in m.__dict__.items() if not k.startswith("_")})
    return step


# Other apps (supervision tasks) add their own steps through the same runner.
run_step = _run


def _notify_next(m: Matter, label: str) -> None:
    """Tell whoever acts next that the matter is waiting for them."""
    title = f"{m.title}：{label}"
    if m.status in {Status.ASSIGNED, Status.RETURNED}:
        users = notify.unit_users([m.lead_unit_id, *m.co_units.values_list("pk", flat=True)])
    elif m.status == Status.REPORTED:
        users = notify.enterprise_users(m.enterprise_id)
        if not workflow.rules_for(m.kind).requires_rating:
            users = notify.supervisors_of(m.division)
    elif m.status in {Status.SUBMITTED, Status.RATED} or m.pending_deadline:
        users = notify.supervisors_of(m.division)
    else:
        return
    notify.notify(users, m, Notification.Kind.STEP, title)


# Creating a problem -----------------------------------------------------------


@transaction.atomic
def do_create_problem(
    scope: Scope, data: dict[str, Any], *, accept: bool = False, is_synthetic: bool = False
) -> Matter:
    """An enterprise problem enters the ledger (待受理). The office may accept it at once."""
    errors: dict[str, list[str]] = {}
    enterprise = data.get("enterprise")
    if enterprise is not None and not isinstance(enterprise, Enterprise):
        enterprise = Enterprise.objects.filter(pk=enterprise).first()
    if scope.role == Role.ENTERPRISE:
        if scope.enterprise is None:
            raise PermissionDenied("您的账号未关联企业")
        if enterprise is not None and enterprise.pk != scope.enterprise.pk:
            raise PermissionDenied("企业用户只能为本企业提交问题")
        enterprise = scope.enterprise
    elif not (scope.can_manage or scope.role == Role.CADRE):
        raise PermissionDenied("只有企业、包联干部或督查室可以登记企业问题")
    if enterprise is None or not scope.contains(enterprise):
        errors["enterprise"] = ["请选择企业（企业不存在或不在您的范围内）"]
    category = data.get("category")
    if category not in (None, "") and not isinstance(category, ProblemCategory):
        category = ProblemCategory.objects.filter(pk=category).first()
    if not isinstance(category, ProblemCategory):
        errors["category"] = ["请选择问题类别"]
    title = str(data.get("title") or "").strip()
    description = str(data.get("description") or "").strip()
    if not title:
        errors["title"] = ["请填写问题标题"]
    elif len(title) > 120:
        errors["title"] = ["问题标题不能超过120字"]
    source = data.get("source") or (Source.SELF if scope.role == Role.ENTERPRISE else Source.VISIT)
    if scope.role == Role.ENTERPRISE:
        source = Source.SELF
    if source not in Source.values:
        errors["source"] = ["问题来源无效"]
    today = timezone.localdate()
    try:
        raised_on = as_date(data.get("raised_on"), "raised_on", "提出日期", required=False) or today
        if raised_on > today:
            errors["raised_on"] = ["提出日期不能晚于今天"]
    except ValidationError as e:
        errors.update(e.message_dict)
        raised_on = today
    visit = data.get("visit")
    if visit not in (None, "") and not isinstance(visit, Visit):
        visit = Visit.objects.filter(pk=visit).first()
    if isinstance(visit, Visit) and enterprise is not None:
        if not visit.enterprises.filter(pk=enterprise.pk).exists():
            errors["visit"] = ["所选走访/座谈未包含该企业"]
    if errors:
        raise ValidationError(errors)
    m = Matter.objects.create(
        kind=Kind.ENTERPRISE_PROBLEM,
        division=enterprise.division,
        title=title,
        description=description,
        source=source,
        enterprise=enterprise,
        category=category,
        visit=visit or None,
        raised_on=raised_on,
        raised_by=scope.actor,
        raised_by_name=str(data.get("raised_by_name") or scope.actor_name)[:60],
        is_synthetic=is_synthetic,
    )
    MatterStep.objects.create(
        matter=m,
        action="submit",
        label="提出",
        to_status=Status.SUBMITTED,
        date=raised_on,
        by=scope.actor,
        by_name=scope.actor_name,
        note=description[:500],
    )
    audit.record(
        scope.actor,
        m,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(m),
        verb="登记企业问题",
        division_path=m.division.path,
    )
    if accept:
        do_accept(scope, m, expected_version=m.version, date=raised_on)
    else:
        _notify_next(m, "新问题待受理")
    return m


# The steps -----------------------------------------------------------------


def do_accept(
    scope: Scope, matter: Matter, *, expected_version: int | None, date: Any = None, note: str = ""
) -> MatterStep:
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> dict[str, Any]:
            m.accepted_on = day
            return {}

        return _run(
            scope,
            matter,
            "accept",
            expected_version=expected_version,
            date=date,
            note=note,
            apply=apply,
        )


def _units(value: Any) -> list[Unit]:
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
    lead_unit: Any,
    co_units: Iterable[Any] = (),
    deadline: Any = None,
    leader: Any = None,
    expected_version: int | None,
    date: Any = None,
    note: str = "",
) -> MatterStep:
    """交办: lead unit and co-units inside the matter's district; deadline in working days."""
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> dict[str, Any]:
            district = m.division.district() or m.division
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
            if not lead.division.path.startswith(district.path):
                raise invalid(
                    "lead_unit", f"主办单位「{lead.name}」不属于{district.name}，不能交办"
                )
            cos = [u for u in _units(co_units) if u.pk != lead.pk]
            for u in cos:
                if not u.division.path.startswith(district.path):
                    raise invalid(
                        "co_units", f"协办单位「{u.name}」不属于{district.name}，不能交办"
                    )
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
            if isinstance(person, Person) and not (
                person.division.path.startswith(district.path)
                or district.path.startswith(person.division.path)
            ):
                raise invalid("leader", f"责任领导「{person.name}」不属于{district.name}")
            if not person and m.enterprise_id:
                lia = m.enterprise.liaisons.filter(role="leader").select_related("person").first()
                person = lia.person if lia else None
            m.lead_unit, m.leader = lead, person or m.leader
            m.assigned_on, m.deadline = day, due
            m.original_deadline = m.original_deadline or due
            return {"_co_units": cos, "协办单位": "、".join(u.name for u in cos) or "—"}

        return _run(
            scope,
            matter,
            "assign",
            expected_version=expected_version,
            date=date,
            note=note,
            apply=apply,
        )


def do_progress(
    scope: Scope, matter: Matter, *, note: str, expected_version: int | None, date: Any = None
) -> MatterStep:
    if not (note or "").strip():
        raise invalid("note", "请填写办理进展")
    with transaction.atomic():
        return _run(
            scope, matter, "progress", expected_version=expected_version, date=date, note=note
        )


def do_report(
    scope: Scope, matter: Matter, *, note: str, expected_version: int | None, date: Any = None
) -> MatterStep:
    """办结: the lead unit reports the result."""
    if not (note or "").strip():
        raise invalid("note", "请填写办理结果")
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> dict[str, Any]:
            if m.assigned_on and day < m.assigned_on:
                raise invalid("date", f"办结日期不能早于交办日期（{m.assigned_on:%Y-%m-%d}）")
            m.finished_on = day
            m.pending_deadline, m.pending_reason = None, ""
            return {}

        return _run(
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
    expected_version: int | None,
    date: Any = None,
    new_deadline: Any = None,
) -> MatterStep:
    """The rater's verdict (企业评价, or the deputy's / member's opinion recorded by the
    office). 不满意 sends the matter back (退回重办) with a new deadline."""
    if rating not in Rating.values:
        raise invalid("rating", "请选择评价：满意、基本满意或不满意")
    comment = (comment or "").strip()
    if rating == Rating.UNSATISFIED and not comment:
        raise invalid("comment", "评价为不满意时，请说明原因")
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> dict[str, Any]:
            m.rating, m.rating_comment, m.rated_on = rating, comment[:500], day
            label = str(Rating(rating).label)
            who = RATER_LABEL.get(m.kind, "企业")
            extra: dict[str, Any] = {"_rating": rating, "评价": label}
            if rating == Rating.UNSATISFIED:
                due = as_date(new_deadline, "new_deadline", "重办时限", required=False)
                due = due or default_deadline(m, day)
                if due < day:
                    raise invalid("new_deadline", "重办时限不能早于评价日期")
                m.deadline, m.finished_on = due, None
                m.round += 1
                redo = "退回重办" if m.kind == Kind.ENTERPRISE_PROBLEM else "重新办理"
                extra.update({"_target": Status.RETURNED, "_label": f"{who}评价：不满意，{redo}"})
            else:
                extra["_label"] = f"{who}评价：{label}"
            return extra

        return _run(
            scope,
            matter,
            "rate",
            expected_version=expected_version,
            date=date,
            note=comment,
            apply=apply,
        )


def do_close(
    scope: Scope, matter: Matter, *, expected_version: int | None, date: Any = None, note: str = ""
) -> MatterStep:
    """销号 by the supervision office; refused while the enterprise has not rated."""
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> dict[str, Any]:
            if workflow.rules_for(m.kind).requires_rating and not m.rating:
                raise invalid(None, "企业尚未评价，不能销号")
            m.closed_on = day
            return {}

        return _run(
            scope,
            matter,
            "close",
            expected_version=expected_version,
            date=date,
            note=note,
            apply=apply,
        )


def do_return(
    scope: Scope,
    matter: Matter,
    *,
    note: str,
    deadline: Any = None,
    expected_version: int | None,
    date: Any = None,
) -> MatterStep:
    """退回重办 by the office (result not acceptable), with a new deadline."""
    if not (note or "").strip():
        raise invalid("note", "请填写退回理由")
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> dict[str, Any]:
            due = as_date(deadline, "deadline", "重办时限", required=False) or default_deadline(
                m, day
            )
            if due < day:
                raise invalid("deadline", "重办时限不能早于退回日期")
            m.deadline, m.finished_on, m.rating, m.rated_on = due, None, "", None
            m.round += 1
            return {}

        return _run(
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
    deadline: Any,
    reason: str,
    expected_version: int | None,
    date: Any = None,
) -> MatterStep:
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "申请延期必须填写理由")
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> dict[str, Any]:
            if m.pending_deadline:
                raise invalid(None, f"已有待审批的延期申请（至{m.pending_deadline:%Y-%m-%d}）")
            due = as_date(deadline, "deadline", "延期后时限")
            if m.deadline and due <= m.deadline:
                raise invalid("deadline", f"延期后时限应晚于当前时限（{m.deadline:%Y-%m-%d}）")
            m.pending_deadline, m.pending_reason = due, reason[:300]
            return {"申请延期至": due}

        return _run(
            scope,
            matter,
            "request_extension",
            expected_version=expected_version,
            date=date,
            note=reason,
            apply=apply,
        )


def do_decide_extension(
    scope: Scope,
    matter: Matter,
    *,
    approve: bool,
    note: str = "",
    expected_version: int | None,
    date: Any = None,
) -> MatterStep:
    action = "approve_extension" if approve else "refuse_extension"
    with transaction.atomic():

        def apply(m: Matter, day: dt.date) -> dict[str, Any]:
            if not m.pending_deadline:
                raise invalid(None, "没有待审批的延期申请")
            if approve:
                m.deadline = m.pending_deadline
            m.pending_deadline, m.pending_reason = None, ""
            return {}

        return _run(
            scope,
            matter,
            action,
            expected_version=expected_version,
            date=date,
            note=note,
            apply=apply,
        )


STEP_FUNCTIONS = {
    "accept": do_accept,
    "assign": do_assign,
    "progress": do_progress,
    "report": do_report,
    "rate": do_rate,
    "close": do_close,
    "return": do_return,
    "request_extension": do_request_extension,
}


def do_bulk_assign(
    scope: Scope, matters: list[tuple[Matter, int]], **kwargs
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
