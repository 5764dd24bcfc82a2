"""政务服务 cases: the one validation, the upsert the monthly import writes through, the
office's correction of one case, and turning an overdue case into a supervision task.

Timeliness is counted in working days with the core.Workday table (the same ordinals as
matters.timing): working days used = ordinal(办结日期) − ordinal(受理日期); a case is on time
when that is within its 承诺时限, and an open case is overdue on day D once
ordinal(D) − ordinal(受理日期) exceeds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.bulk import audit_entry, insert_rows
from taizhang.core.calendar import get_calendar, ordinal_at, ordinal_of
from taizhang.core.divisions import district_of
from taizhang.core.errors import ConflictError, as_date, invalid, messages_of
from taizhang.core.models import AuditEntry, Unit
from taizhang.core.scope import Scope
from taizhang.matters.models import Kind, Matter
from taizhang.services.models import Evaluation, ServiceCase

EVALUATION_BY_TEXT = {str(e.label): e.value for e in Evaluation} | {
    e.value: e.value for e in Evaluation
}
# The longest committed limit a service item has (法定时限 of the slowest permits is 60
# working days; a few hundred leaves room without accepting typos such as 2022).
MAX_LIMIT = 365
# Working days the unit gets to settle an overdue case once it is a supervision task.
ESCALATION_WORKDAYS = 5
FIELDS = ["item", "unit", "accepted_on", "limit_workdays", "finished_on", "evaluation", "applicant"]

STATE_LABELS = {
    "on_time": "按时办结",
    "late": "超期办结",
    "open": "办理中",
    "overdue": "超期未办结",
}


def evaluation_of(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    found = EVALUATION_BY_TEXT.get(text)
    if found is None:
        raise invalid("evaluation", f"评价「{text}」无效，应为满意、基本满意或不满意")
    return found


def _unit(scope: Scope, value: Any) -> Unit | None:
    if value in (None, ""):
        return None
    if isinstance(value, Unit):
        return value if scope.units.filter(pk=value.pk).exists() else None
    return scope.units.filter(pk=value).first() if str(value).isdigit() else None


def clean_case(
    scope: Scope, data: dict[str, Any], *, today: dt.date | None = None
) -> dict[str, Any]:
    """Every field of one case checked at once; ValidationError (field → Chinese messages)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def check(field: str, fn):
        try:
            return fn()
        except ValidationError as e:
            for k, msgs in messages_of(e).items():
                errors.setdefault(field if k == "__all__" else k, []).extend(msgs)
            return None

    out: dict[str, Any] = {}
    number = str(data.get("number") or "").strip()
    if not number:
        errors["number"] = ["请填写办件编号"]
    elif len(number) > 40:
        errors["number"] = ["办件编号不能超过40字"]
    out["number"] = number
    item = str(data.get("item") or "").strip()
    if not item:
        errors["item"] = ["请填写事项名称"]
    elif len(item) > 120:
        errors["item"] = ["事项名称不能超过120字"]
    out["item"] = item
    unit = _unit(scope, data.get("unit"))
    if unit is None:
        errors["unit"] = ["请选择办理单位（在您的管辖范围内）"]
    out["unit"] = unit
    out["division"] = district_of(unit.division) if unit is not None else None
    accepted = check(
        "accepted_on", lambda: as_date(data.get("accepted_on"), "accepted_on", "受理日期")
    )
    if accepted is not None and accepted > today:
        errors["accepted_on"] = [f"受理日期（{accepted:%Y-%m-%d}）不能晚于今天"]
    out["accepted_on"] = accepted
    raw_limit = data.get("limit_workdays")
    try:
        limit = int(str(raw_limit).strip())
        if not 0 <= limit <= MAX_LIMIT:
            raise ValueError
    except (TypeError, ValueError):
        errors["limit_workdays"] = [f"承诺时限应为0—{MAX_LIMIT}个工作日的整数，收到「{raw_limit}」"]
        limit = None
    out["limit_workdays"] = limit
    finished = check(
        "finished_on",
        lambda: as_date(data.get("finished_on"), "finished_on", "办结日期", required=False),
    )
    if finished is not None:
        if finished > today:
            errors["finished_on"] = [f"办结日期（{finished:%Y-%m-%d}）不能晚于今天"]
        elif accepted is not None and finished < accepted:
            errors["finished_on"] = [
                f"办结日期（{finished:%Y-%m-%d}）不能早于受理日期（{accepted:%Y-%m-%d}）"
            ]
    out["finished_on"] = finished
    evaluation = check("evaluation", lambda: evaluation_of(data.get("evaluation"))) or ""
    if evaluation and finished is None and "finished_on" not in errors:
        errors["evaluation"] = ["未办结的办件不能有评价"]
    out["evaluation"] = evaluation
    out["applicant"] = str(data.get("applicant") or "").strip()[:80]
    if errors:
        raise ValidationError(errors)
    return out


