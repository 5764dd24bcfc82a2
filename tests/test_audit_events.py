"""What the audit log records besides business changes: logins, failed logins, logouts, password
changes and resets, role and scope changes, exports and downloads, views of personal data."""

from __future__ import annotations

from django.test import Client, RequestFactory

from taizhang.core import chain
from taizhang.core.audit_events import audit_view_personal
from taizhang.core.context import serving
from taizhang.core.models import AuditEntry, Profile, Role
from tests.conftest import make_user


def _last(verb: str) -> AuditEntry:
    return AuditEntry.objects.filter(verb=verb).latest("id")


def test_it_records_logins_failed_logins_and_logouts(world):
    c = Client(REMOTE_ADDR="10.1.2.3")
    assert c.post("/login/", {"username": "sup_a", "password": "wrong"}).status_code == 200
    failed = _last("登录失败")
    assert failed.actor_id is None and failed.ip == "10.1.2.3"
    assert failed.changes["尝试的登录名"] == [None, "sup_a"]
    # The attacked account's district sees the attempt in its own log.
    assert failed.division_path == world.a.path
    c.post("/login/", {"username": "no-such-user", "password": "x"})
    assert _last("登录失败").object_repr == "no-such-user" and _last("登录失败").division_path == ""

    assert c.post("/login/", {"username": "sup_a", "password": "pw-sup_a"}).status_code == 302
    login = _last("登录")
    assert login.actor_id == world.users["sup_a"].pk and login.ip == "10.1.2.3"
    assert login.source == "web"
    c.post("/logout/")
    assert _last("退出登录").actor_id == world.users["sup_a"].pk
    assert chain.verify().ok


def test_it_records_a_password_change_by_its_owner_without_the_password(world):
    c = Client()
    c.force_login(world.users["unit_a"])
    r = c.post(
        "/password/",
        {
            "old_password": "pw-unit_a",
            "new_password1": "Xinyang#2026",
            "new_password2": "Xinyang#2026",
        },
    )
    assert r.status_code == 302
    e = _last("修改密码")
    assert e.actor_id == world.users["unit_a"].pk and e.object_id == str(world.users["unit_a"].pk)
    assert "Xinyang" not in str(e.changes)


def test_it_records_a_reset_by_an_administrator(world):
    c = Client()
    c.force_login(world.users["admin"])
    target = world.users["cadre_a"]
    r = c.post(
        f"/admin/auth/user/{target.pk}/password/",
        {"password1": "Xinyang#2026", "password2": "Xinyang#2026", "usable_password": "true"},
    )
    assert r.status_code == 302, r.content[:500]
    e = _last("重置密码")
    assert e.actor_id == world.users["admin"].pk and e.object_id == str(target.pk)
    assert e.division_path == world.a.path


def test_it_records_role_and_scope_changes_with_before_and_after(world):
    admin = world.users["admin"]
    profile = Profile.objects.get(user=world.users["unit_a"])
    request = RequestFactory().post("/admin/")
    request.user = admin
    with serving(request):
        profile.role = Role.SUPERVISOR
        profile.unit = None
        profile.division = world.a
        profile.save()
    e = _last("变更角色与范围")
    assert e.actor_id == admin.pk and e.object_id == str(world.users["unit_a"].pk)
    assert e.changes["角色"] == ["单位工作人员", "督查室"]
    assert e.changes["单位"] == ["区发改委", ""]
    # Saving it again unchanged records nothing.
    n = AuditEntry.objects.count()
    profile.save()
    assert AuditEntry.objects.count() == n


def test_it_records_the_granting_of_a_role(world):
    from tests.conftest import make_user

    make_user("new_cadre", Role.CADRE, division=world.a, person=world.cadre_a)
    e = _last("授予角色")
    assert e.changes["角色"] == [None, "包联干部"] and e.division_path == world.a.path


def test_it_records_who_exported_what_with_which_filters(world):
    c = Client()
    c.force_login(world.users["sup_a"])
    r = c.get("/projects/export.xlsx", {"q": "新拓洋", "stage": "construction", "page": "2"})
    assert r.status_code == 200
    e = _last("导出下载")
    assert e.actor_id == world.users["sup_a"].pk and e.object_repr == "重点项目台账"
    assert e.changes["筛选条件"] == [None, {"q": "新拓洋", "stage": "construction"}]
    assert e.changes["格式"] == [None, "xlsx"] and e.division_path == world.a.path
    # The audit log's own export (the audit administrator's) is recorded too.
    c.force_login(make_user("auditor_e", Role.AUDITOR, division=world.a))
    c.get("/audit/export.csv")
    assert _last("导出下载").object_repr == "审计日志"


def test_it_records_a_view_of_personal_data(world):
    request = RequestFactory().get("/people/1/")
    request.user = world.users["sup_a"]
    request.META["REMOTE_ADDR"] = "10.9.9.9"
    e = audit_view_personal(request, world.cadre_a, ["mobile", "id_number"])
    assert e is not None and e.verb == "查看个人信息" and e.ip == "10.9.9.9"
    assert e.object_type == "core.person" and e.changes["字段"] == [None, ["mobile", "id_number"]]
    request.user = type("Anon", (), {"is_authenticated": False})()
    assert audit_view_personal(request, world.cadre_a, ["mobile"]) is None
