from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.test import Client

from taizhang.core.models import AuditEntry


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def test_it_lets_the_office_open_an_enterprise_login(world):
    e = world.enterprise_a
    r = login(world, "sup_a").post(
        f"/enterprises/{e.pk}/accounts/",
        {"username": "xty_zhang", "full_name": "张经理"},
        follow=True,
    )
    body = r.content.decode()
    password = re.search(r"初始密码：(\w+)", body).group(1)
    c = Client()
    assert c.post("/login/", {"username": "xty_zhang", "password": password}).status_code == 302
    # The new user sees only its own enterprise.
    assert c.get(f"/enterprises/{e.pk}/").status_code == 200
    assert c.get(f"/projects/{world.pb.pk}/").status_code == 404
    entry = AuditEntry.objects.get(verb="新增企业账号")
    assert password not in str(entry.changes) and entry.root_id == str(e.pk)


def test_it_refuses_bad_or_taken_usernames(world):
    e = world.enterprise_a
    c = login(world, "sup_a")
    body = c.post(
        f"/enterprises/{e.pk}/accounts/", {"username": "a b", "full_name": "x"}, follow=True
    ).content.decode()
    assert "登录名应为" in body
    body = c.post(
        f"/enterprises/{e.pk}/accounts/", {"username": "sup_a", "full_name": "x"}, follow=True
    ).content.decode()
    assert "已被使用" in body
    assert not get_user_model().objects.filter(username="a b").exists()


def test_it_switches_an_enterprise_login_off(world):
    e = world.enterprise_a
    user = world.users["ent_a"]
    login(world, "sup_a").post(
        f"/enterprises/{e.pk}/accounts/", {"user_id": user.pk, "active": "0"}
    )
    user.refresh_from_db()
    assert not user.is_active


def test_it_keeps_account_management_to_the_office(world):
    e = world.enterprise_a
    # The unit has no problem of this enterprise, so it does not see it (404); the district's
    # leader and the enterprise itself see it but may not manage its logins (403).
    for name, status in (("unit_a", 404), ("leader_a", 403), ("ent_a", 403)):
        r = login(world, name).post(
            f"/enterprises/{e.pk}/accounts/", {"username": "hack1", "full_name": "x"}
        )
        assert r.status_code == status, name
        assert not get_user_model().objects.filter(username="hack1").exists()
    r = login(world, "sup_b").post(
        f"/enterprises/{e.pk}/accounts/", {"username": "hack2", "full_name": "x"}
    )
    assert r.status_code == 404


def test_it_lets_a_user_change_their_password(world):
    c = Client()
    assert c.post("/login/", {"username": "ent_a", "password": "pw-ent_a"}).status_code == 302
    r = c.post(
        "/password/",
        {
            "old_password": "pw-ent_a",
            "new_password1": "Xinyang#2026",
            "new_password2": "Xinyang#2026",
        },
    )
    assert r.status_code == 302
    again = Client().post("/login/", {"username": "ent_a", "password": "Xinyang#2026"})
    assert again.status_code == 302
