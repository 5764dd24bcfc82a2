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

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from taizhang.core import params as params_
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.lights import Light
from taizhang.lib.numbers import rate
from taizhang.lib.periods import month_end
from taizhang.matters.models import FINISHED, Kind, Matter, MatterStep, Rating, Status
from taizhang.matters.timing import state_as_of, states_as_of
from taizhang.tasks.lights import light_case, overdue_q, stored_q, task_light_q, unstored_q
from taizhang.tasks.models import TaskReport, TaskSource
from taizhang.tasks.status import TaskStatus, is_overdue, task_status

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
    return qs.order_by(*_ORDER)


def _python_rows(qs: QuerySet[Matter], as_of: dt.date) -> list[Matter]:
    """The rows of ``qs`` whose stored light dates do not hold on ``as_of`` (written after
    it, or not yet): the Python rule judges these, and only these."""
    return list(qs.filter(unstored_q(as_of)))


def _replayed(
    base: QuerySet[Matter], as_of: dt.date
) -> tuple[list[Matter], dict[int, list[MatterStep]]]:
    """The rows of ``base`` the Python rule judges on ``as_of`` and later days (written after
    it), with their reports and, for a past day, their steps to replay them by.

    Three queries, which run whether or not there are any such rows: a dashboard's number
    of queries does not depend on its data.
    """
    written = base.filter(unstored_q(as_of)).values("pk")
    rows = list(
        base.filter(pk__in=written).select_related("task", "lead_unit").prefetch_related(None)
    )
    reports: dict[int, list[TaskReport]] = {}
    for r in TaskReport.objects.filter(matter__in=written).order_by("period"):
        reports.setdefault(r.matter_id, []).append(r)
    for m in rows:
        m._prefetched_objects_cache = {"task_reports": reports.get(m.pk, [])}
    steps: dict[int, list[MatterStep]] = {}
    if as_of < timezone.localdate():
        for s in MatterStep.objects.filter(matter__in=written).order_by("date", "at", "id"):
            steps.setdefault(s.matter_id, []).append(s)
    return rows, steps


def with_status(qs: QuerySet[Matter], f: TaskFilter, today: dt.date) -> QuerySet[Matter]:
    """``qs`` with the light and overdue filters of ``f`` applied in the database, for
    paging there; :func:`statuses` gives the light of the page's rows.

    The stored light dates (tasks/lights.py) decide every row written on or before
    ``today``; the few others are judged by the Python rule and kept by primary key.
    """
    if not (f.light or f.overdue):
        return qs
    extra = _python_rows(qs, today)
    sts = statuses(extra, today)
    if f.light:
        kept = [m.pk for m in extra if sts[m.pk].light.light.value == f.light]
        qs = qs.filter(task_light_q(f.light, today) | Q(pk__in=kept))
    if f.overdue:
        kept = [m.pk for m in extra if is_overdue(m, sts[m.pk], today)]
        qs = qs.filter(overdue_q(today) | Q(pk__in=kept))
    return qs


def statuses(rows: list[Matter], today: dt.date) -> dict[int, TaskStatus]:
    """Each row's status on ``today`` (the rows of one page)."""
    return {m.pk: task_status(m, today) for m in rows}


_ORDER = ("-task__year", "task__serial", "id")


def _key(m: Matter) -> tuple:
    # The list order (_ORDER) in Python, NULL serials last as PostgreSQL sorts them.
    return (-m.task.year, m.task.serial is None, m.task.serial or 0, m.pk)


