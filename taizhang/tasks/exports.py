"""Task lists as printable ledgers through the one export renderer (taizhang/exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import Labels, batches
from taizhang.matters.models import Matter
from taizhang.tasks.models import TaskSource, plain
from taizhang.tasks.queries import TaskFilter, with_status
from taizhang.tasks.status import TaskStatus, task_status

TASK_COLUMNS = [
    Column("编号", "text", 14),
    Column("任务名称", "text", 36),
    Column("来源", "text", 12),
    Column("牵头单位", "text", 18),
    Column("配合单位", "text", 24),
    Column("责任领导", "text", 10),
    Column("完成时限", "date", 12),
    Column("报送周期", "text", 8),
    Column("目标值", "number", 10),
    Column("单位", "text", 8),
    Column("实际值", "number", 10),
    Column("完成进度", "rate", 9),
    Column("时序进度", "rate", 9),
    Column("状态", "text", 8),
    Column("亮灯", "text", 6),
    Column("亮灯原因", "text", 30),
]
TITLES = {
    "list": "督查督办任务台账",
    "targets": "政府工作报告目标任务完成情况",
    "overdue": "逾期督办任务清单",
    "suggestion": "人大代表建议办理台账",
    "proposal": "政协提案办理台账",
}


def _comparator(m: Matter) -> str:
    return {">=": "≥", "<=": "≤"}.get(m.task.comparator, m.task.comparator)


def task_row(m: Matter, st: TaskStatus, label: Labels | None = None) -> list[Any]:
    label = label or Labels()
    d = m.task
    return [
        d.number,
        m.title,
        str(TaskSource(d.task_source).label),
        m.lead_unit.name if m.lead_unit_id else "",
        "、".join(u.name for u in m.co_units.all()),
        m.leader.name if m.leader_id else "",
        m.deadline,
        label(d, "cycle"),
        Decimal(plain(d.target_value)) if d.target_value is not None else None,
        (_comparator(m) + " " if d.comparator else "") + d.target_unit,
        Decimal(plain(d.actual_value)) if d.actual_value is not None else None,
        st.progress_pct,
        st.pace_pct,
        label(m, "status"),
        st.light.light.label,
        st.light.reason,
    ]


def task_rows(qs: QuerySet[Matter], f: TaskFilter, today: dt.date) -> Iterator[list[Any]]:
    """The ledger's rows, read chunk by chunk (reports and co-units prefetched per chunk).

    The light and overdue filters are applied in the database (:func:`with_status`); each
    row's status is computed for its columns (progress, light, reason).
    """
    label = Labels()
    for batch in batches(with_status(qs, f, today)):
        for m in batch:
            yield task_row(m, task_status(m, today), label)


def task_table(
    scope: Scope, qs: QuerySet[Matter], f: TaskFilter, today: dt.date, mode: str = "list"
) -> Table:
    """``qs`` from :func:`filter_tasks` with the list's filter ``f``."""
    return Table(
        title=TITLES.get(mode, TITLES["list"]),
        columns=TASK_COLUMNS,
        rows=task_rows(qs, f, today),
        unit_name=scope.filler_name,
        as_of=today,
        notes=[
            "注：完成进度 = 最新报送的累计实际值 ÷ 目标值（“不超过”类为 目标值 ÷ 实际值）；"
            "时序进度 = 截至最新报送期末已过天数 ÷ 全年天数。"
        ],
        sheet_name="督办任务",
    )
