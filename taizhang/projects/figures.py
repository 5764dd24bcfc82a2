"""Dashboard figures for key projects: one computation behind the web dashboard and the API contract."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round

from taizhang.core.calendar import first_day_after_ordinal, get_calendar, ordinal_at
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.lights import LightResult, milestone_light, pace_light, project_light
from taizhang.lib.numbers import elapsed_share_month, rate
from taizhang.lib.periods import month_end
from taizhang.projects.models import (
    LEVEL_PARAM,
    Level,
    Milestone,
    MonthlyReport,
    Project,
    ProjectYear,
    Stage,
    StageChange,
)
from taizhang.projects.rollup import rolled, sees_whole

ZERO = Decimal("0")
CENT = Decimal("0.01")


def parse_levels(raw: str | None) -> list[str] | None:
    if raw in (None, ""):
        return None
    try:
        return [str(v) for v in LEVEL_PARAM[raw.strip()]]
    except KeyError:
        raise ValueError(f"项目级别「{raw}」无效，可选：省、市、区、省市") from None


def listed(
    scope: Scope, division: Division, year: int, levels: list[str] | None
) -> QuerySet[ProjectYear]:
    qs = scope.filter(ProjectYear.objects.all()).filter(
        year=year, project__division__path__startswith=division.path
    )
    if levels:
        qs = qs.filter(level__in=levels)
    return qs


@dataclass
class UnitRow:
    unit: str
    count: int = 0
    plan: Decimal = ZERO
    completed: Decimal = ZERO
    rate: Decimal | None = None


@dataclass
class ProjectFigures:
    division: Division
    year: int
    month: int
    levels: list[str] | None
    project_count: int = 0
    total_investment_wan: Decimal = ZERO
    annual_plan_wan: Decimal = ZERO
    completed_wan: Decimal = ZERO
    completion_rate_pct: Decimal | None = None
    elapsed_rate_pct: Decimal = ZERO
    signed_count: int = 0
    signed_investment_wan: Decimal = ZERO
    landed_count: int = 0
    landed_investment_wan: Decimal = ZERO
    # 三个一批: projects that reached 开工 / 投产 in the period (their stage history).
    started_count: int = 0
    started_investment_wan: Decimal = ZERO
    producing_count: int = 0
    producing_investment_wan: Decimal = ZERO
    by_stage: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    by_unit: list[UnitRow] = field(default_factory=list)

    def as_contract(self) -> dict[str, Any]:
        def money(v: Decimal) -> str:
            return str(v.quantize(Decimal("0.01")))

        return {
            "division": {"code": self.division.code, "name": self.division.name},
            "year": self.year,
            "month": self.month,
            "level": self.levels,
            "project_count": self.project_count,
            "total_investment_wan": money(self.total_investment_wan),
            "annual_plan_wan": money(self.annual_plan_wan),
            "completed_wan": money(self.completed_wan),
            "completion_rate_pct": None
            if self.completion_rate_pct is None
            else str(self.completion_rate_pct),
            "elapsed_rate_pct": str(self.elapsed_rate_pct),
            "signed_count": self.signed_count,
            "signed_investment_wan": money(self.signed_investment_wan),
            "landed_count": self.landed_count,
            "landed_investment_wan": money(self.landed_investment_wan),
            "started_count": self.started_count,
            "started_investment_wan": money(self.started_investment_wan),
            "producing_count": self.producing_count,
            "producing_investment_wan": money(self.producing_investment_wan),
            "by_stage": self.by_stage,
            "by_level": self.by_level,
            "by_unit": [
                {
                    "unit": r.unit,
                    "project_count": r.count,
                    "annual_plan_wan": money(r.plan),
                    "completed_wan": money(r.completed),
                    "completion_rate_pct": None if r.rate is None else str(r.rate),
                }
                for r in self.by_unit
            ],
        }


def _flow(
    scope: Scope,
    division: Division,
    year: int,
    month: int,
    stage: str,
    levels: list[str] | None,
) -> tuple[int, Decimal]:
    return flow_between(
        scope, division, dt.date(year, 1, 1), month_end(year, month), stage, levels, year=year
    )


def flow_between(
    scope: Scope,
    division: Division,
    start: dt.date,
    end: dt.date,
    stage: str,
    levels: list[str] | None = None,
    *,
    year: int | None = None,
    min_investment_wan: Decimal | None = None,
) -> tuple[int, Decimal]:
    """Projects that reached ``stage`` between ``start`` and ``end`` (count, total investment 万元).

    The one definition of 新签约/新落地 (dashboard and ledger measures): a stage change dated
    in the window; ``levels`` keeps projects listed at those levels in ``year`` (default the
    year of ``end``); ``min_investment_wan`` keeps 亿元以上 projects (total ≥ threshold).
    """
    qs = scope.filter(StageChange.objects.all()).filter(
        to_stage=stage,
        date__gte=start,
        date__lte=end,
        project__division__path__startswith=division.path,
    )
    if levels:
        qs = qs.filter(project__years__year=year or end.year, project__years__level__in=levels)
    projects = Project.objects.filter(pk__in=qs.values("project_id"))
    if min_investment_wan is not None:
        projects = projects.filter(total_investment__gte=min_investment_wan)
    got = projects.aggregate(n=Count("pk"), s=Sum("total_investment"))
    return got["n"] or 0, got["s"] or ZERO


def stages_as_of(project_ids: list[int], when: dt.date) -> dict[int, str]:
    current = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "stage"))
    as_of: dict[int, str] = {}
    for pid, stage in (
        StageChange.objects.filter(project_id__in=project_ids, date__lte=when)
        .order_by("date", "id")
        .values_list("project_id", "to_stage")
    ):
        as_of[pid] = stage
    return {pid: as_of.get(pid, current[pid]) for pid in project_ids}


def _listed_rows(
    scope: Scope, division: Division, year: int, levels: list[str] | None
) -> QuerySet[ProjectYear]:
    """The list rows for the aggregates below. The scope filter never repeats a row (its
    to-many conditions are semi-joins), so the rows aggregate as they are; wrapping them in
    `pk IN (the same rows)` made PostgreSQL plan nested loops on tables without statistics
    that ran for many minutes in the test suite."""
    return listed(scope, division, year, levels)


def completed_by_unit(
    scope: Scope, division: Division, year: int, month: int, levels: list[str] | None
) -> dict[str, Decimal]:
    """Investment completed from January to ``month`` of ``year`` by the projects on that
    year's list, per responsible unit's name: from the rollup for a reader who sees the
    whole division, else summed from the reader's own reports."""
    if sees_whole(scope, division):
        qs = rolled(division, year, levels).filter(month__lte=month)
        unit = "unit__name"
    else:
        qs = MonthlyReport.objects.filter(
            project_id__in=listed(scope, division, year, levels).values("project_id"),
            year=year,
            month__lte=month,
        )
        unit = "project__responsible_unit__name"
    return {
        name: _cents(s)
        for name, s in qs.values(unit).annotate(s=Sum("amount")).values_list(unit, "s").order_by()
    }


