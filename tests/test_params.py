"""Defect 4 of issue 12: out-of-range query parameters gave HTTP 500 (42 list filters, 165 API
cases). Every parameter is parsed and bounded in taizhang.core.params (web: a 400 page with a
Chinese reason) or by the API's bounded types (JSON 400/422, never an HTML page).

The sweep sends every web route and API GET of the permission matrix, signed in as district
A's office and as its unit, once with each hostile value, and asserts that none answers 5xx.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from taizhang.core import params
from tests.matrix.api_table import API
from tests.matrix.web_table import WEB
from tests.matrix.world import build_matrix_world

HUGE = "99999999999999999999999"
# The values the sweep and schemathesis found, and their neighbours.
HOSTILE = [
    "year=0",
    "year=99999",
    "year=-1",
    "year=abc",
    "month=13",
    "month=0",
    f"unit={HUGE}",
    f"enterprise={HUGE}",
    f"category={HUGE}",
    f"park={HUGE}",
    f"industry={HUGE}",
    f"division={HUGE}",
    "unvisited=2147483648",
    "unvisited=-5",
    "offset=99999999999999999999",
    f"limit={HUGE}",
    f"page={HUGE}",
    "start=2024-13-45",
    "end=yesterday",
    "until=0000-00-00",
    "period=2022Q9",
    "kind=%00",
    "q=%00",
    "status=a%00b",
    "light=purple",
]


# The office sees every district-A object; the unit takes the other branches of Scope.
ROLES = ("sup_a", "unit_a")


@pytest.fixture(scope="module")
def mw(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_matrix_world()
        yield world
        transaction.set_rollback(True)


def _client(mw, role: str) -> Client:
    # raise_request_exception=False: a server error must show up as a 500 response here,
    # exactly as a user would get it, not as an exception inside the test.
    c = Client(raise_request_exception=False)
    c.force_login(mw.users[role])
    return c


def _with(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _sweep(mw, urls: list[str], *, api: bool) -> list[str]:
    failures = []
    for role in ROLES:
        client = _client(mw, role)
        for url in urls:
            for query in HOSTILE:
                target = _with(url, query)
                with transaction.atomic():
                    r = client.get(target)
                    transaction.set_rollback(True)
                if r.status_code >= 500:
                    failures.append(f"{role} {target}: {r.status_code}")
                elif api and r.status_code >= 400 and "json" not in r.get("Content-Type", ""):
                    failures.append(f"{role} {target}: {r.get('Content-Type')} (not JSON)")
    return failures


def test_it_answers_no_5xx_on_any_web_page_for_hostile_parameters(mw, db):
    urls = [route.url(mw.a) for route in WEB.values() if route.get is not None]
    assert len(urls) > 40  # the sweep really walks the table
    assert _sweep(mw, urls, api=False) == []


def test_it_answers_no_5xx_and_always_json_on_any_api_get_for_hostile_parameters(mw, db):
    urls = [route.url(mw.a) for (method, _), route in API.items() if method == "GET"]
    assert len(urls) > 20
    assert _sweep(mw, urls, api=True) == []


@pytest.mark.parametrize(
    "url",
    [
        "/problems/?year=99999",
        f"/problems/?unit={HUGE}",
        "/enterprises/?unvisited=2147483648",
        "/visits/?year=99999",
        "/projects/?year=0",
    ],
)
def test_it_refuses_an_out_of_range_web_filter_with_a_chinese_400(mw, db, url):
    r = _client(mw, "sup_a").get(url)
    assert r.status_code == 400
    assert "参数" in r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/visits?year=99999",
        "/api/v1/visits?offset=99999999999999999999",
        "/api/v1/enterprises?unvisited=2147483648",
        f"/api/v1/problems?unit={HUGE}",
        "/api/v1/problems?year=99999",
        "/api/v1/projects?year=99999",
        f"/api/v1/projects/{HUGE}",
    ],
)
def test_it_refuses_an_out_of_range_api_parameter_with_json(mw, db, url):
    r = _client(mw, "sup_a").get(url)
    assert r.status_code in {400, 404, 422}, r.content[:300]
    assert r["Content-Type"].startswith("application/json")
    assert r.json()["detail"]


def test_it_opens_a_task_on_the_problem_page_as_not_found_instead_of_failing(mw, db):
    client = _client(mw, "sup_a")
    for pk in (mw.a.task.pk,):
        assert client.get(f"/problems/{pk}/").status_code == 404
        assert client.post(f"/problems/{pk}/act/", {"action": "accept"}).status_code == 404
    assert client.get(f"/problems/{mw.a.problem.pk}/").status_code == 200


def test_it_refuses_a_nul_character_before_postgresql_sees_it(mw, db):
    # PostgreSQL text cannot hold U+0000 (DataError, HTTP 500); SQLite would store it.
    client = _client(mw, "sup_a")
    r = client.get("/problems/?q=%00")
    assert r.status_code == 400 and "空字符" in r.content.decode()
    r = client.get("/api/v1/visits?kind=%00")
    assert r.status_code == 400 and "空字符" in r.json()["detail"]
    body = '{"date": "2022-03-05", "enterprise_ids": [%d], "title": "a\\u0000"}'
    r = client.post("/api/v1/visits", body % mw.a.enterprise.pk, content_type="application/json")
    assert r.status_code == 400 and r.json()["errors"] == {"body": [r.json()["detail"]]}


def test_it_bounds_each_kind_of_parameter_in_one_place():
    assert params.year_param({"year": " 2024 "}) == 2024
    assert params.year_param({}, default=2020) == 2020
    assert params.offset_param({"offset": ""}) == 0
    assert params.ref_id("unit", "区发改委") is None and params.ref_id("unit", "12") == 12
    for call in (
        lambda: params.year_param({"year": "99999"}),
        lambda: params.month_param({"month": "13"}),
        lambda: params.days_param({"unvisited": "2147483648"}, "unvisited"),
        lambda: params.offset_param({"offset": "99999999999999999999"}),
        lambda: params.date_param({"start": "2024-02-30"}, "start"),
        lambda: params.choice_param({"light": "purple"}, "light", ["red", "green"]),
        lambda: params.ref_id("unit", HUGE),
    ):
        with pytest.raises(params.BadParam) as e:
            call()
        assert "参数" in e.value.message
