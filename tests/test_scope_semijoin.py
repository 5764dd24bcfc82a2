"""The scope filter never repeats a row and never needs DISTINCT (issue 13, cause 2).

A unit's rows are those it leads OR co-handles; the co-unit condition crosses a
many-to-many relation. Joined into the outer query it would repeat a row for each
co-unit and force a DISTINCT over every column; the scope writes it as a semi-join.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.core.scope import Scope, crosses_many
from taizhang.enterprises.models import Enterprise
from taizhang.matters.models import Matter, MatterStep
from taizhang.projects.models import Project


def test_it_knows_which_lookups_cross_a_to_many_relation():
    assert crosses_many(Matter, "co_units")
    assert crosses_many(MatterStep, "matter__co_units")
    assert crosses_many(Enterprise, "matters__lead_unit")
    assert crosses_many(Project, "liaisons")
    assert not crosses_many(Matter, "lead_unit")
    assert not crosses_many(MatterStep, "matter__division__path__startswith")
    assert not crosses_many(Project, "responsible_unit")


def test_it_lists_a_row_once_for_a_unit_that_leads_and_co_handles_it(eworld):
    w = eworld.w
    m = eworld.problem_a  # led by unit_a
    m.co_units.add(w.unit_a, w.unit_a_town)  # and co-handled by it too, plus another unit
    scope = Scope(w.users["unit_a"])
    with CaptureQueriesContext(connection) as ctx:
        pks = list(scope.filter(Matter.objects.all()).values_list("pk", flat=True))
    assert pks.count(m.pk) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    # The co-handled rows are read once (an InitPlan array on PostgreSQL, a materialised
    # IN on SQLite), never joined into the outer query.
    among = "= ANY(ARRAY(SELECT" if connection.vendor == "postgresql" else " IN (SELECT"
    assert "DISTINCT" not in sql and among in sql and " JOIN " not in sql.split("(SELECT")[0]
    assert scope.filter(Matter.objects.all()).count() == len(pks)


def test_it_still_finds_a_row_only_a_co_unit_handles(eworld):
    w = eworld.w
    m = eworld.problem_a2  # led by another unit, co-handled by unit_a_town
    mine = Scope(w.users["unit_a_town"]).filter(Matter.objects.all())
    assert m.pk in set(mine.values_list("pk", flat=True))
    assert m.pk not in set(
        Scope(w.users["unit_b"]).filter(Matter.objects.all()).values_list("pk", flat=True)
    )


def test_it_filters_steps_through_the_matter_without_distinct(eworld):
    w = eworld.w
    scope = Scope(w.users["unit_a_town"])
    steps = scope.filter(MatterStep.objects.all())
    assert "DISTINCT" not in str(steps.query).upper()
    assert set(steps.values_list("matter_id", flat=True)) == {eworld.problem_a2.pk}
