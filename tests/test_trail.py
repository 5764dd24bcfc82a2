"""The audit trail on a record's page reads as words, skips empty lines and comes a page
at a time (the project page was 6,641 px tall with every entry inline)."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from taizhang.core import audit
from taizhang.core.models import AuditEntry
from taizhang.projects import services


def page(world, user: str, url: str) -> str:
    c = Client()
    c.force_login(world.users[user])
    r = c.get(url)
    assert r.status_code == 200
    return r.content.decode()


def test_it_shows_labels_instead_of_codes(world):
    s = world.scope("sup_a")
    services.do_change_stage(s, world.pa, "producing", date=dt.date(2022, 5, 1))
    body = page(world, "sup_a", f"/projects/{world.pa.pk}/")
    trail = body[body.index('id="trail"') :]
    assert "项目阶段：在建 → 投产" in trail
    assert "producing" not in trail and "building" not in trail


def test_it_prints_booleans_and_skips_empty_to_empty(world):
    audit.record(
        world.users["sup_a"],
        world.pa,
        AuditEntry.Action.UPDATE,
        before={"演示合成数据": False, "建设地点": None, "建设内容": ""},
        after={"演示合成数据": True, "建设地点": "", "建设内容": None},
    )
    body = page(world, "sup_a", f"/projects/{world.pa.pk}/")
    trail = body[body.index('id="trail"') :]
    assert "演示合成数据：否 → 是" in trail
    assert "建设地点" not in trail and "建设内容" not in trail
    assert "— → —" not in trail and "True" not in trail


def test_it_records_a_creation_without_its_empty_fields(world):
    s = world.scope("sup_a")
    m = services.do_add_milestone(s, world.pa, {"name": "主体封顶", "planned_date": "2022-06-30"})
    made = AuditEntry.objects.filter(object_type="projects.milestone", object_id=str(m.pk)).get()
    assert made.changes and all(v[1] not in (None, "") for v in made.changes.values())


def test_it_pages_the_trail(world):
    s = world.scope("sup_a")
    for i in range(12):
        services.do_add_milestone(
            s, world.pa, {"name": f"节点{i:02d}", "planned_date": "2022-06-30"}
        )
    url = f"/projects/{world.pa.pk}/"

    def trail(suffix: str = "") -> str:
        body = page(world, "sup_a", url + suffix)
        return body[body.index('id="trail"') :]

    first = trail()
    assert first.count('<tr><td class="nowrap">') == 10
    assert "第 1 / 2 页" in first
    assert "节点11" in first and "节点00" not in first  # newest first, ten a page
    assert "节点00" in trail("?trail=2")
    # A nonsense page number shows a page, never an error.
    assert "节点11" in trail("?trail=abc")
    assert "节点00" in trail("?trail=99999999999999999999")
