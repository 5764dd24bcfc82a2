"""Every change to a petition: one do_* function each, atomic and audited.

Registration writes the Matter (kind "petition"), its detail row, the 登记 step and the
audit entry; the workflow steps (受理, 不予受理, 交办, 领导包案, 办理, 答复, 回访评价, 化解/办结,
延期) run through `matters.services.run_step` like every other kind (see steps.py for the
table). Personal data leaves this module unmasked only through `personal_data`, which
refuses whoever is not a case handler or the office and audits every call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.audit_events import record_event
from taizhang.core.divisions import require_within
from taizhang.core.errors import as_date, invalid
from taizhang.core.models import AuditEntry, Division, Person, Role, Unit
from taizhang.core.params import ID_MAX
from taizhang.core.scope import Scope
from taizhang.matters import notify
from taizhang.matters import services as msvc
from taizhang.matters.models import Kind, Matter, MatterStep, NotificationKind, Status
from taizhang.matters.steps import StepResult
from taizhang.matters.workflow import OPEN
from taizhang.petitions import rules
from taizhang.petitions.access import is_handler
from taizhang.petitions.models import (
    Category,
    Channel,
    Mediation,
    PetitionDetail,
    PetitionVisit,
)

VERB = "登记信访件"
REVEAL_VERB = "查看信访人个人信息"  # the one audit action of an unmasked view (petition.reveal)
REVEAL_EVENT = "petition.reveal"
EXPORT_PERSONAL_VERB = "导出含个人信息的信访台账"
PERSONAL_FIELDS = ("petitioner_name", "petitioner_phone", "petitioner_id_number")
# 集体访: five or more people coming together (the 条例 asks them to choose ≤5 representatives).
COLLECTIVE_MIN = 5
EARLIEST = dt.date(2000, 1, 1)


# ---------------------------------------------------------------- who may see what


def personal_data(scope: Scope, m: Matter, *, request: Any = None) -> dict[str, str]:
    """The petitioner's unmasked name, phone and ID number, for a handler only; audited."""
    if not is_handler(scope, m):
        raise PermissionDenied("只有包案领导、承办单位和督查室可以查看信访人个人信息")
    d = m.petition
    record_event(
        scope.actor,
        verb=REVEAL_VERB,
        object_type=m._meta.label_lower,
        object_id=m.pk,
        object_repr=m.title,
        division_path=m.division.path,
        details={"事件": REVEAL_EVENT, "字段": ["信访人姓名", "联系电话", "身份证号"]},
        ip=request.META.get("REMOTE_ADDR") if request is not None else None,
    )
    return {f: getattr(d, f) for f in PERSONAL_FIELDS}


def record_personal_export(scope: Scope, division: Division | None, rows: int) -> None:
    record_event(
        scope.actor,
        verb=EXPORT_PERSONAL_VERB,
        object_type="export",
        object_id="petitions",
        object_repr="信访台账（含个人信息）",
        division_path=division.path if division else None,
        details={"事件": "petition.export_personal", "行数": rows},
    )


# ---------------------------------------------------------------- registration


