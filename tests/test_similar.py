"""Similar problems, 合并 and the radar on a hand-built ledger (docs/similar.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.models import AuditEntry
from taizhang.enterprises import services as ent_services
from taizhang.matters import steps
from taizhang.matters.merge import do_merge_problems
from taizhang.matters.models import Kind, Matter, Notification, Status
from taizhang.similar import figures
from taizhang.similar.models import RadarLink
from taizhang.similar.services import do_task_from_cluster, tasks_of
from tests.conftest import make_user
from tests.enterprise_fixtures import code, new_problem

DAY = dt.date(2022, 3, 1)
POWER = "园区变压器容量不足，申请电力增容"
POWER_AGAIN = "厂区用电容量不够，希望协调供电公司扩容"


@pytest.fixture
def third(eworld):
    """A third enterprise of district A, with its own user."""
    e = ent_services.do_create_enterprise(
        eworld.w.scope("admin"),
        {
            "name": "鹤飞电子",
            "credit_code": code(7),
            "division": eworld.w.a,
            "category": "industry",
        },
    )
    eworld.w.users["ent_a3"] = make_user("ent_a3", "enterprise", enterprise=e)
    return e


def _power(ew, who, enterprise, title=POWER, day=DAY) -> Matter:
    return new_problem(ew, who, enterprise, title, raised_on=day)


def test_it_stores_the_words_of_a_new_problem_for_the_prefilter(eworld):
    m = _power(eworld, "ent_a", eworld.w.enterprise_a)
    assert " 增容 " in m.similar_keys and " 用电容量 " in m.similar_keys  # 变压器容量 → 用电容量
    assert " 企业 " not in m.similar_keys  # a stopword would pair every problem


def test_it_suggests_a_reworded_problem_as_a_likely_duplicate(eworld):
    w = eworld.w
    m = _power(eworld, "ent_a", w.enterprise_a)
    found = figures.similar_to(w.scope("sup_a"), POWER_AGAIN, "")
    assert [c.matter.pk for c in found] == [m.pk]
    assert found[0].score >= figures.threshold()
    # An unrelated text finds nothing, and another district's office does not see A's problem.
    assert figures.similar_to(w.scope("sup_a"), "出口退税到账慢", "") == []
    assert figures.similar_to(w.scope("sup_b"), POWER_AGAIN, "") == []


def test_it_merges_a_duplicate_into_the_kept_problem_and_tells_both_enterprises(eworld, third):
    w = eworld.w
    keep = _power(eworld, "ent_a", w.enterprise_a)
    dup = _power(eworld, "ent_a3", third, POWER_AGAIN)
    before = AuditEntry.objects.count()
    result = do_merge_problems(w.scope("sup_a"), keep, dup, "同一台变压器", date=DAY)
    dup.refresh_from_db()
    keep.refresh_from_db()
    assert dup.status == Status.CLOSED and dup.merged_into_id == keep.pk
    assert result.step.label == "合并" and result.step.note == "同一台变压器"
    assert list(keep.other_enterprises.all()) == [third]
    assert keep.steps.filter(action="merge_in", note__contains=dup.number).exists()
    told = Notification.objects.filter(title__contains="问题已合并办理")
    assert {(n.user.username, n.matter_id) for n in told} == {
        ("ent_a", keep.pk),
        ("ent_a3", dup.pk),
    }
    assert AuditEntry.objects.count() - before == 2
    # The merged problem is no longer a candidate.
    assert figures.similar_to(w.scope("sup_a"), POWER_AGAIN, "", exclude=keep.pk) == []


def test_it_merges_through_the_step_table(eworld, third):
    w = eworld.w
    keep = _power(eworld, "ent_a", w.enterprise_a)
    dup = _power(eworld, "ent_a3", third, POWER_AGAIN)
    r = steps.take_step(
        w.scope("sup_a"), dup, "merge", {"version": dup.version, "into": keep.pk, "reason": "重复"}
    )
    assert r.matter.status == Status.CLOSED and r.matter.merged_into_id == keep.pk


def test_it_refuses_bad_merges_and_changes_nothing(eworld, third):
    w = eworld.w
    keep = _power(eworld, "ent_a", w.enterprise_a)
    dup = _power(eworld, "ent_a3", third, POWER_AGAIN)
    sup = w.scope("sup_a")
    with pytest.raises(ValidationError, match="它自己"):
        do_merge_problems(sup, keep, keep, "重复")
    with pytest.raises(ValidationError, match="合并理由"):
        do_merge_problems(sup, keep, dup, "  ")
    # Another district's problem: outside the office's scope.
    with pytest.raises(ValidationError, match="不在您的范围内"):
        do_merge_problems(sup, eworld.problem_b, dup, "重复")
    with pytest.raises(ValidationError, match="不在您的范围内"):
        do_merge_problems(w.scope("sup_b"), keep, dup, "重复")
    # Only the office merges.
    with pytest.raises(PermissionDenied):
        do_merge_problems(w.scope("cadre_a"), keep, dup, "重复")
    Matter.objects.filter(pk=keep.pk).update(status=Status.CLOSED)
    with pytest.raises(ValidationError, match="已销号"):
        do_merge_problems(sup, keep, dup, "重复")
    dup.refresh_from_db()
    assert dup.status == Status.SUBMITTED and dup.merged_into_id is None
    assert not keep.other_enterprises.exists()


def test_it_clusters_a_pattern_and_turns_it_into_one_task(eworld, third):
    w = eworld.w
    made = [
        _power(eworld, "ent_a", w.enterprise_a),
        _power(eworld, "ent_a2", eworld.enterprise_a2, POWER_AGAIN),
        _power(eworld, "ent_a3", third, "新建车间用电容量不足，申请增容"),
    ]
    sup = w.scope("sup_a")
    clusters = figures.radar(sup, today=DAY)
    assert len(clusters) == 1
    c = clusters[0]
    assert sorted(c.ids) == sorted(m.pk for m in made)
    assert c.enterprises == sorted([w.enterprise_a.name, eworld.enterprise_a2.name, third.name])
    assert c.representative.pk in c.ids
    # Below the enterprise floor (the office in B sees none of it) nothing is listed.
    assert figures.radar(w.scope("sup_b"), today=DAY) == []
    task, links = do_task_from_cluster(
        sup,
        c.ids,
        {
            "title": "园区电力增容",
            "lead_unit": w.unit_a,
            "deadline": dt.date(2022, 12, 31),
            "raised_on": DAY,
        },
    )
    assert task.kind == Kind.SUPERVISION_TASK and len(links) == 3
    assert [t.pk for t in tasks_of(sup, made[0])] == [task.pk]
    assert figures.radar(sup, today=DAY) == []  # a cluster turned into a task leaves the radar
    with pytest.raises(ValidationError, match="已关联督办任务"):
        do_task_from_cluster(sup, c.ids, {"title": "再来一次", "lead_unit": w.unit_a})
    with pytest.raises(PermissionDenied):
        do_task_from_cluster(w.scope("unit_a"), c.ids, {"title": "x", "lead_unit": w.unit_a})
    with pytest.raises(ValidationError, match="不在您的范围内"):
        do_task_from_cluster(
            sup, [made[0].pk, eworld.problem_b.pk], {"title": "x", "lead_unit": w.unit_a}
        )
    assert RadarLink.objects.count() == 3
