"""The demo's supervision data: 2023 suggestions/proposals as seed 003 printed them, live tasks in every light."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.tasks.queries import (
    TaskFilter,
    answer_figures,
    filter_tasks,
    statuses,
    with_status,
)


def test_it_loads_2023_suggestions_and_proposals_and_live_tasks(demo_session, db, client):
    sup = get_user_model().objects.get(username="sc_duchashi")
    scope = Scope(sup)
    sc = Division.objects.get(code="410603")
    figs = {f["kind"]: f for f in answer_figures(scope, sc, 2023)}
    assert figs["suggestion"]["total"] == 96 and figs["proposal"]["total"] == 132
    for f in figs.values():
        assert str(f["finish_rate_pct"]) == "100.0" and str(f["satisfaction_rate_pct"]) == "100.0"
    f = TaskFilter(year=timezone.localdate().year)
    rows = list(with_status(filter_tasks(scope, f), f, timezone.localdate()))
    sts = statuses(rows, timezone.localdate())
    lights = {sts[m.pk].light.light.value for m in rows}
    assert len(rows) >= 7 and "red" in lights and len(lights) >= 2  # green or yellow by date
    client.force_login(sup)
    html = client.get("/tasks/answers/?year=2023").content.decode()
    assert (
        'data-figure="suggestion_total">96<' in html and 'data-figure="proposal_total">132<' in html
    )
    assert 'data-figure="proposal_satisfaction">100.0%<' in html
    # The district's other users see none of it.
    zh = Scope(get_user_model().objects.get(username="zh_duchashi"))
    # (湛河区 has tasks of its own: the decisions of its 推进会.)
    ours = filter_tasks(scope, TaskFilter()).values("pk")
    assert ours.exists() and not filter_tasks(zh, TaskFilter()).filter(pk__in=ours).exists()
