"""Exports of the problem ledger and "my work": the rows the page shows, its filters, scope only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone

from taizhang.attachments.services import names_by_owner
from taizhang.core.calendar import unconfirmed_notes
from taizhang.core.models import Role, Unit
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import Labels, batches
from taizhang.matters.models import Matter
from taizhang.matters.queries import (
    ProblemFilter,
    filter_problems,
    my_work,
    page_lights,
    sql_light,
    with_lights,
)

# The columns behind PROBLEM_COLUMNS (and Matter.number: kind, raised_on, id).
PROBLEM_FIELDS = (
    "kind",
    "raised_on",
    "title",
    "assigned_on",
    "deadline",
    "finished_on",
    "status",
    "rating",
    "enterprise__name",
    "category__name",
    "lead_unit__name",
    "leader__name",
)
PROBLEM_COLUMNS = [
    Column("编号", "text", 12),
    Column("问题", "text", 30),
    Column("企业", "text", 24),
    Column("问题类别", "text", 10),
    Column("主办单位", "text", 18),
    Column("协办单位", "text", 18),
    Column("责任领导", "text", 10),
    Column("提出日期", "date", 12),
    Column("交办日期", "date", 12),
    Column("办理时限", "date", 12),
    Column("办结日期", "date", 12),
    Column("状态", "text", 9),
    Column("灯", "text", 6),
    Column("企业评价", "text", 9),
    # The names of the files handed in as evidence (佐证材料); the files stay in the system.
    Column("佐证材料", "text", 30),
]


def co_unit_names(ids: list[int]) -> dict[int, list[str]]:
    """{matter id: its co-units' names} for a chunk in one query, in the units' own order.

    Names only: a prefetch would build a Unit and a related manager per row for one string.
    """
    out: dict[int, list[str]] = {}
    pairs = (
        Matter.co_units.through.objects.filter(matter_id__in=ids)
        .order_by(*(f"unit__{key}" for key in Unit._meta.ordering), "unit_id")
        .values_list("matter_id", "unit__name")
    )
    for matter_id, name in pairs:
        out.setdefault(matter_id, []).append(name)
    return out


def _row(
    m: Matter, light, files: dict[int, list[str]], co: dict[int, list[str]], label: Labels
) -> list:
    return [
        m.number,
        m.title,
        m.enterprise.name if m.enterprise_id else "",
        m.category.name if m.category_id else "",
        m.lead_unit.name if m.lead_unit_id else "",
        "、".join(co.get(m.pk, [])),
        m.leader.name if m.leader_id else "",
        m.raised_on,
        m.assigned_on,
        m.deadline,
        m.finished_on,
        label(m, "status"),
        light.light.label if light is not None else "",
        label(m, "rating"),
        "、".join(files.get(m.pk, [])),
    ]


def export_queryset(scope: Scope, f: ProblemFilter, today: dt.date) -> QuerySet[Matter]:
    """The list's rows (scope, filters, lights, order) with only the columns the ledger prints:
    a row is built from these alone, and whole enterprises and divisions cost more to load
    than the query itself."""
    return (
        with_lights(filter_problems(scope, f), f, today)
        .select_related(None)
        .select_related("enterprise", "category", "lead_unit", "leader")
        .only(*PROBLEM_FIELDS)
    )


def problem_rows(qs: QuerySet[Matter], deadlines: set[dt.date]) -> Iterator[list]:
    """The export's rows, read chunk by chunk: each chunk's co-units and evidence file names
    in one query each, lights from the SQL annotation. Adds each row's deadline to
    ``deadlines`` (for the notes printed under the rows)."""
    label = Labels()
    for batch in batches(qs):
        ids = [m.pk for m in batch]
        files, co = names_by_owner(Matter, ids), co_unit_names(ids)
        for m in batch:
            if m.deadline is not None:
                deadlines.add(m.deadline)
            yield _row(m, sql_light(m), files, co, label)


@login_required
def problem_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        raise PermissionDenied("企业用户请在企业服务门户查看本企业的问题")
    f = ProblemFilter.from_params(request.GET)
    today = timezone.localdate()
    qs = export_queryset(scope, f, today)
    deadlines: set[dt.date] = set()
    table = Table(
        title="企业问题台账",
        columns=PROBLEM_COLUMNS,
        rows=problem_rows(qs, deadlines),
        unit_name=scope.filler_name,
        as_of=today,
        # Asked after the rows were written, when every deadline has been seen.
        notes=lambda: [
            "注：灯按导出当日计算；逾期未办结为红灯。",
            *unconfirmed_notes(sorted(deadlines)),
        ],
        sheet_name="问题台账",
    )
    return download(table, fmt, "企业问题台账")


@login_required
def my_work_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    today = timezone.localdate()
    items = list(my_work(scope).select_related("leader")[:200])
    ids = [m.pk for m in items]
    files, co = names_by_owner(Matter, ids), co_unit_names(ids)
    label = Labels()
    table = Table(
        title="我的待办事项",
        columns=[Column("事项类型", "text", 10), *PROBLEM_COLUMNS],
        rows=[
            [label(m, "kind"), *_row(m, light, files, co, label)]
            for m, light in page_lights(items, today)
        ],
        unit_name=scope.filler_name,
        as_of=today,
        notes=unconfirmed_notes(m.deadline for m in items),
        sheet_name="我的待办",
    )
    return download(table, fmt, "我的待办")
