"""Exports of the problem ledger and "my work": the rows the page shows, its filters, scope only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone

from taizhang.attachments.services import names_by_owner
from taizhang.core.bulk import IdsIn
from taizhang.core.calendar import unconfirmed_notes
from taizhang.core.models import Role, Unit
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import Labels, batches, choice_labels
from taizhang.lib.lights import Light, LightResult
from taizhang.matters.models import Matter, number_of
from taizhang.matters.queries import (
    ProblemFilter,
    filter_problems,
    my_work,
    page_lights,
    with_lights,
)

# What a row is built from, read as plain tuples (no model objects): the columns behind
# PROBLEM_COLUMNS, the number's parts (kind, raised_on, id) and the SQL light (with_lights).
PROBLEM_VALUES = (
    "id",
    "kind",
    "raised_on",
    "title",
    "enterprise__name",
    "category__name",
    "lead_unit__name",
    "leader__name",
    "assigned_on",
    "deadline",
    "finished_on",
    "status",
    "light",
    "rating",
)
(ID, KIND, RAISED_ON, TITLE, ENTERPRISE, CATEGORY, LEAD_UNIT, LEADER) = range(8)
(ASSIGNED_ON, DEADLINE, FINISHED_ON, STATUS, LIGHT, RATING) = range(8, 14)
LIGHT_LABELS = {light.value: light.label for light in Light}
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
    """{matter id: its co-units' names} for a chunk, in the units' own order.

    Names only: a prefetch would build a Unit and a related manager per row for one string.
    Two plain queries, the links then the units they name (sorted by the database, so in
    its collation): one query joining both and sorted by the units' order was planned by
    SQLite as a scan of every unit probing the chunk's 2000 ids (40 ms a chunk, links or
    not).
    """
    pairs = list(
        Matter.co_units.through.objects.filter(IdsIn("matter_id", ids)).values_list(
            "matter_id", "unit_id"
        )
    )
    if not pairs:
        return {}
    units = (
        Unit.objects.filter(pk__in={unit for _, unit in pairs})
        .order_by(*Unit._meta.ordering, "pk")
        .values_list("pk", "name")
    )
    rank = {pk: (n, name) for n, (pk, name) in enumerate(units)}
    out: dict[int, list[tuple[int, str]]] = {}
    for matter_id, unit_id in pairs:
        out.setdefault(matter_id, []).append(rank[unit_id])
    return {m: [name for _, name in sorted(names)] for m, names in out.items()}


class RowMaker:
    """A ledger row from a tuple of PROBLEM_VALUES; the choices' labels translated once."""

    def __init__(self) -> None:
        self.status = choice_labels(Matter, "status")
        self.rating = choice_labels(Matter, "rating")

    def __call__(
        self,
        v: tuple,
        files: dict[int, list[str]],
        co: dict[int, list[str]],
        number: str | None = None,
    ) -> list[Any]:
        # The problem ledger holds enterprise problems, numbered in the year raised; my work
        # also lists tasks, numbered in the task's year: it passes Matter.number.
        pk = v[ID]
        return [
            number or number_of(v[KIND], v[RAISED_ON].year, pk),
            v[TITLE],
            v[ENTERPRISE],
            v[CATEGORY],
            v[LEAD_UNIT],
            "、".join(co.get(pk, ())),
            v[LEADER],
            v[RAISED_ON],
            v[ASSIGNED_ON],
            v[DEADLINE],
            v[FINISHED_ON],
            self.status.get(v[STATUS], v[STATUS]),
            LIGHT_LABELS.get(v[LIGHT], ""),
            self.rating.get(v[RATING], v[RATING]),
            "、".join(files.get(pk, ())),
        ]


def model_values(m: Matter, light: LightResult | None) -> tuple:
    """The PROBLEM_VALUES of a loaded matter (my work's 200 rows, lights from Python)."""
    names = [
        rel.name if rel is not None else None
        for rel in (m.enterprise, m.category, m.lead_unit, m.leader)
    ]
    return (
        m.pk,
        m.kind,
        m.raised_on,
        m.title,
        *names,
        m.assigned_on,
        m.deadline,
        m.finished_on,
        m.status,
        light.light.value if light is not None else None,
        m.rating,
    )


def export_queryset(scope: Scope, f: ProblemFilter, today: dt.date) -> QuerySet[Any]:
    """The list's rows (scope, filters, lights, order) as tuples of PROBLEM_VALUES: building
    a model object per row (and one per related row) cost more than the query itself."""
    return with_lights(filter_problems(scope, f), f, today).values_list(*PROBLEM_VALUES)


def problem_rows(qs: QuerySet[Any], deadlines: set[dt.date]) -> Iterator[list]:
    """The export's rows, read chunk by chunk: each chunk's co-units and evidence file names
    in one query each, lights from the SQL annotation. Adds each row's deadline to
    ``deadlines`` (for the notes printed under the rows)."""
    row = RowMaker()
    for batch in batches(qs):
        ids = [v[ID] for v in batch]
        files, co = names_by_owner(Matter, ids), co_unit_names(ids)
        deadlines.update(v[DEADLINE] for v in batch)
        for v in batch:
            yield row(v, files, co)
        deadlines.discard(None)


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
    label, row = Labels(), RowMaker()
    table = Table(
        title="我的待办事项",
        columns=[Column("事项类型", "text", 10), *PROBLEM_COLUMNS],
        rows=[
            [label(m, "kind"), *row(model_values(m, light), files, co, m.number)]
            for m, light in page_lights(items, today)
        ],
        unit_name=scope.filler_name,
        as_of=today,
        notes=unconfirmed_notes(m.deadline for m in items),
        sheet_name="我的待办",
    )
    return download(table, fmt, "我的待办")
