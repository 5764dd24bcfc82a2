"""What a clerk hits in the first hour of forms: a refused form keeps what was typed and
shows the errors beside the fields, amounts and dates are read and refused in plain Chinese,
and a create form cannot be submitted twice."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core.scope import Scope
from taizhang.matters.models import Matter
from taizhang.projects.models import Milestone, MonthlyReport, Project
from taizhang.web.forms.base import AmountField, BusinessDateField
from taizhang.web.forms.problems import ProblemForm
from taizhang.web.forms.projects import MonthlyReportForm
from tests import task_fixtures
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below


def _form_of(html: str, marker: str) -> str:
    """The <form> element whose opening tag contains `marker`."""
    start = html.index(marker)
    start = html.rindex("<form", 0, start)
    return html[start : html.index("</form>", start)]


def _token(html: str) -> str:
    m = re.search(r'name="once_token" value="([^"]+)"', html)
    assert m, "the form carries no one-time token"
    return m.group(1)


# --- 1. a refused form comes back with what was typed --------------------------------


def test_it_keeps_the_monthly_report_input_and_puts_the_error_beside_the_amount(world, client):
    client.force_login(world.users["unit_a"])
    url = f"/projects/{world.pa.pk}/"
    r = client.post(
        url + "reports/",
        {"year": "2022", "month": "4", "amount": "三千五百块", "note": "主体封顶"},
        follow=True,
    )
    form = _form_of(r.content.decode(), "report-form")
    assert 'value="三千五百块"' in form and 'value="主体封顶"' in form
    assert 'name="month" value="4"' in form and 'name="year" value="2022"' in form
    assert "请输入数字，如 3500 或 1.2亿" in form  # beside the field, not only in a flash
    assert not MonthlyReport.objects.filter(project=world.pa).exists()
    # Shown once: the next visit of the page has the fresh form again.
    again = _form_of(client.get(url).content.decode(), "report-form")
    assert "三千五百块" not in again


def test_it_keeps_a_bad_milestone_date_instead_of_clearing_it(world, client):
    client.force_login(world.users["sup_a"])
    r = client.post(
        f"/projects/{world.pa.pk}/milestones/",
        {"name": "主体封顶", "planned_date": "1900-01-01"},
        follow=True,
    )
    form = _form_of(r.content.decode(), "/milestones/")
    assert 'value="1900-01-01"' in form and 'value="主体封顶"' in form
    assert "日期须在2000年1月1日至" in form
    assert not Milestone.objects.filter(project=world.pa).exists()


def test_it_keeps_the_task_progress_report_when_it_is_refused(tworld, client):
    url = f"/tasks/{tworld.task.pk}/"
    with frozen(dt.date(2024, 2, 27)):
        client.force_login(tworld.users["unit_rs"])
        version = Matter.objects.get(pk=tworld.task.pk).version
        r = client.post(
            url + "act/",
            {
                "action": "submit_report",
                "version": version,
                "period": "2024-02",
                "actual_value": "七百人",
                "text": "新增就业七百人，招聘会两场",
                "evidence": "花名册",
            },
            follow=True,
        )
    form = _form_of(r.content.decode(), "act-submit_report")
    assert 'value="七百人"' in form
    assert 'value="新增就业七百人，招聘会两场"' in form and 'value="花名册"' in form
    assert '<option value="2024-02" selected' in form
    assert 'class="errorlist' in form


def test_it_scrolls_to_the_first_error_from_the_shared_script():
    from pathlib import Path

    import taizhang

    js = (Path(taizhang.__file__).parent / "web/static/taizhang/behaviour.js").read_text()
    assert '".has-error, .errorlist"' in js and "scrollIntoView" in js


# --- 2. amounts and dates as people type them, refused in Chinese ---------------------


@pytest.mark.parametrize(
    ("typed", "wan"),
    [("1.2亿", "12000"), ("3500万元", "3500"), ("3,500", "3500"), ("  42.5 ", "42.5")],
)
def test_it_reads_amounts_the_way_the_importer_does(typed, wan):
    assert AmountField().clean(typed) == Decimal(wan)


def test_it_refuses_amounts_in_chinese():
    f = MonthlyReportForm({"year": "2026", "month": "13", "amount": "很多"})
    assert not f.is_valid()
    assert f.errors["amount"] == ["请输入数字，如 3500 或 1.2亿"]
    assert f.errors["month"] == ["不能大于12"]
    f = MonthlyReportForm({"year": "2026", "month": "1", "amount": "12345678901234567"})
    assert not f.is_valid() and f.errors["amount"] == ["金额最多14位整数、2位小数"]
    f = MonthlyReportForm({"year": "2026", "month": "1", "amount": "1.234"})
    assert not f.is_valid() and f.errors["amount"] == ["金额最多14位整数、2位小数"]


def test_it_accepts_1_2_yi_in_the_monthly_report_form(world, client):
    client.force_login(world.users["unit_a"])
    client.post(
        f"/projects/{world.pa.pk}/reports/", {"year": "2022", "month": "4", "amount": "1.2亿"}
    )
    assert MonthlyReport.objects.get(project=world.pa, year=2022, month=4).amount == 12000


def test_it_refuses_business_dates_before_2000_or_after_next_year():
    f = BusinessDateField()
    last = dt.date(timezone.localdate().year + 1, 12, 31)
    assert f.clean("2000-01-01") == dt.date(2000, 1, 1)
    assert f.clean(last.isoformat()) == last
    for bad in ("1900-01-01", "1999-12-31", (last + dt.timedelta(days=1)).isoformat()):
        with pytest.raises(ValidationError) as e:
            f.clean(bad)
        assert f"日期须在2000年1月1日至{last.year}年12月31日之间" in str(e.value)
    with pytest.raises(ValidationError) as e:
        f.clean("2026-02-30")
    assert "请输入有效日期" in str(e.value)


def test_it_says_how_long_a_text_is_in_chinese(eworld):
    f = ProblemForm(Scope(eworld.w.users["admin"]), {"title": "路" * 121})
    assert not f.is_valid()
    assert f.errors["title"] == ["不能超过120字（现有121字）"]


def test_it_uses_the_business_date_field_for_every_business_date():
    from taizhang.web.forms import enterprises, problems, projects

    dates = [
        (cls.__name__, name, field)
        for module in (enterprises, problems, projects)
        for cls in vars(module).values()
        if isinstance(cls, type) and hasattr(cls, "base_fields")
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField)
    ]
    assert len(dates) >= 8
    assert [d[:2] for d in dates if not isinstance(d[2], BusinessDateField)] == []


# --- 3. a create form is submitted once -----------------------------------------------


def _problem(ew, title: str, token: str = "", **extra) -> dict:
    return {
        "enterprise": ew.w.enterprise_a.pk,
        "category": ew.ordinary.pk,
        "title": title,
        "source": "visit",
        "raised_on": "2022-03-01",
        "once_token": token,
        **extra,
    }


def test_it_refuses_a_problem_form_submitted_twice(eworld, client):
    client.force_login(eworld.w.users["cadre_a"])
    token = _token(client.get("/problems/new/").content.decode())
    first = client.post("/problems/new/", _problem(eworld, "厂区道路破损", token))
    assert first.status_code == 302
    # Browser Back, then submit again: the same page, the same token.
    again = client.post("/problems/new/", _problem(eworld, "厂区道路破损", token))
    assert again.status_code == 200 and "该表单已提交" in again.content.decode()
    assert Matter.objects.filter(title="厂区道路破损").count() == 1


def test_it_asks_before_registering_the_same_open_problem_again(eworld, client):
    client.force_login(eworld.w.users["cadre_a"])
    client.post("/problems/new/", _problem(eworld, "厂区道路破损"))
    existing = Matter.objects.get(title="厂区道路破损")
    token = _token(client.get("/problems/new/").content.decode())
    r = client.post("/problems/new/", _problem(eworld, "厂区道路破损", token))
    html = r.content.decode()
    assert r.status_code == 200 and f'href="/problems/{existing.pk}/"' in html
    assert 'name="confirm_duplicate"' in html and "仍然提交" in html
    assert 'value="厂区道路破损"' in html  # what was typed is still there
    assert Matter.objects.filter(title="厂区道路破损").count() == 1
    r = client.post(
        "/problems/new/", _problem(eworld, "厂区道路破损", token, confirm_duplicate="1")
    )
    assert r.status_code == 302
    assert Matter.objects.filter(title="厂区道路破损").count() == 2


def test_it_does_not_ask_when_the_same_title_is_old_or_finished(eworld, client):
    client.force_login(eworld.w.users["cadre_a"])
    client.post("/problems/new/", _problem(eworld, "厂区道路破损"))
    Matter.objects.filter(title="厂区道路破损").update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    r = client.post("/problems/new/", _problem(eworld, "厂区道路破损"))
    assert r.status_code == 302
    assert Matter.objects.filter(title="厂区道路破损").count() == 2


def test_it_refuses_a_project_form_submitted_twice(world, client):
    client.force_login(world.users["sup_a"])
    token = _token(client.get("/projects/new/").content.decode())
    data = {
        "division": world.a.pk,
        "code": "SC-099",
        "name": "山城区智慧仓储",
        "responsible_unit": world.unit_a.pk,
        "total_investment": "1.2亿",
        "once_token": token,
    }
    assert client.post("/projects/new/", data).status_code == 302
    assert Project.objects.get(code="SC-099").total_investment == 12000
    data["code"] = "SC-100"  # even with a change: the page was submitted already
    again = client.post("/projects/new/", data)
    assert "该表单已提交" in again.content.decode()
    assert not Project.objects.filter(code="SC-100").exists()


def test_it_refuses_a_monthly_report_submitted_twice(world, client):
    client.force_login(world.users["unit_a"])
    token = _token(
        _form_of(client.get(f"/projects/{world.pa.pk}/").content.decode(), "report-form")
    )
    data = {"year": "2022", "month": "4", "amount": "500", "once_token": token}
    client.post(f"/projects/{world.pa.pk}/reports/", data)
    data["amount"] = "800"
    r = client.post(f"/projects/{world.pa.pk}/reports/", data, follow=True)
    assert "该表单已提交" in r.content.decode()
    assert MonthlyReport.objects.get(project=world.pa, year=2022, month=4).amount == 500


def test_it_keeps_a_refused_token_usable(world, client):
    """A create refused for bad input does not use up the page's token."""
    client.force_login(world.users["unit_a"])
    token = _token(
        _form_of(client.get(f"/projects/{world.pa.pk}/").content.decode(), "report-form")
    )
    bad = {"year": "2022", "month": "4", "amount": "很多", "once_token": token}
    client.post(f"/projects/{world.pa.pk}/reports/", bad)
    client.post(f"/projects/{world.pa.pk}/reports/", {**bad, "amount": "500"})
    assert MonthlyReport.objects.get(project=world.pa, year=2022, month=4).amount == 500