def _text(data: dict[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


def _flag(data: dict[str, Any], name: str) -> bool:
    v = data.get(name)
    if isinstance(v, str):
        return v.strip().lower() in {"1", "true", "on", "yes", "是", "√", "y"}
    return bool(v)


def _division(scope: Scope, value: Any) -> Division:
    if isinstance(value, Division):
        d = value
    elif value not in (None, ""):
        # Digits beyond a 64-bit id are a code at most, never a row id (SQLite cannot bind them).
        as_id = str(value).isdigit() and int(value) <= ID_MAX
        d = scope.divisions.filter(pk=int(value)).first() if as_id else None
        d = d or scope.divisions.filter(code=str(value)).first()
        if d is None:
            raise invalid("division", "所属区划不存在或不在您的范围内")
    elif scope.division is not None:
        d = scope.division
    else:
        raise invalid("division", "请选择所属区划")
    if not scope.divisions.filter(pk=d.pk).exists():
        raise invalid("division", "所属区划不在您的范围内")
    return d


def clean_petition(scope: Scope, data: dict[str, Any]) -> dict[str, Any]:
    """A new petition's fields checked; every error at once, in Chinese, keyed by field.
    The web form, the API, the Excel import and the demo all pass here."""
    errors: dict[str, list[str]] = {}

    def err(field: str, msg: str) -> None:
        errors.setdefault(field, []).append(msg)

    out: dict[str, Any] = {}
    try:
        out["division"] = _division(scope, data.get("division"))
    except ValidationError as e:
        err("division", e.messages[0])
    title = _text(data, "title")
    if not title:
        err("title", "请填写信访事项（标题）")
    elif len(title) > 120:
        err("title", "信访事项（标题）不能超过120字")
    out["title"] = title
    out["content"] = _text(data, "content")
    if len(out["content"]) > 5000:
        err("content", "信访内容不能超过5000字")
    today = timezone.localdate()
    raised = None
    try:
        raised = as_date(data.get("raised_on"), "raised_on", "登记日期")
    except ValidationError as e:
        err("raised_on", e.messages[0])
    if raised is not None:
        if raised > today:
            err("raised_on", "登记日期不能晚于今天")
        elif raised < EARLIEST:
            err("raised_on", "登记日期不能早于2000年")
    out["raised_on"] = raised
    channel = _text(data, "channel")
    channel = {str(label): v for v, label in Channel.choices}.get(channel, channel)
    if channel not in Channel.values:
        err("channel", "请选择信访渠道：来信、来访、网上信访、12345热线或领导信箱")
    out["channel"] = channel
    category = _text(data, "category") or Category.OTHER
    category = {str(label): v for v, label in Category.choices}.get(category, category)
    if category not in Category.values:
        err("category", "信访类别不正确")
    out["category"] = category
    name = _text(data, "petitioner_name")
    if len(name) > 40:
        err("petitioner_name", "信访人姓名不能超过40字")
    out["petitioner_name"] = name
    phone = _text(data, "petitioner_phone")
    if phone and (msg := rules.mobile_error(phone)):
        err("petitioner_phone", msg)
    out["petitioner_phone"] = phone
    idn = _text(data, "petitioner_id_number").upper()
    if idn and (msg := rules.id_number_error(idn)):
        err("petitioner_id_number", msg)
    out["petitioner_id_number"] = idn
    for f in ("is_repeat", "is_collective", "is_skip_level", "is_key"):
        out[f] = _flag(data, f)
    people = data.get("people_count")
    try:
        n = int(people) if people not in (None, "") else 1
        if not 1 <= n <= 9999:
            raise ValueError
    except (TypeError, ValueError):
        err("people_count", "来访人数应为1至9999的整数")
        n = 1
    if out["is_collective"] and n < COLLECTIVE_MIN:
        err("people_count", f"集体访的来访人数应不少于{COLLECTIVE_MIN}人")
    out["people_count"] = n
    accept_by = None
    try:
        accept_by = as_date(
            data.get("accept_deadline"), "accept_deadline", "受理时限", required=False
        )
    except ValidationError as e:
        err("accept_deadline", e.messages[0])
    if accept_by is not None and raised is not None:
        if accept_by < raised:
            err(
                "accept_deadline",
                f"受理时限（{accept_by:%Y-%m-%d}）不能早于登记日期（{raised:%Y-%m-%d}）",
            )
        elif accept_by > rules.due("accept", raised):
            err("accept_deadline", "受理时限不能超过登记之日起15日（《信访工作条例》）")
    out["accept_deadline"] = accept_by
    if errors:
        raise ValidationError(errors)
    return out


def _masked(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "信访人": rules.mask_name(c["petitioner_name"]) or "匿名",
        "联系电话": rules.mask_phone(c["petitioner_phone"]),
        "身份证号": rules.mask_id(c["petitioner_id_number"]),
    }


@transaction.atomic
def do_register_petition(scope: Scope, data: dict[str, Any]) -> Matter:
    """登记: a petition enters the ledger (待受理) with its 受理 deadline (15 days)."""
    scope.require_manage()
    c = clean_petition(scope, data)
    raised: dt.date = c["raised_on"]
    due = c["accept_deadline"] or rules.due("accept", raised)
    m = Matter.objects.create(
        kind=Kind.PETITION,
        division=c["division"],
        title=c["title"],
        description=c["content"],
        raised_on=raised,
        raised_by=scope.actor,
        raised_by_name=scope.actor_name[:60],
        status=Status.SUBMITTED,
        deadline=due,
    )
    PetitionDetail.objects.create(
        matter=m,
        **{
            k: c[k]
            for k in (
                "petitioner_name",
                "petitioner_phone",
                "petitioner_id_number",
                "channel",
                "category",
                "is_repeat",
                "is_collective",
                "is_skip_level",
                "is_key",
                "people_count",
            )
        },
    )
    MatterStep.objects.create(
        matter=m,
        action="register",
        label="登记",
        to_status=Status.SUBMITTED,
        date=raised,
        by=scope.actor,
        by_name=scope.actor_name,
        deadline_after=due,
    )
    # Personal data never goes into the audit log unmasked.
    audit.record(
        scope.actor,
        m,
        AuditEntry.Action.CREATE,
        after={
            "事项标题": m.title,
            "信访渠道": str(Channel(c["channel"]).label),
            "登记日期": raised.isoformat(),
            "受理时限": due.isoformat(),
            **_masked(c),
        },
        verb=VERB,
        division_path=m.division.path,
    )
    notify.notify(
        notify.supervisors_of(m.division), m, NotificationKind.STEP, f"{m.title}：新信访件待受理"
    )
    return m


# ---------------------------------------------------------------- steps


def _detail(m: Matter) -> PetitionDetail:
    return PetitionDetail.objects.select_for_update().get(matter_id=m.pk)


def do_accept_petition(
    scope: Scope,
    matter: Matter,
    *,
    expected_version: int | None,
    deadline: dt.date | None = None,
    date: dt.date | None = None,
    note: str = "",
) -> StepResult:
    """受理: the 办理 deadline starts (60 days from 受理 unless an earlier date is given)."""

    def apply(m: Matter, day: dt.date) -> msvc.Change:
        due = as_date(deadline, "deadline", "办理时限", required=False)
        limit = rules.due("handle", day)
        if due is None:
            due = limit
        elif due < day:
            raise invalid(
                "deadline", f"办理时限（{due:%Y-%m-%d}）不能早于受理日期（{day:%Y-%m-%d}）"
            )
        elif due > limit:
            raise invalid("deadline", "办理时限不能超过受理之日起60日（《信访工作条例》）")
        m.accepted_on = day
        m.deadline = m.original_deadline = due
        return msvc.Change()

    return msvc.run_step(
        scope,
        matter,
        "accept",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


def do_reject_petition(
    scope: Scope,
    matter: Matter,
    *,
    note: str,
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """不予受理: closed with the reason given to the petitioner."""
    if not (note or "").strip():
        raise invalid("note", "请填写不予受理的理由")

    def apply(m: Matter, day: dt.date) -> msvc.Change:
        d = _detail(m)
        d.rejected_on = day
        d.save(update_fields=["rejected_on"])
        m.finished_on = m.closed_on = day
        return msvc.Change()

    return msvc.run_step(
        scope,
        matter,
        "reject",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


def _leader(m: Matter, leader: Person | int | None, *, required: bool) -> Person | None:
    if leader in (None, ""):
        if required:
            raise invalid("leader", "请选择包案领导")
        return None
    person = leader if isinstance(leader, Person) else Person.objects.filter(pk=leader).first()
    if person is None:
        raise invalid("leader", "包案领导不存在")
    require_within(m.division, person, "leader", "包案领导")
    if not person.is_leader:
        raise invalid("leader", f"包案领导应为领导班子成员，「{person.name}」不是")
    return person


def do_assign_petition(
    scope: Scope,
    matter: Matter,
    *,
    lead_unit: Unit | int | None,
    leader: Person | int | None = None,
    expected_version: int | None,
    date: dt.date | None = None,
    note: str = "",
) -> StepResult:
    """交办: to the handling unit (in the district), optionally with the leader in charge."""

    def apply(m: Matter, day: dt.date) -> msvc.Change:
        unit = lead_unit if isinstance(lead_unit, Unit) else None
        if unit is None and lead_unit not in (None, ""):
            unit = Unit.objects.filter(pk=lead_unit).first()
        if unit is None:
            raise invalid("lead_unit", "请选择承办单位")
        require_within(m.division, unit, "lead_unit", "承办单位")
        person = _leader(m, leader, required=False)
        m.lead_unit, m.assigned_on = unit, day
        extra: dict[str, Any] = {"承办单位": unit.name}
        if person is not None:
            _take_charge(m, person, day)
            extra["包案领导"] = person.name
        return msvc.Change(audit=extra)

    return msvc.run_step(
        scope,
        matter,
        "assign",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


def _take_charge(m: Matter, person: Person, day: dt.date) -> None:
    m.leader = person
    d = _detail(m)
    d.leader_since = day
    d.save(update_fields=["leader_since"])


def do_take_charge(
    scope: Scope,
    matter: Matter,
    *,
    leader: Person | int | None,
    expected_version: int | None,
    date: dt.date | None = None,
    note: str = "",
) -> StepResult:
    """领导包案: one leadership member takes personal charge of the case."""

    def apply(m: Matter, day: dt.date) -> msvc.Change:
        person = _leader(m, leader, required=True)
        assert person is not None
        _take_charge(m, person, day)
        return msvc.Change(label=f"领导包案：{person.name}", audit={"包案领导": person.name})

    return msvc.run_step(
        scope,
        matter,
        "take_charge",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


def do_resolve(
    scope: Scope,
    matter: Matter,
    *,
    resolved: bool = True,
    expected_version: int | None,
    date: dt.date | None = None,
    note: str = "",
) -> StepResult:
    """化解/办结: the office closes the case, saying whether the dispute was resolved (化解)."""

    def apply(m: Matter, day: dt.date) -> msvc.Change:
        d = _detail(m)
        d.resolved_on = day if resolved else None
        d.save(update_fields=["resolved_on"])
        m.closed_on = day
        label = "化解办结" if resolved else "办结（未化解）"
        return msvc.Change(label=label, audit={"化解": "是" if resolved else "否"})

    return msvc.run_step(
        scope, matter, "close", expected_version=expected_version, date=date, note=note, apply=apply
    )


def do_request_petition_extension(
    scope: Scope,
    matter: Matter,
    *,
    deadline: dt.date | None,
    reason: str,
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """延期申请: at most 30 days past the first 办理 deadline (approved by the office)."""
    due = as_date(deadline, "deadline", "延期后时限")
    first = matter.original_deadline or matter.deadline
    if first is not None and due is not None and due > rules.due("extension", first):
        raise invalid(
            "deadline",
            f"延期不得超过原办理时限（{first:%Y-%m-%d}）后30日（《信访工作条例》第三十五条）",
        )
    return msvc.do_request_extension(
        scope, matter, deadline=due, reason=reason, expected_version=expected_version, date=date
    )


# ---------------------------------------------------------------- visits and mediation


def _check_day(m: Matter, value: Any, field: str, label: str) -> dt.date:
    day = as_date(value, field, label)
    assert day is not None
    if day > timezone.localdate():
        raise invalid(field, f"{label}不能晚于今天")
    if day < m.raised_on:
        raise invalid(field, f"{label}不能早于登记日期（{m.raised_on:%Y-%m-%d}）")
    return day


@transaction.atomic
def do_record_visit(
    scope: Scope,
    matter: Matter,
    *,
    date: dt.date | str | None,
    place: str,
    met: str,
    note: str = "",
    leader: Person | int | None = None,
    files: Iterable[Any] = (),
) -> PetitionVisit:
    """带案下访: the leader in charge visits (date, place, who was met, photos)."""
    from taizhang.attachments.services import do_attach

    m = scope.get(Matter.objects.filter(kind=Kind.PETITION).select_related("division"), matter.pk)
    if not is_handler(scope, m):
        raise PermissionDenied("只有包案领导、承办单位或督查室可以登记带案下访")
    errors: dict[str, list[str]] = {}
    day = None
    try:
        day = _check_day(m, date, "date", "下访日期")
    except ValidationError as e:
        errors["date"] = e.messages
    place, met = (place or "").strip(), (met or "").strip()
    if not place:
        errors["place"] = ["请填写下访地点"]
    elif len(place) > 120:
        errors["place"] = ["下访地点不能超过120字"]
    if not met:
        errors["met"] = ["请填写接谈对象"]
    elif len(met) > 200:
        errors["met"] = ["接谈对象不能超过200字"]
    person = None
    try:
        person = _leader(m, leader, required=False) if leader not in (None, "") else m.leader
        if person is None:
            raise invalid("leader", "该信访件尚未确定包案领导，请先领导包案")
    except ValidationError as e:
        errors.setdefault("leader", []).extend(e.messages)
    if errors:
        raise ValidationError(errors)
    v = PetitionVisit.objects.create(
        matter=m,
        leader=person,
        date=day,
        place=place,
        met=met,
        note=(note or "").strip(),
        created_by=scope.actor,
    )
    audit.record(
        scope.actor,
        v,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(v, ["leader", "date", "place", "met", "note"]),
        verb="登记带案下访",
        division_path=m.division.path,
        root=m,
    )
    do_attach(scope, v, list(files))
    return v


@transaction.atomic
def do_record_mediation(
    scope: Scope,
    matter: Matter,
    *,
    outcome: str,
    agreement: str = "",
    date: dt.date | str | None = None,
) -> PetitionDetail:
    """矛盾纠纷调解: the outcome (成功/部分/未成) and, when reached, the agreement's text."""
    m = scope.get(Matter.objects.filter(kind=Kind.PETITION).select_related("division"), matter.pk)
    if not (
        scope.can_manage
        or (scope.role == Role.UNIT and m.lead_unit_id == getattr(scope.unit, "pk", None))
    ):
        raise PermissionDenied("只有承办单位或督查室可以登记调解结果")
    errors: dict[str, list[str]] = {}
    label = {str(lab): v for v, lab in Mediation.choices}
    outcome = label.get((outcome or "").strip(), (outcome or "").strip())
    if outcome not in Mediation.values:
        errors["outcome"] = ["请选择调解结果：调解成功、部分成功或调解未成"]
    agreement = (agreement or "").strip()
    if outcome in {Mediation.SUCCESS, Mediation.PARTIAL} and not agreement:
        errors["agreement"] = ["调解成功或部分成功时，请填写调解协议内容"]
    if len(agreement) > 5000:
        errors["agreement"] = ["调解协议不能超过5000字"]
    day = None
    try:
        day = _check_day(m, date or timezone.localdate(), "date", "调解日期")
    except ValidationError as e:
        errors["date"] = e.messages
    if errors:
        raise ValidationError(errors)
    d = _detail(m)
    before = audit.snapshot(d, ["mediation_outcome", "mediation_agreement", "mediation_on"])
    d.mediation_outcome, d.mediation_agreement, d.mediation_on = outcome, agreement, day
    d.save(update_fields=["mediation_outcome", "mediation_agreement", "mediation_on"])
    audit.record(
        scope.actor,
        d,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(d, ["mediation_outcome", "mediation_agreement", "mediation_on"]),
        verb="登记调解结果",
        division_path=m.division.path,
        root=m,
    )
    return d


__all__ = [
    "OPEN",
    "clean_petition",
    "do_accept_petition",
    "do_assign_petition",
    "do_record_mediation",
    "do_record_visit",
    "do_register_petition",
    "do_reject_petition",
    "do_request_petition_extension",
    "do_resolve",
    "do_take_charge",
    "is_handler",
    "personal_data",
]
