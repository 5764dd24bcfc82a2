"""Meeting figures: one function answers them for the page, the API and the tests.

``meeting_figures(scope, division, year, month=None, as_of=None)`` counts, in SQL, the
meetings held in the period and their 议定事项, with each decision's state and light as of
``as_of`` from the one time truth (matters.timing.annotate_timing: finished by then, red =
open past its deadline). A past period is counted as of its last day.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.periods import cutoff, month_end
from taizhang.matters.models import FINISHED, Matter
from taizhang.matters.timing import annotate_timing
from taizhang.meetings.models import Decision, Meeting

FORMULAS = {
    "meetings": "召开会议数 = 会议日期在统计期内的会议（推进会、专题会、现场会）个数",
    "decisions": "议定事项数 = 上述会议的议定事项条数（每条已转为督办任务）",
    "done": "已办结 = 截至统计日已办结（含已评价、已销号）的议定事项",
    "done_on_time": "按时办结 = 办结日期不晚于办理时限的已办结事项",
    "overdue": "逾期未办结 = 截至统计日未办结且已过办理时限（红灯）的事项",
    "open": "在办 = 议定事项数 − 已办结 − 逾期未办结",
    "on_time_rate_pct": "按时办结率 = 按时办结 ÷（已办结 + 逾期未办结）× 100%，保留一位小数",
}


def period_bounds(year: int, month: int | None) -> tuple[dt.date, dt.date]:
    if month:
        return dt.date(year, month, 1), month_end(year, month)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def meetings_in(
    scope: Scope, division: Division, start: dt.date, end: dt.date
) -> QuerySet[Meeting]:
    return scope.filter(
        Meeting.objects.filter(division__path__startswith=division.path, date__range=(start, end))
    )


def decision_matters(scope: Scope, meetings: QuerySet[Meeting]) -> QuerySet[Matter]:
    """The supervision tasks of the decisions the user may see, of the given meetings."""
    decisions = scope.filter(Decision.objects.filter(meeting__in=meetings.values("pk")))
    return Matter.objects.filter(pk__in=decisions.values("matter_id"))


def rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def decision_counts(matters: QuerySet[Matter], as_of: dt.date) -> dict[str, int]:
    done = Q(status__in=list(FINISHED), finished_on__isnull=False, finished_on__lte=as_of)
    row = annotate_timing(matters, as_of).aggregate(
        decisions=Count("pk"),
        done=Count("pk", filter=done),
        done_on_time=Count("pk", filter=done & Q(late_workdays=0)),
        overdue=Count("pk", filter=Q(light="red")),
    )
    row["open"] = row["decisions"] - row["done"] - row["overdue"]
    return row


def meeting_figures(
    scope: Scope,
    division: Division,
    year: int,
    month: int | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    today = timezone.localdate()
    as_of = as_of or cutoff(year, month, today)
    start, end = period_bounds(year, month)
    end = min(end, as_of)
    meetings = meetings_in(scope, division, start, end)
    counts = decision_counts(decision_matters(scope, meetings), as_of)
    by_kind = {
        row["kind"]: row["n"]
        for row in meetings.order_by().values("kind").annotate(n=Count("pk", distinct=True))
    }
    months = []
    if not month:
        held = dict(
            meetings.order_by()
            .annotate(m=ExtractMonth("date"))
            .values("m")
            .annotate(n=Count("pk", distinct=True))
            .values_list("m", "n")
        )
        for m in sorted(held):
            last = month_end(year, m)
            mc = decision_counts(
                decision_matters(scope, meetings_in(scope, division, dt.date(year, m, 1), last)),
                as_of,
            )
            months.append({"month": m, "meetings": held[m], **mc})
    return {
        "division": division,
        "year": year,
        "month": month,
        "as_of": as_of,
        "meetings": meetings.count(),
        "by_kind": by_kind,
        **counts,
        "on_time_rate_pct": rate(counts["done_on_time"], counts["done"] + counts["overdue"]),
        "by_month": months,
        "formulas": FORMULAS,
    }