def stage_as_of(when: dt.date) -> Coalesce:
    """A list row's project stage at the end of ``when``: its last stage change dated by then
    (in the order of :func:`stages_as_of`), else its current stage."""
    last = (
        StageChange.objects.filter(project=OuterRef("project_id"), date__lte=when)
        .order_by("-date", "-id")
        .values("to_stage")[:1]
    )
    return Coalesce(Subquery(last), F("project__stage"), output_field=CharField())


def _groups(rows: QuerySet[ProjectYear], year: int, month: int) -> list[dict[str, Any]]:
    """The list rows counted and summed per (level, stage at the end of the month): totals,
    levels and stages from one pass over a province's 60,000 rows instead of three.

    A project's stage column is the ``to_stage`` of its latest change (do_change_stage
    refuses a change dated before the last one), so only projects changed after the month
    need :func:`stage_as_of`'s subquery (one per row took most of a province's dashboard);
    the rest group by the column.
    """
    when = month_end(year, month)
    moved = Exists(StageChange.objects.filter(project=OuterRef("project_id"), date__gt=when))
    sums = {"n": Count("pk"), "total": Sum("project__total_investment"), "plan": Sum("annual_plan")}
    still = (
        rows.filter(~moved)
        .values("level", "project__stage")
        .annotate(**sums)
        .values("level", "n", "total", "plan", stage=F("project__stage"))
        .order_by()
    )
    changed = (
        rows.filter(moved)
        .annotate(_stage=stage_as_of(when))
        .values("level", "_stage")
        .annotate(**sums)
        .values("level", "n", "total", "plan", stage=F("_stage"))
        .order_by()
    )
    return [*still, *changed]


def _cents(value: Any) -> Decimal:
    # SQLite sums decimals as floats (43312.5000000000); amounts are kept to the cent.
    return Decimal(value or 0).quantize(CENT)


