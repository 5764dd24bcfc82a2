"""银企对接: an enterprise's financing need and each bank's response, one do_* per change.

A response moves 对接中 → 达成意向 → 已授信 → 已放款, or to 未成 from any stage before
放款; each stage has its date (not before the previous stage's, not in the future) and
amounts are positive, with 放款 never above 授信.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.divisions import district_of
from taizhang.core.errors import ConflictError, as_date, invalid, messages_of
from taizhang.core.models import AuditEntry
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise
from taizhang.matters.models import Kind, Matter
from taizhang.services.models import (
    Bank,
    BankResponse,
    FinancingNeed,
    ResponseStatus,
    ensure_default_banks,
)

S = ResponseStatus
# Which stage may follow which (未成 from any open stage).
NEXT = {
    S.MATCHING: {S.INTENTION, S.FAILED},
    S.INTENTION: {S.GRANTED, S.FAILED},
    S.GRANTED: {S.LOANED, S.FAILED},
    S.LOANED: set(),
    S.FAILED: set(),
}
# The amount and date columns each stage fills.
STAGE_FIELDS = {
    S.INTENTION: ("intention_amount", "intention_on"),
    S.GRANTED: ("granted_amount", "granted_on"),
    S.LOANED: ("loaned_amount", "loaned_on"),
    S.FAILED: (None, "failed_on"),
}
STATUS_BY_TEXT = {str(s.label): s.value for s in S} | {s.value: s.value for s in S}
MAX_WAN = Decimal("100000000")  # 1万亿元: above it a figure is a typo (元 typed as 万元)


def amount_of(value: Any, field: str, label: str) -> Decimal:
    """A positive amount in 万元 with at most two decimals."""
    if value in (None, ""):
        raise invalid(field, f"请填写{label}（万元）")
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise invalid(field, f"{label}必须是数字（万元），收到「{value}」") from None
    if not d.is_finite():
        raise invalid(field, f"{label}必须是数字（万元），收到「{value}」")
    if d <= 0:
        raise invalid(field, f"{label}必须大于0（万元），收到「{value}」")
    if d >= MAX_WAN:
        raise invalid(field, f"{label}数值不合理（单位为万元）：{value}")
    if d != d.quantize(Decimal("0.01")):
        raise invalid(field, f"{label}最多两位小数（万元），收到「{value}」")
    return d.quantize(Decimal("0.01"))


def _date(value: Any, field: str, label: str, today: dt.date) -> dt.date:
    day = as_date(value, field, label)
    assert day is not None
    if day > today:
        raise invalid(field, f"{label}（{day:%Y-%m-%d}）不能晚于今天")
    return day


def _collect(errors: dict[str, list[str]], e: ValidationError, field: str) -> None:
    for k, msgs in messages_of(e).items():
        errors.setdefault(field if k == "__all__" else k, []).extend(msgs)


def clean_need(
    scope: Scope, data: dict[str, Any], *, today: dt.date | None = None
) -> dict[str, Any]:
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    ent = data.get("enterprise")
    if not isinstance(ent, Enterprise):
        ent = (
            scope.filter(Enterprise.objects.all()).filter(pk=ent).first()
            if str(ent or "").isdigit()
            else None
        )
    elif not scope.contains(ent):
        ent = None
    if ent is None:
        errors["enterprise"] = ["请选择企业（在您的管辖范围内）"]
    out["enterprise"] = ent
    out["division"] = district_of(ent.division) if ent is not None else None
    for field, fn in (
        ("amount", lambda: amount_of(data.get("amount"), "amount", "融资需求")),
        (
            "published_on",
            lambda: _date(data.get("published_on"), "published_on", "发布日期", today),
        ),
    ):
        try:
            out[field] = fn()
        except ValidationError as e:
            _collect(errors, e, field)
    purpose = str(data.get("purpose") or "").strip()
    if not purpose:
        errors["purpose"] = ["请填写资金用途"]
    elif len(purpose) > 200:
        errors["purpose"] = ["资金用途不能超过200字"]
    out["purpose"] = purpose
    raw = data.get("term_months")
    try:
        term = int(str(raw).strip())
        if not 1 <= term <= 360:
            raise ValueError
        out["term_months"] = term
    except (TypeError, ValueError):
        errors["term_months"] = [f"期限应为1—360个月的整数，收到「{raw}」"]
    out["note"] = str(data.get("note") or "").strip()[:300]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def do_create_need(
    scope: Scope, data: dict[str, Any], *, problem: Matter | None = None
) -> FinancingNeed:
    """Publish a financing need (the office registers it for the banks)."""
    scope.require_manage()
    c = clean_need(scope, data)
    need = FinancingNeed.objects.create(**c, problem=problem, created_by=scope.actor)
    audit.record(
        scope.actor,
        need,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(need),
        verb="发布融资需求",
        division_path=need.division.path,
    )
    return need


@transaction.atomic
def do_need_from_problem(
    scope: Scope, problem: Matter, data: dict[str, Any] | None = None
) -> FinancingNeed:
    """A 融资 problem becomes a financing need of its enterprise, linked both ways (once)."""
    scope.require_manage()
    # Lock the problem row only: PostgreSQL cannot lock the nullable side of an outer join.
    problem = (
        Matter.objects.select_for_update(of=("self",))
        .select_related("category", "enterprise")
        .get(pk=problem.pk)
    )
    if (
        problem.kind != Kind.ENTERPRISE_PROBLEM
        or problem.category is None
        or (problem.category.name != "融资")
    ):
        raise invalid(None, "只有类别为“融资”的企业问题可以转为融资需求")
    if FinancingNeed.objects.filter(problem=problem).exists():
        raise invalid(None, "该问题已转为融资需求，不能重复转换")
    if problem.enterprise_id is None:
        raise invalid(None, "该问题没有企业，不能转为融资需求")
    data = dict(data or {})
    data.setdefault("purpose", problem.title)
    data.setdefault("published_on", timezone.localdate())
    data["enterprise"] = problem.enterprise
    return do_create_need(scope, data, problem=problem)


def _bank(value: Any) -> Bank:
    if isinstance(value, Bank):
        return value
    ensure_default_banks()
    found = None
    text = str(value or "").strip()
    if text.isdigit():
        found = Bank.objects.filter(pk=text, active=True).first()
    if found is None and text:
        found = Bank.objects.filter(name=text, active=True).first()
    if found is None:
        raise invalid("bank", f"银行「{text}」不在银行名录中" if text else "请选择银行")
    return found


@transaction.atomic
def do_add_response(scope: Scope, need: FinancingNeed, data: dict[str, Any]) -> BankResponse:
    """A bank takes up a need (对接中); each bank answers a need once."""
    scope.require_manage()
    need = FinancingNeed.objects.select_for_update().select_related("division").get(pk=need.pk)
    errors: dict[str, list[str]] = {}
    bank = None
    try:
        bank = _bank(data.get("bank"))
    except ValidationError as e:
        _collect(errors, e, "bank")
    today = timezone.localdate()
    started = None
    try:
        started = _date(data.get("started_on") or today, "started_on", "对接日期", today)
        if started < need.published_on:
            raise invalid(
                "started_on",
                f"对接日期（{started:%Y-%m-%d}）不能早于需求发布日期（{need.published_on:%Y-%m-%d}）",
            )
    except ValidationError as e:
        _collect(errors, e, "started_on")
    if bank is not None and need.responses.filter(bank=bank).exists():
        errors.setdefault("bank", []).append(f"{bank.name}已在对接该需求")
    if errors:
        raise ValidationError(errors)
    r = BankResponse.objects.create(
        need=need, bank=bank, started_on=started, note=str(data.get("note") or "").strip()[:300]
    )
    audit.record(
        scope.actor,
        r,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(r),
        verb="银行对接",
        division_path=need.division.path,
        root=need,
    )
    return r


def _last_date(r: BankResponse) -> dt.date:
    return max(d for d in (r.started_on, r.intention_on, r.granted_on, r.loaned_on) if d)


@transaction.atomic
def do_advance_response(
    scope: Scope,
    response: BankResponse,
    *,
    status: str,
    date: Any,
    amount: Any = None,
    note: str = "",
    expected_version: int,
) -> BankResponse:
    """Move a response one stage on (达成意向 / 已授信 / 已放款 with an amount, or 未成)."""
    scope.require_manage()
    r = (
        BankResponse.objects.select_for_update()
        .select_related("need__division", "bank")
        .get(pk=response.pk)
    )
    if r.version != expected_version:
        raise ConflictError("该对接记录已被他人修改，请刷新后重试")
    status = STATUS_BY_TEXT.get(str(status or "").strip(), "")
    if status not in NEXT[S(r.status)]:
        allowed = "、".join(str(S(s).label) for s in NEXT[S(r.status)]) or "无"
        raise invalid("status", f"当前状态为“{r.get_status_display()}”，下一步只能是：{allowed}")
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = None
    try:
        day = _date(date, "date", "日期", today)
        if day < _last_date(r):
            raise invalid(
                "date", f"日期（{day:%Y-%m-%d}）不能早于上一环节的日期（{_last_date(r):%Y-%m-%d}）"
            )
    except ValidationError as e:
        _collect(errors, e, "date")
    amount_field, date_field = STAGE_FIELDS[S(status)]
    value = None
    if amount_field:
        label = {"intention_amount": "意向金额", "granted_amount": "授信金额"}.get(
            amount_field, "放款金额"
        )
        try:
            value = amount_of(amount, "amount", label)
            if status == S.LOANED and r.granted_amount is not None and value > r.granted_amount:
                raise invalid(
                    "amount", f"放款金额（{value}万元）不能超过授信金额（{r.granted_amount}万元）"
                )
        except ValidationError as e:
            _collect(errors, e, "amount")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(r)
    r.status = status
    setattr(r, date_field, day)
    if amount_field:
        setattr(r, amount_field, value)
    if note:
        r.note = str(note).strip()[:300]
    r.version += 1
    r.save()
    audit.record(
        scope.actor,
        r,
        AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(r),
        verb=f"银行对接：{r.get_status_display()}",
        division_path=r.need.division.path,
        root=r.need,
    )
    return r
