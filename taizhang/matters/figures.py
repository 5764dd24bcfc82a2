"""Enterprise-service figures: one computation behind the web page, the dashboard and the API contract.

Period: problems *raised* in the period (1 January to the end of the chosen
month, or the whole year) form the cohort; their state as of the period's cut-off
(its last day, or today while it runs) is counted: a past period shows what was
resolved, rated and late then (replayed from the step history by
``taizhang.matters.timing``), not what is so now.

* 解决率 = resolved ÷ raised, resolved = 已销号 (closed out by the office);
* 按时办结率 = finished on time ÷ (finished + open past deadline), finished = 已办结 /
  已评价 / 已销号 with 办结日期 ≤ 办理时限; an open problem past its deadline counts against it;
* 满意率 = (满意 + 基本满意) ÷ rated (latest rating of each problem);
* 平均办结用时 = mean working days from 交办 to 办结.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from taizhang.core.calendar import get_calendar
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise, Liaison, Visit, VisitKind, active_on
from taizhang.lib.numbers import contract_decimal, quantize_1, rate
from taizhang.lib.periods import month_end
from taizhang.matters.models import FINISHED, Kind, Matter, Rating, Status
from taizhang.matters.timing import MatterState, states_as_of

FORMULAS = {
    "resolution": "解决率 = 已解决（已销号）问题数 ÷ 期内提出问题数",
    "on_time": "按时办结率 = 按时办结数 ÷（办结数 + 未办结且已逾期数）",
    "satisfaction": "满意率 =（满意 + 基本满意）÷ 已评价问题数",
    "avg_days": "平均办结用时 = 各问题从交办到办结的工作日数之和 ÷ 办结数",
    "stationed": "驻厂专员 = 期末在岗的驻厂专员、首席服务官人数（服务专员中派驻企业和项目的部分）",
    "coverage": "四上企业包联覆盖率 = 有包联人的四上企业数 ÷ 四上企业数",
}
OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED)


def period(year: int, month: int | None) -> tuple[dt.date, dt.date]:
    last = month or 12
    return dt.date(year, 1, 1), month_end(year, last)


@dataclass
class ProblemFigures:
    division: Division
    year: int
    month: int | None
    enterprises: int = 0
    sishang: int = 0
    enterprises_under_liaison: int = 0
    sishang_under_liaison: int = 0
    coverage_pct: Decimal | None = None
    service_officers: int = 0
    # 驻厂专员/首席服务官: the stationed subset of the service officers, counted apart.
    stationed_officers: int = 0
    visits: int = 0
    forums: int = 0
    service_days: int = 0
    raised: int = 0
    resolved: int = 0
    finished: int = 0
    finished_on_time: int = 0
    overdue_open: int = 0
    rated: int = 0
    satisfied: int = 0
    resolution_pct: Decimal | None = None
    on_time_pct: Decimal | None = None
    satisfaction_pct: Decimal | None = None
    avg_workdays: Decimal | None = None
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_unit: list[dict[str, Any]] = field(default_factory=list)
    # Month number → [raised, resolved] in that month (the chart on the figures page).
    by_month: dict[int, list[int]] = field(default_factory=dict)
    formulas: dict[str, str] = field(default_factory=lambda: dict(FORMULAS))

    def as_contract(self) -> dict[str, Any]:
        return {
            "division": {"code": self.division.code, "name": self.division.name},
            "year": self.year,
            "month": self.month,
            "enterprises": self.enterprises,
            "sishang_enterprises": self.sishang,
            "enterprises_under_liaison": self.enterprises_under_liaison,
            "sishang_coverage_pct": contract_decimal(self.coverage_pct),
            "service_officers": self.service_officers,
            "stationed_officers": self.stationed_officers,
            "visits": self.visits,
            "forums": self.forums,
            "service_days": self.service_days,
            "problems_raised": self.raised,
            "problems_resolved": self.resolved,
            "problems_finished": self.finished,
            "problems_finished_on_time": self.finished_on_time,
            "problems_rated": self.rated,
            "problems_satisfied": self.satisfied,
            "resolution_rate_pct": contract_decimal(self.resolution_pct),
            "on_time_rate_pct": contract_decimal(self.on_time_pct),
            "satisfaction_rate_pct": contract_decimal(self.satisfaction_pct),
            "avg_workdays_to_finish": contract_decimal(self.avg_workdays),
            "overdue_open": self.overdue_open,
            "by_status": self.by_status,
            "by_category": self.by_category,
            "by_unit": self.by_unit,
            "formulas": self.formulas,
        }


def problems_in(scope: Scope, division: Division, start: dt.date, end: dt.date) -> QuerySet[Matter]:
    return scope.filter(Matter.objects.all()).filter(
        kind=Kind.ENTERPRISE_PROBLEM,
        division__path__startswith=division.path,
        raised_on__gte=start,
        raised_on__lte=end,
    )


def compute(rows: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    """The rates from plain rows (status, deadline, finished_on, assigned_on, rating).

    Pure apart from the working-day calendar, so the formulas are tested on
    hand-made rows as well as through the database.
    """
    cal = get_calendar()
    raised = len(rows)
    resolved = sum(1 for r in rows if r["status"] == Status.CLOSED)
    finished = [r for r in rows if r["status"] in FINISHED and r["finished_on"]]
    on_time = sum(1 for r in finished if r["deadline"] is None or r["finished_on"] <= r["deadline"])
    overdue = sum(
        1
        for r in rows
        if r["status"] in OPEN and r["deadline"] is not None and r["deadline"] < as_of
    )
    rated = [r for r in rows if r["rating"]]
    satisfied = sum(1 for r in rated if r["rating"] in (Rating.SATISFIED, Rating.BASIC))
    spans = [
        cal.workdays_between(r["assigned_on"], r["finished_on"]).days
        for r in finished
        if r["assigned_on"]
    ]
    avg = quantize_1(Decimal(sum(spans)) / len(spans)) if spans else None
    return {
        "raised": raised,
        "resolved": resolved,
        "finished": len(finished),
        "finished_on_time": on_time,
        "overdue_open": overdue,
        "rated": len(rated),
        "satisfied": satisfied,
        "resolution_pct": rate(resolved, raised),
        "on_time_pct": rate(on_time, len(finished) + overdue),
        "satisfaction_pct": rate(satisfied, len(rated)),
        "avg_workdays": avg,
    }


def _state_row(m: Matter, state: MatterState) -> dict[str, Any]:
    status = state.status
    if status == Status.CLOSED and not state.resolved and m.closed_on is not None:
        # A history-less row closed after the day: finished (and maybe rated) then.
        status = Status.RATED if state.rating else Status.REPORTED
    return {
        "status": status,
        "deadline": state.deadline,
        "finished_on": state.finished_on,
        "assigned_on": state.assigned_on,
        "rating": state.rating or "",
    }


def problem_rows(qs: QuerySet[Matter], as_of: dt.date) -> list[dict[str, Any]]:
    """The rows :func:`compute` counts, each problem as it stood at the end of ``as_of``.

    From today on the columns are the state (no step is dated in the future), read in
    one query. For a past day the state is replayed from the step history
    (``states_as_of``: one query for the problems, one for all their steps); problems
    raised after that day did not exist then and are left out.
    """
    if as_of >= timezone.localdate():
        return list(
            qs.values(
                "pk",
                "status",
                "deadline",
                "finished_on",
                "assigned_on",
                "rating",
                "category__name",
                "lead_unit__name",
                "raised_on",
                "closed_on",
            )
        )
    matters = list(qs.select_related("category", "lead_unit").order_by("pk"))
    states = states_as_of(matters, as_of)
    rows = []
    for m in matters:
        state = states[m.pk]
        if not state.exists:
            continue
        rows.append(
            {
                "pk": m.pk,
                **_state_row(m, state),
                "category__name": m.category.name if m.category_id else None,
                "lead_unit__name": m.lead_unit.name if m.lead_unit_id else None,
                "raised_on": m.raised_on,
                # 销号 after the day did not exist then.
                "closed_on": m.closed_on if state.resolved else None,
            }
        )
    return rows


def liaison_figures(scope: Scope, division: Division, as_of: dt.date) -> dict[str, Any]:
    """Enterprises, 四上 enterprises, those under liaison on ``as_of`` and the service officers."""
    ents = scope.filter(Enterprise.objects.all()).filter(division__path__startswith=division.path)
    live = scope.filter(Liaison.objects.all()).filter(
        active_on(as_of), division__path__startswith=division.path
    )
    covered = live.filter(enterprise__isnull=False).values("enterprise_id")
    counts = ents.aggregate(
        enterprises=Count("pk"),
        sishang=Count("pk", filter=~Q(category="")),
        enterprises_under_liaison=Count("pk", filter=Q(pk__in=covered)),
        sishang_under_liaison=Count("pk", filter=Q(pk__in=covered) & ~Q(category="")),
    )
    counts["coverage_pct"] = rate(counts["sishang_under_liaison"], counts["sishang"])
    counts["service_officers"] = (
        live.filter(role__in=Liaison.OFFICER_ROLES).values("person_id").distinct().count()
    )
    counts["stationed_officers"] = (
        live.filter(role__in=Liaison.STATIONED_ROLES).values("person_id").distinct().count()
    )
    return counts


def visit_counts(scope: Scope, division: Division, start: dt.date, end: dt.date) -> dict[str, int]:
    """Visits, forums and service days dated from ``start`` to ``end`` (one aggregate query)."""
    visits = scope.filter(Visit.objects.all()).filter(
        division__path__startswith=division.path, date__gte=start, date__lte=end
    )
    return visits.aggregate(
        visits=Count("pk", filter=Q(kind=VisitKind.VISIT)),
        forums=Count("pk", filter=Q(kind=VisitKind.FORUM)),
        service_days=Count("pk", filter=Q(kind=VisitKind.SERVICE_DAY)),
    )


def problem_figures(
    scope: Scope,
    division: Division,
    year: int,
    month: int | None = None,
    today: dt.date | None = None,
) -> ProblemFigures:
    today = today or timezone.localdate()
    start, end = period(year, month)
    as_of = min(end, today)
    fig = ProblemFigures(division=division, year=year, month=month)

    for key, value in liaison_figures(scope, division, as_of).items():
        setattr(fig, key, value)
    for key, value in visit_counts(scope, division, start, end).items():
        setattr(fig, key, value)

    qs = problems_in(scope, division, start, end)
    rows = problem_rows(qs, as_of)
    for key, value in compute(rows, as_of).items():
        setattr(fig, key, value)
    fig.by_status = {str(s.label): 0 for s in Status}
    for r in rows:
        fig.by_status[str(Status(r["status"]).label)] += 1
    for r in rows:
        name = r["category__name"] or "未分类"
        fig.by_category[name] = fig.by_category.get(name, 0) + 1
    last = month or (as_of.month if as_of.year == year else 12)
    fig.by_month = {mo: [0, 0] for mo in range(1, last + 1)}
    for r in rows:
        if r["raised_on"].month in fig.by_month:
            fig.by_month[r["raised_on"].month][0] += 1
        closed = r["closed_on"]
        if closed and closed.year == year and closed.month in fig.by_month:
            fig.by_month[closed.month][1] += 1
    units: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["lead_unit__name"]:
            units.setdefault(r["lead_unit__name"], []).append(r)
    for name, urows in units.items():
        c = compute(urows, as_of)
        fig.by_unit.append(
            {
                "unit": name,
                "assigned": len(urows),
                "resolved": c["resolved"],
                "overdue_open": c["overdue_open"],
                "on_time_rate_pct": contract_decimal(c["on_time_pct"]),
                "satisfaction_rate_pct": contract_decimal(c["satisfaction_pct"]),
            }
        )
    fig.by_unit.sort(key=lambda u: (-u["assigned"], u["unit"]))
    return fig
