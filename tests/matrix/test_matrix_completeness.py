"""Every web route and every API operation has a line in the permission matrix."""

from __future__ import annotations

from django.test import override_settings
from ninja import NinjaAPI

from tests.matrix.api_table import API
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
