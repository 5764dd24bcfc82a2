"""创文 figures: one function per question, as of a year, counted by the database.

`civility_figures` is the dashboard contract (`GET /api/v1/dashboard/civility`, the 创文
page, the bulletin); `unit_board` and `point_board` rank units and points by failure rate
and rectification speed and give the 飞虎榜/蜗牛榜. Every query goes through the scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from taizhang.civility.models import Content, Failure, Inspection, Point, Section, Standard
from taizhang.core.calendar import ensure_workdays, today
from taizhang.core.models import Division, Workday
from taizhang.core.scope import Scope
from taizhang.lib.numbers import contract_decimal, quantize_1, rate
from taizhang.matters.models import Status

FORMULAS = {
    "sections": "测评项目板块数：本区划该年度测评体系中的板块",
    "contents": "测评内容数：上述板块下的测评内容",
    "standards": "测评标准数：上述测评内容下的测评标准",
    "points": "测评点位数：本区划（含下级）启用的点位",
    "inspections": "检查次数：该年度（截至统计日）对本区划点位的检查",
    "failures": "发现问题数：上述检查中不达标的测评标准（每条生成一件整改事项）",
    "rectified": "已整改数：上述问题中截至统计日复查通过（销号）的",
    "rectified_on_time_rate_pct": "按时整改率 = 已整改中整改报送日期不晚于整改时限（复查不通过后为新时限）的件数 ÷ 已整改数 × 100%",
    "failure_rate_pct": "问题发生率 = 发现问题数 ÷ 检查的测评标准条数 × 100%",
    "avg_workdays": "平均整改用时 = 已整改问题从交办到整改报送的工作日数的平均",
}


def as_of_year(year: int) -> dt.date:
    """A past year is counted as of its last day; the running year as of today."""
    return min(dt.date(year, 12, 31), today())


@dataclass
class CivilityFigures:
    division: Division
    year: int
    as_of: dt.date
    sections: int = 0
    contents: int = 0
    standards: int = 0
    points: int = 0
    inspections: int = 0
    failures: int = 0
    rectified: int = 0
    rectified_on_time: int = 0
    overdue_open: int = 0
    rectified_on_time_rate_pct: Decimal | None = None
    formulas: dict[str, str] = field(default_factory=lambda: dict(FORMULAS))

    def as_contract(self) -> dict[str, Any]:
        return {
            "division": {"code": self.division.code, "name": self.division.name},
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "sections": self.sections,
            "contents": self.contents,
            "standards": self.standards,
            "points": self.points,
            "inspections": self.inspections,
            "failures": self.failures,
            "rectified": self.rectified,
            "rectified_on_time_rate_pct": contract_decimal(self.rectified_on_time_rate_pct),
            "overdue_open": self.overdue_open,
            "formulas": {k: v for k, v in self.formulas.items() if k in _CONTRACT},
        }


_CONTRACT = (
    "sections",
    "contents",
    "standards",
    "points",
    "inspections",
    "failures",
    "rectified",
    "rectified_on_time_rate_pct",
)


def failures_in(scope: Scope, division: Division, year: int, as_of: dt.date) -> QuerySet[Failure]:
    return scope.filter(Failure.objects.all()).filter(
        inspection__point__division__path__startswith=division.path,
        inspection__date__year=year,
        inspection__date__lte=as_of,
    )


def civility_figures(
    scope: Scope, division: Division, year: int, as_of: dt.date | None = None
) -> CivilityFigures:
    """The 创文 figures of `division` (and below) for `year`, as of `as_of` (default: the
    year's last day, or today while it runs)."""
    as_of = as_of or as_of_year(year)
    f = CivilityFigures(division, year, as_of)
    tree = Q(division__path__startswith=division.path, year=year)
    f.sections = scope.filter(Section.objects.filter(tree)).count()
    f.contents = scope.filter(
        Content.objects.filter(
            section__division__path__startswith=division.path, section__year=year
        )
    ).count()
    f.standards = scope.filter(
        Standard.objects.filter(
            content__section__division__path__startswith=division.path,
            content__section__year=year,
        )
    ).count()
    f.points = scope.filter(
        Point.objects.filter(division__path__startswith=division.path, active=True)
    ).count()
    f.inspections = scope.filter(
        Inspection.objects.filter(
            point__division__path__startswith=division.path, date__year=year, date__lte=as_of
        )
    ).count()
    closed = Q(matter__status=Status.CLOSED, matter__closed_on__lte=as_of)
    agg = failures_in(scope, division, year, as_of).aggregate(
        failures=Count("pk"),
        rectified=Count("pk", filter=closed),
        on_time=Count("pk", filter=closed & Q(matter__finished_on__lte=F("matter__deadline"))),
        overdue=Count(
            "pk",
            filter=~Q(matter__status__in=[Status.REPORTED, Status.RATED, Status.CLOSED])
            & Q(matter__deadline__lt=as_of),
        ),
    )
    f.failures = agg["failures"]
    f.rectified = agg["rectified"]
    f.rectified_on_time = agg["on_time"]
    # Open and past the deadline now; a past year's figure keeps today's status of its rows.
    f.overdue_open = agg["overdue"]
    f.rectified_on_time_rate_pct = rate(f.rectified_on_time, f.rectified)
    return f


# Boards -----------------------------------------------------------------------------


def _ordinal(field_name: str) -> Subquery:
    return Subquery(
        Workday.objects.filter(date=OuterRef(field_name)).values("ordinal")[:1],
        output_field=IntegerField(),
    )


@dataclass
class BoardRow:
    key: int
    name: str
    inspections: int
    checked: int
    failures: int
    rectified: int
    on_time: int
    overdue_open: int
    failure_rate_pct: Decimal | None
    on_time_rate_pct: Decimal | None
    avg_workdays: Decimal | None
    extra: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "name": self.name,
            "inspections": self.inspections,
            "checked": self.checked,
            "failures": self.failures,
            "rectified": self.rectified,
            "rectified_on_time": self.on_time,
            "overdue_open": self.overdue_open,
            "failure_rate_pct": contract_decimal(self.failure_rate_pct),
            "rectified_on_time_rate_pct": contract_decimal(self.on_time_rate_pct),
            "avg_workdays": contract_decimal(self.avg_workdays),
        }


