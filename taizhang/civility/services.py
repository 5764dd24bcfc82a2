"""Points, inspections and the rectification steps: one do_* per change, atomic and audited.

An inspection records the standards found not met at a point; each failure becomes a
tracked matter of kind "rectification" (创文整改), already 交办 to the point's responsible
unit with a short deadline (限时整改: the standard's working days, default 3). The unit
reports the rectification with an after-photo (整改报送); the office re-inspects: 复查通过
closes the matter, 复查不通过 sends it back with a new short deadline. Every step runs
through the matters' one step runner (`run_step`), so lights, lateness, the audit log and
notifications are those of every other kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.attachments import services as attachments
from taizhang.attachments.models import Attachment
from taizhang.civility.models import (
    Failure,
    Inspection,
    LeaderLevel,
    Point,
    PointType,
    Standard,
)
from taizhang.core import audit
from taizhang.core.calendar import get_calendar
from taizhang.core.divisions import require_within
from taizhang.core.errors import as_date, invalid
from taizhang.core.models import AuditEntry, Division, Person, Unit
from taizhang.core.params import ID_MAX
from taizhang.core.scope import Scope
from taizhang.matters import notify
from taizhang.matters.models import Kind, Matter, MatterStep, NotificationKind, Source, Status
from taizhang.matters.services import Change, finish_fields, run_step
from taizhang.matters.steps import StepResult

EARLIEST = dt.date(2000, 1, 1)

# Points ------------------------------------------------------------------------------

_POINT_FIELDS = ["name", "type", "unit", "leader", "leader_level", "position", "active"]


def _ref(model: Any, value: Any, field: str, label: str) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    try:
        pk = int(str(value))
        if not 1 <= pk <= ID_MAX:
            raise ValueError
        return model.objects.get(pk=pk)
    except (ValueError, OverflowError, model.DoesNotExist):
        raise invalid(field, f"{label}「{value}」不存在") from None


def clean_point(scope: Scope, data: Mapping[str, Any]) -> dict[str, Any]:
    """A point's fields checked; every error at once, in Chinese."""
    errors: dict[str, list[str]] = {}

    def err(f: str, msg: str) -> None:
        errors.setdefault(f, []).append(msg)

    out: dict[str, Any] = {}
    division = data.get("division")
    try:
        division = _ref(Division, division, "division", "区划")
    except ValidationError as e:
        err("division", e.messages[0])
        division = None
    if division is None:
        if "division" not in errors:
            err("division", "请选择所属区划")
    elif not scope.divisions.filter(pk=division.pk).exists():
        err("division", "区划不在您的管理范围内")
    out["division"] = division
    name = str(data.get("name") or "").strip()
    if not name:
        err("name", "请填写点位名称")
    elif len(name) > 80:
        err("name", "点位名称不能超过80字")
    out["name"] = name
    kind = str(data.get("type") or "").strip()
    if kind not in PointType.values:
        err("type", "请选择点位类型")
    out["type"] = kind
    level = str(data.get("leader_level") or "").strip()
    if level and level not in LeaderLevel.values:
        err("leader_level", "分包层级不正确")
    out["leader_level"] = level
    for key, model, label in (("unit", Unit, "责任单位"), ("leader", Person, "包保领导")):
        try:
            obj = _ref(model, data.get(key), key, label)
        except ValidationError as e:
            err(key, e.messages[0])
            continue
        if obj is not None and division is not None:
            try:
                require_within(division, obj, key, label)
            except ValidationError as e:
                err(key, e.messages[0])
        out[key] = obj
    if out.get("unit") is None and "unit" not in errors:
        err("unit", "请选择责任单位")
    if out.get("leader") is not None and not level:
        err("leader_level", "请选择包保领导的分包层级")
    position = str(data.get("position") or "").strip()
    if len(position) > 200:
        err("position", "位置不能超过200字")
    out["position"] = position
    out["active"] = bool(data.get("active", True))
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def do_save_point(scope: Scope, data: Mapping[str, Any], *, point: Point | None = None) -> Point:
    scope.require_manage()
    c = clean_point(scope, data)
    dup = Point.objects.filter(division=c["division"], name=c["name"])
    if point is not None:
        dup = dup.exclude(pk=point.pk)
    if dup.exists():
        raise invalid("name", f"本区划已有点位「{c['name']}」")
    if point is None:
        p = Point.objects.create(**c)
        audit.record(
            scope.actor,
            p,
            AuditEntry.Action.CREATE,
            after=audit.snapshot(p, _POINT_FIELDS),
            verb="新增测评点位",
            division_path=p.division.path,
        )
        return p
    p = Point.objects.select_for_update().get(pk=point.pk)
    before = audit.snapshot(p, _POINT_FIELDS)
    for k, v in c.items():
        setattr(p, k, v)
    p.save()
    audit.record(
        scope.actor,
        p,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(p, _POINT_FIELDS),
        verb="修改测评点位",
        division_path=p.division.path,
    )
    return p


