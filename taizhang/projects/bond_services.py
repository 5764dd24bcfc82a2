"""Every change to 专项债 packaging and 三个一批 events: one do_* function each, atomic, audited.

Web pages, the API, the bond-ledger import and the demo loader all call these.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.errors import ConflictError, as_date, invalid
from taizhang.core.models import AuditEntry, Division
from taizhang.core.scope import Scope
from taizhang.projects import services as project_services
from taizhang.projects.bonds import (
    BatchEvent,
    BatchKind,
    BondField,
    BondProject,
    BondStatus,
    BondStatusChange,
    bond_index,
)
from taizhang.projects.models import Project, Stage, stage_index
from taizhang.projects.services import to_decimal

AMOUNTS = (
    ("applied", "拟申请专项债"),
    ("approved", "获批额度"),
    ("issued", "已发行"),
    ("received", "资金到位"),
)
ZERO = Decimal("0")


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise invalid("year", "年度必须是数字") from None
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise invalid("year", "年度不合理（2000年至明年）")
    return year


def clean_amounts(data: dict[str, Any], project: Project, base: BondProject | None) -> dict:
    """The four amounts, each ≥ 0, each within the one before it (获批 ≤ 拟申请 …), all errors at once.

    拟申请 may not exceed the project's total investment either: a bond finances part of a project.
    """
    errors: dict[str, list[str]] = {}
    out: dict[str, Decimal] = {}
    for key, label in AMOUNTS:
        raw = data.get(key, getattr(base, key) if base else ZERO)
        if raw in (None, ""):
            raw = ZERO
        try:
            out[key] = to_decimal(raw, key, label)
        except ValidationError as e:
            errors.setdefault(key, []).extend(e.message_dict[key])
    if errors:
        raise ValidationError(errors)
    if out["applied"] > project.total_investment:
        errors["applied"] = [
            f"拟申请专项债（{out['applied']}万元）不能超过项目总投资（{project.total_investment}万元）"
        ]
    for (key, label), (prev, prev_label) in zip(AMOUNTS[1:], AMOUNTS[:-1], strict=True):
        if out[key] > out[prev]:
            errors[key] = [f"{label}（{out[key]}万元）不能超过{prev_label}（{out[prev]}万元）"]
    if errors:
        raise ValidationError(errors)
    return out


def amounts_fit_status(status: str, amounts: dict[str, Decimal]) -> dict[str, list[str]]:
    """An amount cannot stand before its status: money approved on a bond not yet approved."""
    errors: dict[str, list[str]] = {}
    at = bond_index(status)
    for key, label, needs in (
        ("approved", "获批额度", BondStatus.APPROVED),
        ("issued", "已发行", BondStatus.ISSUED),
        ("received", "资金到位", BondStatus.FUNDED),
    ):
        if amounts.get(key, ZERO) > 0 and at < bond_index(needs):
            errors[key] = [f"项目尚未到「{BondStatus(needs).label}」状态，{label}应为0"]
    return errors


def _bond_path(bond: BondProject) -> str:
    return bond.project.division.path


@transaction.atomic
def do_create_bond(
    scope: Scope,
    project: Project,
    *,
    year: Any,
    field: str,
    status: str = BondStatus.PLANNING,
    date: Any = None,
    amounts: dict[str, Any] | None = None,
    note: str = "",
) -> BondProject:
    """Put a key project on the year's 专项债 ledger, in its first status (dated, in the history)."""
    scope.require_manage()
    if not scope.contains(project):
        raise invalid("project", "项目不存在或不在您的管辖范围内")
    errors: dict[str, list[str]] = {}
    try:
        year = _year(year)
    except ValidationError as e:
        errors.update(e.message_dict)
    if field not in BondField.values:
        errors["field"] = ["专项债领域无效，请从列表中选择"]
    if status not in BondStatus.values:
        errors["status"] = ["包装状态无效"]
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = ["备注不能超过300字"]
    try:
        day = as_date(date or timezone.localdate(), "date", "日期")
        if day is not None and day > timezone.localdate():
            errors["date"] = ["日期不能晚于今天"]
    except ValidationError as e:
        errors.update(e.message_dict)
        day = None
    try:
        clean = clean_amounts(amounts or {}, project, None)
    except ValidationError as e:
        errors.update(e.message_dict)
        clean = {}
    if status in BondStatus.values:
        for key, messages in amounts_fit_status(status, clean).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    bond = BondProject(project=project, year=year, field=field, status=status, note=note, **clean)
    try:
        with transaction.atomic():
            bond.save()
    except IntegrityError:
        raise invalid("year", f"该项目{year}年已在专项债台账中") from None
    BondStatusChange.objects.create(
        bond=bond, from_status="", to_status=status, date=day, by=scope.actor
    )
    audit.record(
        scope.actor,
        bond,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(bond) | {"包装状态": bond.get_status_display()},
        verb="新增专项债项目",
        division_path=_bond_path(bond),
        root=project,
    )
    return bond


