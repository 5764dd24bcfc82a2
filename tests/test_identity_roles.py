"""三权分立: system, security and audit administrators, each fenced into their own duty."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from taizhang.core import identity
from taizhang.core.models import AuditEntry, Profile, Role
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise
from taizhang.matters.models import Matter
from taizhang.projects.models import Project
from tests.conftest import make_user

PAGES = {
    "sysadmin": "/accounts/users/",
    "secadmin": "/accounts/roles/",
    "auditor": "/audit/",
}


@pytest.fixture
def duty(world):
    for name, role in (
        ("sysadmin", Role.SYSADMIN),
        ("secadmin", Role.SECADMIN),
        ("auditor", Role.AUDITOR),
    ):
        world.users[name] = make_user(name, role)
    # A district audit administrator, too: still no business data.
    world.users["auditor_a"] = make_user("auditor_a", Role.AUDITOR, division=world.a)
    return world


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditor"])
def test_it_opens_each_administrators_own_page_only(duty, name):
    c = signed_in(duty.users[name])
    for other, url in PAGES.items():
        assert c.get(url).status_code == (200 if other == name else 403), (name, url)
    # The dashboard sends them to their own page; business pages and the API refuse them.
    assert c.get("/")["Location"] == PAGES[name]
    for url in ("/projects/", "/problems/", "/tasks/", f"/projects/{duty.pa.pk}/"):
        assert c.get(url).status_code == 403
    r = c.get("/api/v1/projects")
    assert r.status_code == 403 and r.json()["detail"] == "三员账号不能使用业务接口"
    # Their own password and second factor stay theirs to manage.
    assert c.get("/password/").status_code == 200
    assert c.get("/account/2fa/").status_code == 200


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditor", "auditor_a"])
def test_it_shows_them_no_business_data(duty, name):
    scope = Scope(duty.users[name])
    for model in (Project, Enterprise, Matter):
        assert not scope.filter(model.objects.all()).exists()
    assert not scope.divisions.exists() and not scope.units.exists()
    assert not scope.can_manage and not scope.reads_division


def test_it_keeps_the_business_roles_out_of_the_audit_log(duty):
    for name in ("admin", "sup_a", "leader_a", "unit_a", "nobody"):
        assert signed_in(duty.users[name]).get("/audit/").status_code == 403


def test_it_limits_a_district_audit_administrator_to_the_district(duty):
    from taizhang.projects import services

    services.do_update_project(
        duty.scope("sup_a"), duty.pa, {"location": "牟山"}, expected_version=duty.pa.version
    )
    services.do_update_project(
        duty.scope("sup_b"), duty.pb, {"location": "淇滨"}, expected_version=duty.pb.version
    )
    body = signed_in(duty.users["auditor_a"]).get("/audit/").content.decode()
    assert duty.pa.name in body and duty.pb.name not in body
    everything = signed_in(duty.users["auditor"]).get("/audit/").content.decode()
    assert duty.pa.name in everything and duty.pb.name in everything


def test_it_lets_the_system_administrator_manage_accounts_without_roles(duty):
    c = signed_in(duty.users["sysadmin"])
    r = c.post(
        "/accounts/users/",
        {"username": "wang_wu", "full_name": "王五", "password": "Linshi#2026x"},
    )
    assert r.status_code == 302
    user = get_user_model().objects.get(username="wang_wu")
    assert user.security.must_change_password and not Profile.objects.filter(user=user).exists()
    r = c.post("/accounts/users/", {"username": "wang_wu", "password": "Linshi#2026x"})
    assert r.status_code == 200 and "用户名「wang_wu」已存在" in r.content.decode()
    c.post(f"/accounts/users/{user.pk}/", {"action": "deactivate"})
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEntry.objects.filter(verb="停用账号", object_id=str(user.pk)).exists()
    # Roles are not the system administrator's.
    with pytest.raises(Exception, match="只有安全管理员"):
        identity.do_assign_role(Scope(duty.users["sysadmin"]), user, Role.UNIT, unit=duty.unit_a)


def test_it_lets_the_security_administrator_give_roles_and_scopes(duty):
    user = duty.users["nobody"]
    c = signed_in(duty.users["secadmin"])
    r = c.post(
        f"/accounts/roles/{user.pk}/", {"action": "assign", "role": "unit", "unit": duty.unit_a.pk}
    )
    assert r.status_code == 302
    assert Scope(user).unit == duty.unit_a
    entry = AuditEntry.objects.get(verb="分配角色", object_id=str(user.pk))
    assert entry.changes["角色"] == [None, "unit"] and entry.actor == duty.users["secadmin"]
    # A role without the scope it needs is refused in Chinese.
    r = c.post(f"/accounts/roles/{user.pk}/", {"action": "assign", "role": "supervisor"})
    assert "角色「督查室」须选择区划" in r.content.decode()
    assert Profile.objects.get(user=user).role == Role.UNIT


def test_it_lets_no_account_hold_two_administrator_roles(duty):
    sec = Scope(duty.users["secadmin"])
    target = duty.users["sysadmin"]
    with pytest.raises(ValidationError) as e:
        identity.do_assign_role(sec, target, Role.AUDITOR)
    assert "三员须由不同账号担任" in e.value.messages[0]
    assert Profile.objects.get(user=target).role == Role.SYSADMIN
    # One profile per account in the database as well.
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=target, role=Role.AUDITOR)
    # Nor can the security administrator change their own role, or touch the superuser.
    with pytest.raises(Exception, match="不能对本人账号"):
        identity.do_assign_role(sec, duty.users["secadmin"], Role.AUDITOR)
    with pytest.raises(Exception, match="超级用户仅用于安装"):
        identity.do_assign_role(sec, duty.users["admin"], Role.AUDITOR)


def test_it_flags_the_superuser_on_every_page(duty):
    root = get_user_model().objects.create_superuser("root", password="Install#2026x")
    body = signed_in(root).get("/").content.decode()
    assert "超级用户仅用于安装，请使用三员账号" in body
    assert "超级用户仅用于安装" not in signed_in(duty.users["sup_a"]).get("/").content.decode()
    # The system administrator sees that a superuser exists and when it was last used.
    page = signed_in(duty.users["sysadmin"]).get("/accounts/users/").content.decode()
    assert "data-superusers" in page and "root" in page


def test_it_lifts_a_login_delay_for_the_security_administrator(duty):
    from taizhang.core import lockout

    for _ in range(6):
        lockout.note_failure("sup_a")
    assert lockout.wait_seconds("sup_a") > 0
    signed_in(duty.users["secadmin"]).post(
        f"/accounts/roles/{duty.users['sup_a'].pk}/", {"action": "unlock"}
    )
    assert lockout.wait_seconds("sup_a") == 0
    assert AuditEntry.objects.filter(verb="解除登录限制").exists()


def test_it_gives_the_demo_three_administrators_who_log_in_with_the_printed_password(
    demo_session, db
):
    from taizhang.demo import load as demo
    from taizhang.demo.org import DEMO_PASSWORD

    printed = {u: label for u, label, _ in demo.accounts()}
    for username, label in (
        ("xt_guanli", "系统管理员"),
        ("aq_guanli", "安全管理员"),
        ("sj_guanli", "审计管理员"),
    ):
        assert label in printed[username]
    assert "业务管理员" in printed["admin"]
    assert not get_user_model().objects.filter(is_superuser=True).exists()
    for username, home in (
        ("xt_guanli", "/accounts/users/"),
        ("sj_guanli", "/audit/"),
        ("sc_duchashi", "/"),
    ):
        c = Client()
        c.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        r = c.get("/")
        # Signed in, not forced to change the printed password.
        assert (r.status_code, r.get("Location")) == (
            (200, None) if home == "/" else (302, home)
        ), username
