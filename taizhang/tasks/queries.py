"""Task lists, their statuses and the dashboard figures; shared by the web pages, exports and API.

* 办结率 (suggestions, proposals) = 已答复办结（已办结/已评价/已销号）÷ 交办总数;
* 满意率 = (满意 + 基本满意) ÷ 已评价数;
* overdue (逾期) = an open task past its deadline or with a progress report missing.

The dashboard counts as of the period's cut-off: for a past day every task is judged as
it stood then (status, deadline, 办结, rating replayed by ``taizhang.matters.timing``,
only reports submitted by then), so a past dashboard shows what was late then.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from taizhang.core import params as params_
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import rate
from taizhang.lib.periods import month_end
from taizhang.matters.models import FINISHED, Kind, Matter, MatterStep, Rating, Status
from taizhang.matters.timing import MatterState, state_as_of, states_as_of
from taizhang.tasks.models import TaskSource
from taizhang.tasks.status import TaskStatus, task_status

KINDS = {"task": Kind.SUPERVISION_TASK, "suggestion": Kind.SUGGESTION, "proposal": Kind.PROPOSAL}
FORMULAS = {
    "progress": "完成进度 = 最新报送的累计实际值 ÷ 目标值（“不超过”类目标为 目标值 ÷ 实际值）",
    "pace": "时序进度 = 任务年度已过天数 ÷ 全年天数（截至最新报送期末）",
    "finish": "办结率 = 已答复办结件数 ÷ 交办件数",
    "satisfaction": "满意率 =（满意 + 基本满意）÷ 已评价件数",
}


@dataclass
class TaskFilter:
    kind: str = "task"
    source: str | None = None
    status: str | None = None
    light: str | None = None
    unit: str | None = None
    year: int | None = None
    q: str | None = None
    overdue: bool = False
    quantitative: bool = False

    @classmethod
    def from_params(cls, params: Any) -> TaskFilter:
        def get(key: str) -> str | None:
            value = params.get(key)
            return value.strip() if isinstance(value, str) and value.strip() else None

        kind = get("kind") or "task"
        return cls(
            kind=kind if kind in KINDS else "task",
            source=get("source"),
            status=get("status"),
            light=get("light"),
            unit=get("unit"),
            year=params_.year_param(params),
            q=get("q"),
            overdue=get("overdue") in {"1", "true", "on"},
            quantitative=get("quantitative") in {"1", "true", "on"},
        )


def filter_tasks(scope: Scope, f: TaskFilter) -> QuerySet[Matter]:
    qs = (
        scope.filter(Matter.objects.filter(kind=KINDS[f.kind], task__isnull=False))
        .select_related("division", "lead_unit", "leader", "task")
        .prefetch_related("task_reports", "co_units")
    )
    if f.source:
        qs = qs.filter(task__task_source=f.source)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.unit:
        if params_.ref_id("unit", f.unit) is not None:
            qs = qs.filter(Q(lead_unit_id=f.unit) | Q(co_units=f.unit)).distinct()
        else:
            qs = qs.filter(lead_unit__name=f.unit)
    if params_.year_of(f.year):
        qs = qs.filter(task__year=f.year)
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q) | Q(task__doc_number__icontains=f.q) | Q(lead_unit__name=f.q)
        )
    if f.quantitative:
        qs = qs.filter(task__target_value__isnull=False)
    return qs.order_by("-task__year", "task__serial", "id")


def is_overdue(m: Matter, st: TaskStatus, today: dt.date, state: MatterState | None = None) -> bool:
    """Open and past its deadline or missing a report on ``today`` (``state``: as it was then)."""
    status, deadline = (state.status, state.deadline) if state else (m.status, m.deadline)
    if status in FINISHED:
        return False
    return bool(st.missed) or (deadline is not None and deadline < today)


def with_status(
    qs: QuerySet[Matter], f: TaskFilter, today: dt.date
) -> tuple[list[Matter], dict[int, TaskStatus]]:
    rows = list(qs)
    statuses = {m.pk: task_status(m, today) for m in rows}
    if f.light:
        rows = [m for m in rows if statuses[m.pk].light.light.value == f.light]
    if f.overdue:
        rows = [m for m in rows if is_overdue(m, statuses[m.pk], today)]
    return rows, statuses


def task_figures(
    rows: list[Matter],
    statuses: dict[int, TaskStatus],
    today: dt.date,
    states: dict[int, MatterState] | None = None,
) -> dict:
    """Counts by source, status, light and lead unit, and the overdue list.

    ``states`` (from ``states_as_of``) when ``today`` is a past day: each task's status then.
    """

    def status_of(m: Matter) -> str:
        return states[m.pk].status if states else m.status

    by_source = Counter(str(TaskSource(m.task.task_source).label) for m in rows)
    by_status = Counter(str(Status(status_of(m)).label) for m in rows)
    by_light = Counter(statuses[m.pk].light.light.label for m in rows)
    units: dict[str, dict[str, int]] = {}
    for m in rows:
        name = m.lead_unit.name if m.lead_unit_id else "未定"
        u = units.setdefault(name, {"total": 0, "red": 0, "yellow": 0, "finished": 0})
        u["total"] += 1
        light = statuses[m.pk].light.light.value
        if light in ("red", "yellow"):
            u[light] += 1
        if status_of(m) in FINISHED:
            u["finished"] += 1
    return {
        "total": len(rows),
        "by_source": dict(by_source.most_common()),
        "by_status": dict(by_status.most_common()),
        "by_light": {k: by_light.get(k, 0) for k in ("红灯", "黄灯", "绿灯")},
        "by_unit": sorted(
            ({"unit": k, **v} for k, v in units.items()), key=lambda u: (-u["total"], u["unit"])
        ),
        "overdue": [
            m
            for m in rows
            if is_overdue(m, statuses[m.pk], today, states[m.pk] if states else None)
        ],
    }


def _answer_rows(qs: QuerySet[Matter], as_of: dt.date | None) -> list[dict[str, Any]]:
    """status, rating, finished_on, deadline of each matter: now, or as it stood on a past day."""
    if as_of is None or as_of >= timezone.localdate():
        return list(qs.values("status", "rating", "finished_on", "deadline"))
    matters = list(qs.order_by("pk"))
    states = states_as_of(matters, as_of)
    return [
        {
            "status": st.status,
            "rating": st.rating or "",
            "finished_on": st.finished_on,
            "deadline": st.deadline,
        }
        for st in (states[m.pk] for m in matters)
        if st.exists
    ]


def answer_figures(
    scope: Scope, division: Division, year: int, as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """办结率 and 满意率 of suggestions (人大代表建议) and proposals (政协提案) of a year,
    as of ``as_of`` (default today)."""
    out = []
    for kind, label in ((Kind.SUGGESTION, "人大代表建议"), (Kind.PROPOSAL, "政协提案")):
        rows = _answer_rows(
            scope.filter(Matter.objects.filter(kind=kind)).filter(
                division__path__startswith=division.path, task__year=year
            ),
            as_of,
        )
        total = len(rows)
        finished = sum(1 for r in rows if r["status"] in FINISHED)
        on_time = sum(
            1
            for r in rows
            if r["status"] in FINISHED
            and r["finished_on"]
            and (r["deadline"] is None or r["finished_on"] <= r["deadline"])
        )
        rated = [r for r in rows if r["rating"]]
        satisfied = sum(1 for r in rated if r["rating"] in (Rating.SATISFIED, Rating.BASIC))
        out.append(
            {
                "kind": "suggestion" if kind == Kind.SUGGESTION else "proposal",
                "label": label,
                "year": year,
                "total": total,
                "finished": finished,
                "on_time": on_time,
                "open": sum(1 for r in rows if r["status"] not in FINISHED),
                "closed": sum(1 for r in rows if r["status"] == Status.CLOSED),
                "rated": len(rated),
                "satisfied": satisfied,
                "finish_rate_pct": rate(finished, total),
                "satisfaction_rate_pct": rate(satisfied, len(rated)),
            }
        )
    return out


def dashboard_figures(scope: Scope, division: Division, year: int, as_of: dt.date) -> dict:
    """The main dashboard's task section as of ``as_of`` (the period's cut-off): lights,
    sources, overdue tasks, answer rates.

    For a past day each task is judged as it stood then, with a constant number of
    queries (the tasks with their reports, then all their steps at once); tasks raised
    after that day did not exist then. From today on the row is the state.
    """
    f = TaskFilter(year=year)
    qs = filter_tasks(scope, f).filter(division__path__startswith=division.path)
    states: dict[int, MatterState] | None = None
    if as_of >= timezone.localdate():
        rows, statuses = with_status(qs, f, as_of)
    else:
        every = list(qs)
        states = states_as_of(every, as_of)
        rows = [m for m in every if states[m.pk].exists]
        statuses = {m.pk: task_status(m, as_of, states[m.pk]) for m in rows}
    fig = task_figures(rows, statuses, as_of, states)
    fig["overdue"] = [(m, statuses[m.pk]) for m in fig["overdue"][:10]]
    fig["answers"] = answer_figures(scope, division, year, as_of)
    fig["year"] = year
    fig["light_trend"] = light_trend(qs, year, as_of)
    return fig


def light_trend(
    qs: QuerySet[Matter], year: int, as_of: dt.date
) -> list[tuple[int, dict[str, int]]]:
    """(month, {"red": n, "yellow": n, "green": n}) at each month end of ``year`` up to
    ``as_of`` (the last point is ``as_of`` itself): each task judged as it stood that day.

    Bounded to the year's tasks and twelve days; constant queries: the tasks with their
    reports, then all their steps at once (replayed per day by ``state_as_of``).
    """
    every = list(qs)
    now = timezone.localdate()
    steps: dict[int, list[MatterStep]] = {}
    # Steps are only needed for days before today (the first point is the earliest day).
    if every and min(month_end(year, 1), as_of) < now:
        for s in MatterStep.objects.filter(matter_id__in=[m.pk for m in every]).order_by(
            "date", "at", "id"
        ):
            steps.setdefault(s.matter_id, []).append(s)
    out = []
    last = as_of.month if as_of.year == year else (12 if as_of.year > year else 0)
    for mo in range(1, last + 1):
        day = min(month_end(year, mo), as_of)
        counts = {"red": 0, "yellow": 0, "green": 0}
        for m in every:
            # No step is dated after today: from today on the row is the state.
            state = state_as_of(m, [] if day >= now else steps.get(m.pk, []), day)
            if not state.exists:
                continue
            light = task_status(m, day, state).light.light.value
            counts[light] = counts.get(light, 0) + 1
        out.append((mo, counts))
    return out