def _lock(bond: BondProject) -> BondProject:
    return (
        BondProject.objects.select_for_update()
        .select_related("project", "project__division")
        .get(pk=bond.pk)
    )


def _check_version(locked: BondProject, expected: int | None) -> None:
    if expected is not None and locked.version != expected:
        raise ConflictError("该专项债项目已被他人修改，请刷新后重试")


@transaction.atomic
def do_change_bond_status(
    scope: Scope,
    bond: BondProject,
    to_status: str,
    *,
    date: Any,
    reason: str = "",
    expected_version: int | None = None,
) -> BondStatusChange:
    """Move the packaging status; going back or skipping a status needs a reason."""
    scope.require_manage()
    locked = _lock(bond)
    _check_version(locked, expected_version)
    if to_status not in BondStatus.values:
        raise invalid("to_status", "包装状态无效")
    if to_status == locked.status:
        raise invalid("to_status", f"已处于「{locked.get_status_display()}」状态")
    day = as_date(date, "date", "变更日期")
    assert day is not None
    reason = (reason or "").strip()
    step = bond_index(to_status) - bond_index(locked.status)
    if step < 0 and not reason:
        raise invalid("reason", "状态回退必须填写原因")
    if step > 1 and not reason:
        raise invalid("reason", "跨状态变更（跳过中间状态）必须填写原因")
    if day > timezone.localdate():
        raise invalid("date", "变更日期不能晚于今天")
    last = locked.changes.order_by("-date", "-id").first()
    if last is not None and day < last.date:
        raise invalid("date", f"变更日期不能早于上一次状态变更（{last.date:%Y-%m-%d}）")
    # An amount cannot stand before its status: approved money on a bond not yet approved.
    if bond_index(to_status) < bond_index(BondStatus.APPROVED) and locked.approved > 0:
        raise invalid("to_status", "已填写获批额度，不能回到获批之前的状态；请先把获批额度改为0")
    change = BondStatusChange.objects.create(
        bond=locked,
        from_status=locked.status,
        to_status=to_status,
        date=day,
        reason=reason,
        by=scope.actor,
    )
    old = locked.get_status_display()
    locked.status = to_status
    locked.version = F("version") + 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "version", "updated_at"])
    locked.refresh_from_db()
    audit.record(
        scope.actor,
        locked,
        AuditEntry.Action.UPDATE,
        before={"包装状态": old},
        after={"包装状态": locked.get_status_display()},
        verb="专项债状态变更",
        division_path=_bond_path(locked),
        root=locked.project,
        extra={"变更日期": day, **({"原因": reason} if reason else {})},
    )
    return change