# Inspections ------------------------------------------------------------------------


def standards_for(point: Point, year: int) -> list[Standard]:
    """The standards of the point's division's 测评体系 of `year` applying to its type.

    A town's point is checked against its district's tree (the tree is kept by district)."""
    paths = [d.path for d in _up(point.division)]
    qs = (
        Standard.objects.filter(
            content__section__division__path__in=paths, content__section__year=year
        )
        .select_related("content__section", "unit")
        .order_by("content__section__order", "content__order", "order", "id")
    )
    return [s for s in qs if s.applies_to(point.type)]


def _up(division: Division) -> list[Division]:
    out = []
    d: Division | None = division
    while d is not None:
        out.append(d)
        d = d.parent
    return out


@dataclass
class FoundFailure:
    """A failure as the form or the API gives it: the standard, a note and its photos."""

    standard: int | Standard
    note: str
    photos: Sequence[IO[bytes] | Any] = field(default_factory=list)


def rectify_deadline(day: dt.date, standard: Standard) -> dt.date:
    """限时整改: the standard's working days (default 3) from `day`."""
    return get_calendar().add_workdays(day, standard.rectify_workdays).date


@transaction.atomic
def do_inspect(
    scope: Scope,
    point: Point,
    *,
    date: dt.date | str | None,
    failures: Iterable[FoundFailure] = (),
    note: str = "",
    is_synthetic: bool = False,
) -> tuple[Inspection, list[Matter]]:
    """An inspection of `point` on `date`: checked against the standards applying to the
    point's type that year; each failure becomes a rectification matter assigned to the
    point's unit (交办 on the inspection day), its photos attached to the matter.
    All or nothing: a refused standard or photo saves nothing."""
    scope.require_manage()
    if not scope.contains(point):
        raise invalid("point", "点位不在您的管理范围内")
    day = as_date(date, "date", "检查日期")
    if day > timezone.localdate():
        raise invalid("date", "检查日期不能晚于今天")
    if day < EARLIEST:
        raise invalid("date", "检查日期不能早于2000年")
    if not point.active:
        raise invalid("point", f"点位「{point.name}」已停用")
    applying = {s.pk: s for s in standards_for(point, day.year)}
    if not applying:
        raise invalid(
            "point",
            f"{day.year}年测评体系中没有适用于「{point.get_type_display()}」的测评标准，请先维护测评体系",
        )
    found: list[tuple[Standard, FoundFailure]] = []
    errors: list[str] = []
    seen: set[int] = set()
    for n, f in enumerate(failures, start=1):
        pk = f.standard.pk if isinstance(f.standard, Standard) else f.standard
        try:
            pk = int(pk)
            if not 1 <= pk <= ID_MAX:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"第{n}个问题：测评标准「{pk}」不存在")
            continue
        std = applying.get(pk)
        if std is None:
            other = Standard.objects.filter(pk=pk).first()
            if other is None:
                errors.append(f"第{n}个问题：测评标准「{pk}」不存在")
            else:
                errors.append(
                    f"第{n}个问题：测评标准「{other.text[:30]}」不适用于"
                    f"「{point.get_type_display()}」类点位（适用：{other.point_type_labels}），"
                    "或不属于本年度测评体系"
                )
            continue
        if pk in seen:
            errors.append(f"第{n}个问题：测评标准「{std.text[:30]}」重复填写")
            continue
        seen.add(pk)
        text = (f.note or "").strip()
        if not text:
            errors.append(f"第{n}个问题：请填写问题描述")
        elif len(text) > 500:
            errors.append(f"第{n}个问题：问题描述不能超过500字")
        found.append((std, f))
    if errors:
        raise ValidationError({"failures": errors})
    note = (note or "").strip()[:500]
    ins = Inspection.objects.create(
        point=point,
        date=day,
        inspector=scope.actor,
        inspector_name=scope.actor_name,
        checked=len(applying),
        note=note,
    )
    audit.record(
        scope.actor,
        ins,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(ins, ["date", "inspector_name", "checked", "note"]),
        verb="创文检查",
        division_path=point.division.path,
        extra={"点位": point.name, "发现问题": len(found)},
    )
    matters = [
        _open_rectification(scope, ins, std, f, is_synthetic=is_synthetic) for std, f in found
    ]
    return ins, matters


