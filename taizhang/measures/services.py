"""State changes of the measures app: binding a target to a measure, and recording a fact-check.

Each is one ``do_*`` function in one transaction, audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry, Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import fmt_value
from taizhang.lib.periods import label_end
from taizhang.matters.models import Matter
from taizhang.measures import factcheck
from taizhang.measures.figures import ledger_value
from taizhang.measures.matching import Suggestion, suggest  # noqa: F401  (re-exported)
from taizhang.measures.models import Binding, FactCheck
from taizhang.measures.registry import Measure, get_measure, unit_factor
from taizhang.tasks.models import DraftRow, TaskReport

# Texts longer than this are refused (the same order as a work report; 20万字).
MAX_CHARS = 200_000


def _measure(code: str, params: Any, unit: str) -> tuple[Measure, dict[str, str]]:
    try:
        m = get_measure((code or "").strip())
        clean = m.clean_params(params if isinstance(params, dict) else {})
    except ValueError as e:
        raise invalid("measure", str(e)) from None
    if unit and unit not in m.units and unit_factor(unit, m.unit) is None:
        raise invalid(
            "measure", f"指标「{m.name}」的单位是{m.unit}，与目标的计量单位「{unit}」不一致"
        )
    return m, clean


def _task(matter: Matter) -> Any:
    detail = getattr(matter, "task", None)
    if detail is None or detail.target_value is None:
        raise invalid("measure", "只有有量化目标（目标值和计量单位）的任务可以绑定台账指标")
    return detail


def binding_of(matter: Matter) -> Binding | None:
    """The task's binding: its own, else the one confirmed on the draft row it was published from."""
    found = list(
        Binding.objects.filter(Q(matter=matter) | Q(row__published=matter)).order_by("row_id")
    )
    # Postgres and SQLite order NULLs differently; the task's own binding (row NULL) wins.
    own = [b for b in found if b.matter_id]
    return (own or found or [None])[0]


def do_bind_task(scope: Scope, matter: Matter, *, code: str, params: Any = None) -> Binding:
    """督查室 binds a quantified task to a measure (or replaces its binding)."""
    scope.require_manage()
    detail = _task(matter)
    m, clean = _measure(code, params, detail.target_unit)
    with transaction.atomic():
        b = Binding.objects.select_for_update().filter(matter=matter).first()
        before = {"指标": b.code, "参数": b.params} if b else {}
        if b is None:
            b = Binding(matter=matter, division=matter.division)
        b.code, b.params, b.by, b.at = m.code, clean, scope.actor, timezone.now()
        b.save()
        audit.record(
            scope.actor,
            b,
            AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            verb="绑定台账指标",
            before=before,
            after={"指标": m.code, "参数": clean},
            division_path=matter.division.path,
            root=matter,
        )
    return b


def do_unbind_task(scope: Scope, matter: Matter) -> int:
    scope.require_manage()
    with transaction.atomic():
        found = list(Binding.objects.filter(Q(matter=matter) | Q(row__published=matter)))
        for b in found:
            audit.record(
                scope.actor,
                b,
                AuditEntry.Action.DELETE,
                verb="解除台账指标绑定",
                before={"指标": b.code, "参数": b.params},
                division_path=matter.division.path,
                root=matter,
            )
            b.delete()
    return len(found)


def do_bind_row(scope: Scope, row: DraftRow, *, code: str, params: Any = None) -> Binding | None:
    """督查室 confirms (or picks) the measure of a draft target; an empty code removes it."""
    scope.require_manage()
    if row.published_id:
        raise invalid("measure", "该行已发布为任务，请在任务页面修改指标绑定")
    with transaction.atomic():
        b = Binding.objects.select_for_update().filter(row=row).first()
        before = {"指标": b.code, "参数": b.params} if b else {}
        if not (code or "").strip():
            if b is not None:
                audit.record(
                    scope.actor, b, AuditEntry.Action.DELETE, verb="解除台账指标绑定",
                    before=before, division_path=row.draft.division.path, root=row.draft,
                )  # fmt: skip
                b.delete()
            return None
        m, clean = _measure(code, params, row.target_unit)
        if b is None:
            b = Binding(row=row, division=row.draft.division)
        b.code, b.params, b.by, b.at = m.code, clean, scope.actor, timezone.now()
        b.save()
        audit.record(
            scope.actor,
            b,
            AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            verb="确认台账指标",
            before=before,
            after={"指标": m.code, "参数": clean},
            division_path=row.draft.division.path,
            root=row.draft,
        )
    return b


