"""Every change to key-project data: one do_* function each, atomic and audited.

Web views, the API, imports and the demo loader all call these; none of them
writes project models directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.divisions import district_of, within
from taizhang.core.errors import ConflictError, as_date, invalid
from taizhang.core.models import AuditEntry, Division, Person, Role, Unit
from taizhang.core.scope import Scope
from taizhang.lib.pinyin import search_key
from taizhang.projects import rollup
from taizhang.projects.models import (
    IndustryChain,
    Level,
    Milestone,
    MonthlyReport,
    Project,
    ProjectYear,
    Stage,
    StageChange,
    stage_index,
)

MAX_INVESTMENT_WAN = Decimal("100000000")  # 1万亿元: anything larger is a typing error
PROJECT_FIELDS = [
    "division",
    "code",
    "name",
    "industry_chain",
    "owner_enterprise",
    "responsible_unit",
    "liaison_leader",
    "location",
    "total_investment",
    "start_year",
    "end_year",
    "description",
]


def to_decimal(value: Any, field: str, label: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise invalid(field, f"{label}必须是数字，收到「{value}」") from None
    if not d.is_finite():
        raise invalid(field, f"{label}必须是数字，收到「{value}」")
    if d < 0:
        raise invalid(field, f"{label}不能为负数")
    if d > MAX_INVESTMENT_WAN:
        raise invalid(field, f"{label}超过1万亿元，请核实单位是否为万元")
    return d.quantize(Decimal("0.01"))


def _division_path(project: Project) -> str:
    return project.division.path


def can_report(scope: Scope, project: Project) -> bool:
    if scope.can_manage:
        return scope.contains(project)
    return (
        scope.role == Role.UNIT
        and scope.unit is not None
        and project.responsible_unit_id == scope.unit.pk
    )


def require_report(scope: Scope, project: Project) -> None:
    if not can_report(scope, project):
        raise PermissionDenied("只有项目责任单位或督查室可以报送该项目")


def clean_project(scope: Scope, data: dict[str, Any], instance: Project | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    division = data.get("division", instance.division if instance else None)
    if not isinstance(division, Division):
        division = Division.objects.filter(pk=division).first() if division else None
    if division is None or not scope.divisions.filter(pk=division.pk).exists():
        err("division", "所属区划不存在或不在您的管辖范围内")
    out["division"] = division

    code = str(data.get("code", instance.code if instance else "") or "").strip()
    name = str(data.get("name", instance.name if instance else "") or "").strip()
    if not code:
        err("code", "请填写项目编号")
    if not name:
        err("name", "请填写项目名称")
    out["code"], out["name"] = code, name
    if division is not None and code:
        dup = Project.objects.filter(division=division, code=code)
        if instance is not None:
            dup = dup.exclude(pk=instance.pk)
        if dup.exists():
            err("code", f"项目编号「{code}」在{division.name}已存在")

    unit = data.get("responsible_unit", instance.responsible_unit if instance else None)
    if unit is not None and not isinstance(unit, Unit):
        unit = Unit.objects.filter(pk=unit).first()
    if unit is None:
        err("responsible_unit", "请选择责任单位（单位不存在）")
    elif division is not None and not within(division, unit):
        err("responsible_unit", f"责任单位「{unit.name}」不属于{district_of(division).name}")
    out["responsible_unit"] = unit

    leader = data.get("liaison_leader", instance.liaison_leader if instance else None)
    if leader not in (None, "") and not isinstance(leader, Person):
        leader = Person.objects.filter(pk=leader).first()
        if leader is None:
            err("liaison_leader", "包联领导不存在")
    if isinstance(leader, Person) and division is not None and not within(division, leader):
        err("liaison_leader", f"包联领导「{leader.name}」不属于{district_of(division).name}")
    out["liaison_leader"] = leader or None

    chain = data.get("industry_chain", instance.industry_chain if instance else None)
    if chain not in (None, "") and not isinstance(chain, IndustryChain):
        chain = IndustryChain.objects.filter(pk=chain).first()
        if chain is None:
            err("industry_chain", "产业链不存在")
    out["industry_chain"] = chain or None
    out["owner_enterprise"] = (
        data.get("owner_enterprise", instance.owner_enterprise if instance else None) or None
    )

    raw_total = data.get("total_investment", instance.total_investment if instance else None)
    if raw_total in (None, ""):
        err("total_investment", "请填写总投资（万元）")
    else:
        try:
            out["total_investment"] = to_decimal(raw_total, "total_investment", "总投资")
        except ValidationError as e:
            errors.setdefault("total_investment", []).extend(e.message_dict["total_investment"])

    for key, label in (("start_year", "开工年度"), ("end_year", "竣工年度")):
        raw = data.get(key, getattr(instance, key) if instance else None)
        if raw in (None, ""):
            out[key] = None
            continue
        try:
            year = int(raw)
        except (TypeError, ValueError):
            err(key, f"{label}必须是年份数字")
            continue
        if not 1990 <= year <= 2100:
            err(key, f"{label}「{year}」不合理，应在1990—2100之间")
        out[key] = year
    if out.get("start_year") and out.get("end_year") and out["end_year"] < out["start_year"]:
        err("end_year", "竣工年度不能早于开工年度")

    out["location"] = str(data.get("location", instance.location if instance else "") or "").strip()
    out["description"] = str(
        data.get("description", instance.description if instance else "") or ""
    ).strip()
    if errors:
        raise ValidationError(errors)
    return out


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("division").get(pk=project.pk)


@transaction.atomic
def do_create_project(
    scope: Scope,
    data: dict[str, Any],
    *,
    stage: str = Stage.PLANNED,
    stage_date: dt.date | None = None,
    is_synthetic: bool = False,
) -> Project:
    scope.require_manage()
    clean = clean_project(scope, data, None)
    if stage not in Stage.values:
        raise invalid("stage", "项目阶段无效")
    project = Project(**clean, stage=stage, is_synthetic=is_synthetic)
    project.search_key = search_key(project.name)
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        raise invalid("code", f"项目编号「{clean['code']}」已存在") from None
    StageChange.objects.create(
        project=project,
        from_stage="",
        to_stage=stage,
        date=stage_date or timezone.localdate(),
        by=scope.actor,
    )
    audit.record(
        scope.actor,
        project,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(project) | {"项目阶段": project.get_stage_display()},
        verb="新增项目",
        division_path=_division_path(project),
    )
    return project


def changes_since(project: Project, version: int) -> list[dict[str, Any]]:
    """What others changed after the version the user started from, for the conflict message."""
    entries = audit.history(project).filter(
        action=AuditEntry.Action.UPDATE, object_type=project._meta.label_lower
    )
    out = []
    for entry in entries:
        stamp = entry.changes.get("__version__")
        if stamp is None or int(stamp[1]) <= version:
            continue
        for label, pair in entry.changes.items():
            if label.startswith("__"):
                continue
            out.append(
                {
                    "field": label,
                    "before": pair[0],
                    "after": pair[1],
                    "by": entry.actor_name,
                    "at": timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M"),
                }
            )
    return out


@transaction.atomic
def do_update_project(
    scope: Scope, project: Project, data: dict[str, Any], *, expected_version: int
) -> Project:
    scope.require_manage()
    locked = _lock(project)
    if locked.version != expected_version:
        raise ConflictError(
            f"保存失败：该项目已被他人修改（您打开的是第{expected_version}版，当前为第{locked.version}版）。"
            "请查看下列变更后重新编辑。",
            changes_since(locked, expected_version),
        )
    clean = clean_project(scope, data, locked)
    before = audit.snapshot(locked)
    moved_from = (locked.division_id, locked.responsible_unit_id)
    for key, value in clean.items():
        setattr(locked, key, value)
    locked.search_key = search_key(locked.name)
    locked.version = F("version") + 1
    locked.updated_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise invalid("code", f"项目编号「{clean['code']}」已存在") from None
    locked.refresh_from_db()
    if moved_from != (locked.division_id, locked.responsible_unit_id):
        # The project's reports move to another division's or unit's rollup rows.
        years = rollup.years_of([locked.pk])
        rollup.refresh((d, y) for d in {moved_from[0], locked.division_id} for y in years)
    after = audit.snapshot(locked)
    if before != after:
        audit.record(
            scope.actor,
            locked,
            AuditEntry.Action.UPDATE,
            before=before,
            after=after,
            verb="修改项目",
            division_path=_division_path(locked),
            extra={"__version__": locked.version},
        )
    return locked


@transaction.atomic
def do_change_stage(
    scope: Scope, project: Project, to_stage: str, *, date: dt.date, reason: str = ""
) -> StageChange:
    scope.require_manage()
    locked = _lock(project)
    if to_stage not in Stage.values:
        raise invalid("to_stage", "项目阶段无效")
    if to_stage == locked.stage:
        raise invalid("to_stage", f"项目已处于「{locked.get_stage_display()}」阶段")
    reason = (reason or "").strip()
    step = stage_index(to_stage) - stage_index(locked.stage)
    if step < 0 and not reason:
        raise invalid("reason", "阶段回退必须填写原因")
    if step > 1 and not reason:
        raise invalid("reason", "跨阶段变更（跳过中间阶段）必须填写原因")
    if date > timezone.localdate():
        raise invalid("date", "变更日期不能晚于今天")
    last = locked.stage_changes.order_by("-date", "-id").first()
    if last is not None and date < last.date:
        raise invalid("date", f"变更日期不能早于上一次阶段变更（{last.date:%Y-%m-%d}）")
    change = StageChange.objects.create(
        project=locked,
        from_stage=locked.stage,
        to_stage=to_stage,
        date=date,
        reason=reason,
        by=scope.actor,
    )
    old = locked.get_stage_display()
    locked.stage = to_stage
    locked.version = F("version") + 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["stage", "version", "updated_at"])
    locked.refresh_from_db()
    audit.record(
        scope.actor,
        locked,
        AuditEntry.Action.UPDATE,
        before={"项目阶段": old},
        after={"项目阶段": locked.get_stage_display()},
        verb="阶段变更",
        division_path=_division_path(locked),
        extra={"变更日期": date, **({"原因": reason} if reason else {})},
    )
    return change


@transaction.atomic
def do_set_project_year(
    scope: Scope, project: Project, *, year: int, level: str, annual_plan: Any
) -> ProjectYear:
    scope.require_manage()
    locked = _lock(project)
    if level not in Level.values:
        raise invalid("level", "项目级别无效（省重点/市重点/区重点）")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise invalid("year", "年度必须是数字") from None
    if not 2000 <= year <= 2100:
        raise invalid("year", "年度不合理")
    plan = to_decimal(annual_plan, "annual_plan", "年度投资计划")
    if plan > locked.total_investment:
        raise invalid("annual_plan", "年度投资计划不能超过项目总投资")
    entry = ProjectYear.objects.filter(project=locked, year=year).first()
    before = audit.snapshot(entry) if entry else None
    if entry is None:
        entry = ProjectYear.objects.create(project=locked, year=year, level=level, annual_plan=plan)
        action = AuditEntry.Action.CREATE
    else:
        entry.level, entry.annual_plan = level, plan
        entry.save()
        action = AuditEntry.Action.UPDATE
    audit.record(
        scope.actor,
        entry,
        action,
        before=before,
        after=audit.snapshot(entry),
        verb="年度清单",
        division_path=_division_path(locked),
        root=locked,
    )
    # The entry decides whether (and at which level) the year's reports count.
    rollup.refresh([(locked.division_id, year)])
    return entry


def _clean_milestone(data: dict[str, Any], instance: Milestone | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name", instance.name if instance else "") or "").strip()
    if not name:
        errors["name"] = ["请填写节点名称"]
    planned = actual = None
    try:
        planned = as_date(
            data.get("planned_date", instance.planned_date if instance else None),
            "planned_date",
            "计划完成日期",
        )
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        actual = as_date(
            data.get("actual_date", instance.actual_date if instance else None),
            "actual_date",
            "实际完成日期",
            required=False,
        )
    except ValidationError as e:
        errors.update(e.message_dict)
    if actual is not None and actual > timezone.localdate():
        errors["actual_date"] = ["实际完成日期不能晚于今天"]
    if errors:
        raise ValidationError(errors)
    evidence = str(data.get("evidence", instance.evidence if instance else "") or "").strip()
    return {"name": name, "planned_date": planned, "actual_date": actual, "evidence": evidence}


@transaction.atomic
def do_add_milestone(scope: Scope, project: Project, data: dict[str, Any]) -> Milestone:
    scope.require_manage()
    locked = _lock(project)
    clean = _clean_milestone(data, None)
    milestone = Milestone.objects.create(project=locked, **clean)
    audit.record(
        scope.actor,
        milestone,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(milestone),
        verb="新增时间节点",
        division_path=_division_path(locked),
        root=locked,
    )
    return milestone


@transaction.atomic
def do_update_milestone(
    scope: Scope, milestone: Milestone, data: dict[str, Any], *, expected_version: int
) -> Milestone:
    locked = (
        Milestone.objects.select_for_update()
        .select_related("project__division")
        .get(pk=milestone.pk)
    )
    # The unit records completion; only the supervision office moves planned dates.
    require_report(scope, locked.project)
    if not scope.can_manage and (
        (
            "planned_date" in data
            and as_date(data["planned_date"], "planned_date", "计划完成日期") != locked.planned_date
        )
        or ("name" in data and str(data["name"]).strip() != locked.name)
    ):
        raise PermissionDenied("责任单位只能填写实际完成日期和佐证，计划日期由督查室调整")
    if locked.version != expected_version:
        raise ConflictError("保存失败：该节点已被他人修改，请刷新后重试。")
    before = audit.snapshot(locked)
    for key, value in _clean_milestone(data, locked).items():
        setattr(locked, key, value)
    locked.version += 1
    locked.save()
    audit.record(
        scope.actor,
        locked,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(locked),
        verb="更新时间节点",
        division_path=_division_path(locked.project),
        root=locked.project,
    )
    return locked


@transaction.atomic
def do_delete_milestone(scope: Scope, milestone: Milestone) -> None:
    scope.require_manage()
    before = audit.snapshot(milestone)
    path = milestone.project.division.path
    audit.record(
        scope.actor,
        milestone,
        AuditEntry.Action.DELETE,
        before=before,
        verb="删除时间节点",
        division_path=path,
        root=milestone.project,
    )
    milestone.delete()


def clean_report_period(year: Any, month: Any, today: dt.date) -> tuple[int, int]:
    """The month a report is for: a real month, not in the future. Shared with the importer."""
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError):
        raise invalid("month", "年度和月份必须是数字") from None
    if not 1 <= month <= 12:
        raise invalid("month", f"月份「{month}」无效，应为1—12")
    if not 2000 <= year <= 2100:
        raise invalid("year", f"年度「{year}」无效")
    if (year, month) > (today.year, today.month):
        raise invalid("month", f"不能报送未来月份（{year}年{month}月）")
    return year, month


def check_report_total(value: Decimal, total_investment: Decimal, others: Decimal) -> None:
    """A month, and all months together, cannot exceed the project's total investment."""
    if value > total_investment:
        raise invalid(
            "amount",
            f"当月完成投资（{value}万元）超过项目总投资（{total_investment}万元），请核实",
        )
    if others + value > total_investment:
        raise invalid(
            "amount",
            f"项目累计完成投资将达{(others + value).quantize(Decimal('0.01'))}万元，"
            f"超过项目总投资（{total_investment}万元），请核实",
        )


