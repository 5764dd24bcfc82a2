"""Every web route and every API operation has a line in the permission matrix."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import override_settings
from ninja import NinjaAPI

from tests.matrix.api_table import API
from tests.matrix.harness import E, leaks, mirror
from tests.matrix.routes import api_operations, coverage_problems, web_routes
from tests.matrix.web_table import WEB


def test_it_has_a_matrix_entry_for_every_web_route():
    problems = coverage_problems(web_routes(), WEB)
    assert not problems, problems


def test_it_has_a_matrix_entry_for_every_api_operation():
    problems = coverage_problems(api_operations(), API)
    assert not problems, problems


@override_settings(ROOT_URLCONF="tests.matrix.extra_urls")
def test_it_fails_for_a_web_route_added_without_an_entry():
    problems = coverage_problems(web_routes(), WEB)
    assert problems == "新路由未列入权限矩阵：matrix_dummy"


def test_it_fails_for_an_api_operation_added_without_an_entry():
    extra = NinjaAPI(urls_namespace="matrix_dummy")

    @extra.delete("/dummy/{pk}")
    def dummy(request, pk: int):
        return {}

    found = api_operations() | api_operations(extra, prefix="")
    assert coverage_problems(found, API) == "新路由未列入权限矩阵：DELETE /dummy/{pk}"


def test_it_fails_for_an_entry_whose_route_is_gone():
    table = {**WEB, "removed_route": None}
    assert coverage_problems(web_routes(), table) == "权限矩阵中的路由已不存在：removed_route"


def test_it_flags_a_page_that_names_the_other_districts_object():
    page = HttpResponse("<h1>淇滨区物流园</h1>", content_type="text/html; charset=utf-8")
    assert leaks("sup_a", page) == "  sup_a sees ['淇滨区物流园']"
    assert leaks("sup_b", page) is None and leaks("admin", page) is None


def test_it_expects_404_for_every_role_of_the_other_district():
    expect = E(403, admin=200, sup_a=200, sup_b=404)
    b = mirror(expect)
    assert b["sup_b"] == 200 and b["unit_b"] == 403 and b["admin"] == 200
    assert {b[r] for r in ("sup_a", "leader_a", "unit_a", "unit_a_town", "cadre_a", "ent_a")} == {
        404
    }