def project_figures(
    scope: Scope, division: Division, year: int, month: int, levels: list[str] | None = None
) -> ProjectFigures:
    """The figures of ``year``'s list up to ``month``, every one a database aggregate (a
    constant number of queries and rows, whatever the size of the list)."""
    fig = ProjectFigures(division=division, year=year, month=month, levels=levels)
    rows = _listed_rows(scope, division, year, levels)
    groups = _groups(rows, year, month)
    done = completed_by_unit(scope, division, year, month, levels)
    fig.project_count = sum(g["n"] for g in groups)
    fig.total_investment_wan = sum((_cents(g["total"]) for g in groups), ZERO)
    fig.annual_plan_wan = sum((_cents(g["plan"]) for g in groups), ZERO)
    fig.completed_wan = sum(done.values(), ZERO)
    fig.completion_rate_pct = rate(fig.completed_wan, fig.annual_plan_wan)
    fig.elapsed_rate_pct = elapsed_share_month(year, month)
    fig.signed_count, fig.signed_investment_wan = _flow(
        scope, division, year, month, Stage.SIGNED, levels
    )
    fig.landed_count, fig.landed_investment_wan = _flow(
        scope, division, year, month, Stage.LANDED, levels
    )
    fig.started_count, fig.started_investment_wan = _flow(
        scope, division, year, month, Stage.STARTED, levels
    )
    fig.producing_count, fig.producing_investment_wan = _flow(
        scope, division, year, month, Stage.PRODUCING, levels
    )
    fig.by_stage = {str(s.label): 0 for s in Stage}
    by_level: dict[str, int] = {}
    for g in groups:
        fig.by_stage[str(Stage(g["stage"]).label)] += g["n"]
        by_level[g["level"]] = by_level.get(g["level"], 0) + g["n"]
    fig.by_level = {str(Level(level).label): by_level[level] for level in sorted(by_level)}
    units = [
        UnitRow(name, n, _cents(plan), done.get(name, ZERO))
        for name, n, plan in rows.values("project__responsible_unit__name")
        .annotate(n=Count("pk"), plan=Sum("annual_plan"))
        .values_list("project__responsible_unit__name", "n", "plan")
        .order_by("project__responsible_unit__name")
    ]
    for row in units:
        row.rate = rate(row.completed, row.plan)
    fig.by_unit = sorted(units, key=lambda u: (u.rate is None, -(u.rate or 0)))
    return fig


# Lights ---------------------------------------------------------------------


@dataclass
class ProjectStatus:
    project: Project
    plan: Decimal | None
    completed: Decimal
    rate: Decimal | None
    light: LightResult
    milestone_lights: dict[int, LightResult]


def _pace_window(as_of: dt.date, year: int | None, month: int | None) -> tuple[int, int, int]:
    """(year, last month of reports counted, month whose 时序进度 the pace compares with)."""
    year = as_of.year if year is None else year
    if month is not None:
        return year, month, month
    if year == as_of.year:
        # Reports come in for the previous month, so pace compares with the last full month.
        return year, as_of.month, as_of.month - 1
    through = 12 if year < as_of.year else 0
    return year, through, through


def project_statuses(
    projects: list[Project],
    as_of: dt.date,
    *,
    year: int | None = None,
    month: int | None = None,
) -> dict[int, ProjectStatus]:
    """The light of each project as of ``as_of``: worst of its milestones and its pace in ``year``.

    Current pages pass today. A page for a year or a period passes its cut-off
    (:func:`taizhang.lib.periods.cutoff`) with that year and month, so a past dashboard
    shows what was late then: a milestone done after the cut-off was still open on it,
    and lateness is counted up to the cut-off, never to today.
    """
    cfg = settings.TAIZHANG
    cal = get_calendar()
    ids = [p.pk for p in projects]
    year, through, pace_month = _pace_window(as_of, year, month)
    plans = dict(
        ProjectYear.objects.filter(project_id__in=ids, year=year).values_list(
            "project_id", "annual_plan"
        )
    )
    done = dict(
        MonthlyReport.objects.filter(project_id__in=ids, year=year, month__lte=through)
        .values("project_id")
        .annotate(s=Sum("amount"))
        .values_list("project_id", "s")
    )
    by_project: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(project_id__in=ids):
        by_project.setdefault(m.project_id, []).append(m)
    elapsed = elapsed_share_month(year, pace_month) if pace_month else Decimal("0")
    out: dict[int, ProjectStatus] = {}
    for p in projects:
        m_results = {
            m.pk: milestone_light(
                m.planned_date,
                m.actual_date if m.actual_date and m.actual_date <= as_of else None,
                as_of,
                cal,
                cfg["YELLOW_WORKDAYS"],
            )
            for m in by_project.get(p.pk, [])
        }
        plan = plans.get(p.pk)
        # SQLite sums decimals as floats (43312.5000000000); amounts are kept to the cent.
        completed = done.get(p.pk, ZERO).quantize(CENT)
        r = rate(completed, plan) if plan else None
        pace = pace_light(
            r, elapsed, Decimal(cfg["PACE_RED_MARGIN"]), Decimal(cfg["PACE_YELLOW_MARGIN"])
        )
        named = {m.pk: m.name for m in by_project.get(p.pk, [])}
        light = project_light([r.prefixed(named[k]) for k, r in m_results.items()], pace)
        out[p.pk] = ProjectStatus(p, plan, completed, r, light, m_results)
    return out


