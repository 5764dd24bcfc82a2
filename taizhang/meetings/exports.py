"""The decisions ledger (议定事项落实台账) through the one export renderer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet

from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import CHUNK
from taizhang.meetings.models import Decision, Meeting
from taizhang.meetings.queries import decision_rows

DECISION_COLUMNS = [
    Column("纪要文号", "text", 18),
    Column("会议", "text", 24),
    Column("会议日期", "date", 12),
    Column("事项序号", "int", 8),
    Column("议定事项", "text", 44),
    Column("督办编号", "text", 14),
    Column("责任单位", "text", 18),
    Column("配合单位", "text", 22),
    Column("完成时限", "date", 12),
    Column("状态", "text", 8),
    Column("办结日期", "date", 12),
    Column("亮灯", "text", 6),
    Column("逾期工作日", "int", 8),
]


def decisions_in_chunks(
    scope: Scope, meetings: QuerySet[Meeting], as_of: dt.date
) -> Iterator[Decision]:
    """:func:`decision_rows` for a chunk of meetings at a time, in its order (newest meeting
    first, then by id), so an export never holds every decision of a scope at once."""
    ids = meetings.order_by("-date", "pk").values_list("pk", flat=True).iterator(CHUNK)
    while chunk := list(islice(ids, CHUNK)):
        yield from decision_rows(scope, Meeting.objects.filter(pk__in=chunk), as_of)


def _decision_row(d: Decision) -> list:
    m = d.task_row
    return [
        d.meeting.doc_number,
        d.meeting.title,
        d.meeting.date,
        d.order,
        d.text,
        m.number,
        m.lead_unit.name if m.lead_unit_id else "",
        "、".join(u.name for u in m.co_units.all()),
        m.deadline,
        m.get_status_display(),
        m.finished_on,
        d.light_label,
        m.late_workdays or 0,
    ]


def decision_table(scope: Scope, rows: Iterable[Decision], as_of: dt.date) -> Table:
    """`rows` from :func:`decisions_in_chunks` (each carries its task's light)."""
    return Table(
        title="会议议定事项落实台账",
        columns=DECISION_COLUMNS,
        rows=(_decision_row(d) for d in rows),
        unit_name=scope.filler_name,
        as_of=as_of,
        notes=[
            "注：每条议定事项已转为督办任务（来源：会议议定）；亮灯按办理时限：逾期未办结为红灯，"
            "临近时限为黄灯；逾期工作日按工作日历计算。"
        ],
        sheet_name="议定事项",
    )
