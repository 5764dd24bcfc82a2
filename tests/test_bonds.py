"""专项债 ledger, 三个一批 events and the 驻厂专员 count: rules, figures, pages and API."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from taizhang.core.models import AuditEntry, Person
from taizhang.enterprises import services as ent_services
from taizhang.enterprises.models import Liaison
from taizhang.matters.figures import problem_figures
from taizhang.projects import bond_services as bs
from taizhang.projects import services as ps
from taizhang.projects.bond_figures import BondFilter, bond_figures
from taizhang.projects.bonds import BatchEvent, BondProject, BondStatus
from taizhang.projects.figures import project_figures
from tests.streams import streamed

D = dt.date(2022, 3, 1)


def _bond(world, applied="1000", status=BondStatus.PACKAGING) -> BondProject:
    return bs.do_create_bond(
        world.scope("sup_a"),
        world.pa,
        year=2022,
        field="municipal",
        status=status,
        date=D,
        amounts={"applied": applied},
    )


def _client(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def test_it_creates_a_bond_with_its_first_status_in_the_history_and_the_audit(world):
    bond = _bond(world)
    assert bond.status == BondStatus.PACKAGING and bond.applied == Decimal("1000.00")
    assert list(bond.changes.values_list("from_status", "to_status")) == [("", "packaging")]
    assert AuditEntry.objects.filter(verb="新增专项债项目").count() == 1


def test_it_refuses_a_second_row_for_the_same_project_and_year(world):
    _bond(world)
    with pytest.raises(ValidationError) as e:
        _bond(world)
    assert "已在专项债台账中" in str(e.value)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"applied": "-1"}, "applied", "不能为负数"),
        ({"approved": "2000"}, "approved", "不能超过拟申请专项债"),
        ({"approved": "500", "issued": "600"}, "issued", "不能超过获批额度"),
        ({"approved": "500", "issued": "400", "received": "450"}, "received", "不能超过已发行"),
        ({"applied": "400000"}, "applied", "不能超过项目总投资"),
    ],
)
def test_it_refuses_amounts_out_of_their_chain_and_saves_nothing(world, data, field, words):
    bond = _bond(world, status=BondStatus.FUNDED)
    before = BondProject.objects.values("applied", "approved", "issued", "received").get()
    with pytest.raises(ValidationError) as e:
        bs.do_update_bond(world.scope("sup_a"), bond, data, expected_version=bond.version)
    assert words in " ".join(e.value.message_dict[field])
    assert BondProject.objects.values("applied", "approved", "issued", "received").get() == before


def test_it_refuses_an_approved_amount_before_the_bond_is_approved(world):
    bond = _bond(world)
    with pytest.raises(ValidationError) as e:
        bs.do_update_bond(
            world.scope("sup_a"), bond, {"approved": "500"}, expected_version=bond.version
        )
    assert "尚未到「获批」状态" in e.value.message_dict["approved"][0]


def test_it_moves_forward_one_status_at_a_time_and_back_only_with_a_reason(world):
    sup = world.scope("sup_a")
    bond = _bond(world)
    bs.do_change_bond_status(sup, bond, BondStatus.POOLED, date=D + dt.timedelta(days=5))
    with pytest.raises(ValidationError) as e:
        bs.do_change_bond_status(sup, bond, BondStatus.PACKAGING, date=D + dt.timedelta(days=6))
    assert "回退必须填写原因" in str(e.value)
    with pytest.raises(ValidationError) as e:
        bs.do_change_bond_status(sup, bond, BondStatus.ISSUED, date=D + dt.timedelta(days=6))
    assert "跳过中间状态" in str(e.value)
    with pytest.raises(ValidationError) as e:
        bs.do_change_bond_status(sup, bond, BondStatus.APPLIED, date=D)
    assert "不能早于上一次状态变更" in str(e.value)
    bs.do_change_bond_status(
        sup, bond, BondStatus.PACKAGING, date=D + dt.timedelta(days=7), reason="材料退回补充"
    )
    bond.refresh_from_db()
    assert bond.status == BondStatus.PACKAGING
    assert bond.changes.count() == 3
    assert AuditEntry.objects.filter(verb="专项债状态变更").count() == 2


def test_it_refuses_a_status_change_dated_in_the_future(world):
    bond = _bond(world)
    with pytest.raises(ValidationError) as e:
        bs.do_change_bond_status(
            world.scope("sup_a"), bond, BondStatus.POOLED, date=dt.date.today() + dt.timedelta(2)
        )
    assert "不能晚于今天" in str(e.value)


def test_it_lets_only_the_office_change_a_bond(world):
    bond = _bond(world)
    with pytest.raises(PermissionDenied):
        bs.do_change_bond_status(world.scope("unit_a"), bond, BondStatus.POOLED, date=D)


def test_it_sums_the_bond_figures_in_the_division_and_filters(world):
    sup = world.scope("sup_a")
    bond = _bond(world, applied="1000", status=BondStatus.APPROVED)
    bs.do_update_bond(sup, bond, {"approved": "800"}, expected_version=bond.version)
    bs.do_create_bond(
        sup, world.pa_town, year=2022, field="social", date=D, amounts={"applied": "300"}
    )
    bs.do_create_bond(
        world.scope("admin"), world.pb, year=2022, field="energy", date=D, amounts={"applied": "9"}
    )
    fig = bond_figures(sup, BondFilter(year=2022, division=world.a))
    assert fig.bond_projects == 2
    assert fig.total_investment_wan == Decimal("305000.00")
    assert fig.bond_applied_wan == Decimal("1300.00")
    assert fig.bond_approved_wan == Decimal("800.00")
    only = bond_figures(sup, BondFilter(year=2022, division=world.a, status="approved"))
    assert (only.bond_projects, only.bond_applied_wan) == (1, Decimal("1000.00"))
    # B's bond is outside sup_a's scope whatever the filter says.
    assert bond_figures(sup, BondFilter(year=2022)).bond_projects == 2


def test_it_answers_the_bond_dashboard_contract_and_hides_other_districts(world):
    _bond(world)
    r = _client(world, "sup_a").get("/api/v1/dashboard/bonds", {"division": "410603", "year": 2022})
    body = r.json()
    assert (body["bond_projects"], body["total_investment_wan"]) == (1, "300000.00")
    assert (body["bond_applied_wan"], body["bond_approved_wan"]) == ("1000.00", "0.00")
    r = _client(world, "sup_b").get("/api/v1/dashboard/bonds", {"division": "410603", "year": 2022})
    assert r.status_code == 404


def test_it_refuses_an_approved_amount_above_the_applied_one_through_the_api(world):
    bond = _bond(world, status=BondStatus.APPROVED)
    r = _client(world, "sup_a").patch(
        f"/api/v1/bonds/{bond.pk}",
        {"version": bond.version, "approved_wan": "1500"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "不能超过拟申请专项债" in r.json()["detail"]
    bond.refresh_from_db()
    assert bond.approved == 0


def test_it_moves_a_bond_on_the_web_page_and_the_list_totals_follow(world):
    c = _client(world, "sup_a")
    r = c.post(
        "/bonds/new/",
        {
            "project": world.pa.pk,
            "year": 2022,
            "field": "municipal",
            "status": "packaging",
            "date": "2022-03-01",
            "applied": "1.2亿",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    bond = BondProject.objects.get()
    assert bond.applied == Decimal("12000.00")
    r = c.post(f"/bonds/{bond.pk}/status/", {"to_status": "pooled", "date": "2022-04-01"})
    assert r.status_code == 302
    bond.refresh_from_db()
    assert bond.status == "pooled"
    body = c.get("/bonds/", {"year": 2022}).content.decode()
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', body))
    assert figures["bond_applied"].replace(",", "") == "12000.00"
    assert 'data-status="pooled"' in body
    # The project's page shows its bond row.
    assert "project-bonds" in c.get(f"/projects/{world.pa.pk}/").content.decode()


def test_it_exports_the_bond_ledger_with_its_total_row(world):
    _bond(world)
    body = streamed(_client(world, "sup_a").get("/bonds/export.csv")).decode("utf-8-sig")
    assert "新拓洋生物科技产业园" in body and "合计" in body


# 三个一批 ---------------------------------------------------------------------


def test_it_records_a_batch_event_with_the_investment_of_its_projects(world):
    sup = world.scope("sup_a")
    event = bs.do_create_batch_event(
        sup,
        {
            "division": world.a,
            "kind": "start",
            "date": D,
            "title": "一季度集中开工",
            "projects": [world.pa, world.pa_town],
        },
    )
    r = _client(world, "sup_a").get(f"/api/v1/batch-events/{event.pk}")
    body = r.json()
    assert (body["project_count"], body["total_investment_wan"]) == (2, "305000.00")
    assert "305,000" in _client(world, "sup_a").get(f"/batches/{event.pk}/").content.decode()


def test_it_refuses_a_batch_event_with_another_districts_project_and_saves_nothing(world):
    with pytest.raises(ValidationError) as e:
        bs.do_create_batch_event(
            world.scope("sup_a"),
            {
                "division": world.a,
                "kind": "start",
                "date": D,
                "title": "开工",
                "projects": [world.pb],
            },
        )
    assert "不存在或不在您的管辖范围内" in str(e.value)
    assert not BatchEvent.objects.exists()


def test_it_refuses_a_batch_event_in_the_future_or_without_projects(world):
    with pytest.raises(ValidationError) as e:
        bs.do_create_batch_event(
            world.scope("sup_a"),
            {
                "division": world.a,
                "kind": "sign",
                "date": dt.date.today() + dt.timedelta(days=3),
                "title": "签约",
                "projects": [],
            },
        )
    assert set(e.value.message_dict) == {"date", "projects"}


def test_it_counts_started_and_producing_projects_from_the_stage_history(world):
    sup = world.scope("sup_a")
    ps.do_change_stage(sup, world.pa, "producing", date=dt.date(2022, 6, 1))
    fig = project_figures(sup, world.a, 2022, 12)
    assert (fig.producing_count, fig.producing_investment_wan) == (1, Decimal("300000"))
    assert fig.started_count == 0
    contract = fig.as_contract()
    assert contract["producing_investment_wan"] == "300000.00"
    assert {"signed_count", "landed_count", "started_count"} <= set(contract)


# 驻厂专员 ---------------------------------------------------------------------


def test_it_counts_stationed_officers_apart_from_the_other_service_officers(world):
    sup = world.scope("sup_a")
    people = [
        Person.objects.create(name=f"专员{i}", division=world.a, unit=world.unit_a)
        for i in range(3)
    ]
    roles = [Liaison.Role.STATIONED, Liaison.Role.CHIEF, Liaison.Role.OFFICER]
    for person, role in zip(people, roles, strict=True):
        ent_services.do_add_liaison(
            sup, person=person, role=role, start=D, enterprise=world.enterprise_a
        )
    fig = problem_figures(sup, world.a, 2022)
    assert (fig.service_officers, fig.stationed_officers) == (3, 2)
    rows = (
        _client(world, "sup_a")
        .get("/api/v1/officers/workload", {"division": "410603", "year": 2022})
        .json()
    )
    assert sorted(r["name"] for r in rows) == ["专员0", "专员1"]
    assert all(r["enterprises"] == 1 for r in rows)


def test_it_puts_the_bond_figures_in_the_bulletin_only_when_there_are_bonds(world):
    from taizhang.assessment.bulletin import bond_paragraphs

    sup = world.scope("sup_a")
    assert bond_paragraphs(sup, world.a, 2022) == []
    _bond(world, applied="15500")
    (text,) = bond_paragraphs(sup, world.a, 2022)
    assert "专项债项目1个" in text and "总投资30.0亿元" in text and "拟申请专项债1.6亿元" in text


def test_it_counts_the_problems_of_the_enterprises_an_officer_is_stationed_at(eworld):
    from taizhang.matters.officers import officer_workload

    w = eworld.w
    sup = w.scope("sup_a")
    officer = Person.objects.create(name="驻厂王", division=w.a, unit=w.unit_a)
    ent_services.do_add_liaison(
        sup, person=officer, role=Liaison.Role.STATIONED, start=D, enterprise=w.enterprise_a
    )
    (row,) = officer_workload(
        sup, w.a, dt.date(2022, 1, 1), dt.date(2022, 12, 31), dt.date(2022, 12, 31)
    )
    # problem_a: enterprise A's, raised 2022-03-01, assigned and long past its deadline.
    assert (row.person, row.enterprises, row.raised, row.resolved, row.overdue) == (
        officer,
        1,
        1,
        0,
        1,
    )
    # Outside the period nothing is counted; B's office sees no officer of A.
    (early,) = officer_workload(sup, w.a, dt.date(2022, 1, 1), dt.date(2022, 2, 28), D)
    assert (early.raised, early.overdue) == (0, 0)
    assert (
        officer_workload(w.scope("sup_b"), w.a, dt.date(2022, 1, 1), dt.date(2022, 12, 31), D) == []
    )


def test_it_moves_the_projects_of_an_event_to_its_stage_when_asked(world):
    sup = world.scope("sup_a")
    data = {"division": world.a, "kind": "produce", "title": "集中投产", "projects": [world.pa]}
    with pytest.raises(ValidationError) as e:
        # Before the project's last stage change (2022-01-10): refused, no event either.
        bs.do_create_batch_event(sup, data | {"date": dt.date(2022, 1, 5)}, advance_stages=True)
    assert "新拓洋生物科技产业园」阶段无法变更" in str(e.value)
    assert not BatchEvent.objects.exists()
    bs.do_create_batch_event(sup, data | {"date": dt.date(2022, 6, 1)}, advance_stages=True)
    world.pa.refresh_from_db()
    assert world.pa.stage == "producing"
    assert world.pa.stage_changes.last().reason == "集中投产"
    assert project_figures(sup, world.a, 2022, 12).producing_count == 1
