from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from taizhang.core.periods import default_period
from taizhang.core.scope import scope_of
from taizhang.lib.periods import cutoff
from taizhang.matters.figures import problem_figures
from taizhang.projects.figures import parse_levels, project_alerts, project_figures
from taizhang.projects.forecast import forecast_figures
from taizhang.projects.models import Level
from taizhang.tasks.queries import dashboard_figures as task_dashboard
from taizhang.web.charts import division_monthly, investment_trend, light_trend_chart
from taizhang.web.common import page_division


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        v = int(value or "")
    except ValueError:
        return default
    return v if lo <= v <= hi else default


def _alert_query(division, year: int, month: int, levels: list[str] | None) -> str:
    """The project list's query string for this dashboard's list (one level at most: the
    list filters by a single level), to which the page appends ``light=red|yellow``."""
    query = {"division": division.code, "year": year, "month": month}
    if levels and len(levels) == 1:
        query["level"] = levels[0]
    return urlencode(query)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == "enterprise":
        return redirect("portal")
    division = page_division(request, scope)
    if division is None:
        return render(
            request, "web/empty.html", {"message": "您的账号尚未分配区划或单位，请联系督查室。"}
        )
    d_year, d_month = default_period(division)
    year = _int(request.GET.get("year"), d_year, 2000, 2100)
    month = _int(request.GET.get("month"), d_month if year == d_year else 12, 1, 12)
    level_raw = request.GET.get("level") or ""
    try:
        levels = parse_levels(level_raw)
    except ValueError:
        levels, level_raw = None, ""
    fig = project_figures(scope, division, year, month, levels)
    today = timezone.localdate()
    # Every figure, light and list is judged as of the chosen period's cut-off (today only
    # while it is still running), so a past period shows what was late then, not now.
    as_of = cutoff(year, month, today)
    alerts = project_alerts(scope, division, year, month, levels, as_of)
    tfig = task_dashboard(scope, division, year, as_of)
    max_stage = max(fig.by_stage.values() or [0]) or 1
    return render(
        request,
        "web/dashboard.html",
        {
            "fig": fig,
            "forecast": forecast_figures(scope, division, year, month, levels),
            "trend": investment_trend(
                f"{division.name}{year}年重点项目累计完成投资",
                year,
                division_monthly(scope, division, year, month, levels),
                fig.annual_plan_wan,
                month,
                in_yi=True,
            ),
            "division": division,
            "year": year,
            "month": month,
            "level": level_raw,
            "level_choices": [
                ("", "全部"),
                ("省", "省重点"),
                ("市", "市重点"),
                ("区", "区重点"),
                ("省市", "省市重点"),
            ],
            "years": range(timezone.localdate().year, 2019, -1),
            "months": range(1, 13),
            "alerts": alerts,
            # The project list filtered by light holds every alert the card leaves out.
            "alert_query": _alert_query(division, year, month, levels),
            "stage_chart_h": len(fig.by_stage) * 28,
            "stage_bars": [(k, v, v * 100 / max_stage) for k, v in fig.by_stage.items()],
            "levels": Level,
            "pfig": problem_figures(scope, division, year, month, as_of),
            "as_of": as_of,
            "tfig": tfig,
            "light_chart": light_trend_chart(year, tfig["light_trend"]),
            # A past period without tasks points to this year's instead of saying "共 0 项".
            "this_year": today.year,
        },
    )
