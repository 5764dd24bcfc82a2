"""API of the ledger measures: the list, the fact-check, and a task's binding with its ledger value.

Same scope and the same ``do_*`` functions as the web pages (taizhang/web/measures.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from taizhang.api.schemas import Id
from taizhang.core.scope import Scope, scope_of
from taizhang.lib.numbers import fmt_value
from taizhang.matters.models import Matter
from taizhang.measures import services
from taizhang.measures.factcheck import STATUS_LABELS
from taizhang.measures.registry import Measure, all_measures, get_measure

router = Router(tags=["台账指标与文稿核对"])


class ParamOut(Schema):
    name: str
    label: str
    choices: list[list[str]]


class MeasureOut(Schema):
    code: str
    name: str
    unit: str
    units: list[str]
    stock: bool
    formula: str
    synonyms: list[str]
    params: list[ParamOut]


def _measure(m: Measure) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "unit": m.unit,
        "units": list(m.units),
        "stock": m.stock,
        "formula": m.formula,
        "synonyms": list(m.synonyms),
        "params": [
            {"name": p.name, "label": p.label, "choices": [list(c) for c in p.choices]}
            for p in m.params
        ],
    }


@router.get(
    "/measures", response=list[MeasureOut], summary="台账指标列表（代码、名称、单位、参数、公式）"
)
def list_measures(request: HttpRequest):
    return [_measure(m) for m in all_measures()]


class FactCheckIn(Schema):
    text: str = Field(..., description="文稿全文（最多 20 万字）")
    division: str = Field(..., description="区划代码或准确名称")
    as_of: dt.date | None = Field(None, description="核对截止日期；缺省为文中写明的最晚日期或今天")
    start: dt.date | None = Field(None, description="统计起点；缺省为截止日期所在年的 1 月 1 日")


class FactItemOut(Schema):
    start: int
    end: int
    value: str
    unit: str
    name: str
    comparator: str
    status: str = Field(..., description="match / mismatch / unchecked")
    ledger_value: str | None
    measure: str | None
    measure_name: str | None
    window_start: dt.date | None
    window_end: dt.date | None
    message: str


class FactCheckOut(Schema):
    id: int
    division: dict[str, str]
    as_of: dt.date
    start: dt.date
    counts: dict[str, int]
    items: list[FactItemOut]


@router.post("/factcheck", response=FactCheckOut, summary="核对文稿中的数字与台账是否一致")
def factcheck_endpoint(request: HttpRequest, body: FactCheckIn):
    scope = scope_of(request)
    division = scope.division_by_ref(body.division)
    fc, items = services.do_factcheck(
        scope, text=body.text, division=division, as_of=body.as_of, start=body.start
    )
    return {
        "id": fc.pk,
        "division": {"code": division.code, "name": division.name},
        "as_of": fc.as_of,
        "start": fc.start,
        "counts": {k: sum(1 for i in items if i.status == k) for k in STATUS_LABELS},
        "items": [i.as_contract() for i in items],
    }


class ReadingOut(Schema):
    period: str
    as_of: dt.date
    ledger_value: str | None
    reported_value: str | None
    flagged: bool
    text: str


class TaskMeasureOut(Schema):
    task: int
    bound: bool
    measure: str | None
    measure_name: str | None
    params: dict[str, str]
    unit: str
    ledger_value: str | None = Field(
        None, description="截至今天（或任务年度末）的台账值，任务的计量单位"
    )
    as_of: dt.date | None
    suggestion: str | None = Field(None, description="未绑定时按任务名称和单位建议的指标代码")
    readings: list[ReadingOut]


class TaskMeasureIn(Schema):
    measure: str | None = Field(None, description="指标代码；null 或空串解除绑定")
    params: dict[str, str] = Field(default_factory=dict)


def _task(scope: Scope, pk: int) -> Matter:
    return scope.get(
        Matter.objects.filter(task__isnull=False).select_related("division", "task"), pk
    )


def task_measure(m: Matter) -> dict[str, Any]:
    b = services.binding_of(m)
    out: dict[str, Any] = {
        "task": m.pk,
        "bound": b is not None,
        "measure": None,
        "measure_name": None,
        "params": {},
        "unit": m.task.target_unit,
        "ledger_value": None,
        "as_of": None,
        "suggestion": None,
        "readings": [],
    }
    if b is None:
        found = services.suggest(m.title, m.task.target_unit) if m.task.target_value else None
        out["suggestion"] = found.measure.code if found else None
        return out
    measure = get_measure(b.code)
    as_of = min(timezone.localdate(), dt.date(m.task.year, 12, 31))
    value = services.task_ledger(m, b, as_of)
    out.update(
        measure=b.code,
        measure_name=measure.describe(b.params),
        params=b.params,
        ledger_value=None if value is None else fmt_value(value),
        as_of=as_of,
        readings=[
            {
                "period": r.period,
                "as_of": r.as_of,
                "ledger_value": None if r.ledger is None else fmt_value(r.ledger),
                "reported_value": None if r.reported is None else fmt_value(r.reported),
                "flagged": r.flagged,
                "text": r.text,
            }
            for r in services.readings(m, b)
        ],
    )
    return out


@router.get("/tasks/{pk}/measure", response=TaskMeasureOut, summary="任务绑定的台账指标和台账值")
def get_task_measure(request: HttpRequest, pk: Id):
    return task_measure(_task(scope_of(request), pk))


@router.put(
    "/tasks/{pk}/measure", response=TaskMeasureOut, summary="绑定（或解除）任务的台账指标（督查室）"
)
def put_task_measure(request: HttpRequest, pk: Id, body: TaskMeasureIn):
    scope = scope_of(request)
    m = _task(scope, pk)
    if body.measure:
        services.do_bind_task(scope, m, code=body.measure, params=body.params)
    else:
        services.do_unbind_task(scope, m)
    return task_measure(m)


ROUTERS = [router]
