"""Every change to enterprises, liaison and visits: one do_* function each, atomic and audited."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.divisions import district_of, require_within, within
from taizhang.core.errors import ConflictError, as_date, invalid
from taizhang.core.models import AuditEntry, Division, Person, Role, Unit, UnitKind
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Category, Enterprise, Liaison, Visit, VisitKind
from taizhang.lib.credit_code import CreditCodeError, validate
from taizhang.lib.pinyin import search_key
from taizhang.projects.models import IndustryChain, Project

ENTERPRISE_FIELDS = [
    "name",
    "credit_code",
    "division",
    "park",
    "industry_chain",
    "category",
    "legal_rep",
    "contact",
    "phone",
    "address",
]


def clean_credit_code(raw: Any, instance: Enterprise | None = None) -> str:
    """The normalized code, or a Chinese error saying what is wrong with it."""
    text = str(raw or "").strip()
    if not text:
        raise invalid("credit_code", "请填写统一社会信用代码")
    try:
        code = validate(text)
    except CreditCodeError as e:
        raise invalid("credit_code", f"统一社会信用代码「{text}」无效：{e}") from None
    dup = Enterprise.objects.filter(credit_code=code)
    if instance is not None:
        dup = dup.exclude(pk=instance.pk)
    other = dup.first()
    if other is not None:
        raise invalid("credit_code", f"统一社会信用代码「{code}」已被企业「{other.name}」使用")
    return code


def clean_enterprise(
    scope: Scope, data: dict[str, Any], instance: Enterprise | None
) -> dict[str, Any]:
    """An enterprise's fields checked for the web, the API and the import: every error at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def current(key: str) -> Any:
        return data.get(key, getattr(instance, key) if instance else None)

    name = str(current("name") or "").strip()
    if not name:
        errors["name"] = ["请填写企业名称"]
    out["name"] = name
    try:
        out["credit_code"] = clean_credit_code(current("credit_code"), instance)
    except ValidationError as e:
        errors.update(e.message_dict)
    division = current("division")
    if division is not None and not isinstance(division, Division):
        division = Division.objects.filter(pk=division).first()
    if division is None or not scope.divisions.filter(pk=division.pk).exists():
        errors["division"] = ["所属区划不存在或不在您的管辖范围内"]
    out["division"] = division
    park = current("park")
    if park not in (None, "") and not isinstance(park, Unit):
        park = Unit.objects.filter(pk=park).first()
        if park is None:
            errors["park"] = ["园区不存在"]
    if isinstance(park, Unit) and division is not None:
        if park.kind != UnitKind.PARK:
            errors["park"] = [f"「{park.name}」不是园区管委会"]
        elif not within(division, park):
            errors["park"] = [f"园区「{park.name}」不属于{district_of(division).name}"]
    out["park"] = park or None
    chain = current("industry_chain")
    if chain not in (None, "") and not isinstance(chain, IndustryChain):
        chain = IndustryChain.objects.filter(pk=chain).first()
        if chain is None:
            errors["industry_chain"] = ["产业链不存在"]
    out["industry_chain"] = chain or None
    category = current("category") or ""
    if category not in ("", *Category.values):
        errors["category"] = [
            "四上类别无效（规上工业/资质等级建筑业/限额以上批零住餐/规上服务业/非四上）"
        ]
    out["category"] = category
    for key in ("legal_rep", "contact", "phone", "address"):
        out[key] = str(current(key) or "").strip()
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def do_create_enterprise(
    scope: Scope, data: dict[str, Any], *, is_synthetic: bool = False
) -> Enterprise:
    scope.require_manage()
    clean = clean_enterprise(scope, data, None)
    e = Enterprise(**clean, is_synthetic=is_synthetic)
    e.search_key = search_key(e.name) + " " + e.credit_code.lower()
    try:
        with transaction.atomic():
            e.save()
    except IntegrityError:
        raise invalid("credit_code", f"统一社会信用代码「{e.credit_code}」已存在") from None
    audit.record(
        scope.actor,
        e,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(e),
        verb="新增企业",
        division_path=e.division.path,
    )
    return e


