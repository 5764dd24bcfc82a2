"""Every web route and every API operation, for every role, inside and outside its district.

The tables are web_table.WEB and api_table.API; the rules of an entry are in harness.py.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from tests.matrix.api_table import API
from tests.matrix.harness import ROLES, run_route
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
