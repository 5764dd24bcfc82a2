"""Logging a visit in the field: problems raised on the spot and the optional position."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from taizhang.core.models import AuditEntry
from taizhang.enterprises.models import Visit
from taizhang.matters import services as msvc
from taizhang.matters.models import Matter, MatterStep, Source, Status

DAY = dt.date(2022, 3, 5)


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def counts() -> tuple[int, int, int, int]:
    return (
        Visit.objects.count(),
        Matter.objects.count(),
        MatterStep.objects.count(),
        AuditEntry.objects.count(),
    )


def test_it_records_a_visit_and_two_problems_raised_on_the_spot_together(eworld):
    w = eworld.w
    v, matters = msvc.do_record_visit_with_problems(
        w.scope("cadre_a"),
        {"date": DAY, "enterprises": [w.enterprise_a], "notes": "了解用工"},
        [
            {"title": "缺少技术工人", "category": eworld.ordinary, "description": "急需焊工"},
            {"title": "贷款审批慢", "category": eworld.complex.pk},
        ],
    )
    assert [m.title for m in matters] == ["缺少技术工人", "贷款审批慢"]
    for m in Matter.objects.filter(visit=v):
        assert m.enterprise_id == w.enterprise_a.pk
        assert m.status == Status.SUBMITTED and m.source == Source.VISIT
        assert m.raised_on == DAY
        assert m.steps.get().action == "submit"
    assert Matter.objects.filter(visit=v).count() == 2
    assert v.persons.get() == w.cadre_a  # the cadre who logged it went
    entry = AuditEntry.objects.get(object_type="enterprises.visit", object_id=str(v.pk))
    assert "缺少技术工人" in json.dumps(entry.changes, ensure_ascii=False)
    # The office is told about the new problems, as for any other new problem.
    assert w.users["sup_a"].notifications.filter(matter__in=matters).count() == 2


def test_it_saves_nothing_when_one_problem_raised_on_the_spot_is_invalid(eworld):
    w = eworld.w
    before = counts()
    with pytest.raises(ValidationError) as err:
        msvc.do_record_visit_with_problems(
            w.scope("sup_a"),
            {"date": DAY, "enterprises": [w.enterprise_a]},
            [
                {"title": "缺少技术工人", "category": eworld.ordinary},
                {"title": "", "category": None},
            ],
        )
    assert err.value.message_dict["problems"] == [
        "第2个问题：请选择问题类别",
        "第2个问题：请填写问题标题",
    ]
    assert counts() == before


def test_it_asks_which_enterprise_a_problem_is_about_when_several_were_visited(eworld):
    w = eworld.w
    data = {"date": DAY, "enterprises": [w.enterprise_a, eworld.enterprise_a2]}
    with pytest.raises(ValidationError) as err:
        msvc.do_record_visit_with_problems(
            w.scope("sup_a"), data, [{"title": "用地", "category": eworld.ordinary}]
        )
    assert err.value.message_dict["problems"] == [
        "第1个问题：本次走访有多家企业，请选择问题所属企业"
    ]
    with pytest.raises(ValidationError) as err:
        msvc.do_record_visit_with_problems(
            w.scope("sup_a"),
            data,
            [{"title": "用地", "category": eworld.ordinary, "enterprise": eworld.enterprise_b}],
        )
    assert err.value.message_dict["problems"] == ["第1个问题：所属企业不在本次走访的企业中"]
    _, matters = msvc.do_record_visit_with_problems(
        w.scope("sup_a"),
        data,
        [{"title": "用地", "category": eworld.ordinary, "enterprise": eworld.enterprise_a2.pk}],
    )
    assert matters[0].enterprise_id == eworld.enterprise_a2.pk


def test_it_stores_a_position_only_when_one_was_taken(eworld):
    w = eworld.w
    scope = w.scope("sup_a")
    v, _ = msvc.do_record_visit_with_problems(scope, {"date": DAY, "enterprises": [w.enterprise_a]})
    assert v.latitude is None and v.longitude is None
    v, _ = msvc.do_record_visit_with_problems(
        scope,
        {
            "date": DAY,
            "enterprises": [w.enterprise_a],
            "latitude": "35.7478123",
            "longitude": "114.2973",
        },
    )
    v.refresh_from_db()
    assert (v.latitude, v.longitude) == (Decimal("35.747812"), Decimal("114.297300"))


@pytest.mark.parametrize(
    ("lat", "lng", "message"),
    [
        ("35.7", "", "位置不完整：经度和纬度须同时提供"),
        ("north", "114.3", "位置无效：经纬度须是数字"),
        ("95", "114.3", "位置无效：纬度须在-90到90之间，经度须在-180到180之间"),
        ("NaN", "114.3", "位置无效：纬度须在-90到90之间，经度须在-180到180之间"),
    ],
)
def test_it_refuses_a_broken_position_in_chinese(eworld, lat, lng, message):
    w = eworld.w
    before = counts()
    with pytest.raises(ValidationError) as err:
        msvc.do_record_visit_with_problems(
            w.scope("sup_a"),
            {"date": DAY, "enterprises": [w.enterprise_a], "latitude": lat, "longitude": lng},
        )
    assert err.value.message_dict["latitude"] == [message]
    assert counts() == before


def _visit_post(w, ew, **extra) -> dict:
    data = {
        "enterprises": [w.enterprise_a.pk],
        "kind": "visit",
        "date": "2022-03-05",
        "notes": "现场查看生产线",
        "latitude": "",
        "longitude": "",
        "problems-TOTAL_FORMS": "3",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "20",
        "problems-0-title": "缺少技术工人",
        "problems-0-category": ew.ordinary.pk,
        "problems-0-description": "急需焊工",
        "problems-1-title": "贷款审批慢",
        "problems-1-category": ew.complex.pk,
        # The third row is left blank, as on the phone: it is skipped.
        "problems-2-title": "",
        "problems-2-category": "",
    }
    return data | extra


def test_it_logs_a_visit_with_problems_and_position_from_the_web_form(eworld):
    w = eworld.w
    c = login(w, "cadre_a")
    page = c.get("/visits/").content.decode()
    assert 'enctype="multipart/form-data"' in page and "现场收集问题" in page
    assert "记录位置" in page
    r = c.post("/visits/", _visit_post(w, eworld, latitude="35.747812", longitude="114.2973"))
    assert r.status_code == 302
    v = Visit.objects.get(notes="现场查看生产线")
    assert r["Location"] == f"/visits/{v.pk}/"
    assert sorted(v.problems.values_list("title", flat=True)) == ["缺少技术工人", "贷款审批慢"]
    detail = c.get(r["Location"]).content.decode()
    assert "35.747812" in detail and "114.297300" in detail
    assert "缺少技术工人" in detail and "贷款审批慢" in detail


def test_it_keeps_the_whole_web_form_when_a_problem_row_is_incomplete(eworld):
    w = eworld.w
    c = login(w, "cadre_a")  # the login itself is audited; count after it
    before = counts()
    r = c.post("/visits/", _visit_post(w, eworld, **{"problems-1-category": ""}))
    assert r.status_code == 200
    body = r.content.decode()
    assert "这个字段是必填项" in body
    # What the user typed is still there.
    assert "缺少技术工人" in body and "现场查看生产线" in body
    assert counts() == before


def test_it_refuses_an_out_of_scope_enterprise_on_the_visit_form(eworld):
    w = eworld.w
    c = login(w, "cadre_a")  # the login itself is audited; count after it
    before = counts()
    r = c.post("/visits/", _visit_post(w, eworld, enterprises=[eworld.enterprise_b.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "不存在或不在您的范围内" in body
    assert "淇滨合成企业" not in body
    assert counts() == before


def test_it_records_problems_and_position_through_the_api(eworld):
    w = eworld.w
    c = login(w, "cadre_a")
    r = c.post(
        "/api/v1/visits",
        json.dumps(
            {
                "date": "2022-03-05",
                "enterprise_ids": [w.enterprise_a.pk],
                "latitude": 35.7478,
                "longitude": "114.2973",
                "problems": [
                    {"title": "缺少技术工人", "category_id": eworld.ordinary.pk},
                    {"title": "贷款审批慢", "category_id": eworld.complex.pk, "description": "x"},
                ],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["latitude"] == 35.7478 and body["longitude"] == 114.2973
    assert len(body["problem_ids"]) == 2
    assert set(Matter.objects.filter(visit_id=body["id"]).values_list("pk", flat=True)) == set(
        body["problem_ids"]
    )
    before = counts()
    r = c.post(
        "/api/v1/visits",
        json.dumps(
            {
                "date": "2022-03-05",
                "enterprise_ids": [w.enterprise_a.pk],
                "problems": [
                    {"title": "缺少技术工人", "category_id": eworld.ordinary.pk},
                    {"title": "x" * 121, "category_id": eworld.ordinary.pk},
                ],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "第2个问题：问题标题不能超过120字" in r.json()["detail"]
    assert counts() == before


def test_it_opens_the_visit_form_with_the_enterprise_chosen_from_its_page(eworld):
    w = eworld.w
    c = login(w, "cadre_a")
    assert f"/visits/?for={w.enterprise_a.pk}" in c.get(
        f"/enterprises/{w.enterprise_a.pk}/"
    ).content.decode().replace("&amp;", "&")
    body = c.get(f"/visits/?for={w.enterprise_a.pk}").content.decode()
    assert f'<li data-id="{w.enterprise_a.pk}">新拓洋生物</li>' in body
    # Another district's enterprise is not named, even when its id is in the link.
    body = c.get(f"/visits/?for={eworld.enterprise_b.pk}").content.decode()
    assert "淇滨合成企业" not in body


def test_it_shows_the_visit_page_only_inside_the_scope(eworld):
    w = eworld.w
    v, _ = msvc.do_record_visit_with_problems(
        w.scope("sup_a"), {"date": DAY, "enterprises": [w.enterprise_a]}
    )
    assert login(w, "sup_a").get(f"/visits/{v.pk}/").status_code == 200
    assert "未记录" in login(w, "sup_a").get(f"/visits/{v.pk}/").content.decode()
    assert login(w, "sup_b").get(f"/visits/{v.pk}/").status_code == 404
    assert login(w, "ent_a").get(f"/visits/{v.pk}/")["Location"] == "/portal/"