def test_it_refuses_a_task_form_submitted_twice(tworld, client):
    client.force_login(tworld.users["sup_a"])
    token = _token(client.get("/tasks/new/").content.decode())
    data = {
        "kind": "task",
        "title": "落实区长批示：冷链物流项目开工",
        "task_source": "instruction",
        "lead_unit": tworld.unit_rs.pk,
        "cycle": "monthly",
        "due_day": "25",
        "year": "2026",
        "once_token": token,
    }
    assert client.post("/tasks/new/", data).status_code == 302
    again = client.post("/tasks/new/", data)
    assert "该表单已提交" in again.content.decode()
    assert Matter.objects.filter(title="落实区长批示：冷链物流项目开工").count() == 1


def test_it_refuses_a_visit_form_submitted_twice(eworld, client):
    client.force_login(eworld.w.users["cadre_a"])
    token = _token(client.get("/visits/").content.decode())
    data = {
        "enterprises": [eworld.w.enterprise_a.pk],
        "kind": "visit",
        "date": "2022-03-01",
        "title": "走访新拓洋",
        "once_token": token,
    }
    assert client.post("/visits/", data).status_code == 302
    again = client.post("/visits/", data)
    assert "该表单已提交" in again.content.decode()
    from taizhang.enterprises.models import Visit

    assert Visit.objects.filter(title="走访新拓洋").count() == 1


