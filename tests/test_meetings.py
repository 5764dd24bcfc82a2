"""Meetings and instructions: one batch of decisions becomes tracked supervision tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from taizhang.core.models import AuditEntry
from taizhang.matters.models import Kind, Matter, Status
from taizhang.meetings import services
from taizhang.meetings.figures import meeting_figures
from taizhang.meetings.models import Decision, Instruction, Meeting
from taizhang.tasks import services as tasks
from taizhang.tasks.models import TaskSource
from tests.enterprise_fixtures import new_problem
from tests.meetings_fixtures import meeting_data
from tests.task_fixtures import frozen

DAY = dt.date(2022, 3, 7)


def make_meeting(w, **extra) -> Meeting:
    with frozen(dt.date(2022, 3, 8)):
        return services.do_create_meeting(w.scope("sup_a"), meeting_data(w, **extra))


def test_it_turns_each_decision_into_an_assigned_supervision_task(world):
    m = make_meeting(world)
    assert m.doc_number == "山会纪〔2022〕1号"
    decisions = list(m.decisions.select_related("matter__task", "matter__lead_unit"))
    assert [d.order for d in decisions] == [1, 2]
    first = decisions[0].matter
    assert first.kind == Kind.SUPERVISION_TASK and first.status == Status.ASSIGNED
    assert first.task.task_source == TaskSource.MEETING
    assert first.lead_unit == world.unit_a and first.deadline == dt.date(2022, 3, 31)
    assert list(first.co_units.all()) == [world.unit_a_town]
    assert first.raised_on == DAY and first.task.doc_number == "山会纪〔2022〕1号第1项"
    assert [i.subject for i in m.items.all()] == [world.pa, world.enterprise_a]
    # The lead unit sees its task among its tracked matters.
    assert world.scope("unit_a_town").contains(decisions[1].matter)
    assert AuditEntry.objects.filter(verb="登记会议", object_id=str(m.pk)).exists()
    # The second meeting of the year takes the next 文号.
    assert make_meeting(world).doc_number == "山会纪〔2022〕2号"


def test_it_refuses_a_bad_batch_with_every_message_and_saves_nothing(world):
    data = meeting_data(world)
    data["decisions"][0]["deadline"] = "2022-03-01"  # before the meeting
    data["decisions"][1]["lead_unit"] = ""
    data["chair"] = ""
    before = Matter.objects.count()
    with frozen(dt.date(2022, 3, 8)), pytest.raises(ValidationError) as e:
        services.do_create_meeting(world.scope("sup_a"), data)
    errors = e.value.message_dict
    assert errors["chair"] == ["请选择会议主持人"]
    assert "不能早于发布日期" in errors["decisions.0.deadline"][0]
    assert errors["decisions.0.deadline"][0].startswith("第1条议定事项：")
    assert "请选择牵头单位" in errors["decisions.1.lead_unit"][0]
    assert Matter.objects.count() == before and not Meeting.objects.exists()


def test_it_refuses_a_meeting_in_the_future_and_another_districts_unit(world):
    data = meeting_data(world, date="2022-03-09")
    data["decisions"][1]["lead_unit"] = world.unit_b.pk
    with frozen(dt.date(2022, 3, 8)), pytest.raises(ValidationError) as e:
        services.do_create_meeting(world.scope("sup_a"), data)
    errors = e.value.message_dict
    assert errors["date"] == ["会议日期不能晚于今天"]
    with frozen(dt.date(2022, 3, 10)), pytest.raises(ValidationError) as e:
        services.do_create_meeting(
            world.scope("sup_a"), meeting_data(world, projects=[world.pb.pk])
        )
    assert "不在您的范围内" in e.value.message_dict["projects"][0]


def test_it_lets_only_the_office_register_a_meeting(world):
    with pytest.raises(PermissionDenied):
        services.do_create_meeting(world.scope("unit_a"), meeting_data(world))


def test_it_links_a_decision_to_the_problem_it_settles(eworld):
    w = eworld.w
    problem = new_problem(
        eworld, "ent_a", w.enterprise_a, "用电增容难", raised_on=dt.date(2022, 3, 1)
    )
    data = meeting_data(w, problems=[problem.pk])
    data["decisions"][0]["problem"] = problem.pk
    with frozen(dt.date(2022, 3, 8)):
        m = services.do_create_meeting(w.scope("sup_a"), data)
    d = m.decisions.get(order=1)
    assert d.problem == problem and list(problem.meeting_decisions.all()) == [d]
    assert m.items.filter(problem=problem).exists()


def test_it_counts_decisions_done_on_time_and_overdue_as_of_a_date(world):
    m = make_meeting(world)
    sup = world.scope("sup_a")
    first, second = (d.matter for d in m.decisions.order_by("order"))
    with frozen(dt.date(2022, 3, 20)):
        tasks.do_finish_task(
            sup,
            first,
            note="已增容",
            evidence="供电公司回函",
            expected_version=first.version,
            date=dt.date(2022, 3, 20),
        )
    fig = meeting_figures(sup, world.a, 2022, as_of=dt.date(2022, 4, 10))
    assert (fig["meetings"], fig["decisions"], fig["done"], fig["done_on_time"], fig["overdue"]) == (
        1, 2, 1, 1, 1,
    )  # fmt: skip
    assert str(fig["on_time_rate_pct"]) == "50.0"
    assert fig["by_month"] == [
        {
            "month": 3,
            "meetings": 1,
            "decisions": 2,
            "done": 1,
            "done_on_time": 1,
            "overdue": 1,
            "open": 0,
        }
    ]
    # As of 14 March the second decision was not yet due; nothing was done.
    early = meeting_figures(sup, world.a, 2022, as_of=dt.date(2022, 3, 14))
    assert (early["done"], early["overdue"], early["open"]) == (0, 0, 2)
    # The other district's office counts nothing of A's.
    assert meeting_figures(world.scope("sup_b"), world.b, 2022)["decisions"] == 0
    # A unit counts only the decisions it handles.
    assert (
        meeting_figures(world.scope("unit_a_town"), world.a, 2022, as_of=dt.date(2022, 4, 10))[
            "decisions"
        ]
        == 2
    )  # lead on one, co-unit on the other


def test_it_turns_an_instruction_on_a_problem_into_a_task(eworld):
    w = eworld.w
    problem = new_problem(eworld, "ent_a", w.enterprise_a, "招工难", raised_on=dt.date(2022, 3, 1))
    with frozen(dt.date(2022, 3, 8)):
        ins = services.do_create_instruction(
            w.scope("sup_a"),
            {
                "leader": w.leader_a.pk,
                "text": "请人社局一周内拿出招工方案。",
                "given_on": "2022-03-08",
                "on_matter": problem.pk,
                "lead_unit": w.unit_a.pk,
                "deadline": "2022-03-15",
            },
        )
    task = ins.task
    assert task.task.task_source == TaskSource.INSTRUCTION
    assert task.title == "落实王区长批示：招工难"
    assert task.description == "请人社局一周内拿出招工方案。"
    assert task.task.proposer == "王区长" and task.leader == w.leader_a
    assert list(problem.instructions.all()) == [ins]
    assert AuditEntry.objects.filter(verb="领导批示转督办").count() == 1


def test_it_refuses_an_instruction_without_a_subject_or_before_the_matter(eworld):
    w = eworld.w
    problem = new_problem(eworld, "ent_a", w.enterprise_a, "招工难", raised_on=dt.date(2022, 3, 1))
    base = {"leader": w.leader_a.pk, "text": "抓紧办理", "lead_unit": w.unit_a.pk}
    with frozen(dt.date(2022, 3, 8)):
        with pytest.raises(ValidationError) as e:
            services.do_create_instruction(w.scope("sup_a"), base | {"given_on": "2022-03-02"})
        assert "请说明批示的对象" in e.value.message_dict["doc_title"][0]
        with pytest.raises(ValidationError) as e:
            services.do_create_instruction(
                w.scope("sup_a"), base | {"given_on": "2022-02-20", "on_matter": problem.pk}
            )
        assert "不能早于事项的提出日期" in e.value.message_dict["given_on"][0]
        # Another district's office does not find the problem.
        with pytest.raises(ValidationError) as e:
            services.do_create_instruction(
                w.scope("sup_b"), base | {"given_on": "2022-03-02", "on_matter": problem.pk}
            )
        assert "不在您的范围内" in e.value.message_dict["on_matter"][0]
    assert not Instruction.objects.exists()


def test_it_turns_an_instruction_on_a_document_into_a_task(world):
    with frozen(dt.date(2022, 5, 8)):
        ins = services.do_create_instruction(
            world.scope("sup_a"),
            {
                "leader": world.leader_a.pk,
                "text": "认真研究，抓好落实。",
                "given_on": "2022-05-06",
                "doc_title": "关于加快新能源项目落地的报告",
                "lead_unit": world.unit_a.pk,
            },
        )
    assert ins.task.title == "落实王区长批示：关于加快新能源项目落地的报告"
    assert ins.division == world.a and ins.task.deadline == dt.date(2022, 12, 31)
    with pytest.raises(Http404):
        world.scope("sup_b").get(Instruction.objects.all(), ins.pk)
    assert not Decision.objects.exists()


def test_it_adds_the_meetings_section_to_the_bulletin_only_where_there_were_meetings(world):
    from taizhang.assessment import bulletin
    from taizhang.assessment import service as assessment
    from tests.matrix.world import SCHEME

    make_meeting(world)
    sup = world.scope("sup_a")
    assessment.do_save_scheme(sup, world.a, 2022, SCHEME)
    g = bulletin.gather(sup, world.a, "2022Q1", today=dt.date(2022, 4, 10))
    headings = [s.heading for s in g.content.sections]
    assert headings[-2:] == ["推进会议定事项落实情况", "下一步工作要求"]
    section = g.content.sections[-2]
    assert section.paragraphs[0] == (
        "2022年以来，共召开重点产业项目推进会等会议1次，议定事项2条，已办结0条（按时办结0条），"
        "逾期未办结1条，在办1条，按时办结率0.0%。"
    )
    assert section.tables[0].rows == [["3月", "1", "2", "0", "0", "1"]]
    assessment.do_save_scheme(world.scope("sup_b"), world.b, 2022, SCHEME)
    other = bulletin.gather(world.scope("sup_b"), world.b, "2022Q1", today=dt.date(2022, 4, 10))
    assert "推进会议定事项落实情况" not in [s.heading for s in other.content.sections]


def test_it_refuses_an_id_past_the_databases_range_in_chinese(world):
    with frozen(dt.date(2022, 3, 8)), pytest.raises(ValidationError) as e:
        services.do_create_instruction(
            world.scope("sup_a"),
            {
                "leader": world.leader_a.pk,
                "text": "抓紧办理",
                "given_on": "2022-03-08",
                "on_matter": "99999999999999999999999",
                "lead_unit": world.unit_a.pk,
            },
        )
    assert "不存在或不在您的范围内" in e.value.message_dict["on_matter"][0]
