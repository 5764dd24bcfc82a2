"""Meeting pages: register a meeting with decision rows, see it, download its minutes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from django.test import Client
from docx import Document

from taizhang.core.models import AuditEntry
from taizhang.meetings import services
from taizhang.meetings.models import Instruction, Meeting
from tests.meetings_fixtures import meeting_data
from tests.streams import streamed
from tests.task_fixtures import frozen

TODAY = dt.date(2022, 3, 8)


def client(w, name: str) -> Client:
    c = Client()
    c.force_login(w.users[name])
    return c


def form(w, **extra) -> dict:
    return {
        "kind": "progress",
        "title": "湛河新区重点产业项目推进会",
        "date": "2022-03-07",
        "place": "区政府三楼会议室",
        "chair": str(w.leader_a.pk),
        "attendees": str(w.cadre_a.pk),
        "attendee_units": f"{w.unit_a.pk},{w.unit_a_town.pk}",
        "projects": str(w.pa.pk),
        "rows": "3",
        "d-0-text": "协调用电增容",
        "d-0-lead_unit": str(w.unit_a.pk),
        "d-0-deadline": "2022-03-31",
        "d-1-text": "",
        "d-2-text": "清理占道",
        "d-2-lead_unit": str(w.unit_a_town.pk),
        "d-2-deadline": "2022-03-15",
        **extra,
    }


def test_it_registers_a_meeting_from_the_form_skipping_empty_rows(world):
    c = client(world, "sup_a")
    with frozen(TODAY):
        r = c.post("/meetings/new/", form(world))
    assert r.status_code == 302, r.content.decode()[:2000]
    m = Meeting.objects.get()
    assert r["Location"] == f"/meetings/{m.pk}/"
    assert [d.text for d in m.decisions.order_by("order")] == ["协调用电增容", "清理占道"]
    with frozen(TODAY):
        body = c.get(r["Location"]).content.decode()
    assert "山会纪〔2022〕1号" in body and "协调用电增容" in body and "新拓洋生物科技产业园" in body
    # The project's page lists the meeting that discussed it.
    with frozen(TODAY):
        project_page = c.get(f"/projects/{world.pa.pk}/").content.decode()
    assert f"/meetings/{m.pk}/" in project_page and "会议研究" in project_page
    # The lead unit of one decision sees the meeting with only its own decision.
    with frozen(TODAY):
        body = client(world, "unit_a").get(f"/meetings/{m.pk}/").content.decode()
    assert "协调用电增容" in body and "清理占道" not in body and "另有 1 条" in body


def test_it_adds_a_row_without_saving_and_keeps_what_was_typed(world):
    c = client(world, "sup_a")
    with frozen(TODAY):
        r = c.post("/meetings/new/", form(world, more="1"))
    assert r.status_code == 200 and not Meeting.objects.exists()
    body = r.content.decode()
    assert len(re.findall(r'class="decision-row"', body)) == 3  # two filled + one new
    assert 'name="rows" value="3"' in body and "协调用电增容" in body


def test_it_shows_each_rows_error_under_it_and_saves_nothing(world):
    c = client(world, "sup_a")
    with frozen(TODAY):
        r = c.post("/meetings/new/", form(world, **{"d-2-deadline": "2022-03-01"}))
    assert r.status_code == 200 and not Meeting.objects.exists()
    body = r.content.decode()
    assert "第2条议定事项：完成时限（2022-03-01）不能早于发布日期（2022-03-07）" in body


def test_it_downloads_the_minutes_in_official_layout_and_audits_it(world):
    with frozen(TODAY):
        m = services.do_create_meeting(world.scope("sup_a"), meeting_data(world))
        r = client(world, "sup_a").get(f"/meetings/{m.pk}/minutes.docx")
    assert r.status_code == 200
    assert "wordprocessingml" in r["Content-Type"]
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "山城区人民政府会议纪要" in text and "山会纪〔2022〕1号" in text
    assert (
        "1．区发改委牵头协调新拓洋产业园用电增容，3月底前完成。责任单位：区发改委（配合单位：红旗街道办事处）；完成时限：2022年3月31日前。"
        in text
    )
    assert "出席：王区长、李干部" in text and "列席：区发改委、红旗街道办事处" in text
    entry = AuditEntry.objects.filter(verb="导出下载").latest("pk")
    assert entry.object_repr == "山会纪〔2022〕1号会议纪要"


def test_it_lists_meetings_with_figures_and_their_formulas(world):
    with frozen(TODAY):
        services.do_create_meeting(world.scope("sup_a"), meeting_data(world))
        body = client(world, "sup_a").get("/meetings/", {"year": 2022}).content.decode()
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', body))
    assert figures["meetings"] == "1" and figures["decisions"] == "2"
    assert "按时办结率 = 按时办结 ÷（已办结 + 逾期未办结）× 100%" in body
    with frozen(TODAY):
        other = client(world, "sup_b").get("/meetings/", {"year": 2022}).content.decode()
    assert "山会纪" not in other


def test_it_exports_the_decisions_ledger(world):
    with frozen(TODAY):
        services.do_create_meeting(world.scope("sup_a"), meeting_data(world))
        r = client(world, "sup_a").get("/meetings/decisions.csv")
    rows = list(csv.DictReader(io.StringIO(streamed(r).decode("utf-8-sig"))))
    assert [(row["纪要文号"], row["事项序号"], row["责任单位"]) for row in rows] == [
        ("山会纪〔2022〕1号", "1", "区发改委"),
        ("山会纪〔2022〕1号", "2", "红旗街道办事处"),
    ]
    assert rows[1]["完成时限"] == "2022-03-15" and rows[1]["亮灯"] == "黄灯"
    # A unit exports only the decisions it handles.
    with frozen(TODAY):
        r = client(world, "unit_a").get("/meetings/decisions.csv")
    assert len(list(csv.DictReader(io.StringIO(streamed(r).decode("utf-8-sig"))))) == 1


def test_it_turns_an_instruction_into_a_task_from_the_problem_page(eworld):
    from tests.enterprise_fixtures import new_problem

    w = eworld.w
    p = new_problem(eworld, "ent_a", w.enterprise_a, "招工难", raised_on=dt.date(2022, 3, 1))
    c = client(w, "sup_a")
    with frozen(TODAY):
        page = c.get(f"/problems/{p.pk}/").content.decode()
        assert "批示转督办" in page and f'name="on_matter" value="{p.pk}"' in page
        r = c.post(
            "/instructions/",
            {
                "on_matter": p.pk,
                "leader": w.leader_a.pk,
                "given_on": "2022-03-08",
                "text": "请一周内拿出招工方案",
                "lead_unit": w.unit_a.pk,
                "deadline": "2022-03-15",
                "next": f"/problems/{p.pk}/",
            },
        )
        assert r.status_code == 302 and r["Location"] == f"/problems/{p.pk}/"
        page = c.get(f"/problems/{p.pk}/").content.decode()
    ins = Instruction.objects.get()
    assert "请一周内拿出招工方案" in page and f"/tasks/{ins.task_id}/" in page
    with frozen(TODAY):
        task_page = c.get(f"/tasks/{ins.task_id}/").content.decode()
        listing = c.get("/instructions/").content.decode()
    assert "来源：领导批示" in task_page and "落实王区长批示：招工难" in listing


def test_it_answers_a_form_with_ids_past_the_databases_range_without_a_500(world):
    c = client(world, "sup_a")
    huge = "99999999999999999999999"
    with frozen(TODAY):
        r = c.post("/meetings/new/", form(world, division=huge, chair=huge, projects=huge))
        assert r.status_code == 200 and "请选择所属区划" in r.content.decode()
        r = c.post(
            "/instructions/",
            {"division": huge, "leader": world.leader_a.pk, "text": "办", "given_on": "2022-03-08",
             "doc_title": "报告", "lead_unit": world.unit_a.pk},
        )  # fmt: skip
    assert r.status_code == 200 and "请选择所属区划" in r.content.decode()