def _changes(case: ServiceCase, c: dict[str, Any]) -> list[str]:
    return [f for f in FIELDS if getattr(case, f) != c[f]]


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def do_import_cases(scope: Scope, cleaned: list[dict[str, Any]]) -> ImportResult:
    """Upsert cleaned cases by (district, 办件编号): new ones are inserted, changed ones
    updated, identical ones left alone; one audit entry per written case."""
    scope.require_manage()
    keys = {(c["division"].pk, c["number"]) for c in cleaned}
    existing = {
        (x.division_id, x.number): x
        for x in ServiceCase.objects.select_for_update().filter(
            division__in={d for d, _n in keys}, number__in={n for _d, n in keys}
        )
    }
    now = timezone.now()
    new: list[ServiceCase] = []
    changed: list[tuple[ServiceCase, dict[str, Any]]] = []
    unchanged = 0
    for c in cleaned:
        case = existing.get((c["division"].pk, c["number"]))
        if case is None:
            new.append(ServiceCase(**c, created_at=now, updated_at=now))
            continue
        fields = _changes(case, c)
        if not fields:
            unchanged += 1
            continue
        before = audit.snapshot(case)
        for f in fields:
            setattr(case, f, c[f])
        case.version += 1
        case.updated_at = now
        case.save()
        changed.append((case, before))
    ServiceCase.objects.bulk_create(new, batch_size=500)
    if not new or new[0].pk is None:
        # Backends that do not return ids from a bulk insert: read them back by number.
        found = {
            (x.division_id, x.number): x.pk
            for x in ServiceCase.objects.filter(number__in=[n.number for n in new])
        }
        for n in new:
            n.pk = found[(n.division_id, n.number)]
    rows = [
        audit_entry(
            scope.actor,
            x,
            AuditEntry.Action.CREATE,
            after=audit.snapshot(x),
            verb="导入政务服务办件",
            division_path=x.division.path,
        )
        for x in new
    ]
    rows += [
        audit_entry(
            scope.actor,
            x,
            AuditEntry.Action.UPDATE,
            before=before,
            after=audit.snapshot(x),
            verb="导入更新政务服务办件",
            division_path=x.division.path,
        )
        for x, before in changed
    ]
    insert_rows(AuditEntry, rows)
    return ImportResult(len(new), len(changed), unchanged)


@transaction.atomic
def do_correct_case(
    scope: Scope, case: ServiceCase, data: dict[str, Any], *, expected_version: int
) -> ServiceCase:
    """The office corrects one case by hand (the hall's export had it wrong)."""
    scope.require_manage()
    case = ServiceCase.objects.select_for_update().select_related("division").get(pk=case.pk)
    if case.version != expected_version:
        raise ConflictError("该办件已被他人修改，请刷新后重试")
    c = clean_case(scope, {**data, "number": case.number})
    if c["division"].pk != case.division_id:
        raise invalid("unit", "办理单位必须属于该办件所在的区")
    fields = _changes(case, c)
    if not fields:
        return case
    before = audit.snapshot(case)
    for f in fields:
        setattr(case, f, c[f])
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    audit.record(
        scope.actor,
        case,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(case),
        verb="更正政务服务办件",
        division_path=case.division.path,
    )
    return case


