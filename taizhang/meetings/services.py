"""Every change to meetings and instructions: do_* functions, atomic and audited.

A meeting with its 议定事项 is registered in one call (`do_create_meeting`): everything is
validated first (each decision through the tasks app's own `clean_task_data`, all errors at
once, keyed ``decisions.<i>.<field>``), then the meeting, its items and one supervision task
per decision (`tasks.services.do_create_task`, source 会议议定) are written in one
transaction. A 领导批示 (`do_create_instruction`) becomes one supervision task, source 领导批示.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model, QuerySet
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.divisions import require_within
from taizhang.core.errors import as_date, invalid, messages_of
from taizhang.core.models import AuditEntry, Division, Person
from taizhang.core.params import ID_MAX
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise
from taizhang.matters.models import Kind, Matter
from taizhang.meetings.models import Decision, Instruction, Meeting, MeetingItem, MeetingKind
from taizhang.projects.models import Project
from taizhang.tasks import services as tasks
from taizhang.tasks.models import Cycle, TaskSource

MAX_DECISIONS = 50
MAX_ITEMS = 60
KIND_BY_LABEL = {str(k.label): k.value for k in MeetingKind} | {
    k.value: k.value for k in MeetingKind
}


class Errors:
    """Collects field-keyed messages so a form shows every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def check(self, field: str, fn: Callable[[], Any], prefix: str = "") -> Any:
        try:
            return fn()
        except ValidationError as e:
            for k, msgs in messages_of(e).items():
                key = field if k == "__all__" else k
                for m in msgs:
                    self.add(key, f"{prefix}{m}")
            return None

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _ids(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple | set | QuerySet):
        return [v for v in value if v not in (None, "")]
    return [value]