def _board(scope: Scope, division: Division, year: int, as_of: dt.date, by: str) -> list[BoardRow]:
    """Rows per point (by="point") or per responsible unit (by="unit"), from two grouped
    queries: inspections (and standards checked) and failures (and how they were rectified)."""
    ensure_workdays()
    key = "point" if by == "point" else "point__unit"
    name = "point__name" if by == "point" else "point__unit__name"
    ins = (
        scope.filter(
            Inspection.objects.filter(
                point__division__path__startswith=division.path, date__year=year, date__lte=as_of
            )
        )
        .values(k=F(key), n=F(name))
        .annotate(inspections=Count("pk"), checked=Coalesce(Sum("checked"), 0))
    )
    fkey = f"inspection__{key}"
    closed = Q(matter__status=Status.CLOSED, matter__closed_on__lte=as_of)
    fails = (
        failures_in(scope, division, year, as_of)
        .alias(_a=_ordinal("matter__assigned_on"), _f=_ordinal("matter__finished_on"))
        .values(k=F(fkey))
        .annotate(
            failures=Count("pk"),
            rectified=Count("pk", filter=closed),
            on_time=Count("pk", filter=closed & Q(matter__finished_on__lte=F("matter__deadline"))),
            overdue=Count(
                "pk",
                filter=~Q(matter__status__in=[Status.REPORTED, Status.RATED, Status.CLOSED])
                & Q(matter__deadline__lt=as_of),
            ),
            days=Avg(F("_f") - F("_a"), filter=closed),
        )
    )
    by_key = {r["k"]: r for r in fails}
    rows = []
    for r in ins:
        fr = by_key.get(r["k"], {})
        failures = fr.get("failures", 0)
        rectified = fr.get("rectified", 0)
        days = fr.get("days")
        rows.append(
            BoardRow(
                key=r["k"],
                name=r["n"],
                inspections=r["inspections"],
                checked=r["checked"],
                failures=failures,
                rectified=rectified,
                on_time=fr.get("on_time", 0),
                overdue_open=fr.get("overdue", 0),
                failure_rate_pct=rate(failures, r["checked"]),
                on_time_rate_pct=rate(fr.get("on_time", 0), rectified),
                avg_workdays=None if days is None else quantize_1(Decimal(str(days))),
            )
        )
    return rows


def _sort_key(r: BoardRow) -> tuple:
    # Best first: fewest failures per standard checked, then fewest overdue, then fastest.
    return (
        r.failure_rate_pct if r.failure_rate_pct is not None else Decimal(0),
        r.overdue_open,
        r.avg_workdays if r.avg_workdays is not None else Decimal(0),
        r.name,
    )


def point_board(
    scope: Scope, division: Division, year: int, as_of: dt.date | None = None
) -> list[BoardRow]:
    as_of = as_of or as_of_year(year)
    return sorted(_board(scope, division, year, as_of, "point"), key=_sort_key)


def unit_board(
    scope: Scope, division: Division, year: int, as_of: dt.date | None = None
) -> list[BoardRow]:
    as_of = as_of or as_of_year(year)
    return sorted(_board(scope, division, year, as_of, "unit"), key=_sort_key)


BOARD_SIZE = 3


@dataclass(frozen=True)
class Honours:
    """飞虎榜 (best units) and 蜗牛榜 (worst units); a unit is never on both."""

    tigers: list[BoardRow]
    snails: list[BoardRow]
    rule: str = (
        "按责任单位排名：问题发生率低、逾期未整改少、平均整改用时短者在前；"
        f"前{BOARD_SIZE}名上飞虎榜，后{BOARD_SIZE}名（有问题的单位）上蜗牛榜"
    )


def honours(rows: list[BoardRow], size: int = BOARD_SIZE) -> Honours:
    tigers = rows[:size]
    named = {r.key for r in tigers}
    snails = [r for r in reversed(rows) if r.key not in named and r.failures > 0][:size]
    return Honours(tigers, snails)
