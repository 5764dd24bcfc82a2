"""政务服务 and 银企对接 pages: lists, figures with formulas, forms, exports, API figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from taizhang.imports import engine
from taizhang.services.models import BankResponse, FinancingNeed, ServiceCase
from tests.enterprise_fixtures import new_problem
from tests.import_sheets import xlsx
from tests.streams import streamed

HEAD = ["办件编号", "事项名称", "办理单位", "受理日期", "承诺时限（工作日）", "办结日期", "评价"]
ROWS = [
    ["ZH-1", "食品经营许可", "区发改委", "2022-03-07", 5, "2022-03-14", "满意"],
    ["ZH-3", "建设工程规划许可", "红旗街道办事处", "2022-03-07", 5, "", ""],
]


def client(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


@pytest.fixture
def loaded(world):
    engine.run("service_cases", world.scope("sup_a"), xlsx([HEAD, *ROWS]), "x.xlsx", commit=True)
    return world


def test_it_lists_cases_with_figures_and_their_formula(loaded):
    c = client(loaded, "sup_a")
    body = c.get("/services/", {"year": 2022}).content.decode()
    assert "食品经营许可" in body and "按时办结率" in body and "不含受理日" in body
    body = c.get("/services/", {"year": 2022, "state": "overdue"}).content.decode()
    assert "建设工程规划许可" in body and "食品经营许可" not in body
    assert c.get("/services/", {"state": "nonsense"}).status_code == 400
    body = c.get("/services/figures/", {"year": 2022}).content.decode()
    assert "红旗街道办事处" in body and 'data-figure="on_time_rate_pct">50.0%' in body
    # The hall's sheet has a template to download from the import page.
    r = c.get("/imports/template/service_cases.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = c.get("/services/export.csv", {"year": 2022})
    assert r.status_code == 200 and "超期未办结" in streamed(r).decode("utf-8-sig")


def test_it_escalates_an_overdue_case_from_its_page_once(loaded):
    c = client(loaded, "sup_a")
    case = ServiceCase.objects.get(number="ZH-3")
    assert "转为督办任务" in c.get(f"/services/{case.pk}/").content.decode()
    r = c.post(f"/services/{case.pk}/escalate/")
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.matter is not None
    body = c.get(f"/services/{case.pk}/").content.decode()
    assert case.matter.number in body and "转为督办任务</button>" not in body
    c.post(f"/services/{case.pk}/escalate/")  # a second post changes nothing
    assert ServiceCase.objects.get(pk=case.pk).matter_id == case.matter_id
    task = c.get(f"/tasks/{case.matter_id}/").content.decode()
    assert "ZH-3" in task and f"/services/{case.pk}/" in task
    # The handling unit reads its case; another unit does not find it.
    assert client(loaded, "unit_a_town").get(f"/services/{case.pk}/").status_code == 200
    assert client(loaded, "unit_a").get(f"/services/{case.pk}/").status_code == 404
    assert client(loaded, "unit_a_town").post(f"/services/{case.pk}/escalate/").status_code == 403


def test_it_runs_a_financing_need_through_the_pages(eworld):
    w = eworld.w
    c = client(w, "sup_a")
    r = c.post(
        "/financing/new/",
        {
            "enterprise": w.enterprise_a.pk,
            "amount": "-1",
            "purpose": "扩产",
            "term_months": "12",
            "published_on": "2022-03-01",
        },
    )
    assert r.status_code == 200 and "必须大于0" in r.content.decode()
    assert not FinancingNeed.objects.exists()
    r = c.post(
        "/financing/new/",
        {
            "enterprise": w.enterprise_a.pk,
            "amount": "3000",
            "purpose": "扩产",
            "term_months": "12",
            "published_on": "2022-03-01",
        },
    )
    need = FinancingNeed.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/financing/{need.pk}/"
    c.post(f"/financing/{need.pk}/responses/", {"bank": "中原银行", "started_on": "2022-03-02"})
    resp = BankResponse.objects.get()
    c.post(
        f"/financing/responses/{resp.pk}/advance/",
        {"status": "intention", "date": "2022-03-09", "amount": "2000", "version": resp.version},
    )
    resp.refresh_from_db()
    assert resp.status == "intention" and resp.intention_on == dt.date(2022, 3, 9)
    body = c.get("/financing/", {"year": 2022}).content.decode()
    assert 'data-figure="intentions">1<' in body and "中原银行（达成意向）" in body
    body = c.get("/financing/figures/", {"year": 2022}).content.decode()
    assert "中原银行" in body and "意向金额" in body
    assert c.get("/financing/export.xlsx", {"year": 2022}).status_code == 200
    # Outsiders do not find the need.
    assert client(w, "sup_b").get(f"/financing/{need.pk}/").status_code == 404


def test_it_turns_a_financing_problem_into_a_need_from_the_problem_page(eworld):
    w = eworld.w
    p = new_problem(
        eworld, "ent_a", w.enterprise_a, "流贷到期续贷难", raised_on=dt.date(2022, 3, 1),
        category=eworld.complex,
    )  # fmt: skip
    c = client(w, "sup_a")
    assert "转为融资需求" in c.get(f"/problems/{p.pk}/").content.decode()
    r = c.post(f"/problems/{p.pk}/financing/", {"amount": "500", "term_months": "12"})
    need = FinancingNeed.objects.get(problem=p)
    assert r["Location"] == f"/financing/{need.pk}/"
    assert "已转为融资需求" in c.get(f"/problems/{p.pk}/").content.decode()


def test_it_answers_the_dashboard_contracts(loaded):
    c = client(loaded, "sup_a")
    r = c.get("/api/v1/dashboard/services", {"division": "410603", "year": 2022})
    assert r.status_code == 200, r.content
    d = r.json()
    assert (d["cases"], d["on_time_rate_pct"], d["satisfaction_rate_pct"]) == (2, "50.0", "100.0")
    assert d["avg_workdays"] == "5.0"
    r = c.get("/api/v1/dashboard/financing", {"division": "山城区", "year": 2022})
    d = r.json()
    assert (d["needs"], d["intentions"], d["intention_amount_wan"]) == (0, 0, "0.00")
    other = client(loaded, "sup_b")
    assert (
        other.get("/api/v1/dashboard/services", {"division": "410603", "year": 2022}).status_code
        == 404
    )


def test_it_refuses_bad_input_through_the_api_with_chinese_messages(loaded):
    c = client(loaded, "sup_a")
    body = {
        "enterprise_id": loaded.enterprise_a.pk,
        "amount_wan": "-5",
        "purpose": "扩产",
        "term_months": 12,
        "published_on": "2022-03-01",
    }
    r = c.post("/api/v1/financing/needs", body, content_type="application/json")
    assert r.status_code == 422 and "必须大于0" in r.json()["detail"]
    assert not FinancingNeed.objects.exists()
    r = c.post(
        "/api/v1/financing/needs", body | {"amount_wan": "800"}, content_type="application/json"
    )
    assert r.status_code == 201
    resp = c.post(
        f"/api/v1/financing/needs/{r.json()['id']}/responses",
        {"bank": "中国银行", "started_on": "2022-03-02"},
        content_type="application/json",
    ).json()
    step = {
        "status": "granted",
        "date": "2022-03-05",
        "amount_wan": "100",
        "version": resp["version"],
    }
    r = c.post(
        f"/api/v1/financing/responses/{resp['id']}/status", step, content_type="application/json"
    )
    assert r.status_code == 422 and "下一步只能是" in r.json()["detail"]
    case = ServiceCase.objects.get(number="ZH-3")
    assert c.post(f"/api/v1/services/cases/{case.pk}/escalate").status_code == 201
    r = c.post(f"/api/v1/services/cases/{case.pk}/escalate")
    assert r.status_code == 422 and "不能重复转办" in r.json()["detail"]
    case.refresh_from_db()
    d = c.get(f"/api/v1/services/cases/{case.pk}").json()
    assert d["state"] == "overdue" and d["matter_id"] == case.matter_id is not None