def _one(qs: QuerySet, value: Any, field: str, label: str) -> Any:
    """A row of `qs` (the user's scoped rows) by instance or id; Chinese error otherwise."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Model) else value
    # Past the database's integer range no row exists (and SQLite could not bind the id).
    number = str(pk).strip()
    found = (
        qs.filter(pk=int(number)).first() if number.isdigit() and int(number) <= ID_MAX else None
    )
    if found is None:
        raise invalid(field, f"{label}「{value}」不存在或不在您的范围内")
    return found


def _many(qs: QuerySet, value: Any, field: str, label: str) -> list[Any]:
    out = []
    for v in _ids(value):
        found = _one(qs, v, field, label)
        if found is not None and found not in out:
            out.append(found)
    return out


def _division(scope: Scope, value: Any) -> Division:
    division = value or scope.division
    if not isinstance(division, Division):
        ref = str(division or "").strip()
        ok = ref.isdigit() and int(ref) <= ID_MAX
        division = scope.divisions.filter(pk=int(ref)).first() if ok else None
    if division is None or not scope.divisions.filter(pk=division.pk).exists():
        raise invalid("division", "请选择所属区划（在您的管辖范围内）")
    return division


def _past_date(value: Any, field: str, label: str) -> dt.date:
    day = as_date(value, field, label)
    assert day is not None
    if day > timezone.localdate():
        raise invalid(field, f"{label}不能晚于今天")
    return day


def people_of(scope: Scope) -> QuerySet[Person]:
    return Person.objects.filter(division__in=scope.divisions)


def problems_of(scope: Scope) -> QuerySet[Matter]:
    return scope.filter(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM))


def short_name(division: Division) -> str:
    """The one-character abbreviation in a 文号: 湛河区 → 湛 (湛会纪〔2022〕3号)."""
    return division.name[:1]


def _task_data(
    division: Division, day: dt.date, d: dict[str, Any], *, source: str, title: str
) -> dict[str, Any]:
    return {
        "division": division,
        "title": title,
        "description": d.get("text", ""),
        "task_source": source,
        "raised_on": day,
        "year": (d.get("deadline") or day).year if isinstance(d.get("deadline"), dt.date) else None,
        "deadline": d.get("deadline"),
        "lead_unit": d.get("lead_unit"),
        "co_units": d.get("co_units") or [],
        "leader": d.get("leader"),
        # A decision or an instruction has one deadline, no monthly reports.
        "cycle": Cycle.NONE,
        "source_sentence": d.get("text", ""),
        "doc_number": d.get("doc_number", ""),
        "proposer": d.get("proposer", ""),
    }


def decision_title(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 120 else text[:119] + "…"


# Meetings ----------------------------------------------------------------------


def clean_meeting(scope: Scope, data: dict[str, Any]) -> dict[str, Any]:
    """Validated meeting fields and decisions, or ValidationError with every problem."""
    e = Errors()
    out: dict[str, Any] = {}
    out["division"] = division = e.check("division", lambda: _division(scope, data.get("division")))
    kind = KIND_BY_LABEL.get(str(data.get("kind") or MeetingKind.PROGRESS).strip())
    if kind is None:
        e.add("kind", f"会议类型「{data.get('kind')}」无效，应为推进会、专题会或现场会")
    out["kind"] = kind
    out["date"] = day = e.check("date", lambda: _past_date(data.get("date"), "date", "会议日期"))
    title = " ".join(str(data.get("title") or "").split())
    if not title and kind:
        title = str(MeetingKind(kind).label)
    if len(title) > 120:
        e.add("title", "会议名称不能超过120字")
    out["title"] = title
    out["place"] = str(data.get("place") or "").strip()[:120]
    out["summary"] = str(data.get("summary") or "").strip()
    people = people_of(scope)
    out["chair"] = chair = e.check(
        "chair", lambda: _one(people, data.get("chair"), "chair", "主持人")
    )
    if chair is None and "chair" not in e.by_field:
        e.add("chair", "请选择会议主持人")
    out["attendees"] = (
        e.check("attendees", lambda: _many(people, data.get("attendees"), "attendees", "出席人员"))
        or []
    )
    out["attendee_units"] = (
        e.check(
            "attendee_units",
            lambda: _many(scope.units, data.get("attendee_units"), "attendee_units", "列席单位"),
        )
        or []
    )
    subjects = [
        ("projects", "项目", scope.filter(Project.objects.all())),
        ("enterprises", "企业", scope.filter(Enterprise.objects.all())),
        ("problems", "问题", problems_of(scope)),
    ]
    for field, label, qs in subjects:
        out[field] = (
            e.check(field, lambda f=field, q=qs, lb=label: _many(q, data.get(f), f, lb)) or []
        )
    if sum(len(out[f]) for f, _, _ in subjects) > MAX_ITEMS:
        e.add("problems", f"一次会议的议题不能超过{MAX_ITEMS}项")
    if isinstance(division, Division):
        inside: list[tuple[str, str, Any]] = [("chair", "主持人", chair)]
        inside += [("attendees", "出席人员", p) for p in out["attendees"]]
        inside += [("attendee_units", "列席单位", u) for u in out["attendee_units"]]
        inside += [(f, lb, o) for f, lb, _ in subjects for o in out[f]]
        for field, label, obj in inside:
            if obj is not None:
                e.check(
                    field, lambda d=division, o=obj, f=field, lb=label: require_within(d, o, f, lb)
                )
    rows = [r for r in (data.get("decisions") or []) if filled(r)]
    if not rows:
        e.add("decisions", "请至少填写一条议定事项")
    if len(rows) > MAX_DECISIONS:
        e.add("decisions", f"一次会议的议定事项不能超过{MAX_DECISIONS}条")
    decisions = []
    for i, row in enumerate(rows[:MAX_DECISIONS]):
        decisions.append(_clean_decision(scope, e, i, row, division, day))
    out["decisions"] = decisions
    e.raise_if_any()
    return out


def filled(row: Any) -> bool:
    """Whether a decision row has anything in it (empty rows of a form are skipped)."""
    return isinstance(row, dict) and any(
        row.get(k) not in (None, "", []) for k in ("text", "lead_unit", "deadline", "problem")
    )


def _clean_decision(
    scope: Scope, e: Errors, i: int, row: dict[str, Any], division: Any, day: Any
) -> dict[str, Any]:
    prefix = f"第{i + 1}条议定事项："
    key = f"decisions.{i}"
    text = str(row.get("text") or "").strip()
    if not text:
        e.add(f"{key}.text", f"{prefix}请填写议定事项内容")
    elif len(text) > 2000:
        e.add(f"{key}.text", f"{prefix}内容不能超过2000字")
    problem = e.check(
        f"{key}.problem",
        lambda: _one(problems_of(scope), row.get("problem"), f"{key}.problem", "所涉问题"),
        prefix,
    )
    deadline = e.check(
        f"{key}.deadline",
        lambda: as_date(row.get("deadline"), f"{key}.deadline", "完成时限"),
        prefix,
    )
    out = {
        "text": text,
        "problem": problem,
        "deadline": deadline,
        "lead_unit": row.get("lead_unit"),
        "co_units": row.get("co_units") or [],
        "leader": row.get("leader"),
    }
    if isinstance(division, Division) and isinstance(day, dt.date) and text and deadline:
        # The task's own validation (units in the district, deadline not before the meeting).
        cleaned = e.check(
            key,
            lambda: tasks.clean_task_data(
                scope,
                _task_data(
                    division, day, out, source=TaskSource.MEETING, title=decision_title(text)
                ),
                Kind.SUPERVISION_TASK,
            ),
            prefix,
        )
        if cleaned:
            out.update(
                lead_unit=cleaned["lead_unit"],
                co_units=cleaned["co_units"],
                leader=cleaned["leader"],
            )
        # A field error from clean_task_data comes back under its bare name: re-key it.
        for bare in (
            "lead_unit",
            "co_units",
            "leader",
            "deadline",
            "title",
            "raised_on",
            "division",
        ):
            if bare in e.by_field:
                e.by_field.setdefault(f"{key}.{bare}", []).extend(e.by_field.pop(bare))
    elif not row.get("lead_unit"):
        e.add(f"{key}.lead_unit", f"{prefix}请选择责任单位")
    return out


def next_serial(division: Division, year: int) -> int:
    top = Meeting.objects.filter(division=division, year=year).aggregate(n=Max("serial"))["n"]
    return (top or 0) + 1


@transaction.atomic
def do_create_meeting(scope: Scope, data: dict[str, Any]) -> Meeting:
    """Register a meeting, its items and its decisions; each decision becomes a supervision
    task (已交办 to its lead unit, deadline as decided, source 会议议定) in the same transaction."""
    scope.require_manage()
    c = clean_meeting(scope, data)
    division, day = c["division"], c["date"]
    # Lock the division's row so two clerks registering at once do not take the same 文号.
    Division.objects.select_for_update().filter(pk=division.pk).first()
    serial = next_serial(division, day.year)
    m = Meeting.objects.create(
        division=division,
        kind=c["kind"],
        title=c["title"],
        date=day,
        place=c["place"],
        chair=c["chair"],
        summary=c["summary"],
        year=day.year,
        serial=serial,
        doc_number=f"{short_name(division)}会纪〔{day.year}〕{serial}号",
        created_by=scope.actor,
    )
    m.attendees.set(c["attendees"])
    m.attendee_units.set(c["attendee_units"])
    items = [MeetingItem(meeting=m, project=p) for p in c["projects"]]
    items += [MeetingItem(meeting=m, enterprise=x) for x in c["enterprises"]]
    items += [MeetingItem(meeting=m, problem=x) for x in c["problems"]]
    for i, item in enumerate(items, start=1):
        item.order = i
    MeetingItem.objects.bulk_create(items)
    audit.record(
        scope.actor,
        m,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(m)
        | {
            "出席人员": "、".join(p.name for p in c["attendees"]),
            "列席单位": "、".join(u.name for u in c["attendee_units"]),
            "议题": "、".join(str(i.subject) for i in items),
        },
        verb="登记会议",
        division_path=division.path,
    )
    for n, d in enumerate(c["decisions"], start=1):
        task = tasks.do_create_task(
            scope,
            _task_data(
                division,
                day,
                d | {"doc_number": f"{m.doc_number}第{n}项"},
                source=TaskSource.MEETING,
                title=decision_title(d["text"]),
            ),
            kind=Kind.SUPERVISION_TASK,
        )
        decision = Decision.objects.create(
            meeting=m, order=n, text=d["text"], matter=task, problem=d["problem"]
        )
        audit.record(
            scope.actor,
            decision,
            AuditEntry.Action.CREATE,
            after={
                "议定事项": d["text"],
                "督办任务": task.number,
                "所涉问题": str(d["problem"] or ""),
            },
            verb="会议议定事项转督办",
            division_path=division.path,
            root=m,
        )
    return m


# Instructions --------------------------------------------------------------------


def clean_instruction(scope: Scope, data: dict[str, Any]) -> dict[str, Any]:
    e = Errors()
    out: dict[str, Any] = {}
    out["leader"] = leader = e.check(
        "leader", lambda: _one(people_of(scope), data.get("leader"), "leader", "批示领导")
    )
    if leader is None and "leader" not in e.by_field:
        e.add("leader", "请选择批示领导")
    text = str(data.get("text") or "").strip()
    if not text:
        e.add("text", "请填写批示内容")
    elif len(text) > 2000:
        e.add("text", "批示内容不能超过2000字")
    out["text"] = text
    out["given_on"] = day = e.check(
        "given_on", lambda: _past_date(data.get("given_on"), "given_on", "批示日期")
    )
    matter = e.check(
        "on_matter",
        lambda: _one(
            scope.filter(Matter.objects.select_related("division")),
            data.get("on_matter"),
            "on_matter",
            "批示事项",
        ),
    )
    project = e.check(
        "on_project",
        lambda: _one(
            scope.filter(Project.objects.select_related("division")),
            data.get("on_project"),
            "on_project",
            "批示项目",
        ),
    )
    doc_title = " ".join(str(data.get("doc_title") or "").split())
    if len(doc_title) > 120:
        e.add("doc_title", "批示文件标题不能超过120字")
    given = [x for x in (matter, project, doc_title) if x]
    if not given and not {"on_matter", "on_project"} & set(e.by_field):
        e.add("doc_title", "请说明批示的对象：一件事项、一个项目，或填写批示的文件标题")
    elif len(given) > 1:
        e.add("doc_title", "一条批示只针对一个对象（事项、项目或文件）")
    out.update(on_matter=matter, on_project=project, doc_title=doc_title)
    subject_day = matter.raised_on if matter else None
    if isinstance(day, dt.date) and subject_day and day < subject_day:
        e.add("given_on", f"批示日期不能早于事项的提出日期（{subject_day:%Y-%m-%d}）")
    division = None
    if matter is not None:
        division = matter.division
    elif project is not None:
        division = project.division
    else:
        division = e.check("division", lambda: _division(scope, data.get("division")))
    out["division"] = division
    subject = (matter.title if matter else project.name if project else doc_title) or ""
    out["title"] = decision_title(f"落实{leader.name if leader else ''}批示：{subject}")
    if isinstance(division, Division) and isinstance(day, dt.date) and text and leader:
        cleaned = e.check(
            "lead_unit",
            lambda: tasks.clean_task_data(
                scope,
                _task_data(
                    division,
                    day,
                    {
                        **data,
                        "text": text,
                        "proposer": leader.name,
                        "leader": data.get("task_leader") or leader,
                    },
                    source=TaskSource.INSTRUCTION,
                    title=out["title"],
                ),
                Kind.SUPERVISION_TASK,
            ),
        )
        out["task"] = cleaned
        if leader is not None:
            e.check("leader", lambda: require_within(division, leader, "leader", "批示领导"))
    e.raise_if_any()
    return out


@transaction.atomic
def do_create_instruction(scope: Scope, data: dict[str, Any]) -> Instruction:
    """批示转督办: record the instruction and publish its supervision task (source 领导批示,
    the instruction's text as the task's text, the leader as 提出人 and by default 责任领导)."""
    scope.require_manage()
    c = clean_instruction(scope, data)
    t = c["task"]
    task = tasks.do_create_task(
        scope,
        {**t, "lead_unit": t["lead_unit"], "co_units": t["co_units"], "leader": t["leader"]},
        kind=Kind.SUPERVISION_TASK,
    )
    ins = Instruction.objects.create(
        division=c["division"],
        leader=c["leader"],
        text=c["text"],
        given_on=c["given_on"],
        on_matter=c["on_matter"],
        on_project=c["on_project"],
        doc_title=c["doc_title"],
        task=task,
        created_by=scope.actor,
    )
    audit.record(
        scope.actor,
        ins,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(ins) | {"督办任务": task.number},
        verb="领导批示转督办",
        division_path=c["division"].path,
    )
    return ins
