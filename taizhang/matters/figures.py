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

Counting is done by the database (GROUP BY per status, category, month and lead unit) for
every problem whose columns are its state on the cut-off: all of them from today on, and
for a past cut-off those with no step after it. Only problems stepped after a past cut-off
are replayed from their history in Python. From today on, for a reader who sees a whole
division (not below a district), the same counts are summed from ``ProblemRollup``
(``taizhang.matters.rollup``: the problems as they stand now, per district × month × group,
kept in the transaction of every write), and the open problems past their deadline — which
change with the day — are counted live. A past cut-off never reads the rollup: a problem's
state on a past day is the replay of its steps up to that day, and steps are dated back (a
办结 entered a week late), so counts per past month would have to be rewritten for every
later month whenever an old step lands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from taizhang.core.calendar import ensure_workdays, get_calendar, ordinal_of
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise, Liaison, Visit, VisitKind, active_on
from taizhang.lib.numbers import contract_decimal, quantize_1, rate
from taizhang.lib.periods import month_end
from taizhang.matters.models import (
    FINISHED,
    Kind,
    Matter,
    MatterStep,
    ProblemRollup,
    Rating,
    Status,
)
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


# A problem's counts: what :func:`rates` turns into the figures; summed over any group.
TALLY = (
    "raised",
    "resolved",
    "finished",
    "finished_on_time",
    "overdue_open",
    "rated",
    "satisfied",
    "span_sum",
    "spans",
)
# The counts the rollup keeps: all but overdue_open, which depends on the day it is read.
ROLLED = tuple(k for k in TALLY if k != "overdue_open")


def tally(rows: list[dict[str, Any]], as_of: dt.date) -> dict[str, int]:
    """The counts of plain rows (status, deadline, finished_on, assigned_on, rating); the
    database counts the same with :func:`_tally_sql`."""
    cal = get_calendar()
    finished = [r for r in rows if r["status"] in FINISHED and r["finished_on"]]
    rated = [r for r in rows if r["rating"]]
    spans = [
        cal.workdays_between(r["assigned_on"], r["finished_on"]).days
        for r in finished
        if r["assigned_on"]
    ]
    return {
        "raised": len(rows),
        "resolved": sum(1 for r in rows if r["status"] == Status.CLOSED),
        "finished": len(finished),
        "finished_on_time": sum(
            1 for r in finished if r["deadline"] is None or r["finished_on"] <= r["deadline"]
        ),
        "overdue_open": sum(
            1
            for r in rows
            if r["status"] in OPEN and r["deadline"] is not None and r["deadline"] < as_of
        ),
        "rated": len(rated),
        "satisfied": sum(1 for r in rated if r["rating"] in (Rating.SATISFIED, Rating.BASIC)),
        "span_sum": sum(spans),
        "spans": len(spans),
    }


def add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: (a.get(k) or 0) + (b.get(k) or 0) for k in TALLY}


def rates(t: dict[str, int]) -> dict[str, Any]:
    """The counts with the rates of the module's formulas."""
    return {
        **{k: t[k] for k in TALLY if k not in ("span_sum", "spans")},
        "resolution_pct": rate(t["resolved"], t["raised"]),
        "on_time_pct": rate(t["finished_on_time"], t["finished"] + t["overdue_open"]),
        "satisfaction_pct": rate(t["satisfied"], t["rated"]),
        "avg_workdays": quantize_1(Decimal(t["span_sum"]) / t["spans"]) if t["spans"] else None,
    }


