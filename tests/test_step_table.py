"""The one step table: every registered kind's status × action table, a throwaway kind driven
through the web and the API, version conflicts, and fresh deadlines when a matter reopens."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from pydantic import Field

from taizhang.attachments import services as attachments
from taizhang.attachments.models import Attachment
from taizhang.core.errors import messages_of
from taizhang.core.models import AuditEntry, Person
from taizhang.core.scope import Scope
from taizhang.matters import services, steps
from taizhang.matters.models import Kind, Matter, MatterStep, Rating, Status
from taizhang.matters.steps import Step, StepInput, StepResult
from taizhang.matters.workflow import Actor, Transition
from taizhang.petitions.models import PetitionDetail
from taizhang.tasks.models import Cycle, TaskDetail
from tests.attachment_files import jpeg

CHINESE = re.compile(r"[\u4e00-\u9fff]")
RAISED = dt.date(2022, 3, 1)

# Who takes a step of each actor in the table, and someone who may not.
RIGHT = {
    Actor.MANAGER: "sup_a",
    Actor.LEAD_UNIT: "unit_a",
    Actor.UNIT: "unit_a",
    Actor.OWN_UNIT: "unit_a",
    Actor.RATER: "ent_a",
}
WRONG = {
    Actor.MANAGER: "unit_a",
    Actor.LEAD_UNIT: "unit_a2",
    Actor.UNIT: "unit_a2",
    Actor.OWN_UNIT: "sup_a",
    Actor.RATER: "sup_a",
}


def valid_input(action: str, m: Matter) -> dict:
    """A valid input for each action of the registered kinds; a new action must add its own."""
    today = timezone.localdate()
    if action == "merge":
        # 合并 into another open problem of district A (eworld's 用地手续慢, 已交办).
        keep = Matter.objects.get(title="用地手续慢")
        return {"into": keep.pk, "reason": "重复登记", "version": m.version}
    return (
        {
            "accept": {},
            "assign": {"lead_unit": m.lead_unit_id},
            "progress": {"note": "已对接"},
            "report": {"note": "已办结", "evidence": "办结报告"},
            "rate": {"rating": Rating.SATISFIED},
            "close": {},
            "return": {"note": "未落实"},
            # Within 30 days of the first deadline (today + 10): petitions allow no more.
            "request_extension": {"deadline": today + dt.timedelta(days=35), "reason": "等待批复"},
            "approve_extension": {},
            "refuse_extension": {},
            "urge": {"level": "blue", "note": "请加快办理"},
            "submit_report": {"period": "2022-03", "text": "按计划推进"},
            "rectify": {"note": "已整改"},
            "recheck_pass": {},
            "recheck_fail": {"note": "仍不达标"},
            "reject": {"note": "不属于受理范围"},
            "take_charge": {
                "leader": Person.objects.filter(division=m.division, is_leader=True).first().pk
            },
        }[action]
        | _kind_input(action, m)
        | {"version": m.version}
    )


def _kind_input(action: str, m: Matter) -> dict:
    """What a kind's own schema adds: a rectification's report names its after-photos."""
    if m.kind == Kind.RECTIFICATION and action == "rectify":
        photos = Attachment.objects.filter(owner_id=m.pk, step_id__isnull=True)
        return {"photos": list(photos.values_list("pk", flat=True))}
    return {}


def make_matter(ew, spec: steps.KindSteps, status: str, action: str) -> Matter:
    """A matter of the kind in the given status, with what that status implies already set."""
    w = ew.w
    today = timezone.localdate()
    after_assign = status not in {Status.SUBMITTED, Status.ACCEPTED}
    m = Matter.objects.create(
        kind=spec.kind,
        division=w.a,
        title=f"{spec.label}·{status}·{action}",
        raised_on=RAISED,
        status=status,
        enterprise=w.enterprise_a if spec.kind == Kind.ENTERPRISE_PROBLEM else None,
        category=ew.ordinary if spec.kind == Kind.ENTERPRISE_PROBLEM else None,
        lead_unit=w.unit_a,
        assigned_on=RAISED if after_assign else None,
        deadline=today + dt.timedelta(days=10) if after_assign else None,
        original_deadline=today + dt.timedelta(days=10) if after_assign else None,
        finished_on=RAISED if status in {Status.REPORTED, Status.RATED, Status.CLOSED} else None,
        rating=Rating.SATISFIED if status in {Status.RATED, Status.CLOSED} else "",
        pending_deadline=(
            today + dt.timedelta(days=30)
            if action in {"approve_extension", "refuse_extension"}
            else None
        ),
    )
    if "submit_report" in spec.steps:
        TaskDetail.objects.create(matter=m, year=2022, cycle=Cycle.NONE, start=RAISED)
    if spec.kind == Kind.PETITION:
        PetitionDetail.objects.create(matter=m, channel="letter")
    if spec.kind == Kind.RECTIFICATION:
        # The after-photo a 整改报送 must name, uploaded before the step.
        attachments.do_attach(ew.scope("sup_a"), m, [jpeg()])
    return m


def snapshot(m: Matter) -> tuple:
    m = Matter.objects.get(pk=m.pk)
    return (
        m.status,
        m.version,
        m.deadline,
        m.rating,
        m.pending_deadline,
        MatterStep.objects.filter(matter=m).count(),
        AuditEntry.objects.filter(root_type="matters.matter", root_id=str(m.pk)).count(),
    )


def message(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return " ".join(x for msgs in messages_of(e).values() for x in msgs)
    return str(e)


KINDS = [
    Kind.ENTERPRISE_PROBLEM,
    Kind.SUPERVISION_TASK,
    Kind.SUGGESTION,
    Kind.PROPOSAL,
    Kind.PETITION,
    Kind.RECTIFICATION,
]

# The table spelled out, so that a change to it is a change to this test too:
# action -> (statuses it may run from, status it leads to; None: unchanged).
S = Status
OPEN = {S.ASSIGNED, S.IN_PROGRESS, S.RETURNED}
PROBLEM = {
    "accept": ({S.SUBMITTED}, S.ACCEPTED),
    "assign": ({S.ACCEPTED}, S.ASSIGNED),
    "progress": (OPEN, S.IN_PROGRESS),
    "report": (OPEN, S.REPORTED),
    "rate": ({S.REPORTED}, S.RATED),
    "close": ({S.RATED}, S.CLOSED),
    "return": ({S.REPORTED, S.RATED}, S.RETURNED),
    "request_extension": (OPEN, None),
    "approve_extension": (OPEN, None),
    "refuse_extension": (OPEN, None),
    # 合并 (matters/merge.py): a duplicate still open closes into the problem it repeats.
    "merge": ({S.SUBMITTED, S.ACCEPTED} | OPEN, S.CLOSED),
}
TASK_EXTRA = {"urge": (OPEN, None), "submit_report": (OPEN, S.IN_PROGRESS)}
TASK = {k: v for k, v in PROBLEM.items() if k not in {"rate", "merge"}} | TASK_EXTRA
TASK["close"] = ({S.REPORTED, S.RATED}, S.CLOSED)
EXPECTED = {
    Kind.ENTERPRISE_PROBLEM: PROBLEM,
    Kind.SUPERVISION_TASK: TASK,
    Kind.SUGGESTION: {k: v for k, v in PROBLEM.items() if k != "merge"} | TASK_EXTRA,
    Kind.PROPOSAL: {k: v for k, v in PROBLEM.items() if k != "merge"} | TASK_EXTRA,
    # 信访: 不予受理 closes at once, 领导包案 at any stage until 答复 is rated, the office
    # records the 回访评价 and closes with 化解/办结 (rated or not).
    Kind.PETITION: {k: v for k, v in PROBLEM.items() if k != "merge"}
    | {
        "reject": ({S.SUBMITTED}, S.CLOSED),
        "take_charge": (OPEN | {S.ACCEPTED, S.REPORTED}, None),
        "close": ({S.REPORTED, S.RATED}, S.CLOSED),
    },
    # 创文整改: born assigned at the inspection; 整改报送, then 复查 passes or sends it back.
    Kind.RECTIFICATION: {
        "progress": (OPEN, S.IN_PROGRESS),
        "rectify": (OPEN, S.REPORTED),
        "recheck_pass": ({S.REPORTED}, S.CLOSED),
        "recheck_fail": ({S.REPORTED}, S.RETURNED),
    },
}


def test_it_registers_every_kind_of_matter_and_nothing_else():
    assert sorted(k.kind for k in steps.registered_kinds()) == sorted(KINDS)
    assert sorted(KINDS) == sorted(Kind.values)  # no Kind without steps behind it


@pytest.mark.parametrize("kind", KINDS)
def test_it_allows_exactly_the_table_for_every_status_and_action(eworld, kind):
    ew = eworld
    spec = steps.kind_steps(kind)
    assert spec is not None
    table = {a: (set(t.sources), t.target) for a, t in spec.transitions.items()}
    assert table == EXPECTED[kind]
    checked = {"ok": 0, "refused": 0, "denied": 0}
    for status in Status.values:
        for action, step in spec.steps.items():
            t = step.transition
            m = make_matter(ew, spec, status, action)
            if status not in t.sources:
                before = snapshot(m)
                with pytest.raises(ValidationError) as e:
                    steps.take_step(ew.scope(RIGHT[t.actor]), m, action, valid_input(action, m))
                text = message(e.value)
                assert "不能执行" in text or "尚未评价" in text, (status, action, text)
                assert snapshot(m) == before, (status, action)
                checked["refused"] += 1
                continue
            before = snapshot(m)
            with pytest.raises(PermissionDenied) as e:
                steps.take_step(ew.scope(WRONG[t.actor]), m, action, valid_input(action, m))
            assert CHINESE.search(str(e.value)), (status, action)
            assert snapshot(m) == before, (status, action)
            checked["denied"] += 1
            result = steps.take_step(ew.scope(RIGHT[t.actor]), m, action, valid_input(action, m))
            assert isinstance(result, StepResult)
            after = Matter.objects.get(pk=m.pk)
            assert result.matter.version == after.version == before[1] + 1, (status, action)
            assert after.status == (t.target or status), (status, action)
            assert result.step.action == action and result.step.from_status == status
            assert snapshot(m)[5:] == (before[5] + 1, before[6] + 1)  # one step, one audit entry
            checked["ok"] += 1
    # Every action is allowed somewhere and refused somewhere.
    assert checked["ok"] >= len(spec.steps) and checked["refused"] > checked["ok"]


def test_it_refuses_the_steps_that_used_to_slip_through(eworld):
    ew = eworld
    spec = steps.kind_steps(Kind.ENTERPRISE_PROBLEM)
    closed = make_matter(ew, spec, Status.CLOSED, "return")
    with pytest.raises(ValidationError, match="当前状态为「已销号」，不能执行「退回重办」"):
        steps.take_step(ew.scope("sup_a"), closed, "return", valid_input("return", closed))
    task = make_matter(ew, steps.kind_steps(Kind.SUPERVISION_TASK), Status.REPORTED, "progress")
    with pytest.raises(ValidationError, match="当前状态为「已办结」，不能执行「办理中」"):
        steps.take_step(ew.scope("unit_a"), task, "progress", valid_input("progress", task))


def test_it_refuses_bad_input_by_field_in_chinese(eworld):
    m = eworld.problem_a
    with pytest.raises(ValidationError) as e:
        steps.take_step(eworld.scope("sup_a"), m, "request_extension", {"deadline": "明天"})
    assert messages_of(e.value) == {
        "version": ["缺少有效的版本号，请刷新页面后重试"],
        "deadline": ["延期后时限应为日期，格式 YYYY-MM-DD"],
        "reason": ["请填写延期理由"],
    }
    with pytest.raises(ValidationError, match="该类事项没有「fly」环节"):
        steps.take_step(eworld.scope("sup_a"), m, "fly", {"version": m.version})


# A throwaway kind: registered here, driven through the web and the API -----------------


class InspectInput(StepInput):
    finding: str = Field(title="检查发现", max_length=200)
    score: int = Field(title="评分")


def do_inspect(
    scope: Scope, matter: Matter, *, finding: str, score: int, expected_version: int | None
) -> StepResult:
    def apply(m: Matter, day: dt.date) -> services.Change:
        if not 0 <= score <= 100:
            raise ValidationError({"score": ["评分应在0到100之间"]})
        m.rating_comment = finding
        return services.Change(label=f"检查（{score}分）", audit={"评分": score})

    return services.run_step(
        scope, matter, "inspect", expected_version=expected_version, note=finding, apply=apply
    )


INSPECT = Transition(
    "inspect", "现场检查", frozenset({Status.ASSIGNED}), Status.IN_PROGRESS, Actor.MANAGER
)


def test_it_runs_a_kind_registered_by_itself_through_web_and_api(eworld):
    w = eworld.w
    with steps.kind_registered(
        "inspection", [Step(INSPECT, InspectInput, do_inspect)], label="检查"
    ):
        m = Matter.objects.create(
            kind="inspection",
            division=w.a,
            title="安全生产检查",
            raised_on=RAISED,
            status=Status.ASSIGNED,
            lead_unit=w.unit_a,
        )
        web = Client()
        web.force_login(w.users["sup_a"])
        url = f"/matters/{m.pk}/steps/inspect/"
        r = web.post(url, {"version": m.version, "finding": "消防通道堵塞", "score": "abc"})
        assert r.status_code == 302
        assert snapshot(m)[:2] == (Status.ASSIGNED, 1)
        r = web.post(
            url,
            {"version": m.version, "finding": "消防通道堵塞", "score": "70", "next": "/my/"},
            follow=True,
        )
        assert "已完成「检查（70分）」，当前状态：办理中" in r.content.decode()
        m.refresh_from_db()
        assert m.status == Status.IN_PROGRESS and m.rating_comment == "消防通道堵塞"
        # Only the office inspects; a unit user is refused on the web too.
        Matter.objects.filter(pk=m.pk).update(status=Status.ASSIGNED)
        unit = Client()
        unit.force_login(w.users["unit_a"])
        assert unit.post(url, {"version": m.version, "finding": "x", "score": 1}).status_code == 403

        api = Client()
        api.force_login(w.users["sup_a"])
        got = api.get(f"/api/v1/matters/{m.pk}").json()
        assert got["kind_label"] == "检查" and got["allowed_actions"] == ["inspect"]
        body = {"version": m.version, "finding": "已整改", "score": 101}
        r = api.post(f"/api/v1/matters/{m.pk}/steps/inspect", json.dumps(body), "application/json")
        assert r.status_code == 422 and r.json()["errors"] == {"score": ["评分应在0到100之间"]}
        r = api.post(
            f"/api/v1/matters/{m.pk}/steps/inspect",
            json.dumps(body | {"score": 95}),
            "application/json",
        )
        assert r.status_code == 200, r.content
        out = r.json()
        assert out["status"] == "in_progress" and out["step"]["label"] == "检查（95分）"
        assert [s["action"] for s in out["steps"]] == ["inspect", "inspect"]
        r = api.post(
            f"/api/v1/matters/{m.pk}/steps/inspect",
            json.dumps(body | {"score": 95}),
            "application/json",
        )
        assert r.status_code == 409
    # Gone with the block: the table no longer knows it.
    assert steps.kind_steps("inspection") is None


def test_it_refuses_to_register_a_schema_its_function_cannot_take():
    class Wrong(StepInput):
        findings: str = Field(title="检查发现")

    with pytest.raises(TypeError, match="does not take"):
        steps.register_kind("inspection", [Step(INSPECT, Wrong, do_inspect)])
    assert steps.kind_steps("inspection") is None


# Version conflicts: web and API -------------------------------------------------------


def test_it_refuses_a_stale_step_on_the_web_and_with_409_in_the_api(eworld):
    ew = eworld
    m = ew.problem_a
    web = Client()
    web.force_login(ew.users["unit_a"])
    r = web.post(
        f"/problems/{m.pk}/act/",
        {"action": "progress", "version": m.version - 1, "note": "旧页面"},
        follow=True,
    )
    assert "已被他人处理" in r.content.decode()
    assert snapshot(m)[1] == m.version
    api = Client()
    api.force_login(ew.users["unit_a"])
    url = f"/api/v1/matters/{m.pk}/steps/progress"
    r = api.post(url, json.dumps({"version": m.version - 1, "note": "x"}), "application/json")
    assert r.status_code == 409 and "已被他人处理" in r.json()["detail"]
    r = api.post(url, json.dumps({"note": "x"}), "application/json")
    assert r.status_code == 422 and "version" in r.json()["errors"]
    assert snapshot(m)[1] == m.version
    r = api.post(url, json.dumps({"version": m.version, "note": "已对接"}), "application/json")
    assert r.status_code == 200 and r.json()["version"] == m.version + 1


def test_it_shows_each_actions_fields_in_openapi(eworld):
    c = Client()
    c.force_login(eworld.users["sup_a"])
    paths = c.get("/api/v1/openapi.json").json()["paths"]
    body = paths["/api/v1/matters/{pk}/steps/assign"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    # One variant per kind whose 交办 differs (petitions: 承办单位 and 包案领导).
    variants = schema.get("anyOf", [schema])
    fields = next(v["properties"] for v in variants if "co_units" in v["properties"])
    assert fields["lead_unit"]["title"] == "主办单位" and "version" in fields
    finish = paths["/api/v1/matters/{pk}/steps/report"]["post"]["requestBody"]
    variants = finish["content"]["application/json"]["schema"]["anyOf"]
    assert any("evidence" in v["properties"] for v in variants)  # tasks: 办结须佐证
    assert not any("/problems/{pk}/" in p and p.endswith("/accept") for p in paths)


# Reopening: a fresh deadline, never earlier than the one promised -------------------------


def reported(ew, deadline: dt.date) -> Matter:
    """problem_a reassigned with a long deadline, finished on 10 March 2022."""
    m = Matter.objects.get(pk=ew.problem_a.pk)
    Matter.objects.filter(pk=m.pk).update(deadline=deadline, original_deadline=deadline)
    m.refresh_from_db()
    return services.do_finish(
        ew.scope("unit_a"), m, note="已办结", expected_version=m.version, date=dt.date(2022, 3, 10)
    ).matter


def test_it_keeps_the_original_deadline_when_an_unsatisfied_rating_reopens(eworld):
    m = reported(eworld, dt.date(2022, 4, 29))
    # 7 working days from 11 March would be 22 March: earlier than promised, so 29 April.
    m = services.do_rate(
        eworld.scope("ent_a"),
        m,
        rating=Rating.UNSATISFIED,
        comment="未解决",
        expected_version=m.version,
        date=dt.date(2022, 3, 11),
    ).matter
    assert m.status == Status.RETURNED and m.deadline == dt.date(2022, 4, 29)
    # The enterprise cannot shorten it either.
    m = services.do_finish(
        eworld.scope("unit_a"),
        m,
        note="再办",
        expected_version=m.version,
        date=dt.date(2022, 3, 14),
    ).matter
    with pytest.raises(ValidationError, match="只有督查室"):
        services.do_rate(
            eworld.scope("ent_a"),
            m,
            rating=Rating.UNSATISFIED,
            comment="仍未解决",
            new_deadline=dt.date(2022, 3, 25),
            allow_earlier=True,
            expected_version=m.version,
            date=dt.date(2022, 3, 15),
        )


def test_it_counts_a_send_back_from_the_reopening_day(eworld):
    m = reported(eworld, dt.date(2022, 3, 10))
    m = services.do_send_back(
        eworld.scope("sup_a"),
        m,
        note="未落实",
        expected_version=m.version,
        date=dt.date(2022, 6, 1),
    ).matter
    # 7 working days from 1 June 2022 (端午 3 June): 13 June.
    assert m.deadline == services.default_deadline(m, dt.date(2022, 6, 1)) > dt.date(2022, 6, 1)
    assert m.steps.get(action="return").deadline_after == m.deadline


def test_it_sets_an_earlier_redo_deadline_only_when_the_office_confirms(eworld):
    m = reported(eworld, dt.date(2022, 4, 29))
    sup = eworld.scope("sup_a")
    before = snapshot(m)
    with pytest.raises(ValidationError) as e:
        services.do_send_back(
            sup,
            m,
            note="抓紧",
            deadline=dt.date(2022, 3, 25),
            expected_version=m.version,
            date=dt.date(2022, 3, 11),
        )
    assert "早于原办理时限（2022-04-29）" in message(e.value) and "确认" in message(e.value)
    assert snapshot(m) == before
    # Through the web form (steps dated today): the checkbox is the confirmation.
    today = timezone.localdate()
    promised, earlier = today + dt.timedelta(days=60), today + dt.timedelta(days=20)
    Matter.objects.filter(pk=m.pk).update(deadline=promised, original_deadline=promised)
    before = snapshot(m)
    web = Client()
    web.force_login(eworld.users["sup_a"])
    form = {"action": "return", "version": m.version, "note": "抓紧", "deadline": earlier}
    r = web.post(f"/problems/{m.pk}/act/", form, follow=True)
    assert "请勾选「确认重办时限早于原办理时限」" in r.content.decode()
    assert snapshot(m) == before
    web.post(f"/problems/{m.pk}/act/", form | {"allow_earlier": "1"})
    m.refresh_from_db()
    assert m.status == Status.RETURNED and m.deadline == earlier