def suggestion_for_row(row: DraftRow) -> Suggestion | None:
    """What the draft page proposes for a target row (never bound until the office confirms)."""
    if row.target_value is None:
        return None
    return suggest(row.title, row.target_unit)


# Readings: the ledger beside the unit's own figure ----------------------------------


def tolerance() -> dict[str, Decimal]:
    conf = getattr(settings, "TAIZHANG_MEASURES", {})
    return {
        "pct": Decimal(str(conf.get("TOLERANCE_PCT", 5))),
        "count": Decimal(str(conf.get("TOLERANCE_COUNT", 1))),
    }


def flagged(measure: Measure, reported: Decimal, ledger: Decimal | None) -> bool:
    """A reported figure differs from the ledger beyond the tolerance: for counts more than
    ``TOLERANCE_COUNT`` units, otherwise more than ``TOLERANCE_PCT`` % of the ledger's value."""
    if ledger is None:
        return True
    t = tolerance()
    gap = abs(reported - ledger)
    if measure.is_count:
        return gap > t["count"]
    return gap > abs(ledger) * t["pct"] / 100


@dataclass
class Reading:
    period: str
    as_of: dt.date
    ledger: Decimal | None
    reported: Decimal | None
    unit: str
    flagged: bool

    @property
    def text(self) -> str:
        """ "自报 28个，台账 24个"."""
        ledger = "无数据" if self.ledger is None else f"{fmt_value(self.ledger)}{self.unit}"
        if self.reported is None:
            return f"台账 {ledger}"
        return f"自报 {fmt_value(self.reported)}{self.unit}，台账 {ledger}"


def task_ledger(matter: Matter, binding: Binding, as_of: dt.date) -> Decimal | None:
    """The bound measure's value for the task's year up to ``as_of``, in the task's unit."""
    detail = matter.task
    m = get_measure(binding.code)
    year = detail.year
    as_of = min(as_of, dt.date(year, 12, 31), timezone.localdate())
    start = dt.date(year, 1, 1)
    if as_of < start:
        return None
    value = ledger_value(m, matter.division, as_of, start, binding.params)
    factor = unit_factor(detail.target_unit, m.unit) or Decimal(1)
    return None if value is None else (value / factor).quantize(Decimal("0.01"))


def period_ledger(matter: Matter, binding: Binding, period: str) -> Decimal | None:
    return task_ledger(matter, binding, label_end(period))


def readings(matter: Matter, binding: Binding) -> list[Reading]:
    """Each progress report with a figure, beside the ledger as of its period's end."""
    m = get_measure(binding.code)
    out = []
    for r in TaskReport.objects.filter(matter=matter).order_by("period"):
        end = min(label_end(r.period), timezone.localdate())
        ledger = task_ledger(matter, binding, end)
        flag = r.actual_value is not None and flagged(m, r.actual_value, ledger)
        out.append(Reading(r.period, end, ledger, r.actual_value, matter.task.target_unit, flag))
    return out


# Fact-check ------------------------------------------------------------------------


def do_factcheck(
    scope: Scope,
    *,
    text: str,
    division: Division,
    as_of: dt.date | None = None,
    start: dt.date | None = None,
) -> tuple[FactCheck, list[factcheck.Item]]:
    """Check ``text`` against ``division``'s ledger and record who checked what (not the text)."""
    if not scope.reads_division:
        raise PermissionDenied("只有督查室和区领导可以核对文稿数字")
    text = text or ""
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "请粘贴文稿或上传 .docx / .txt 文件"
    elif len(text) > MAX_CHARS:
        errors["text"] = f"文稿过长（{len(text)}字），一次最多核对{MAX_CHARS}字"
    today = timezone.localdate()
    if as_of is None:
        as_of = factcheck.document_date(text, today) or today
    if as_of > today:
        errors["as_of"] = "核对日期不能晚于今天"
    if start is not None and start > as_of:
        errors["start"] = "统计起点不能晚于核对日期"
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    items = factcheck.check(text, division, as_of, start)
    counts = {s: sum(1 for i in items if i.status == s) for s in factcheck.STATUS_LABELS}
    with transaction.atomic():
        fc = FactCheck.objects.create(
            division=division,
            as_of=as_of,
            start=start or dt.date(as_of.year, 1, 1),
            by=scope.actor,
            digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            chars=len(text),
            figures=len(items),
            matched=counts[factcheck.MATCH],
            mismatched=counts[factcheck.MISMATCH],
            unchecked=counts[factcheck.UNCHECKED],
        )
        audit.record(
            scope.actor,
            fc,
            AuditEntry.Action.CREATE,
            verb="核对文稿数字",
            after=audit.snapshot(fc),
            division_path=division.path,
        )
    return fc, items
