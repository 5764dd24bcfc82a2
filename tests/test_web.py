from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.test import Client

from taizhang.core.models import AuditEntry, CalendarOverride, ReportingPeriod
from taizhang.projects import services
from taizhang.projects.models import Project


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def test_it_locks_an_address_after_repeated_failures(world, settings):
    # Per-address lockout (AXES_LOCKOUT_PARAMETERS = ip_address); usernames vary so the
    # per-username delay (tests/test_identity_lockout.py) does not answer first.
    c = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        r = c.post("/login/", {"username": f"guess{i}", "password": "wrong"})
    r = c.post("/login/", {"username": "sup_a", "password": "pw-sup_a"})
    assert r.status_code == 429  # django-axes' lockout answer: Too Many Requests
    assert "锁定" in r.content.decode()


def test_it_logs_in_in_chinese(world):
    c = Client()
    r = c.get("/login/")
    assert "登录台账系统" in r.content.decode()
    r = c.post("/login/", {"username": "sup_a", "password": "wrong"})
    assert "用户名或密码错误" in r.content.decode()
    r = c.post("/login/", {"username": "sup_a", "password": "pw-sup_a"}, follow=True)
    assert r.status_code == 200 and "山城区" in r.content.decode()


def test_it_opens_the_dashboard_on_the_reporting_period(world):
    ReportingPeriod.objects.create(division=world.a, year=2022, month=2)
    s = world.scope("sup_a")
    services.do_submit_monthly_report(
        s, world.pa, year=2022, month=2, amount="25000", today=dt.date(2022, 3, 1)
    )
    body = login(world, "sup_a").get("/").content.decode()
    assert "山城区 2022年重点项目" in body and "截至2月" in body
    assert 'data-figure="completion_rate">24.5%' in body
    assert "完成率 = 累计完成投资 ÷ 年度投资计划" in body


def test_it_edits_a_project_and_refuses_a_stale_form(world):
    c = login(world, "sup_a")
    form = {
        "division": world.a.pk,
        "code": "SC-001",
        "name": "新拓洋一期",
        "responsible_unit": world.unit_a.pk,
        "total_investment": "300000",
        "version": world.pa.version,
    }
    r = c.post(f"/projects/{world.pa.pk}/edit/", form)
    assert r.status_code == 302
    form["name"] = "新拓洋二期"
    r = c.post(f"/projects/{world.pa.pk}/edit/", form)  # same (now stale) version
    assert r.status_code == 409
    body = r.content.decode()
    assert "已被他人修改" in body and "新拓洋一期" in body
    world.pa.refresh_from_db()
    assert world.pa.name == "新拓洋一期"


def test_it_shows_field_errors_on_the_form(world):
    c = login(world, "sup_a")
    r = c.post(
        "/projects/new/",
        {
            "division": world.a.pk,
            "code": "SC-002X",
            "name": "x",
            "responsible_unit": world.unit_b.pk,
            "total_investment": "-1",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200
    # District B's unit is not among the choices of district A's office.
    assert "所选项不存在或不在您的范围内" in body
    assert not Project.objects.filter(code="SC-002X").exists()


def test_it_reports_stage_errors_as_messages(world):
    c = login(world, "sup_a")
    r = c.post(
        f"/projects/{world.pa.pk}/stage/",
        {"to_stage": "reserve", "date": "2022-05-01"},
        follow=True,
    )
    assert "阶段回退必须填写原因" in r.content.decode()
    world.pa.refresh_from_db()
    assert world.pa.stage == "building"


def test_it_shows_the_audit_trail_with_child_rows(world):
    s = world.scope("sup_a")
    services.do_add_milestone(s, world.pa, {"name": "主体封顶", "planned_date": "2022-06-30"})
    body = login(world, "sup_a").get(f"/projects/{world.pa.pk}/").content.decode()
    assert "审计记录" in body and "新增时间节点" in body
    # Units do not read the district-wide audit trail.
    assert (
        "审计记录" not in login(world, "unit_a").get(f"/projects/{world.pa.pk}/").content.decode()
    )


def test_it_applies_calendar_overrides(world):
    from taizhang.core.calendar import get_calendar

    assert get_calendar().is_workday(dt.date(2026, 11, 20))
    CalendarOverride.objects.create(date=dt.date(2026, 11, 20), is_workday=False, note="地方假日")
    assert not get_calendar().is_workday(dt.date(2026, 11, 20))


def test_it_keeps_the_audit_log_out_of_reach_of_admin_edits(world):
    c = login(world, "admin")
    entry = AuditEntry.objects.first()
    # The admin may look at an entry (read-only view), never change or delete it.
    r = c.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert r.status_code == 200 and 'name="_save"' not in r.content.decode()
    r = c.post(f"/admin/core/auditentry/{entry.pk}/change/", {"verb": "篡改"})
    assert r.status_code == 403
    r = c.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_it_uses_no_external_urls(world):
    body = login(world, "sup_a").get("/").content.decode()
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body
    css = Client().get("/static/taizhang/app.css")
    assert css.status_code == 200


PRODUCTION_ENV = {
    "SECRET_KEY": "k3y-for-the-deploy-check-only-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "taizhang.example.gov.cn",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def test_it_passes_deploy_checks_with_production_settings(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "TAIZHANG_DEMO",
            "TAIZHANG_TESTING",
            "SECURE_COOKIES",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(PRODUCTION_ENV, TAIZHANG_DATA_DIR=str(tmp_path))
    r = subprocess.run(
        [sys.executable, "-m", "taizhang", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_it_issues_api_tokens_from_the_command_line(world, capsys):
    call_command("token", "sup_a", "数据中心")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    c = Client()
    assert c.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_it_answers_in_chinese_whatever_the_browser_asks(world):
    c = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    c.force_login(world.users["sup_a"])
    body = c.post("/projects/new/", {"code": ""}).content.decode()
    assert "这个字段是必填项" in body and "This field is required" not in body


def test_it_audits_account_changes_made_in_the_admin_without_the_password(world):
    c = login(world, "admin")
    user = world.users["unit_b"]
    r = c.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": "unit_b",
            "first_name": "淇滨发改",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "date_joined_0": "2022-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2022-01-01",
            "initial-date_joined_1": "00:00:00",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    # The account also has its 授予角色 entry from when its profile was made.
    entry = AuditEntry.objects.get(object_type="auth.user", object_id=str(user.pk), verb="后台维护")
    assert ["", "淇滨发改"] in entry.changes.values()
    assert "password" not in str(entry.changes).lower() and "md5$" not in str(entry.changes)


def test_it_can_speak_english_when_the_deployment_says_so(world, settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        body = Client().get("/login/").content.decode()
        assert "Log in to Taizhang" in body and 'lang="en"' in body
        c = Client()
        c.force_login(world.users["sup_a"])
        body = c.get("/projects/").content.decode()
        assert "Key projects" in body and "Export Excel" in body