def task_figures(qs: QuerySet[Matter], as_of: dt.date, overdue_rows: int = 0) -> dict:
    """Counts by source, status, light and lead unit, the overdue count and the first
    ``overdue_rows`` overdue tasks (with their status), each task as of ``as_of``.

    One GROUP BY over the rows whose stored light dates hold on ``as_of``; the others
    (written after a past ``as_of``) are judged in Python as they stood then (replayed
    by ``state_as_of``; tasks raised after it did not exist then).
    """
    base = Matter.objects.filter(pk__in=qs.values("pk")) if qs.query.distinct else qs
    base = base.order_by()
    groups: Counter[tuple[str, str, str, str, bool]] = Counter()
    for row in (
        base.filter(stored_q(as_of))
        .annotate(_light=light_case(as_of))
        .values("task__task_source", "status", "lead_unit__name", "_light")
        .annotate(n=Count("pk"), over=Count("pk", filter=overdue_q(as_of)))
    ):
        key = (row["task__task_source"], row["status"], row["lead_unit__name"] or "未定")
        groups[(*key, row["_light"], True)] += row["over"]
        groups[(*key, row["_light"], False)] += row["n"] - row["over"]
    extra, steps = _replayed(base, as_of)
    past = as_of < timezone.localdate()
    late: list[tuple[Matter, TaskStatus]] = []
    for m in extra:
        state = state_as_of(m, steps.get(m.pk, []), as_of) if past else None
        if state is not None and not state.exists:
            continue
        st = task_status(m, as_of, state)
        over = is_overdue(m, st, as_of, state)
        status = state.status if state else m.status
        unit = m.lead_unit.name if m.lead_unit_id else "未定"
        groups[(m.task.task_source, status, unit, st.light.light.value, over)] += 1
        if over:
            late.append((m, st))

    by_source: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_light: Counter[str] = Counter()
    units: dict[str, dict[str, int]] = {}
    overdue = 0
    for (source, status, unit, light, over), n in groups.items():
        if not n:
            continue
        by_source[str(TaskSource(source).label)] += n
        by_status[str(Status(status).label)] += n
        by_light[Light(light).label] += n
        u = units.setdefault(unit, {"total": 0, "red": 0, "yellow": 0, "finished": 0})
        u["total"] += n
        if light in ("red", "yellow"):
            u[light] += n
        if status in FINISHED:
            u["finished"] += n
        overdue += n if over else 0
    first: list[tuple[Matter, TaskStatus]] = []
    if overdue_rows:
        # The first overdue rows in list order: the database's, merged with the replayed.
        stored = list(
            qs.filter(overdue_q(as_of)).order_by(*_ORDER).prefetch_related(None)[:overdue_rows]
        )
        # Their reports in one query, run even for no rows (id 0 is none): constant queries.
        reports: dict[int, list[TaskReport]] = {}
        for r in TaskReport.objects.filter(matter_id__in=[m.pk for m in stored] or [0]).order_by(
            "period"
        ):
            reports.setdefault(r.matter_id, []).append(r)
        for m in stored:
            m._prefetched_objects_cache = {"task_reports": reports.get(m.pk, [])}
        first = sorted(
            [(m, task_status(m, as_of)) for m in stored] + late, key=lambda p: _key(p[0])
        )[:overdue_rows]
    return {
        "total": sum(by_source.values()),
        "by_source": dict(by_source.most_common()),
        "by_status": dict(by_status.most_common()),
        "by_light": {k: by_light.get(k, 0) for k in ("红灯", "黄灯", "绿灯")},
        "by_unit": sorted(
            ({"unit": k, **v} for k, v in units.items()), key=lambda u: (-u["total"], u["unit"])
        ),
        "overdue_count": overdue,
        "overdue": first,
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


def dashboard_figures(
    scope: Scope, division: Division, year: int, as_of: dt.date, *, trend: bool = True
) -> dict:
    """The main dashboard's task section as of ``as_of`` (the period's cut-off): lights,
    sources, overdue tasks, answer rates.

    Counted in the database from the stored light dates (:func:`task_figures`); only the
    tasks written after a past day are judged in Python as they stood then, and only the
    first ten overdue tasks are loaded. ``trend``: also the light at each month end
    (:func:`light_trend`, which replays the tasks written after each month end).
    """
    qs = filter_tasks(scope, TaskFilter(year=year)).filter(division__path__startswith=division.path)
    fig = task_figures(qs, as_of, overdue_rows=10)
    fig["answers"] = answer_figures(scope, division, year, as_of)
    fig["year"] = year
    if trend:
        fig["light_trend"] = light_trend(qs, year, as_of)
    return fig


def light_trend(
    qs: QuerySet[Matter], year: int, as_of: dt.date
) -> list[tuple[int, dict[str, int]]]:
    """(month, {"red": n, "yellow": n, "green": n}) at each month end of ``year`` up to
    ``as_of`` (the last point is ``as_of`` itself): each task judged as it stood that day.

    One query counts, for every month end, the tasks whose stored light dates hold on that
    day; a task written after a month end is judged for it in Python, replayed from its
    steps (``state_as_of``): those tasks and their steps are read once.
    """
    last = as_of.month if as_of.year == year else (12 if as_of.year > year else 0)
    days = {mo: min(month_end(year, mo), as_of) for mo in range(1, last + 1)}
    if not days:
        return []
    base = (Matter.objects.filter(pk__in=qs.values("pk")) if qs.query.distinct else qs).order_by()
    counts = base.aggregate(
        **{
            f"{light}_{mo}": Count("pk", filter=task_light_q(light, day))
            for mo, day in days.items()
            for light in ("red", "yellow", "green")
        }
    )
    out = {
        mo: {light: counts[f"{light}_{mo}"] for light in ("red", "yellow", "green")} for mo in days
    }
    now = timezone.localdate()
    # Tasks written after the first day are judged in Python on the days before their write.
    extra, steps = _replayed(base, days[1])
    for mo, day in days.items():
        for m in extra:
            if m.task.light_base is not None and m.task.light_base <= day:
                continue  # counted by the database
            # No step is dated after today: from today on the row is the state.
            state = state_as_of(m, [] if day >= now else steps.get(m.pk, []), day)
            if not state.exists:
                continue
            light = task_status(m, day, state).light.light.value
            out[mo][light] += 1
    return list(out.items())
