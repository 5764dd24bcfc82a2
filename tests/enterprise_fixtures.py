"""Enterprise-service additions to the test world: a second enterprise in each district,
their users, liaison, and one problem per enterprise at a known stage.

Owner / colleague / outsider again: ent_a owns its problem, ent_a2 is a colleague
enterprise in the same district, ent_b and cadre_b are outsiders in district B.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from taizhang.core.models import Person, Role, Unit
from taizhang.core.scope import Scope
from taizhang.enterprises import services as ent_services
from taizhang.enterprises.models import Enterprise
from taizhang.lib.credit_code import make
from taizhang.matters import services
from taizhang.matters.models import Matter, ProblemCategory


@dataclass
class EWorld:
    w: object
    enterprise_a2: Enterprise
    enterprise_b: Enterprise
    unit_a2: Unit
    cadre_b: Person
    ordinary: ProblemCategory
    complex: ProblemCategory
    problem_a: Matter  # enterprise A, assigned to unit_a
    problem_a2: Matter  # enterprise A2, assigned to unit_a2, unit_a_town co-unit
    problem_b: Matter  # enterprise B, assigned to unit_b

    def scope(self, name: str) -> Scope:
        return self.w.scope(name)

    @property
    def users(self) -> dict:
        return self.w.users


def code(n: int, region: str = "410603") -> str:
    return make(f"91{region}MA{n:07d}")


def new_problem(
    ew: EWorld,
    who: str,
    enterprise: Enterprise,
    title: str,
    *,
    raised_on: dt.date,
    category: ProblemCategory | None = None,
) -> Matter:
    return services.do_create_problem(
        ew.scope(who),
        {
            "enterprise": enterprise,
            "category": category or ew.ordinary,
            "title": title,
            "description": f"{title}的具体情况",
            "raised_on": raised_on,
        },
    )


def accept_and_assign(
    ew: EWorld, m: Matter, who: str, unit: Unit, *, day: dt.date, co_units=(), deadline=None
) -> Matter:
    s = ew.scope(who)
    m = services.do_accept(s, m, expected_version=m.version, date=day).matter
    return services.do_assign(
        s,
        m,
        lead_unit=unit,
        co_units=co_units,
        deadline=deadline,
        expected_version=m.version,
        date=day,
    ).matter


@pytest.fixture
def eworld(world) -> EWorld:
    return build_eworld(world)


def build_eworld(w) -> EWorld:
    from tests.conftest import make_user

    admin = w.scope("admin")
    unit_a2 = Unit.objects.create(division=w.a, name="区工信局", kind="department")
    cadre_b = Person.objects.create(name="淇滨干部", division=w.b, position="科员")
    a2 = ent_services.do_create_enterprise(
        admin, {"name": "宝发能源", "credit_code": code(2), "division": w.a, "category": "industry"}
    )
    b = ent_services.do_create_enterprise(
        admin,
        {
            "name": "淇滨合成企业",
            "credit_code": code(3, "410611"),
            "division": w.b,
            "category": "trade",
        },
    )
    w.users["ent_a2"] = make_user("ent_a2", Role.ENTERPRISE, enterprise=a2)
    w.users["ent_b"] = make_user("ent_b", Role.ENTERPRISE, enterprise=b)
    w.users["unit_a2"] = make_user("unit_a2", Role.UNIT, unit=unit_a2)
    w.users["cadre_b"] = make_user("cadre_b", Role.CADRE, person=cadre_b)
    start = dt.date(2022, 1, 1)
    ent_services.do_add_liaison(
        admin, person=w.cadre_a, role="cadre", start=start, enterprise=w.enterprise_a
    )
    ent_services.do_add_liaison(
        admin, person=w.leader_a, role="leader", start=start, enterprise=w.enterprise_a
    )
    ent_services.do_add_liaison(admin, person=cadre_b, role="officer", start=start, enterprise=b)
    ordinary = ProblemCategory.objects.get(name="用工")
    complex_ = ProblemCategory.objects.get(name="融资")
    day = dt.date(2022, 3, 1)
    ew = EWorld(w, a2, b, unit_a2, cadre_b, ordinary, complex_, None, None, None)  # type: ignore[arg-type]
    ew.problem_a = accept_and_assign(
        ew,
        new_problem(ew, "ent_a", w.enterprise_a, "招工难", raised_on=day),
        "sup_a",
        w.unit_a,
        day=day,
    )
    ew.problem_a2 = accept_and_assign(
        ew,
        new_problem(ew, "ent_a2", a2, "用地手续慢", raised_on=day),
        "sup_a",
        unit_a2,
        day=day,
        co_units=[w.unit_a_town],
    )
    ew.problem_b = accept_and_assign(
        ew, new_problem(ew, "ent_b", b, "融资难", raised_on=day), "sup_b", w.unit_b, day=day
    )
    return ew