def _below_rate(threshold: Decimal) -> int:
    """k such that rate(completed, plan) < threshold ⟺ completed_cents × 2000 < k × plan_cents.

    rate() rounds half up to one decimal, so "rounded rate < T" is "exact rate < G + 0.05"
    where G is the largest multiple of 0.1 below T; in cents and integers that is
    completed × 100 / plan < G + 0.05 ⟺ completed × 2000 < (20G + 1) × plan. Integers keep
    SQLite (which sums decimals as floats) and PostgreSQL on the same side of every tie.
    """
    g = Decimal(math.ceil(threshold * 10) - 1) / 10
    return int(g * 20 + 1)


def annotate_lights(
    qs: QuerySet[Project], as_of: dt.date, *, year: int | None = None, month: int | None = None
) -> QuerySet[Project]:
    """Add ``light`` ('red'/'yellow'/'green') and ``light_rank`` (red 0 … green 2) computed by
    the database: the rule of :func:`project_statuses` (worst of the milestones and the
    pace), so lists filter, sort and page by light without loading their rows.
    `tests/test_project_light_sql.py` checks the two agree."""
    cfg = settings.TAIZHANG
    year, through, pace_month = _pace_window(as_of, year, month)
    open_ = Q(actual_date__isnull=True) | Q(actual_date__gt=as_of)
    mine = Milestone.objects.filter(open_, project=OuterRef("pk"))
    overdue = Exists(mine.filter(planned_date__lt=as_of))
    # Yellow: due within YELLOW_WORKDAYS working days, i.e. ordinal(planned) ≤ ordinal(as_of) + N.
    after = first_day_after_ordinal(ordinal_at(as_of) + int(cfg["YELLOW_WORKDAYS"]))
    due_soon = Exists(mine.filter(planned_date__lt=after) if after else mine)
    plan = Subquery(
        ProjectYear.objects.filter(project=OuterRef("pk"), year=year).values("annual_plan")[:1]
    )
    done = Subquery(
        MonthlyReport.objects.filter(project=OuterRef("pk"), year=year, month__lte=through)
        .values("project")
        .annotate(s=Sum("amount"))
        .values("s")[:1]
    )

    def cents(expr: Any) -> Any:
        return Cast(Round(Coalesce(expr, Value(ZERO)) * 100), BigIntegerField())

    elapsed = elapsed_share_month(year, pace_month) if pace_month else ZERO

    def behind(margin: Any) -> Q:
        k = _below_rate(elapsed - Decimal(margin))
        return Q(_plan_cents__gt=0, _done_cents_x2000__lt=F("_plan_cents") * k)

    qs = qs.alias(
        _plan_cents=cents(plan),
        _done_cents_x2000=cents(done) * 2000,
        _overdue=overdue,
        _due_soon=due_soon,
    )
    return qs.annotate(
        light=Case(
            When(Q(_overdue=True) | behind(cfg["PACE_RED_MARGIN"]), then=Value("red")),
            When(Q(_due_soon=True) | behind(cfg["PACE_YELLOW_MARGIN"]), then=Value("yellow")),
            default=Value("green"),
            output_field=CharField(),
        ),
        light_rank=Case(
            When(light="red", then=Value(0)),
            When(light="yellow", then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    )


# A dashboard shows this many red/yellow projects; the project list filtered by light has all.
ALERT_LIMIT = 50


@dataclass
class Alerts:
    rows: list[ProjectStatus]
    red: int
    yellow: int

    @property
    def total(self) -> int:
        return self.red + self.yellow

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)


def project_alerts(
    scope: Scope,
    division: Division,
    year: int,
    month: int,
    levels: list[str] | None,
    as_of: dt.date,
    limit: int = ALERT_LIMIT,
) -> Alerts:
    """The red and yellow projects of ``year``'s list as of ``as_of`` (red first, then by code):
    the light is judged and counted by the database (:func:`annotate_lights`), and only the
    first ``limit`` are read, with their reasons from :func:`project_statuses`."""
    lit = annotate_lights(
        Project.objects.filter(pk__in=listed(scope, division, year, levels).values("project_id")),
        as_of,
        year=year,
        month=month,
    ).filter(light__in=["red", "yellow"])
    counts = dict(lit.values("light").annotate(n=Count("pk")).values_list("light", "n").order_by())
    first = list(lit.order_by("light_rank", "code", "pk")[:limit])
    statuses = project_statuses(first, as_of, year=year, month=month)
    return Alerts([statuses[p.pk] for p in first], counts.get("red", 0), counts.get("yellow", 0))
