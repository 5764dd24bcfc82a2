"""Password policy (等保三级 身份鉴别): rules in Chinese, no reuse, expiry, forced change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from taizhang.core import identity
from taizhang.core.models import AccountSecurity, ApiToken, AuditEntry, Role
from taizhang.core.scope import Scope
from taizhang.demo.org import DEMO_PASSWORD
from tests.conftest import make_user

GOOD = "Xinyang#2026"


def messages(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as e:
        return list(e.messages)
    return []


@pytest.fixture
def sysadmin(world):
    return make_user("xt_admin", Role.SYSADMIN)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_it_explains_each_rule_in_chinese(world):
    user = world.users["sup_a"]
    assert messages("Ab#1234", user) == ["密码至少需要 10 位。"]
    assert messages("abcdefgh12345", user) == [
        "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。"
    ]
    assert messages("Sup_A#2026xyz", user) == ["密码不能包含用户名。"]
    assert "该密码过于常见，请换一个。" in messages("password123", user)
    assert messages(GOOD, user) == []


def test_it_lets_the_demo_accounts_keep_their_printed_password(db):
    # The demo prints one password for every account; it must pass the policy it enforces.
    for name in ("sc_duchashi", "xt_guanli", "admin"):
        assert messages(DEMO_PASSWORD, get_user_model()(username=name)) == []
    assert messages("taizhang2026", get_user_model()(username="admin"))  # the old one fails


def test_it_refuses_a_password_used_in_the_last_five(world):
    user = world.users["unit_a"]
    passwords = [f"Xinyang#{n}2026" for n in range(6)]
    for p in passwords[:5]:
        identity.do_change_password(user, p)
    with pytest.raises(ValidationError) as e:
        identity.do_change_password(user, passwords[0])
    assert "不能使用最近 5 次用过的密码。" in e.value.messages
    # The sixth new one is fine, and after it the first one has left the window of five.
    identity.do_change_password(user, passwords[5])
    identity.do_change_password(user, passwords[0])
    assert user.check_password(passwords[0])


def test_it_checks_the_old_password_and_shows_errors_on_the_page(world):
    c = client_for(world.users["sup_a"])
    r = c.post(
        "/password/",
        {"old_password": "pw-sup_a", "new_password1": "short", "new_password2": "short"},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "密码至少需要 10 位。" in body
    r = c.post(
        "/password/", {"old_password": "pw-sup_a", "new_password1": GOOD, "new_password2": GOOD}
    )
    assert r.status_code == 302 and r["Location"] == "/password/done/"
    entry = AuditEntry.objects.filter(verb="修改密码").get()
    assert entry.actor == world.users["sup_a"] and "pw-" not in str(entry.changes)


def test_it_forces_a_change_when_the_password_has_expired(world, settings):
    settings.TAIZHANG_PASSWORD_MAX_AGE_DAYS = 90
    user = world.users["sup_a"]
    AccountSecurity.objects.create(
        user=user, password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    c = client_for(user)
    r = c.get("/projects/")
    assert r.status_code == 302 and r["Location"].startswith("/password/?next=")
    assert "您的密码已超过有效期" in c.get("/password/").content.decode()
    c.post("/password/", {"old_password": "pw-sup_a", "new_password1": GOOD, "new_password2": GOOD})
    assert c.get("/projects/").status_code == 200
    # Expiry off: an old password is not forced.
    AccountSecurity.objects.filter(user=user).update(
        password_changed_at=timezone.now() - dt.timedelta(days=900)
    )
    settings.TAIZHANG_PASSWORD_MAX_AGE_DAYS = 0
    assert c.get("/projects/").status_code == 200


def test_it_leaves_enterprise_passwords_out_of_expiry(world, settings):
    settings.TAIZHANG_PASSWORD_MAX_AGE_DAYS = 90
    old = timezone.now() - dt.timedelta(days=400)
    for name in ("ent_a", "unit_a"):
        AccountSecurity.objects.create(user=world.users[name], password_changed_at=old)
    assert identity.password_change_reason(world.users["ent_a"]) is None
    assert identity.password_change_reason(world.users["unit_a"]) == "expired"


def test_it_forces_a_temporary_password_to_be_changed_at_first_login(world, sysadmin):
    user = identity.do_create_account(
        Scope(sysadmin), username="li_ming", full_name="李明", password="Linshi#2026x"
    )
    c = Client()
    r = c.post("/login/", {"username": "li_ming", "password": "Linshi#2026x"}, follow=True)
    assert r.redirect_chain[-1][0].startswith("/password/")
    assert "临时密码" in r.content.decode()
    # Every other page sends the user back until the password is changed.
    assert c.get("/projects/")["Location"].startswith("/password/")
    r = c.post(
        "/password/",
        {"old_password": "Linshi#2026x", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert r.status_code == 302
    assert c.get("/password/done/").status_code == 200
    assert c.get("/projects/").status_code == 200
    user.security.refresh_from_db()
    assert user.security.must_change_password is False
    verbs = list(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("verb", flat=True))
    assert "创建账号" in verbs and "修改密码" in verbs


def test_it_forces_a_change_after_an_admin_reset_but_not_for_api_tokens(world, sysadmin):
    user = world.users["sup_a"]
    identity.do_set_temporary_password(Scope(sysadmin), user, "Chongzhi#2026")
    assert AuditEntry.objects.filter(verb="重置密码", object_id=str(user.pk)).exists()
    c = Client()
    c.post("/login/", {"username": "sup_a", "password": "Chongzhi#2026"})
    assert c.get("/")["Location"].startswith("/password/")
    # The session API waits for the change too; a token (no session) is not affected.
    r = c.get("/api/v1/projects")
    assert r.status_code == 403 and r.json()["detail"] == "请先修改密码"
    _, raw = ApiToken.issue(user, "脚本")
    r = Client().get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200


def test_it_lets_only_the_system_administrator_reset_passwords(world, sysadmin):
    with pytest.raises(Exception, match="只有系统管理员可以重置密码"):
        identity.do_set_temporary_password(world.scope("admin"), world.users["unit_a"], GOOD)
    with pytest.raises(ValidationError) as e:
        identity.do_set_temporary_password(Scope(sysadmin), world.users["unit_a"], "weak")
    assert "密码至少需要 10 位。" in e.value.messages
