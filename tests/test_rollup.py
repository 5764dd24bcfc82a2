"""The investment rollup equals the monthly reports it sums, after any sequence of changes
through the services, and the rebuild command recomputes it."""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from taizhang.projects import rollup, services
from taizhang.projects.figures import project_figures
from taizhang.projects.forecast import forecast_figures
from taizhang.projects.models import InvestmentRollup, MonthlyReport, ProjectYear
from taizhang.web.charts import division_monthly

YEARS = (2023, 2024, 2025)
LEVELS = ("province", "city", "district")


def from_reports() -> dict[tuple, Decimal]:
    """The oracle: every report read in Python, counted at its project's list level that year."""
    level = {(py.project_id, py.year): py.level for py in ProjectYear.objects.all()}
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for r in MonthlyReport.objects.select_related("project"):
        lv = level.get((r.project_id, r.year))
        if lv is None:
            continue
        p = r.project
        out[(p.division_id, p.responsible_unit_id, r.year, r.month, lv)] += r.amount
    return {k: v for k, v in out.items()}


def from_rollup() -> dict[tuple, Decimal]:
    return {
        (r.division_id, r.unit_id, r.year, r.month, r.level): r.amount
        for r in InvestmentRollup.objects.all()
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_equals_the_reports_after_random_changes(world, seed):
    rng = random.Random(seed)
    admin = world.scope("admin")
    homes = [
        (world.pa, [(world.a, world.unit_a), (world.a_town, world.unit_a_town)]),
        (world.pa_town, [(world.a_town, world.unit_a_town), (world.a, world.unit_a)]),
        (world.pb, [(world.b, world.unit_b)]),
    ]
    for step in range(60):
        project, places = rng.choice(homes)
        project.refresh_from_db()
        what = rng.random()
        if what < 0.25:
            services.do_set_project_year(
                admin,
                project,
                year=rng.choice(YEARS),
                level=rng.choice(LEVELS),
                annual_plan=Decimal(rng.randint(10, 500)),
            )
        elif what < 0.85:
            services.do_submit_monthly_report(
                admin,
                project,
                year=rng.choice(YEARS),
                month=rng.randint(1, 12),
                amount=Decimal(rng.randint(0, 9999)) / 100,
            )
        else:
            division, unit = rng.choice(places)
            services.do_update_project(
                admin,
                project,
                {"division": division, "responsible_unit": unit},
                expected_version=project.version,
            )
        if step % 10 == 9:
            assert from_rollup() == from_reports(), step
    assert from_rollup() == from_reports()
    assert InvestmentRollup.objects.exists()


def test_the_dashboard_figures_are_the_same_from_the_rollup_and_from_the_reports(world):
    """An office reads the rollup; a unit's staff sums its own reports: for the unit's own
    projects the two give the same figures."""
    admin = world.scope("admin")
    for p in (world.pa, world.pa_town, world.pb):
        for year in (2023, 2024):
            services.do_set_project_year(admin, p, year=year, level="district", annual_plan=100)
            for month in range(1, 13):
                services.do_submit_monthly_report(
                    admin, p, year=year, month=month, amount=Decimal(month) + Decimal("0.25")
                )
    office = world.scope("sup_a")
    assert rollup.sees_whole(office, world.a)
    assert not rollup.sees_whole(office, world.b)
    fig = project_figures(office, world.a, 2024, 7)
    assert fig.completed_wan == 2 * sum(Decimal(m) + Decimal("0.25") for m in range(1, 8))
    monthly = division_monthly(office, world.a, 2024, 7, None)
    assert sum(monthly.values()) == fig.completed_wan
    f = forecast_figures(office, world.a, 2024, 7)
    assert f.forecast.done_wan == fig.completed_wan
    # The same figures summed from the reports: the rule is the same, only the source differs.
    with pytest.MonkeyPatch.context() as mp:
        for module in (
            "taizhang.projects.figures",
            "taizhang.web.charts",
            "taizhang.projects.forecast",
        ):
            mp.setattr(f"{module}.sees_whole", lambda scope, division: False)
        raw = project_figures(office, world.a, 2024, 7)
        assert raw.as_contract() == fig.as_contract()
        assert division_monthly(office, world.a, 2024, 7, None) == monthly
        assert forecast_figures(office, world.a, 2024, 7).as_contract() == f.as_contract()


def test_the_command_rebuilds_the_rollup_after_a_change_behind_the_services(world):
    admin = world.scope("admin")
    services.do_set_project_year(admin, world.pa, year=2024, level="city", annual_plan=100)
    services.do_submit_monthly_report(admin, world.pa, year=2024, month=3, amount=12)
    services.do_set_project_year(admin, world.pb, year=2024, level="city", annual_plan=100)
    services.do_submit_monthly_report(admin, world.pb, year=2024, month=3, amount=7)
    MonthlyReport.objects.filter(project=world.pa).update(amount=Decimal("20"))
    MonthlyReport.objects.filter(project=world.pb).update(amount=Decimal("9"))
    assert from_rollup() != from_reports()
    out = StringIO()
    call_command("rollup", "--rebuild", "--division", world.a.code, stdout=out)
    assert "已重算" in out.getvalue()
    rolled = from_rollup()
    assert rolled[(world.a.pk, world.unit_a.pk, 2024, 3, "city")] == Decimal("20")
    assert rolled[(world.b.pk, world.unit_b.pk, 2024, 3, "city")] == Decimal("7")  # not rebuilt
    call_command("rollup", "--rebuild", stdout=StringIO())
    assert from_rollup() == from_reports()


def test_an_upgraded_database_gets_its_rollup_built_after_migrate(world):
    from taizhang.projects import rollup

    admin = world.scope("admin")
    services.do_set_project_year(admin, world.pa, year=2024, level="city", annual_plan=100)
    services.do_submit_monthly_report(admin, world.pa, year=2024, month=3, amount=12)
    built = from_rollup()
    assert built == from_reports()
    InvestmentRollup.objects.all().delete()  # reports from before the rollup existed
    rollup.fill_after_migrate(using="default")
    assert from_rollup() == built
