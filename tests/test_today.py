"""The today page (今日待办), the landing after login and the installable web app's files."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from taizhang.core.calendar import get_calendar
from tests.enterprise_fixtures import accept_and_assign, new_problem


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def _ids(response) -> list[int]:
    return [it.matter.pk for it in response.context["items"]]


def _soon() -> dt.date:
    """One working day ahead: inside the yellow window, not yet late."""
    return get_calendar().add_workdays(timezone.localdate(), 1).date


def test_it_shows_the_owner_unit_its_own_items_red_first_with_their_actions(eworld):
    ew = eworld
    soon = new_problem(
        ew, "ent_a", ew.w.enterprise_a, "厂区道路破损", raised_on=timezone.localdate()
    )
    soon = accept_and_assign(
        ew, soon, "sup_a", ew.w.unit_a, day=timezone.localdate(), deadline=_soon()
    )
    r = login(ew.w, "unit_a").get("/today/")
    assert r.status_code == 200
    assert _ids(r) == [ew.problem_a.pk, soon.pk]  # the overdue one (2022) first
    assert r.context["counts"] == {"total": 2, "red": 1, "yellow": 1}
    first = r.context["items"][0]
    assert first.light.light.value == "red"
    assert first.url == f"/problems/{ew.problem_a.pk}/"
    assert "report" in [a for a, _ in first.actions]
    body = r.content.decode()
    assert f'href="/problems/{ew.problem_a.pk}/#actions" data-action="report"' in body
    assert "招工难" in body and "厂区道路破损" in body


def test_it_filters_overdue_and_due_soon(eworld):
    ew = eworld
    soon = new_problem(
        ew, "ent_a", ew.w.enterprise_a, "厂区道路破损", raised_on=timezone.localdate()
    )
    soon = accept_and_assign(
        ew, soon, "sup_a", ew.w.unit_a, day=timezone.localdate(), deadline=_soon()
    )
    c = login(ew.w, "unit_a")
    assert _ids(c.get("/today/?show=red")) == [ew.problem_a.pk]
    assert _ids(c.get("/today/?show=yellow")) == [soon.pk]
    # An unknown filter falls back to everything rather than failing.
    assert _ids(c.get("/today/?show=<x>")) == [ew.problem_a.pk, soon.pk]


def test_it_hides_colleagues_and_outsiders_items(eworld):
    ew = eworld
    # The colleague unit in the same district and the other district's unit see none of A's.
    assert ew.problem_a.pk not in _ids(login(ew.w, "unit_a2").get("/today/"))
    assert _ids(login(ew.w, "unit_a2").get("/today/")) == [ew.problem_a2.pk]
    outsider = login(ew.w, "unit_b").get("/today/")
    assert _ids(outsider) == [ew.problem_b.pk]
    assert "招工难" not in outsider.content.decode()
    assert _ids(login(ew.w, "ent_a2").get("/today/")) == []  # nothing reported back to rate yet


def test_it_offers_a_co_unit_only_the_steps_a_co_unit_may_take(eworld):
    ew = eworld
    r = login(ew.w, "unit_a_town").get("/today/")
    assert _ids(r) == [ew.problem_a2.pk]
    actions = [a for a, _ in r.context["items"][0].actions]
    assert "progress" in actions and "report" not in actions


def test_it_pages_in_the_database_with_a_constant_number_of_queries(
    eworld, django_assert_max_num_queries
):
    ew = eworld
    c = login(ew.w, "unit_a_town")
    c.get("/today/")  # warm the session and the calendar cache
    with CaptureQueriesContext(connection) as one:
        assert len(_ids(c.get("/today/"))) == 1
    for i in range(24):
        m = new_problem(ew, "ent_a2", ew.enterprise_a2, f"问题{i}", raised_on=dt.date(2022, 3, 2))
        accept_and_assign(
            ew, m, "sup_a", ew.unit_a2, day=dt.date(2022, 3, 2), co_units=[ew.w.unit_a_town]
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = c.get("/today/")
    assert len(_ids(r)) == 20 and r.context["counts"]["total"] == 25
    assert len(_ids(c.get("/today/?page=2"))) == 5


def test_it_sends_each_role_to_its_first_page_after_login(eworld):
    where = {
        "unit_a": "/today/",
        "cadre_a": "/today/",
        "ent_a": "/portal/",
        "sup_a": "/",
        "leader_a": "/",
    }
    for name, url in where.items():
        c = Client()
        r = c.post("/login/", {"username": name, "password": "pw-" + name})
        assert r.status_code == 302 and r["Location"] == "/start/", name
        assert c.get("/start/")["Location"] == url, name


def test_it_links_the_today_page_first_for_staff_outside_the_office(eworld):
    ew = eworld
    page = login(ew.w, "cadre_a").get("/today/").content.decode()
    nav = page.split('<nav class="mainnav">')[1]
    assert nav.index('href="/today/"') < nav.index('href="/"')
    assert 'href="/today/"' not in login(ew.w, "sup_a").get("/my/").content.decode()


def test_it_serves_an_installable_manifest_with_its_icons(client):
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/manifest+json"
    data = json.loads(r.content)
    assert data["start_url"] == "/start/" and data["display"] == "standalone"
    sizes = {i["sizes"] for i in data["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as img:
            assert f"{img.width}x{img.height}" == icon["sizes"] and img.format == "PNG"


def test_it_serves_a_service_worker_that_never_caches_pages(client):
    r = client.get("/sw.js")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/javascript")
    assert r["Service-Worker-Allowed"] == "/"
    js = r.content.decode()
    assert '"/static/taizhang/app.css"' in js and "&quot;" not in js
    # Navigations go to the network; only responses under /static/ are ever put in the cache.
    assert 'req.mode === "navigate"' in js
    assert js.count("cache.put(") == 1
    assert "if (!url.pathname.startsWith(STATIC)) return;" in js
    for path in json.loads(js.split("const SHELL = ")[1].split(";")[0]):
        assert finders.find(path.removeprefix("/static/")), path


def test_it_answers_favicon_ico(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301
    path = finders.find(r["Location"].removeprefix("/static/"))
    with Image.open(path) as img:
        assert img.format == "ICO"