@transaction.atomic
def do_submit_monthly_report(
    scope: Scope,
    project: Project,
    *,
    year: Any,
    month: Any,
    amount: Any,
    note: str = "",
    today: dt.date | None = None,
) -> tuple[MonthlyReport, bool]:
    """Report a month's completed investment. Returns (report, corrected).

    A second submission for the same month is a correction of the first, never
    a second row: the unique constraint and the row lock make that hold under
    concurrent submissions too.
    """
    require_report(scope, project)
    locked = _lock(project)
    year, month = clean_report_period(year, month, today or timezone.localdate())
    value = to_decimal(amount, "amount", "当月完成投资")
    others = MonthlyReport.objects.filter(project=locked).exclude(year=year, month=month).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    check_report_total(value, locked.total_investment, others)
    existing = MonthlyReport.objects.filter(project=locked, year=year, month=month).first()
    user = scope.actor
    if existing is None:
        report = MonthlyReport.objects.create(
            project=locked,
            year=year,
            month=month,
            amount=value,
            note=note.strip(),
            reported_by=user,
        )
        audit.record(
            user,
            report,
            AuditEntry.Action.CREATE,
            after=audit.snapshot(report),
            verb="月度投资报送",
            division_path=_division_path(locked),
            root=locked,
        )
        rollup.refresh([(locked.division_id, year)])
        return report, False
    before = audit.snapshot(existing)
    existing.amount, existing.note = value, note.strip()
    existing.reported_by, existing.reported_at = user, timezone.now()
    existing.corrections += 1
    existing.save()
    audit.record(
        user,
        existing,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(existing),
        verb="更正月度投资",
        division_path=_division_path(locked),
        root=locked,
    )
    rollup.refresh([(locked.division_id, year)])
    return existing, True
