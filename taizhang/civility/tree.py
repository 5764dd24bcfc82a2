"""The 测评体系 tree (板块 → 内容 → 标准) by division and year: one clean function per level
(web forms, the API, the Excel import and the demo all use them) and the do_* writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from taizhang.civility.models import Content, PointType, Section, Standard
from taizhang.core import audit
from taizhang.core.divisions import district_of, require_within
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry, Division, Unit
from taizhang.core.scope import Scope

YEAR_MIN, YEAR_MAX = 2000, 2100
SCORE_MAX = Decimal("100")

_TYPE_BY_LABEL = {str(label): value for value, label in PointType.choices}
_TYPE_ALIASES = {"街道": "street", "主干道": "street", "道路": "street", "路段": "street"}


def point_types_of(value: Any) -> list[str]:
    """Point types from a list of codes or a text like "街道/主干道、农贸市场" (the import's
    cell), in the choices' order; an unknown name is refused naming it."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace("，", "、").replace(",", "、").split("、")]
    else:
        parts = [str(p).strip() for p in value or []]
    found: set[str] = set()
    for p in parts:
        if not p:
            continue
        code = p if p in PointType.values else _TYPE_BY_LABEL.get(p) or _TYPE_ALIASES.get(p)
        if code is None:
            names = "、".join(str(label) for label in PointType.labels)
            raise invalid("point_types", f"适用点位类型「{p}」不存在（可选：{names}）")
        found.add(code)
    if not found:
        raise invalid("point_types", "请至少选择一种适用点位类型")
    return [v for v in PointType.values if v in found]


def score_of(value: Any) -> Decimal:
    try:
        score = Decimal(str(value).strip()) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        raise invalid("score", f"分值「{value}」不是数字") from None
    if not score.is_finite() or score < 0 or score > SCORE_MAX:
        raise invalid("score", "分值应在 0 到 100 之间")
    if score != score.quantize(Decimal("0.01")):
        raise invalid("score", "分值最多保留两位小数")
    return score