def test_it_keeps_a_refused_step_on_the_problem_page(eworld, client):
    m = eworld.problem_a
    client.force_login(eworld.w.users["unit_a"])
    r = client.post(
        f"/problems/{m.pk}/act/",
        {
            "action": "request_extension",
            "version": m.version,
            "deadline": "",
            "reason": "需协调用地指标，预计两个月",
        },
        follow=True,
    )
    form = _form_of(r.content.decode(), "act-request_extension")
    assert 'value="需协调用地指标，预计两个月"' in form
    assert 'class="errorlist' in form
    assert Matter.objects.get(pk=m.pk).version == m.version


def test_it_forgets_tokens_after_a_week(world):
    from taizhang.core.models import UsedFormToken
    from taizhang.web.forms.base import consume_token

    UsedFormToken.objects.create(token="old", used_at=timezone.now() - dt.timedelta(days=8))
    UsedFormToken.objects.create(token="recent", used_at=timezone.now() - dt.timedelta(days=6))
    consume_token("new")
    assert sorted(UsedFormToken.objects.values_list("token", flat=True)) == ["new", "recent"]


def test_it_refuses_a_1900_deadline_on_the_task_and_step_forms(eworld, client):
    client.force_login(eworld.w.users["sup_a"])
    r = client.post(
        "/tasks/new/",
        {
            "kind": "task",
            "title": "落实区长批示：冷链物流项目开工",
            "task_source": "instruction",
            "lead_unit": eworld.w.unit_a.pk,
            "deadline": "1900-01-01",
            "cycle": "monthly",
            "due_day": "25",
            "year": "2026",
        },
    )
    assert "日期须在2000年1月1日至" in r.content.decode()
    assert 'value="落实区长批示：冷链物流项目开工"' in r.content.decode()
    assert not Matter.objects.filter(title="落实区长批示：冷链物流项目开工").exists()
    m = eworld.problem_a
    client.force_login(eworld.w.users["unit_a"])
    r = client.post(
        f"/problems/{m.pk}/act/",
        {
            "action": "request_extension",
            "version": m.version,
            "deadline": "2999-01-01",
            "reason": "需协调用地",
        },
        follow=True,
    )
    form = _form_of(r.content.decode(), "act-request_extension")
    assert "日期须在2000年1月1日至" in form and 'value="2999-01-01"' in form
    assert Matter.objects.get(pk=m.pk).version == m.version


def test_it_says_the_amount_floor_in_chinese(world):
    from taizhang.web.forms.projects import ProjectForm

    f = ProjectForm(Scope(world.users["admin"]), {"total_investment": "-5"})
    assert not f.is_valid()
    assert f.errors["total_investment"] == ["金额不能小于0"]


def test_it_refuses_an_enterprise_form_submitted_twice(world, client):
    from taizhang.enterprises.models import Enterprise
    from tests.enterprise_fixtures import code

    client.force_login(world.users["sup_a"])
    token = _token(client.get("/enterprises/new/").content.decode())
    data = {
        "name": "山城区冷链物流",
        "credit_code": code(99),
        "division": world.a.pk,
        "once_token": token,
    }
    assert client.post("/enterprises/new/", data).status_code == 302
    again = client.post("/enterprises/new/", {**data, "credit_code": code(98)})
    assert "该表单已提交" in again.content.decode()
    assert Enterprise.objects.filter(name="山城区冷链物流").count() == 1
