"""One creation path per thing and one "inside this division" rule.

A problem registered on the web / API, imported row by row, imported in bulk or
written by the demo passes the same rules (matters.problems.clean_problem) and
writes the same rows; units, parks and people are checked against the district by
core.divisions.within wherever they are chosen.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.divisions import require_within, within
from taizhang.core.errors import messages_of
from taizhang.core.models import AuditEntry, Person, Unit
from taizhang.imports import engine
from taizhang.matters import problems
from taizhang.matters import services as ms
from taizhang.matters.models import Matter, MatterStep, Status
from taizhang.tasks import services as ts
from tests.import_sheets import PROBLEM_HEADER, xlsx
from tests.task_fixtures import frozen

# The division rule ------------------------------------------------------------


def test_it_keeps_units_and_enterprises_inside_the_district_and_lets_leaders_come_from_above(
    world,
):
    w = world
    city_leader = Person.objects.create(name="市长", division=w.city, is_leader=True)
    b_leader = Person.objects.create(name="淇滨区长", division=w.b, is_leader=True)
    city_unit = Unit.objects.create(division=w.city, name="市发改委", kind="department")
    # Asked from a town, the area is the town's district.
    assert within(w.a_town, w.unit_a) and within(w.a, w.unit_a_town)
    assert within(w.a, w.enterprise_a) and within(w.a, w.a_town)
    assert not within(w.a, w.unit_b) and not within(w.a_town, w.b)
    assert within(w.a, city_leader) and within(w.a, w.leader_a)
    assert not within(w.a, b_leader)
    # Units never come from above: a city bureau does not handle a district's matter.
    assert not within(w.a, city_unit)
    with pytest.raises(ValidationError) as e:
        require_within(w.a_town, w.unit_b, "lead_unit", "主办单位")
    assert messages_of(e.value) == {"lead_unit": ["主办单位「淇滨区发改委」不属于山城区"]}


def test_it_refuses_a_task_led_by_another_districts_unit(world):
    w = world
    city_leader = Person.objects.create(name="市长", division=w.city, is_leader=True)
    data = {
        "division": w.a,
        "title": "新增就业",
        "year": 2024,
        "lead_unit": w.unit_b,
        "co_units": [w.unit_b.pk, w.unit_a_town],
        "deadline": dt.date(2024, 12, 31),
        "raised_on": dt.date(2024, 1, 10),
    }
    with frozen(dt.date(2024, 1, 10)):
        with pytest.raises(ValidationError) as e:
            ts.clean_task_data(w.scope("sup_a"), {**data, "lead_unit": w.unit_a}, "x")
        assert messages_of(e.value) == {"co_units": ["配合单位「淇滨区发改委」不属于山城区"]}
        n = Matter.objects.count()
        with pytest.raises(ValidationError) as e:
            ts.do_create_task(w.scope("sup_a"), data)
        assert messages_of(e.value)["lead_unit"] == ["牵头单位「淇滨区发改委」不属于山城区"]
        assert Matter.objects.count() == n
        # A city leader may answer for a district's task.
        m = ts.do_create_task(
            w.scope("sup_a"),
            {**data, "lead_unit": w.unit_a, "co_units": [w.unit_a_town], "leader": city_leader},
        )
    assert m.lead_unit == w.unit_a and m.leader == city_leader


# One set of rules for a new problem -----------------------------------------------


def test_it_gives_every_field_error_of_a_problem_at_once(eworld):
    with pytest.raises(ValidationError) as e:
        problems.clean_problem(
            eworld.scope("sup_a"),
            {
                "enterprise": eworld.enterprise_b,
                "title": "x" * 121,
                "source": "nowhere",
                "raised_on": dt.date(2999, 1, 1),
            },
        )
    assert messages_of(e.value) == {
        "enterprise": ["请选择企业（企业不存在或不在您的范围内）"],
        "category": ["请选择问题类别"],
        "title": ["问题标题不能超过120字"],
        "source": ["问题来源无效"],
        "raised_on": ["提出日期不能晚于今天"],
    }
    with pytest.raises(PermissionDenied):
        problems.clean_problem(eworld.scope("unit_a"), {"title": "x"})


def test_it_refuses_a_retired_category_on_the_web_and_in_an_import(eworld):
    eworld.ordinary.active = False
    eworld.ordinary.save()
    with pytest.raises(ValidationError, match="已停用"):
        ms.do_create_problem(
            eworld.scope("sup_a"),
            {"enterprise": eworld.w.enterprise_a, "category": eworld.ordinary, "title": "t"},
        )
    data = xlsx(
        [PROBLEM_HEADER, ["P-1", eworld.w.enterprise_a.credit_code, eworld.ordinary.name, "t"]]
    )
    a = engine.run("problems", eworld.scope("sup_a"), data, "p.xlsx")
    assert a.counts["error"] == 1 and "问题类别" in a.rows[0].errors[0][2]


@pytest.mark.parametrize("threshold", [0, 10_000])
def test_it_writes_the_same_rows_for_an_imported_problem_on_both_paths_as_on_the_web(
    eworld, settings, threshold
):
    """The single-row path goes through do_create_problem, the batched one through
    insert_problems; both must write what the web writes, except the notification."""
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_BULK_THRESHOLD": threshold}
    w = eworld.w
    s = eworld.scope("sup_a")
    web = ms.do_create_problem(
        s,
        {
            "enterprise": w.enterprise_a,
            "category": eworld.ordinary,
            "title": "网上登记",
            "description": "缺焊工20人",
            "source": "forum",
            "raised_on": dt.date(2022, 3, 5),
        },
    )
    cat = eworld.ordinary.name
    data = xlsx(
        [
            PROBLEM_HEADER,
            [
                "P-1",
                w.enterprise_a.credit_code,
                cat,
                "导入登记",
                "缺焊工20人",
                "座谈会",
                "2022-03-05",
            ],
        ]
    )
    a = engine.run("problems", s, data, "p.xlsx", commit=True)
    assert a.counts["create"] == 1
    imported = Matter.objects.get(title="导入登记")

    def shape(m: Matter) -> tuple:
        step = MatterStep.objects.get(matter=m)
        entry = AuditEntry.objects.get(object_type="matters.matter", object_id=str(m.pk))
        changes = {k: v for k, v in entry.changes.items() if k != "事项标题"}
        return (
            m.kind,
            m.status,
            m.division_id,
            m.enterprise_id,
            m.category_id,
            m.source,
            m.raised_on,
            m.raised_by_id,
            m.raised_by_name,
            m.version,
            (step.action, step.label, step.to_status, step.date, step.by_id, step.note),
            (entry.action, entry.verb, entry.division_path, entry.actor_id),
            changes,
        )

    assert shape(imported) == shape(web)
    assert imported.status == Status.SUBMITTED


def test_it_gives_the_import_the_services_message_for_a_future_date(eworld):
    s = eworld.scope("sup_a")
    w = eworld.w
    with pytest.raises(ValidationError) as e:
        ms.do_create_problem(
            s,
            {
                "enterprise": w.enterprise_a,
                "category": eworld.ordinary,
                "title": "t",
                "raised_on": dt.date(2999, 1, 1),
            },
        )
    data = xlsx(
        [
            PROBLEM_HEADER,
            ["P-1", w.enterprise_a.credit_code, eworld.ordinary.name, "t", "", "", "2999-01-01"],
        ]
    )
    a = engine.run("problems", s, data, "p.xlsx")
    assert a.rows[0].errors == [("提出日期", "2999-01-01", messages_of(e.value)["raised_on"][0])]


def test_it_refuses_a_visit_attended_by_another_districts_person(eworld):
    from taizhang.enterprises import services as es

    w = eworld.w
    outsider = Person.objects.create(name="淇滨干部", division=w.b)
    city_leader = Person.objects.create(name="市长", division=w.city, is_leader=True)
    data = {"date": dt.date(2022, 3, 1), "enterprises": [w.enterprise_a]}
    with pytest.raises(ValidationError) as e:
        es.do_record_visit(w.scope("sup_a"), {**data, "persons": [outsider]})
    assert messages_of(e.value) == {"persons": ["参加人员「淇滨干部」不属于山城区"]}
    v = es.do_record_visit(w.scope("sup_a"), {**data, "persons": [city_leader, w.cadre_a]})
    assert set(v.persons.all()) == {city_leader, w.cadre_a}
