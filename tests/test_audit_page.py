from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from taizhang.projects import services


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def test_it_lists_the_districts_changes_for_the_office(world):
    services.do_update_project(
        world.scope("sup_a"), world.pa, {"location": "=牟山园区"}, expected_version=1
    )
    body = login(world, "sup_a").get("/audit/", {"q": "新拓洋"}).content.decode()
    assert "建设地点" in body and "修改项目" in body
    # The other district's project never appears.
    assert world.pb.name not in login(world, "sup_a").get("/audit/").content.decode()
    assert world.pb.name in login(world, "sup_b").get("/audit/").content.decode()


@pytest.mark.parametrize("name", ["leader_a", "unit_a", "cadre_a", "ent_a"])
def test_it_keeps_the_log_from_other_roles(world, name):
    assert login(world, name).get("/audit/").status_code == 403
    assert login(world, name).get("/audit/export.xlsx").status_code == 403


def test_it_exports_the_filtered_log(world):
    services.do_update_project(
        world.scope("sup_a"), world.pa, {"location": "=HYPERLINK(1)"}, expected_version=1
    )
    r = login(world, "sup_a").get("/audit/export.xlsx", {"action": "update"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(1, 1).value == "审计日志"
    texts = [ws.cell(row, 8).value for row in range(4, ws.max_row + 1)]
    assert any("=HYPERLINK(1)" in (t or "") for t in texts)
    assert all(not str(t).startswith("=") for t in texts if t)
    assert ws.max_row == 4  # one update only
