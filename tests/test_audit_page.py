from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from taizhang.core.models import Role
from taizhang.projects import services
from tests.conftest import make_user
from tests.streams import streamed


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


@pytest.fixture
def auditors(world):
    # 三权分立: the audit log is the audit administrator's (one per district here).
    world.users["aud_a"] = make_user("aud_a", Role.AUDITOR, division=world.a)
    world.users["aud_b"] = make_user("aud_b", Role.AUDITOR, division=world.b)
    return world


def test_it_lists_the_districts_changes_for_its_audit_administrator(auditors):
    world = auditors
    services.do_update_project(
        world.scope("sup_a"), world.pa, {"location": "=牟山园区"}, expected_version=1
    )
    body = login(world, "aud_a").get("/audit/", {"q": "新拓洋"}).content.decode()
    assert "建设地点" in body and "修改项目" in body
    # The other district's project never appears.
    assert world.pb.name not in login(world, "aud_a").get("/audit/").content.decode()
    assert world.pb.name in login(world, "aud_b").get("/audit/").content.decode()


@pytest.mark.parametrize(
    "name", ["admin", "sup_a", "leader_a", "unit_a", "cadre_a", "ent_a", "nobody"]
)
def test_it_keeps_the_log_from_other_roles(world, name):
    assert login(world, name).get("/audit/").status_code == 403
    assert login(world, name).get("/audit/export.xlsx").status_code == 403


def test_it_exports_the_filtered_log(auditors):
    world = auditors
    services.do_update_project(
        world.scope("sup_a"), world.pa, {"location": "=HYPERLINK(1)"}, expected_version=1
    )
    r = login(world, "aud_a").get("/audit/export.xlsx", {"action": "update"})
    ws = openpyxl.load_workbook(io.BytesIO(streamed(r))).active
    assert ws.cell(1, 1).value == "审计日志"
    texts = [ws.cell(row, 8).value for row in range(4, ws.max_row + 1)]
    assert any("=HYPERLINK(1)" in (t or "") for t in texts)
    assert all(not str(t).startswith("=") for t in texts if t)
    assert ws.max_row == 4  # one update only
