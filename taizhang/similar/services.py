"""The radar's one change: a cluster of alike problems becomes one supervision task on the
root cause, linked to every problem in it (docs/similar.md). Merging duplicates is
`taizhang.matters.merge.do_merge_problems`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from taizhang.core import audit
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry
from taizhang.core.scope import Scope
from taizhang.matters.models import Kind, Matter
from taizhang.similar.models import RadarLink
from taizhang.tasks import services as tasks

MAX_PROBLEMS = 500


def _ids(values: Sequence[Any]) -> list[int]:
    out: list[int] = []
    for v in values or []:
        try:
            pk = int(v)
        except (TypeError, ValueError):
            raise invalid("problems", f"问题编号「{v}」无效") from None
        if pk < 1:
            raise invalid("problems", f"问题编号「{v}」无效")
        if pk not in out:
            out.append(pk)
    return out


@transaction.atomic
def do_task_from_cluster(
    scope: Scope, problem_ids: Sequence[Any], data: dict[str, Any]
) -> tuple[Matter, list[RadarLink]]:
    """Publish one supervision task (tasks' `do_create_task`, same fields and checks) and
    link it to each of the problems. Refused when a problem is outside the user's scope,
    merged, or already linked to a task; only the office may do it."""
    scope.require_manage()
    ids = _ids(problem_ids)
    if len(ids) < 2:
        raise invalid("problems", "请至少选择两个问题")
    if len(ids) > MAX_PROBLEMS:
        raise invalid("problems", f"一次最多关联{MAX_PROBLEMS}个问题")
    problems = list(
        scope.filter(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM))
        .filter(pk__in=ids)
        .select_related("division")
        .order_by("pk")
    )
    missing = sorted(set(ids) - {m.pk for m in problems})
    if missing:
        raise invalid("problems", f"问题 {missing[0]} 不存在或不在您的范围内")
    if len({(m.division.district() or m.division).pk for m in problems}) > 1:
        # One task is handled inside one district (tasks' require_within).
        raise invalid("problems", "所选问题分属不同区县，不能转为同一项督办任务")
    merged = [m for m in problems if m.merged_into_id]
    if merged:
        raise invalid("problems", f"问题{merged[0].number}已合并，请选择保留的问题")
    taken = RadarLink.objects.filter(problem__in=problems).select_related("problem", "task").first()
    if taken is not None:
        raise invalid("problems", f"问题{taken.problem.number}已关联督办任务{taken.task.number}")
    data = dict(data)
    if not data.get("division"):
        divisions = {m.division_id for m in problems}
        # The problems' own division when they share one; else the office's.
        data["division"] = problems[0].division if len(divisions) == 1 else scope.division
    numbers = "、".join(m.number for m in problems)
    if not str(data.get("description") or "").strip():
        data["description"] = f"问题雷达：{len(problems)}个同类企业问题（{numbers}）的共同原因。"
    data.setdefault("task_source", "other")
    data.setdefault("cycle", "none")
    task = tasks.do_create_task(scope, data)
    links = RadarLink.objects.bulk_create(
        [RadarLink(task=task, problem=m, by=scope.actor) for m in problems]
    )
    audit.record(
        scope.actor,
        task,
        AuditEntry.Action.ACTION,
        verb="问题雷达转督办任务",
        division_path=task.division.path,
        extra={"关联问题": numbers},
    )
    return task, links


def tasks_of(scope: Scope, problem: Matter) -> list[Matter]:
    """The root-cause tasks a problem was linked to, among those the user may see."""
    return list(
        scope.filter(Matter.objects.all()).filter(radar_problems__problem=problem).distinct()
    )