def year_of(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid("year", "年度应为四位数字") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise invalid("year", f"年度应在 {YEAR_MIN} 到 {YEAR_MAX} 之间")
    return year


def _name(value: Any, field: str, label: str, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise invalid(field, f"请填写{label}")
    if len(text) > limit:
        raise invalid(field, f"{label}不能超过{limit}字")
    return text


def _unit(division: Division, ref: Any) -> Unit | None:
    """A unit given as an object, an id, or (the import) its exact name in the district."""
    if isinstance(ref, Unit):
        return ref
    text = str(ref).strip()
    if text.isdigit() and len(text) < 12:
        return Unit.objects.filter(pk=int(text)).first()
    home = district_of(division)
    return Unit.objects.filter(division__path__startswith=home.path, name=text).first()


def _manage(scope: Scope, division: Division) -> None:
    scope.require_manage()
    if not scope.divisions.filter(pk=division.pk).exists():
        raise invalid("division", "区划不在您的管理范围内")


@dataclass(frozen=True)
class StandardRow:
    """One row of the tree as the import and the demo give it (names, not ids)."""

    section: str
    content: str
    text: str
    score: Decimal
    unit: Unit | None
    point_types: list[str]
    workdays: int | None = None


def clean_standard_fields(scope: Scope, division: Division, data: dict[str, Any]) -> dict[str, Any]:
    """A standard's own fields, checked; every error at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, fn in (
        ("text", lambda v: _name(v, "text", "测评标准", 300)),
        ("score", score_of),
        ("point_types", point_types_of),
    ):
        try:
            out[key] = fn(data.get(key))
        except ValidationError as e:
            errors.setdefault(key, []).extend(e.messages)
    unit = data.get("unit")
    if unit in (None, ""):
        out["unit"] = None
    else:
        found = _unit(division, unit)
        if found is None:
            errors.setdefault("unit", []).append(f"责任单位「{unit}」不存在")
        else:
            try:
                require_within(division, found, "unit", "责任单位")
                out["unit"] = found
            except ValidationError as e:
                errors.setdefault("unit", []).extend(e.messages)
    days = data.get("workdays")
    if days in (None, ""):
        out["workdays"] = None
    else:
        try:
            # A spreadsheet gives 5 as 5.0: whole numbers only, however written.
            d = Decimal(str(days).strip())
            if d != d.to_integral_value() or not 1 <= d <= 60:
                raise ValueError
            out["workdays"] = int(d)
        except (ValueError, InvalidOperation):
            errors.setdefault("workdays", []).append("整改时限应为 1 到 60 之间的工作日数")
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def do_save_section(
    scope: Scope, division: Division, year: int, name: str, *, order: int | None = None
) -> Section:
    _manage(scope, division)
    year = year_of(year)
    name = _name(name, "name", "测评项目板块", 60)
    found = Section.objects.filter(division=division, year=year, name=name).first()
    if found is not None:
        return found
    if order is None:
        order = Section.objects.filter(division=division, year=year).count() + 1
    s = Section.objects.create(division=division, year=year, name=name, order=order)
    audit.record(
        scope.actor,
        s,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(s, ["year", "name", "order"]),
        verb="新增测评项目板块",
        division_path=division.path,
    )
    return s


@transaction.atomic
def do_save_content(
    scope: Scope, section: Section, name: str, *, order: int | None = None
) -> Content:
    _manage(scope, section.division)
    name = _name(name, "name", "测评内容", 100)
    found = Content.objects.filter(section=section, name=name).first()
    if found is not None:
        return found
    if order is None:
        order = Content.objects.filter(section=section).count() + 1
    c = Content.objects.create(section=section, name=name, order=order)
    audit.record(
        scope.actor,
        c,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(c, ["name", "order"]),
        verb="新增测评内容",
        division_path=section.division.path,
        root=section,
    )
    return c


_STD_FIELDS = ["text", "score", "unit", "point_types", "workdays"]


@transaction.atomic
def do_save_standard(
    scope: Scope, content: Content, data: dict[str, Any], *, standard: Standard | None = None
) -> Standard:
    """Add a standard under `content`, or change `standard` (same content)."""
    division = content.section.division
    _manage(scope, division)
    c = clean_standard_fields(scope, division, data)
    if standard is None:
        order = Standard.objects.filter(content=content).count() + 1
        s = Standard.objects.create(content=content, order=order, **c)
        audit.record(
            scope.actor,
            s,
            AuditEntry.Action.CREATE,
            after=audit.snapshot(s, _STD_FIELDS),
            verb="新增测评标准",
            division_path=division.path,
            root=content.section,
        )
        return s
    s = Standard.objects.select_for_update().get(pk=standard.pk)
    before = audit.snapshot(s, _STD_FIELDS)
    for k, v in c.items():
        setattr(s, k, v)
    s.save()
    audit.record(
        scope.actor,
        s,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(s, _STD_FIELDS),
        verb="修改测评标准",
        division_path=division.path,
        root=content.section,
    )
    return s


def clean_rows(
    scope: Scope, division: Division, rows: Sequence[dict[str, Any]]
) -> list[StandardRow]:
    """Rows of names (板块, 内容, 标准, 分值, 责任单位, 适用点位类型[, 整改时限]) checked one by one;
    the errors of every row at once, each naming its row."""
    out: list[StandardRow] = []
    errors: list[str] = []
    for n, row in enumerate(rows, start=1):
        try:
            section = _name(row.get("section"), "section", "测评项目板块", 60)
            content = _name(row.get("content"), "content", "测评内容", 100)
            c = clean_standard_fields(scope, division, row)
        except ValidationError as e:
            errors.extend(f"第{n}行：{m}" for m in e.messages)
            continue
        out.append(StandardRow(section, content, **c))
    if errors:
        raise ValidationError({"rows": errors})
    return out


@transaction.atomic
def do_load_tree(
    scope: Scope, division: Division, year: int, rows: Iterable[StandardRow]
) -> list[Standard]:
    """Write a checked tree (import, demo): sections and contents by name, each standard
    added under them. The year's existing standards are kept (an import adds to them)."""
    made = []
    sections: dict[str, Section] = {}
    contents: dict[tuple[str, str], Content] = {}
    for r in rows:
        sec = sections.get(r.section) or do_save_section(scope, division, year, r.section)
        sections[r.section] = sec
        key = (r.section, r.content)
        con = contents.get(key) or do_save_content(scope, sec, r.content)
        contents[key] = con
        made.append(
            do_save_standard(
                scope,
                con,
                {
                    "text": r.text,
                    "score": r.score,
                    "unit": r.unit,
                    "point_types": r.point_types,
                    "workdays": r.workdays,
                },
            )
        )
    return made
