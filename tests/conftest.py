"""A small world for tests: two districts, a user of every role, a project in each.

Named around the owner / colleague / outsider idea: district A's staff own A's
projects; district B's staff are outsiders to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from taizhang.core.models import Division, Person, Profile, Role, Unit
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise
from taizhang.projects import services
from taizhang.projects.models import Project, Stage


@dataclass
class World:
    province: Division
    city: Division
    a: Division
    a_town: Division
    b: Division
    unit_a: Unit
    unit_a_town: Unit
    unit_b: Unit
    leader_a: Person
    cadre_a: Person
    enterprise_a: Enterprise
    users: dict[str, object]
    pa: Project
    pa_town: Project
    pb: Project

    def scope(self, name: str) -> Scope:
        return Scope(self.users[name])


def make_user(username: str, role: str, **links) -> object:
    user = get_user_model().objects.create_user(
        username,
        password="pw-" + username,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    Profile.objects.create(user=user, role=role, **links)
    return user


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test starts from the calendar its database holds (a rolled-back test may have
    cached overrides or a confirmed year in the process-wide calendar)."""
    from taizhang.core.calendar import reset_calendar

    reset_calendar()
    yield
    reset_calendar()


def build_world() -> World:
    """Build the world; the fixture below calls it per test, the permission matrix once per module."""
    province = Division.objects.create(code="410000", name="河南省", level="province")
    city = Division.objects.create(code="410600", name="鹤壁市", level="city", parent=province)
    a = Division.objects.create(code="410603", name="山城区", level="district", parent=city)
    a_town = Division.objects.create(code="410603001", name="红旗街道", level="town", parent=a)
    b = Division.objects.create(code="410611", name="淇滨区", level="district", parent=city)
    unit_a = Unit.objects.create(division=a, name="区发改委", kind="department")
    unit_a_town = Unit.objects.create(division=a_town, name="红旗街道办事处", kind="town")
    unit_b = Unit.objects.create(division=b, name="淇滨区发改委", kind="department")
    leader_a = Person.objects.create(name="王区长", division=a, is_leader=True, position="区长")
    cadre_a = Person.objects.create(name="李干部", division=a, unit=unit_a, position="科员")
    ent = Enterprise.objects.create(name="新拓洋生物", credit_code="91410603MA0000000X", division=a)
    users = {
        "admin": make_user("admin", Role.ADMIN),
        "sup_a": make_user("sup_a", Role.SUPERVISOR, division=a),
        "leader_a": make_user("leader_a", Role.LEADER, division=a, person=leader_a),
        "unit_a": make_user("unit_a", Role.UNIT, unit=unit_a),
        "unit_a_town": make_user("unit_a_town", Role.UNIT, unit=unit_a_town),
        "cadre_a": make_user("cadre_a", Role.CADRE, person=cadre_a),
        "ent_a": make_user("ent_a", Role.ENTERPRISE, enterprise=ent),
        "sup_b": make_user("sup_b", Role.SUPERVISOR, division=b),
        "unit_b": make_user("unit_b", Role.UNIT, unit=unit_b),
        "nobody": get_user_model().objects.create_user("nobody", password="pw-nobody"),
    }
    admin = Scope(users["admin"])
    since = dt.date(2022, 1, 10)
    pa = services.do_create_project(
        admin,
        {
            "division": a,
            "code": "SC-001",
            "name": "新拓洋生物科技产业园",
            "responsible_unit": unit_a,
            "liaison_leader": cadre_a,
            "total_investment": Decimal("300000"),
            "owner_enterprise": ent,
        },
        stage=Stage.BUILDING,
        stage_date=since,
    )
    pa_town = services.do_create_project(
        admin,
        {
            "division": a_town,
            "code": "SC-002",
            "name": "红旗街道综合体",
            "responsible_unit": unit_a_town,
            "total_investment": Decimal("5000"),
        },
        stage=Stage.BUILDING,
        stage_date=since,
    )
    pb = services.do_create_project(
        admin,
        {
            "division": b,
            "code": "QB-001",
            "name": "淇滨区物流园",
            "responsible_unit": unit_b,
            "total_investment": Decimal("80000"),
        },
        stage=Stage.BUILDING,
        stage_date=since,
    )
    for p, plan in ((pa, "100000"), (pa_town, "2000"), (pb, "30000")):
        services.do_set_project_year(admin, p, year=2022, level="district", annual_plan=plan)
    return World(
        province,
        city,
        a,
        a_town,
        b,
        unit_a,
        unit_a_town,
        unit_b,
        leader_a,
        cadre_a,
        ent,
        users,
        pa,
        pa_town,
        pb,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


from tests.enterprise_fixtures import eworld  # noqa: E402,F401  (enterprise-service fixtures)


# ------------------------------------------------------------------ attachments
@pytest.fixture
def media(settings, tmp_path):
    """Attachments stored under this test's own directory (returned), to look at the files."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


# ------------------------------------------------------------------------------ the demo, once
# Loading the demo runs the whole system (every ledger's do_* functions, ~46,000 queries): the
# tests that read it share one load. It is committed once per session; each test runs inside
# its own transaction, rolled back after it, so every test sees the demo exactly as loaded.
# Those tests run last (pytest_collection_modifyitems below), after every test that expects
# an empty database, including the transactional ones that flush it.
DEMO_FIXTURE = "demo_session"


@pytest.fixture(scope="session")
def demo_session(django_db_setup, django_db_blocker) -> None:
    from taizhang.demo import load as demo
    from taizhang.demo.load import demo_loaded

    with django_db_blocker.unblock():
        demo.load()
        assert demo_loaded()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # After pytest-django's own ordering; the sort is stable, so the rest keeps its order.
    items.sort(key=lambda item: DEMO_FIXTURE in getattr(item, "fixturenames", ()))