def compute(rows: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    """The rates from plain rows (status, deadline, finished_on, assigned_on, rating).

    Pure apart from the working-day calendar, so the formulas are tested on
    hand-made rows as well as through the database.
    """
    return rates(tally(rows, as_of))


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


def _replayed_rows(qs: QuerySet[Matter], as_of: dt.date) -> list[dict[str, Any]]:
    """The rows of ``qs`` replayed from their step history as they stood at the end of ``as_of``
    (``states_as_of``: one query for the problems, one for all their steps)."""
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


_COLUMNS = (
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


def problem_rows(qs: QuerySet[Matter], as_of: dt.date) -> list[dict[str, Any]]:
    """The rows :func:`compute` counts, each problem as it stood at the end of ``as_of``.

    From today on the columns are the state (no step is dated in the future), read in
    one query. For a past day the state is replayed from the step history
    (``states_as_of``: one query for the problems, one for all their steps); problems
    raised after that day did not exist then and are left out. Loads every row: for a
    check or a small list; the figures count in the database (:func:`problem_figures`).
    """
    if as_of >= timezone.localdate():
        return list(qs.values(*_COLUMNS))
    return _replayed_rows(qs, as_of)


def _moved(as_of: dt.date) -> Exists:
    """A step dated after ``as_of``: the problem's columns are not its state on that day."""
    return Exists(MatterStep.objects.filter(matter=OuterRef("pk"), date__gt=as_of))


def _settled(qs: QuerySet[Matter], as_of: dt.date) -> QuerySet[Matter]:
    """The problems whose state at the end of ``as_of`` is their columns, annotated with it:
    ``_st`` (status), ``_fin`` (办结 date), ``_rat`` (rating), ``_closed`` (销号 date),
    ``_assigned`` (交办 date).

    From today on that is every problem and the columns as they are. For a past day it is
    the problems with no step after it, read as ``timing._row_state`` and ``_state_row``
    read them (what was finished, rated, closed or assigned after the day was not yet),
    the rest being replayed in Python (:func:`_replayed_rows`); ``tests/test_dashboard_sql``
    checks the two readings agree.
    """
    if as_of >= timezone.localdate():
        return qs.annotate(
            _st=F("status"),
            _fin=F("finished_on"),
            _rat=F("rating"),
            _closed=F("closed_on"),
            _assigned=F("assigned_on"),
        )
    fin = Q(status__in=list(FINISHED), finished_on__isnull=False, finished_on__lte=as_of)
    rated = fin & Q(rated_on__isnull=False, rated_on__lte=as_of) & ~Q(rating="")
    resolved = Q(status=Status.CLOSED, closed_on__isnull=False, closed_on__lte=as_of)
    return (
        qs.filter(raised_on__lte=as_of)
        .exclude(_moved(as_of))
        .annotate(
            _st=Case(
                # Finished after the day: still being handled then.
                When(Q(status__in=list(FINISHED)) & ~fin, then=Value(Status.IN_PROGRESS)),
                # Closed out after the day: finished (and maybe rated) then.
                When(
                    Q(status=Status.CLOSED, closed_on__isnull=False) & ~resolved & rated,
                    then=Value(Status.RATED),
                ),
                When(
                    Q(status=Status.CLOSED, closed_on__isnull=False) & ~resolved,
                    then=Value(Status.REPORTED),
                ),
                default=F("status"),
                output_field=CharField(),
            ),
            _fin=Case(When(fin, then=F("finished_on")), default=None, output_field=DateField()),
            _rat=Case(When(rated, then=F("rating")), default=Value(""), output_field=CharField()),
            _closed=Case(
                When(resolved, then=F("closed_on")), default=None, output_field=DateField()
            ),
            _assigned=Case(
                When(assigned_on__lte=as_of, then=F("assigned_on")),
                default=None,
                output_field=DateField(),
            ),
        )
    )


def _tally_sql(as_of: dt.date) -> dict[str, Any]:
    """:func:`tally` as aggregates over :func:`_settled` rows."""
    finished = Q(_st__in=list(FINISHED), _fin__isnull=False)
    # Where _fin and _assigned are set they are the columns, whose ordinals are aliased.
    spanned = finished & Q(_assigned__isnull=False)
    return {
        "raised": Count("pk"),
        "resolved": Count("pk", filter=Q(_st=Status.CLOSED)),
        "finished": Count("pk", filter=finished),
        "finished_on_time": Count(
            "pk", filter=finished & (Q(deadline__isnull=True) | Q(_fin__lte=F("deadline")))
        ),
        "overdue_open": Count("pk", filter=Q(_st__in=list(OPEN), deadline__lt=as_of)),
        "rated": Count("pk", filter=~Q(_rat="")),
        "satisfied": Count("pk", filter=Q(_rat__in=[Rating.SATISFIED, Rating.BASIC])),
        # Working days from 交办 to 办结 are a difference of Workday ordinals.
        "span_sum": Sum(F("_fin_ord") - F("_assigned_ord"), filter=spanned),
        "spans": Count("pk", filter=spanned),
    }


def _tallies(
    settled: QuerySet[Matter], replayed: list[dict[str, Any]], key: str, as_of: dt.date
) -> dict[Any, dict[str, int]]:
    """Counts per value of ``key`` (a column or annotation of the settled rows, the same name
    in the replayed rows): one GROUP BY over the settled rows plus the replayed ones."""
    out: dict[Any, dict[str, int]] = {}
    for row in (
        settled.alias(_fin_ord=ordinal_of("finished_on"), _assigned_ord=ordinal_of("assigned_on"))
        .values(key)
        .annotate(**_tally_sql(as_of))
        .order_by()
    ):
        out[row[key]] = add(out.get(row[key], {}), row)
    groups: dict[Any, list[dict[str, Any]]] = {}
    for r in replayed:
        groups.setdefault(r[key], []).append(r)
    for value, rows in groups.items():
        out[value] = add(out.get(value, {}), tally(rows, as_of))
    return out


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


Groups = dict[str, dict[Any, dict[str, int]]]


def _raw_groups(qs: QuerySet[Matter], year: int, as_of: dt.date) -> Groups:
    """The tallies per status, category name, month raised, month closed and lead unit name of
    the problems of ``qs`` as they stood at the end of ``as_of``, counted from the problems."""
    ensure_workdays()  # the working days of the average are Workday ordinals
    # Only problems stepped after a past cut-off are replayed in Python (none from today on);
    # the rest are counted by the database, so no figure loads the year's problems.
    replayed = (
        []
        if as_of >= timezone.localdate()
        else _replayed_rows(qs.filter(raised_on__lte=as_of).filter(_moved(as_of)), as_of)
    )
    for r in replayed:
        r["_st"] = r["status"]
        r["raised_month"] = r["raised_on"].month
        r["closed_month"] = (
            r["closed_on"].month if r["closed_on"] and r["closed_on"].year == year else None
        )
    settled = _settled(qs, as_of).annotate(
        raised_month=ExtractMonth("raised_on"),
        closed_month=Case(
            When(_closed__year=year, then=ExtractMonth("_closed")),
            default=None,
            output_field=IntegerField(),
        ),
    )
    return {
        "status": _tallies(settled, replayed, "_st", as_of),
        "category": _tallies(settled, replayed, "category__name", as_of),
        "raised_month": _tallies(settled, replayed, "raised_month", as_of),
        "closed_month": _tallies(settled, replayed, "closed_month", as_of),
        "unit": _tallies(settled, replayed, "lead_unit__name", as_of),
    }


def _rolled_groups(
    qs: QuerySet[Matter], division: Division, year: int, month: int | None, as_of: dt.date
) -> Groups:
    """:func:`_raw_groups` for a cut-off from today on, summed from ``ProblemRollup`` (kept by
    ``taizhang.matters.rollup``) for the division's subtree, plus the open problems past their
    deadline on ``as_of`` counted live (an indexed handful). Only for a reader who sees the
    whole subtree, with ``division`` not below a district (:func:`uses_rollup`)."""
    rows = ProblemRollup.objects.filter(division__path__startswith=division.path, year=year)
    if month:
        rows = rows.filter(month__lte=month)
    sums = {k: Sum(k) for k in ROLLED}
    out: Groups = {"status": {}, "category": {}, "closed_month": {}, "unit": {}}
    # One GROUP BY for every dim (a key names one category or unit, so grouping by the key and
    # its name is grouping by the key), summed per name here as the raw counts group by name.
    for g in rows.values("dim", "key", "category__name", "unit__name").annotate(**sums).order_by():
        dim, key = g["dim"], g["key"]
        if dim == "category":
            key = g["category__name"]
        elif dim == "unit":
            key = g["unit__name"]
        elif dim == "closed":
            dim, key = "closed_month", int(key) if key else None
        t = {k: g[k] or 0 for k in ROLLED}
        out[dim][key] = add(out[dim].get(key, {}), t) if key in out[dim] else t
    out["raised_month"] = {
        g["month"]: {"raised": g["raised"]}
        for g in rows.filter(dim="status").values("month").annotate(raised=Sum("raised")).order_by()
    }
    late = (
        qs.filter(status__in=list(OPEN), deadline__lt=as_of)
        .values("status", "lead_unit__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for g in late:
        for dim, key in (("status", g["status"]), ("unit", g["lead_unit__name"])):
            out[dim][key] = add(out[dim].get(key, {}), {"overdue_open": g["n"]})
    return out


def uses_rollup(division: Division) -> bool:
    """Whether ``division``'s subtree is a union of whole rollup divisions (it is not below a
    district): a town's problems are a part of its district's rows and are counted raw."""
    district = division.district()
    return district is None or district.pk == division.pk


def problem_figures(
    scope: Scope,
    division: Division,
    year: int,
    month: int | None = None,
    today: dt.date | None = None,
    *,
    rolled: bool | None = None,
) -> ProblemFigures:
    """The figures of ``division``'s problems raised in the period, for ``scope``.

    From today on, for a reader who sees the whole subtree of a division not below a district,
    the problem counts are summed from the rollup; otherwise (a past cut-off, a unit's or
    cadre's scope, a town) they are counted from the problems. ``rolled`` forces one way (the
    tests compare the two)."""
    today = today or timezone.localdate()
    start, end = period(year, month)
    as_of = min(end, today)
    fig = ProblemFigures(division=division, year=year, month=month)

    for key, value in liaison_figures(scope, division, as_of).items():
        setattr(fig, key, value)
    for key, value in visit_counts(scope, division, start, end).items():
        setattr(fig, key, value)

    qs = problems_in(scope, division, start, end)
    if rolled is None:
        rolled = (
            as_of >= timezone.localdate() and scope.sees_whole(division) and uses_rollup(division)
        )
    groups = (
        _rolled_groups(qs, division, year, month, as_of) if rolled else _raw_groups(qs, year, as_of)
    )
    total = add({}, {})
    for t in groups["status"].values():
        total = add(total, t)
    for key, value in rates(total).items():
        setattr(fig, key, value)
    fig.by_status = {str(s.label): 0 for s in Status}
    for status, t in groups["status"].items():
        fig.by_status[str(Status(status).label)] += t["raised"]
    for name, t in sorted(groups["category"].items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        label = name or "未分类"
        fig.by_category[label] = fig.by_category.get(label, 0) + t["raised"]
    last = month or (as_of.month if as_of.year == year else 12)
    fig.by_month = {mo: [0, 0] for mo in range(1, last + 1)}
    for mo, t in groups["raised_month"].items():
        if mo in fig.by_month:
            fig.by_month[mo][0] += t["raised"]
    for mo, t in groups["closed_month"].items():
        if mo in fig.by_month:
            fig.by_month[mo][1] += t["raised"]
    for name, t in groups["unit"].items():
        if not name:
            continue
        c = rates(add({}, t))
        fig.by_unit.append(
            {
                "unit": name,
                "assigned": t.get("raised", 0),
                "resolved": c["resolved"],
                "overdue_open": c["overdue_open"],
                "on_time_rate_pct": contract_decimal(c["on_time_pct"]),
                "satisfaction_rate_pct": contract_decimal(c["satisfaction_pct"]),
            }
        )
    fig.by_unit.sort(key=lambda u: (-u["assigned"], u["unit"]))
    return fig
