"""Demo history for the pace forecast: 山城区's district key-project lists of 2024 and 2025.

The ledger's own 2022 list stops in September and its 2023 list is the provincial and city
projects, so without these years the forecast of this year would have one full past year
and fall back to the linear pace. Each year follows the construction season (slow in
January and February around 春节, busiest from May to October) — what the seasonal index
is meant to pick up. Only domain do_* functions write.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.demo.projects import split
from taizhang.projects import services
from taizhang.projects.models import MonthlyReport, ProjectYear

DISTRICT = "410603"
HISTORY_YEARS = (2024, 2025)
# Share of a year's completion in each month (sums to 1): the construction season.
SEASON = (0.04, 0.03, 0.07, 0.09, 0.10, 0.11, 0.10, 0.10, 0.10, 0.10, 0.09, 0.07)
# How each year ended against its plan (2024 a little short, 2025 a little over).
OUTTURN = {2024: Decimal("0.96"), 2025: Decimal("1.04")}
PROJECTS = 20
CENT = Decimal("0.01")


def load(scope: Scope, org: Org) -> None:
    today = timezone.localdate()
    years = [y for y in HISTORY_YEARS if y < today.year]
    if not years:
        return
    rng = random.Random(2024)
    # The 2022 district list (fixed by its own seed), first come first served.
    rows = (
        ProjectYear.objects.filter(
            year=2022, level="district", project__division__code__startswith=DISTRICT
        )
        .select_related("project")
        .order_by("project__pk")
    )
    picked = 0
    for row in rows:
        p = row.project
        done = MonthlyReport.objects.filter(project=p).aggregate(s=Sum("amount"))["s"] or 0
        room = p.total_investment - Decimal(done)
        plan = (p.total_investment * Decimal("0.05")).quantize(CENT)
        # Reports may never exceed the total; leave plenty for later years.
        if room < plan * 3 or ProjectYear.objects.filter(project=p, year__in=years).exists():
            continue
        for year in years:
            services.do_set_project_year(scope, p, year=year, level="district", annual_plan=plan)
            total = (plan * OUTTURN[year]).quantize(CENT)
            weights = [w * rng.uniform(0.85, 1.15) for w in SEASON]
            for month, amount in enumerate(split(total, weights), start=1):
                services.do_submit_monthly_report(
                    scope, p, year=year, month=month, amount=amount, note="按计划推进"
                )
        picked += 1
        if picked == PROJECTS:
            break
