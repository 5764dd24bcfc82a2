"""合并: the office closes a duplicate problem into the one it repeats (docs/similar.md).

One function, `do_merge_problems`, in one transaction: the duplicate takes the step 合并
(registered on the problem kind in `problem_steps`, status → 已销号, `merged_into` set), the
kept problem takes the duplicate's enterprise (and any it had taken over itself) into
`other_enterprises` and a line in its history, both enterprises are told, and both changes
are audited. The duplicate's own history and attachments stay where they are, reachable
from the kept problem's page.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from pydantic import Field

from taizhang.core import audit
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry
from taizhang.core.params import ID_MAX
from taizhang.core.scope import Scope
from taizhang.matters import notify
from taizhang.matters.models import Kind, Matter, MatterStep, NotificationKind, Status
from taizhang.matters.steps import StepInput, StepResult
from taizhang.matters.workflow import Actor, Transition

# A duplicate may be merged while it is still open; one already closed has nothing to merge.
MERGE = Transition(
    "merge",
    "合并",
    frozenset(
        {Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED}
    ),
    Status.CLOSED,
    Actor.MANAGER,
)


class MergeInput(StepInput):
    into: int = Field(title="并入问题", description="保留的问题编号（事项 id）", ge=1, le=ID_MAX)
    reason: str = Field(title="合并理由", min_length=1, max_length=500)


def _district(m: Matter) -> int:
    d = m.division
    return (d.district() or d).pk


@transaction.atomic
def do_merge_problems(
    scope: Scope,
    keep: Matter | int,
    merged: Matter | int,
    reason: str,
    *,
    expected_version: int | None = None,
    date: dt.date | None = None,
) -> StepResult:
    """Close `merged` into `keep`. Refused (ValidationError, Chinese) for a problem outside
    the user's scope, into itself, into or from a closed problem, or without a reason; only
    the supervision office may merge (PermissionDenied otherwise)."""
    # Imported here: services imports the step table, which imports this module.
    from taizhang.matters.services import Change, run_step

    if not scope.can_manage:
        # Said before looking anything up: a non-office user learns nothing about the rows.
        raise PermissionDenied("只有督查室可以合并问题")
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "请填写合并理由")
    problems = scope.filter(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM))
    keep_pk = keep.pk if isinstance(keep, Matter) else keep
    merged_pk = merged.pk if isinstance(merged, Matter) else merged
    if keep_pk == merged_pk:
        raise invalid("into", "不能把问题合并到它自己")
    # Both rows locked in id order, so two merges of the same pair cannot deadlock.
    locked = {
        m.pk: m
        for m in Matter.objects.select_for_update(of=("self",))
        .filter(pk__in=problems.filter(pk__in=[keep_pk, merged_pk]).values("pk"))
        .select_related("division", "enterprise")
        .order_by("pk")
    }
    if merged_pk not in locked:
        raise invalid(None, "要合并的问题不存在或不在您的范围内")
    if keep_pk not in locked:
        raise invalid("into", "保留的问题不存在或不在您的范围内")
    k, m = locked[keep_pk], locked[merged_pk]
    if _district(k) != _district(m):
        # A problem is handled inside its district: one district's office cannot answer
        # another's enterprise (even an administrator who sees both).
        raise invalid("into", "不能跨区县合并问题")
    if k.status == Status.CLOSED:
        raise invalid("into", f"问题「{k.title}」已销号，不能并入")
    # The duplicate's own status is the step table's to judge (run_step: 已销号 → refused).

    def apply(row: Matter, day: dt.date) -> Change:
        row.merged_into = k
        row.closed_on = day
        return Change(audit={"并入": k.number})

    result = run_step(
        scope, m, "merge", expected_version=expected_version, date=date, note=reason, apply=apply
    )
    day = result.step.date
    taken = [e for e in [m.enterprise_id, *m.other_enterprises.values_list("pk", flat=True)] if e]
    taken = [e for e in taken if e != k.enterprise_id]
    k.other_enterprises.add(*taken)
    k.version += 1
    k.updated_at = timezone.now()
    k.save(update_fields=["version", "updated_at"])
    MatterStep.objects.create(
        matter=k,
        action="merge_in",
        label="合并",
        from_status=k.status,
        to_status=k.status,
        date=day,
        by=scope.actor,
        by_name=scope.actor_name,
        # The number only: the enterprise reads this history too (staff see the rest on the page).
        note=f"并入{m.number}：{reason}",
        round=k.round,
    )
    audit.record(
        scope.actor,
        k,
        AuditEntry.Action.ACTION,
        verb="合并（保留）",
        division_path=k.division.path,
        extra={"并入问题": m.number, "合并理由": reason, "带入企业": len(taken)},
    )
    title = "问题已合并办理"
    notify.notify(
        notify.enterprise_users(k.enterprise_id),
        k,
        NotificationKind.STEP,
        f"{k.title}：{title}",
        # Neither enterprise is told the other's name: each hears about its own problem only.
        "另一家企业反映的同类问题已并入本问题，一并办理。",
    )
    notify.notify(
        notify.enterprise_users(m.enterprise_id),
        m,
        NotificationKind.STEP,
        f"{m.title}：{title}",
        f"您反映的问题与另一家企业反映的同类问题（{k.number}）相同，已合并一并办理：{reason}",
    )
    return result


def do_merge_step(
    scope: Scope,
    matter: Matter,
    *,
    expected_version: int | None,
    into: int,
    reason: str,
) -> StepResult:
    """The step table's 合并 on the duplicate (POST /matters/{id}/steps/merge)."""
    return do_merge_problems(scope, into, matter, reason, expected_version=expected_version)