@transaction.atomic
def do_update_enterprise(
    scope: Scope, enterprise: Enterprise, data: dict[str, Any], *, expected_version: int
) -> Enterprise:
    scope.require_manage()
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if locked.version != expected_version:
        raise ConflictError(
            f"保存失败：该企业已被他人修改（您打开的是第{expected_version}版，当前为第{locked.version}版），请刷新后重试。"
        )
    clean = clean_enterprise(scope, data, locked)
    before = audit.snapshot(locked)
    for k, v in clean.items():
        setattr(locked, k, v)
    locked.search_key = search_key(locked.name) + " " + locked.credit_code.lower()
    locked.version += 1
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise invalid("credit_code", "统一社会信用代码已存在") from None
    audit.record(
        scope.actor,
        locked,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(locked),
        verb="修改企业",
        division_path=locked.division.path,
    )
    return locked


def new_liaison(
    scope: Scope,
    *,
    person: Any,
    role: str,
    start: Any,
    end: Any = None,
    enterprise: Enterprise | None = None,
    project: Project | None = None,
    note: str = "",
    in_scope: Callable[[Any], bool] | None = None,
) -> Liaison:
    """The rules of a 包联 row; returns it unsaved (do_add_liaison saves one, the demo many).

    `in_scope` as in clean_visit: a cached scope.contains for callers asking repeatedly.
    """
    scope.require_manage()
    if (enterprise is None) == (project is None):
        raise invalid(None, "包联对象应为一家企业或一个项目")
    target = enterprise or project
    if not (in_scope or scope.contains)(target):
        raise PermissionDenied("包联对象不在您的管辖范围内")
    if role not in Liaison.Role.values:
        raise invalid("role", "包联身份无效（包联领导/包联干部/服务专员/首席服务官）")
    if not isinstance(person, Person):
        person = Person.objects.filter(pk=person).first() if person not in (None, "") else None
    if person is None:
        raise invalid("person", "请选择包联人")
    division = target.division
    require_within(division, person, "person", "包联人")
    start_d = as_date(start, "start", "开始日期")
    end_d = as_date(end, "end", "结束日期", required=False)
    if end_d and end_d < start_d:
        raise invalid("end", "结束日期不能早于开始日期")
    return Liaison(
        person=person,
        role=role,
        enterprise=enterprise,
        project=project,
        division=division,
        start=start_d,
        end=end_d,
        note=note.strip(),
    )


@transaction.atomic
def do_add_liaison(scope: Scope, **fields: Any) -> Liaison:
    """包联: a leader, cadre or service officer answers for an enterprise or a key project.

    Takes new_liaison's keyword arguments (person, role, start, end, enterprise,
    project, note), which are checked there.
    """
    lia = new_liaison(scope, **fields)
    lia.save()
    audit.record(
        scope.actor,
        lia,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(lia),
        verb="新增包联",
        division_path=lia.division.path,
        root=lia.enterprise or lia.project,
    )
    return lia


@transaction.atomic
def do_end_liaison(scope: Scope, liaison: Liaison, *, end: Any) -> Liaison:
    scope.require_manage()
    locked = Liaison.objects.select_for_update().get(pk=liaison.pk)
    end_d = as_date(end, "end", "结束日期")
    if end_d < locked.start:
        raise invalid("end", "结束日期不能早于开始日期")
    before = audit.snapshot(locked)
    locked.end = end_d
    locked.save(update_fields=["end"])
    audit.record(
        scope.actor,
        locked,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(locked),
        verb="结束包联",
        division_path=locked.division.path,
        root=locked.enterprise or locked.project,
    )
    return locked