@transaction.atomic
def do_update_bond(
    scope: Scope, bond: BondProject, data: dict[str, Any], *, expected_version: int | None
) -> BondProject:
    """Change the field, the amounts or the note (the status only through do_change_bond_status)."""
    scope.require_manage()
    locked = _lock(bond)
    _check_version(locked, expected_version)
    errors: dict[str, list[str]] = {}
    field = data.get("field", locked.field)
    if field not in BondField.values:
        errors["field"] = ["专项债领域无效，请从列表中选择"]
    try:
        amounts = clean_amounts(data, locked.project, locked)
    except ValidationError as e:
        errors.update(e.message_dict)
        amounts = {}
    for key, messages in amounts_fit_status(locked.status, amounts).items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(locked)
    locked.field = field
    for key, value in amounts.items():
        setattr(locked, key, value)
    if "note" in data:
        locked.note = str(data["note"] or "").strip()[:300]
    locked.version = F("version") + 1
    locked.updated_at = timezone.now()
    locked.save()
    locked.refresh_from_db()
    audit.record(
        scope.actor,
        locked,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(locked),
        verb="修改专项债项目",
        division_path=_bond_path(locked),
        root=locked.project,
    )
    return locked


# 三个一批 ---------------------------------------------------------------------


def clean_batch_event(scope: Scope, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    division = data.get("division")
    if not isinstance(division, Division):
        division = Division.objects.filter(pk=division).first() if division else None
    if division is None or not scope.divisions.filter(pk=division.pk).exists():
        errors["division"] = ["所属区划不存在或不在您的管辖范围内"]
    out["division"] = division
    kind = data.get("kind")
    if kind not in BatchKind.values:
        errors["kind"] = ["活动类型无效（集中签约/集中开工/集中投产）"]
    out["kind"] = kind
    try:
        day = as_date(data.get("date"), "date", "活动日期")
        if day is not None and day > timezone.localdate():
            errors["date"] = ["活动日期不能晚于今天（活动举行后登记）"]
        out["date"] = day
    except ValidationError as e:
        errors.update(e.message_dict)
    out["title"] = str(data.get("title") or "").strip()[:120]
    if not out["title"]:
        errors["title"] = ["请填写活动名称"]
    out["place"] = str(data.get("place") or "").strip()[:200]
    out["note"] = str(data.get("note") or "").strip()[:500]
    ids = []
    for p in data.get("projects") or []:
        ids.append(p.pk if isinstance(p, Project) else p)
    projects = list(scope.filter(Project.objects.all()).filter(pk__in=ids))
    if len({p.pk for p in projects}) != len(set(ids)):
        errors.setdefault("projects", []).append("有项目不存在或不在您的管辖范围内")
    if not ids:
        errors.setdefault("projects", []).append("请至少选择一个项目")
    if division is not None:
        outside = [p.name for p in projects if not p.division.path.startswith(division.path)]
        if outside:
            errors.setdefault("projects", []).append(
                f"项目不属于{division.name}：{'、'.join(outside[:5])}"
            )
    out["projects"] = projects
    if errors:
        raise ValidationError(errors)
    return out


# The stage a project reaches at each kind of event.
EVENT_STAGE = {
    BatchKind.SIGN: Stage.SIGNED,
    BatchKind.START: Stage.STARTED,
    BatchKind.PRODUCE: Stage.PRODUCING,
}


@transaction.atomic
def do_create_batch_event(
    scope: Scope, data: dict[str, Any], *, advance_stages: bool = False
) -> BatchEvent:
    """Record a 集中签约/开工/投产 event and its projects; the total investment is theirs, summed.

    With ``advance_stages`` each project not yet at the event's stage moves there on the
    event's day (projects.services.do_change_stage, so the 新签约/新开工/新投产 counts,
    which read the stage history, include it); any refusal undoes the whole event.
    """
    scope.require_manage()
    clean = clean_batch_event(scope, data)
    projects = clean.pop("projects")
    event = BatchEvent.objects.create(**clean, created_by=scope.actor)
    event.projects.set(projects)
    if advance_stages:
        target = EVENT_STAGE[BatchKind(event.kind)]
        for p in projects:
            if stage_index(p.stage) >= stage_index(target):
                continue
            try:
                project_services.do_change_stage(
                    scope, p, target, date=event.date, reason=event.title
                )
            except ValidationError as e:
                raise invalid("projects", f"「{p.name}」阶段无法变更：{e.messages[0]}") from None
    audit.record(
        scope.actor,
        event,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(event) | {"参加项目": "、".join(p.name for p in projects)},
        verb="登记三个一批活动",
        division_path=event.division.path,
    )
    return event
