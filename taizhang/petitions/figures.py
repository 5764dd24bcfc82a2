"""The petition figures (信访): one function, SQL aggregates, as of a date of a year.

`petition_figures(scope, division, year, as_of)` answers the figures contract of
`GET /api/v1/dashboard/petitions`; the web panel shows the same numbers with FORMULAS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import contract_decimal, rate
from taizhang.matters.models import Rating
from taizhang.petitions.models import Channel, PetitionDetail

FORMULAS = {
    "petitions_accepted": "受理信访件 = 受理日期在本年（截至统计日）的信访件数（不含不予受理）",
    "people_received": "接待群众人次 = 本年登记的来访件（含集体访）的来访人数之和",
    "cases_under_leader": (
        "领导包案件 = 截至统计日已确定包案领导、且本年内仍在办或本年办结的疑难/重点/重复访信访件数"
    ),
    "difficult_resolved": "化解疑难重点信访 = 本年以「化解办结」办结的疑难/重点/重复访信访件数",
    "on_time_rate_pct": (
        "按期答复率 = 本年按期答复数 ÷（本年答复数 + 截至统计日未答复且已超过办理时限数）"
    ),
    "satisfaction_rate_pct": "满意率 =（满意 + 基本满意）÷ 本年回访评价数",
}


@dataclass(frozen=True)
class PetitionFigures:
    division: Division
    year: int
    as_of: dt.date
    petitions_accepted: int
    people_received: int
    cases_under_leader: int
    difficult_resolved: int
    replied: int
    replied_on_time: int
    overdue_open: int
    rated: int
    satisfied: int

    @property
    def on_time_pct(self) -> Decimal | None:
        return rate(self.replied_on_time, self.replied + self.overdue_open)

    @property
    def satisfaction_pct(self) -> Decimal | None:
        return rate(self.satisfied, self.rated)

    def as_contract(self) -> dict[str, Any]:
        """The stable names; rates in percent with one decimal as strings (null: nothing to divide)."""

        return {
            "division": self.division.name,
            "division_code": self.division.code,
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "petitions_accepted": self.petitions_accepted,
            "people_received": self.people_received,
            "cases_under_leader": self.cases_under_leader,
            "difficult_resolved": self.difficult_resolved,
            "replied": self.replied,
            "replied_on_time": self.replied_on_time,
            "rated": self.rated,
            "on_time_rate_pct": contract_decimal(self.on_time_pct),
            "satisfaction_rate_pct": contract_decimal(self.satisfaction_pct),
        }


def cutoff(year: int, today: dt.date | None = None) -> dt.date:
    """The year's last day, or today while the year runs."""
    today = today or timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def petition_figures(
    scope: Scope,
    division: Division,
    year: int,
    as_of: dt.date | None = None,
    start: dt.date | None = None,
) -> PetitionFigures:
    """The figures of `division` (and below) in `year`, counting what was known on `as_of`
    (default: the year's end, or today while it runs). One aggregate query. ``start`` narrows
    the window's first day (a ledger measure over any period; default 1 January)."""
    start = max(start or dt.date(year, 1, 1), dt.date(year, 1, 1))
    end = min(as_of or cutoff(year), dt.date(year, 12, 31))
    qs = scope.filter(
        PetitionDetail.objects.filter(matter__division__path__startswith=division.path)
    )
    in_year = lambda f: Q(**{f"{f}__gte": start, f"{f}__lte": end})  # noqa: E731
    flagged = Q(is_key=True) | Q(is_repeat=True)
    replied = in_year("matter__finished_on") & Q(rejected_on__isnull=True)
    not_replied_then = Q(
        matter__accepted_on__lte=end, rejected_on__isnull=True, matter__deadline__lt=end
    ) & (Q(matter__finished_on__isnull=True) | Q(matter__finished_on__gt=end))
    rated = in_year("matter__rated_on") & ~Q(matter__rating="")
    row = qs.aggregate(
        petitions_accepted=Count("pk", filter=in_year("matter__accepted_on")),
        people_received=Coalesce(
            Sum("people_count", filter=in_year("matter__raised_on") & Q(channel=Channel.VISIT)),
            0,
        ),
        cases_under_leader=Count(
            "pk",
            filter=flagged
            & Q(matter__leader__isnull=False, leader_since__lte=end)
            & (Q(matter__closed_on__isnull=True) | Q(matter__closed_on__gte=start)),
        ),
        difficult_resolved=Count("pk", filter=flagged & in_year("resolved_on")),
        replied=Count("pk", filter=replied),
        replied_on_time=Count(
            "pk", filter=replied & Q(matter__finished_on__lte=F("matter__deadline"))
        ),
        overdue_open=Count("pk", filter=not_replied_then),
        rated=Count("pk", filter=rated),
        satisfied=Count(
            "pk", filter=rated & Q(matter__rating__in=[Rating.SATISFIED, Rating.BASIC])
        ),
    )
    return PetitionFigures(division=division, year=year, as_of=end, **row)