def clean_visit(
    scope: Scope,
    data: dict[str, Any],
    *,
    in_scope: Callable[[Enterprise], bool] | None = None,
) -> dict[str, Any]:
    """The rules of a 走访 / 座谈会 / 企业服务日 record: every field error at once.

    `in_scope` answers "may this user see the enterprise" for callers that ask it
    of the same enterprises many times (the demo's history caches scope.contains).
    """
    if not (scope.can_manage or scope.role == Role.CADRE):
        raise PermissionDenied("只有督查室或包联干部可以登记走访、座谈")
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or VisitKind.VISIT
    if kind not in VisitKind.values:
        errors["kind"] = ["类型无效（走访/座谈会/企业服务日）"]
    try:
        day = as_date(data.get("date"), "date", "日期")
        if day > timezone.localdate():
            errors["date"] = ["日期不能晚于今天"]
    except ValidationError as e:
        errors.update(e.message_dict)
        day = None
    enterprises = [
        e if isinstance(e, Enterprise) else Enterprise.objects.filter(pk=e).first()
        for e in data.get("enterprises") or []
    ]
    if not enterprises or any(
        e is None or not (in_scope or scope.contains)(e) for e in enterprises
    ):
        errors["enterprises"] = ["请选择走访企业（企业不存在或不在您的范围内）"]
    persons = [
        p if isinstance(p, Person) else Person.objects.filter(pk=p).first()
        for p in data.get("persons") or []
    ]
    if scope.role == Role.CADRE and scope.person is not None and scope.person not in persons:
        persons.append(scope.person)
    if any(p is None for p in persons):
        errors["persons"] = ["参加人员不存在"]
    division = data.get("division")
    if division is None and enterprises and enterprises[0] is not None:
        division = district_of(enterprises[0].division)
    if division is not None and "persons" not in errors:
        for p in persons:
            try:
                require_within(division, p, "persons", "参加人员")
            except ValidationError as e:
                errors.setdefault("persons", []).extend(e.message_dict["persons"])
    latitude, longitude = clean_position(data.get("latitude"), data.get("longitude"), errors)
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "division": division,
        "date": day,
        "title": str(data.get("title") or "").strip()[:120],
        "notes": str(data.get("notes") or "").strip(),
        "enterprises": enterprises,
        "persons": persons,
        "latitude": latitude,
        "longitude": longitude,
    }


_SIX_PLACES = Decimal("0.000001")


def clean_position(
    latitude: Any, longitude: Any, errors: dict[str, list[str]]
) -> tuple[Decimal | None, Decimal | None]:
    """Browser geolocation in degrees, both or neither; rounded to the 6 places stored.

    Empty means the user did not press 记录位置: nothing is stored.
    """
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    if latitude in (None, "") or longitude in (None, ""):
        errors["latitude"] = ["位置不完整：经度和纬度须同时提供"]
        return None, None
    try:
        lat = Decimal(str(latitude).strip()).quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)
        lng = Decimal(str(longitude).strip()).quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        errors["latitude"] = ["位置无效：经纬度须是数字"]
        return None, None
    if not (lat.is_finite() and lng.is_finite()) or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        errors["latitude"] = ["位置无效：纬度须在-90到90之间，经度须在-180到180之间"]
        return None, None
    return lat, lng


def new_visit(scope: Scope, c: dict[str, Any], *, is_synthetic: bool = False) -> Visit:
    """The unsaved Visit of cleaned data (its enterprises and persons are set after saving)."""
    return Visit(
        kind=c["kind"],
        division=c["division"],
        date=c["date"],
        title=c["title"],
        notes=c["notes"],
        latitude=c.get("latitude"),
        longitude=c.get("longitude"),
        created_by=scope.actor,
        is_synthetic=is_synthetic,
    )


@transaction.atomic
def do_record_visit(scope: Scope, data: dict[str, Any]) -> Visit:
    """走访 / 座谈会 / 企业服务日: recorded by the office or by a liaison cadre.

    A visit with problems raised on the spot goes through
    matters.services.do_record_visit_with_problems, which writes the visit with save_visit.
    """
    return save_visit(scope, clean_visit(scope, data))


def save_visit(scope: Scope, c: dict[str, Any], *, extra: dict[str, Any] | None = None) -> Visit:
    """Write a cleaned visit, its enterprises and persons and its audit entry.

    The caller holds the transaction; `extra` adds to the audit entry (the problems raised).
    """
    v = new_visit(scope, c)
    v.save()
    enterprises, persons = c["enterprises"], c["persons"]
    v.enterprises.set(enterprises)
    v.persons.set(persons)
    audit.record(
        scope.actor,
        v,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(v)
        | {"企业": [e.name for e in enterprises], "人员": [p.name for p in persons]}
        | (extra or {}),
        verb=f"登记{v.get_kind_display()}",
        division_path=v.division.path,
    )
    return v
