"""Every web route and every API operation, for every role, inside and outside its district.

The tables are web_table.WEB and api_table.API; the rules of an entry are in harness.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import transaction
from django.test import Client

from tests.matrix.api_table import API
from tests.matrix.harness import ROLES, E, Route, run_route
from tests.matrix.web_table import WEB
from tests.matrix.world import build_matrix_world


@pytest.fixture(scope="module")
def mw(django_db_setup, django_db_blocker):
    # One world for the module, rolled back at its end; each test adds its own savepoint.
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_matrix_world()
        clients = {}
        for role in ROLES:
            clients[role] = Client()
            if role != "anon":
                clients[role].force_login(world.users[role])
        world.clients = clients
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def no_thread(settings):
    # Import uploads would start a worker thread outside the test's transaction.
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_INLINE_THREAD": False}


@pytest.mark.parametrize("name", sorted(WEB))
def test_it_gives_each_role_its_status_on_web_route(mw, db, name):
    run_route(mw, WEB[name], api=False, label=name)


@pytest.mark.parametrize("key", sorted(API), ids=" ".join)
def test_it_gives_each_role_its_status_on_api_operation(mw, db, key):
    run_route(mw, API[key], api=True, label=" ".join(key))


def test_it_fails_when_a_role_gets_another_status_or_a_write_changes_nothing(mw, db):
    wrong = Route(url=lambda s: f"/projects/{s.project.pk}/", get=E(200))  # outsiders too
    with pytest.raises(AssertionError, match="sup_b: 200 → 404"):
        run_route(mw, wrong, api=False, label="project_detail")
    # Claims that a refused role's write succeeded: the harness sees that nothing changed.
    year = WEB["project_year"]
    claim = year.write.expect | {"leader_a": 302}
    silent = replace(year, get=None, write=replace(year.write, expect=claim))
    with pytest.raises(AssertionError, match=r"leader_a: \(302, True\) → \(403, False\)"):
        run_route(mw, silent, api=False, label="project_year")