# ---------------------------------------------------------------- timeliness (SQL)


def with_timing(qs: QuerySet[ServiceCase], as_of: dt.date) -> QuerySet[ServiceCase]:
    """Add ``used_workdays`` (finished: to 办结; open: to as_of) and ``state``
    (on_time / late / open / overdue) as of the day, computed by the database."""
    now = ordinal_at(as_of)
    finished = Q(finished_on__isnull=False, finished_on__lte=as_of)
    return qs.alias(_acc=ordinal_of("accepted_on"), _fin=ordinal_of("finished_on")).annotate(
        used_workdays=Case(
            When(finished, then=F("_fin") - F("_acc")),
            When(accepted_on__gt=as_of, then=Value(None)),
            default=Value(now) - F("_acc"),
            output_field=IntegerField(),
        ),
        state=Case(
            When(finished & Q(_fin__lte=F("_acc") + F("limit_workdays")), then=Value("on_time")),
            When(finished, then=Value("late")),
            When(Q(_acc__lt=Value(now) - F("limit_workdays")), then=Value("overdue")),
            default=Value("open"),
            output_field=CharField(),
        ),
        is_overdue=Case(
            When(~finished & Q(_acc__lt=Value(now) - F("limit_workdays")), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def timing_of(case: ServiceCase, as_of: dt.date | None = None) -> ServiceCase:
    """The case with used_workdays and state as of the day (the same SQL as lists use)."""
    as_of = as_of or timezone.localdate()
    return with_timing(ServiceCase.objects.filter(pk=case.pk), as_of).get()


# ---------------------------------------------------------------- 转督办


def _escalation_text(case: ServiceCase, used: int | None) -> str:
    return (
        f"政务服务办件{case.number}「{case.item}」于{case.accepted_on:%Y年%m月%d日}受理，"
        f"承诺{case.limit_workdays}个工作日办结，已用{used}个工作日仍未办结，转督办。"
    )


@transaction.atomic
def do_escalate_case(
    scope: Scope,
    case: ServiceCase,
    *,
    deadline: dt.date | None = None,
    today: dt.date | None = None,
) -> Matter:
    """An overdue case becomes a supervision task (督办任务) assigned to its handling unit.

    The task is created by tasks.services.do_create_task, like any other; the case keeps
    the link (case.matter) and a second escalation is refused.
    """
    from taizhang.tasks import services as tasks

    scope.require_manage()
    today = today or timezone.localdate()
    case = (
        ServiceCase.objects.select_for_update().select_related("division", "unit").get(pk=case.pk)
    )
    if case.matter_id is not None:
        raise invalid(None, f"该办件已转为督办事项（{case.matter.number}），不能重复转办")
    timed = timing_of(case, today)
    if timed.state != "overdue":
        raise invalid(None, f"该办件{STATE_LABELS[timed.state]}，未超期，不需转督办")
    if deadline is None:
        deadline = get_calendar().add_workdays(today, ESCALATION_WORKDAYS).date
    m = tasks.do_create_task(
        scope,
        {
            "division": case.division,
            "title": f"督办超期办件：{case.item}（{case.number}）"[:120],
            "description": _escalation_text(case, timed.used_workdays),
            "task_source": "other",
            "lead_unit": case.unit,
            "deadline": deadline,
            "year": today.year,
            "cycle": "none",
            "raised_on": today,
            "source_sentence": _escalation_text(case, timed.used_workdays),
            "doc_number": f"政务服务{case.number}"[:40],
        },
        kind=Kind.SUPERVISION_TASK,
    )
    before = audit.snapshot(case, ["matter"])
    case.matter = m
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=["matter", "version", "updated_at"])
    audit.record(
        scope.actor,
        case,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(case, ["matter"]),
        verb="超期办件转督办",
        division_path=case.division.path,
    )
    return m