def _open_rectification(
    scope: Scope, ins: Inspection, std: Standard, f: FoundFailure, *, is_synthetic: bool
) -> Matter:
    point = ins.point
    day = ins.date
    due = rectify_deadline(day, std)
    note = f.note.strip()
    m = Matter.objects.create(
        kind=Kind.RECTIFICATION,
        division=point.division,
        title=f"{point.name}：{note}"[:120],
        description=f"测评标准：{std.text}\n问题：{note}",
        source=Source.OTHER,
        raised_on=day,
        raised_by=scope.actor,
        raised_by_name=scope.actor_name,
        lead_unit=point.unit,
        leader=point.leader,
        status=Status.ASSIGNED,
        accepted_on=day,
        assigned_on=day,
        deadline=due,
        original_deadline=due,
        is_synthetic=is_synthetic,
    )
    failure = Failure.objects.create(inspection=ins, standard=std, note=note, matter=m)
    step = MatterStep.objects.create(
        matter=m,
        action="assign",
        label="交办",
        from_status="",
        to_status=Status.ASSIGNED,
        date=day,
        by=scope.actor,
        by_name=scope.actor_name,
        note=f"创文检查发现问题，限{std.rectify_workdays}个工作日整改",
        deadline_after=due,
    )
    audit.record(
        scope.actor,
        m,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(m, ["kind", "title", "raised_on", "lead_unit", "deadline"]),
        verb="创文检查发现问题交办整改",
        division_path=point.division.path,
        extra={"测评标准": std.text, "检查": failure.inspection_id},
    )
    if f.photos:
        attachments.do_attach(scope, m, list(f.photos), step=step, source="inspect")
    # The unit learns of it the way it learns of every matter 交办 to it.
    notify.notify(
        notify.unit_users([point.unit_id]), m, NotificationKind.STEP, f"{m.title}：交办整改"
    )
    return m


# Rectification steps --------------------------------------------------------------------


def _image_ids(m: Matter, photos: Sequence[int]) -> list[int]:
    """The after-photos named: live images of this matter not yet tied to a step."""
    ids = []
    for p in photos or []:
        try:
            ids.append(int(p))
        except (TypeError, ValueError):
            raise invalid("photos", f"照片编号「{p}」不正确") from None
    if not ids:
        raise invalid("photos", "整改报送须附整改后照片")
    found = set(
        Attachment.objects.filter(
            pk__in=ids,
            owner_type=ContentType.objects.get_for_model(Matter),
            owner_id=m.pk,
            deleted_at__isnull=True,
            step_id__isnull=True,
            content_type__startswith="image/",
        ).values_list("pk", flat=True)
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise invalid(
            "photos",
            f"照片 {', '.join(map(str, missing))} 不是本整改事项新上传的图片（请先上传照片）",
        )
    return ids


def do_submit_rectification(
    scope: Scope,
    matter: Matter,
    *,
    note: str,
    photos: list[int],
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """整改报送 (action "rectify"): the unit reports what it did, with after-photos already
    uploaded to the matter; the photos are tied to this step."""
    if not (note or "").strip():
        raise invalid("note", "请填写整改情况")
    ids = _image_ids(matter, photos)

    def apply(m: Matter, day: dt.date) -> Change:
        finish_fields(m, day)
        return Change(audit={"整改后照片": len(ids)})

    result = run_step(
        scope,
        matter,
        "rectify",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )
    Attachment.objects.filter(pk__in=ids).update(
        step_type=ContentType.objects.get_for_model(MatterStep), step_id=result.step.pk
    )
    return result


def do_recheck_pass(
    scope: Scope,
    matter: Matter,
    *,
    expected_version: int | None,
    note: str = "",
    date: dt.date | None = None,
) -> StepResult:
    """复查通过 (action "recheck_pass"): the office re-inspects and closes the matter."""

    def apply(m: Matter, day: dt.date) -> Change:
        if m.finished_on and day < m.finished_on:
            raise invalid("date", f"复查日期不能早于整改报送日期（{m.finished_on:%Y-%m-%d}）")
        m.closed_on = day
        return Change()

    return run_step(
        scope,
        matter,
        "recheck_pass",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


def do_recheck_fail(
    scope: Scope,
    matter: Matter,
    *,
    note: str,
    expected_version: int | None,
    deadline: dt.date | None = None,
    date: dt.date | None = None,
) -> StepResult:
    """复查不通过 (action "recheck_fail"): back to the unit with a new short deadline (the
    standard's working days from the re-inspection, unless one is given)."""
    if not (note or "").strip():
        raise invalid("note", "请填写复查意见（未整改到位的情况）")

    def apply(m: Matter, day: dt.date) -> Change:
        if m.finished_on and day < m.finished_on:
            raise invalid("date", f"复查日期不能早于整改报送日期（{m.finished_on:%Y-%m-%d}）")
        given = as_date(deadline, "deadline", "重新整改时限", required=False)
        if given is not None and given <= day:
            raise invalid("deadline", "重新整改时限应晚于复查日期")
        failure = Failure.objects.select_related("standard").filter(matter=m).first()
        m.deadline = given or (
            rectify_deadline(day, failure.standard)
            if failure
            else get_calendar().add_workdays(day, 3).date
        )
        m.finished_on = None
        m.round += 1
        return Change()

    return run_step(
        scope,
        matter,
        "recheck_fail",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )
