"""TOTP second factor: enrolment, login with a code, recovery codes, enforcement, reset."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from taizhang.core import identity
from taizhang.core.models import AuditEntry, Role
from tests.conftest import make_user


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def enrol(client: Client, user) -> list[str]:
    """Open the enrolment page, type the app's code, return the recovery codes shown."""
    page = client.get("/account/2fa/").content.decode()
    assert "<svg" in page  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    key = re.search(r'data-otp="key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert key  # the manual key, for phones that cannot scan
    r = client.post("/account/2fa/", {"token": code_for(device)})
    assert r.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", r.content.decode())


def fresh_step(user) -> None:
    # A code is accepted once per 30-second step (replay protection); the test does not wait.
    TOTPDevice.objects.filter(user=user).update(last_t=-1)


def password_login(username: str, password: str) -> Client:
    c = Client()
    r = c.post("/login/", {"username": username, "password": password})
    assert r.status_code == 302
    return c


def test_it_enrols_an_authenticator_and_shows_ten_recovery_codes_once(world):
    user = world.users["unit_a"]
    c = signed_in(user)
    codes = enrol(c, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert identity.recovery_codes_left(user) == 10
    # Later visits show the state, never the codes again.
    page = c.get("/account/2fa/").content.decode()
    assert 'data-otp="enrolled"' in page and codes[0] not in page
    verbs = set(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("verb", flat=True))
    assert {"启用双因素认证", "生成恢复码"} <= verbs


def test_it_refuses_a_wrong_code_at_enrolment(world):
    user = world.users["unit_a"]
    c = signed_in(user)
    c.get("/account/2fa/")
    r = c.post("/account/2fa/", {"token": "000000"})
    # 000000 could be the right code once in a million: compute it to be sure it is not.
    device = TOTPDevice.objects.get(user=user)
    if code_for(device) != "000000":
        assert "验证码不正确" in r.content.decode()
        assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_it_asks_for_the_code_at_login(world):
    user = world.users["unit_a"]
    enrol(signed_in(user), user)
    fresh_step(user)
    c = password_login("unit_a", "pw-unit_a")
    r = c.get("/projects/")
    assert r.status_code == 302 and r["Location"].startswith("/account/2fa/verify/")
    # The session API is closed too until the second factor is given.
    assert c.get("/api/v1/projects").status_code == 403
    r = c.post("/account/2fa/verify/", {"token": "12345x", "next": "/projects/"})
    assert "验证码不正确" in r.content.decode()
    device = TOTPDevice.objects.get(user=user)
    r = c.post("/account/2fa/verify/", {"token": code_for(device), "next": "/projects/"})
    assert r.status_code == 302 and r["Location"] == "/projects/"
    assert c.get("/projects/").status_code == 200


def test_it_sends_a_verified_user_only_to_pages_of_this_site(world):
    user = world.users["unit_a"]
    enrol(signed_in(user), user)
    fresh_step(user)
    c = password_login("unit_a", "pw-unit_a")
    device = TOTPDevice.objects.get(user=user)
    r = c.post("/account/2fa/verify/", {"token": code_for(device), "next": "https://evil.example/"})
    assert r["Location"] == "/"


def test_it_accepts_each_recovery_code_once(world):
    user = world.users["unit_a"]
    codes = enrol(signed_in(user), user)
    c = password_login("unit_a", "pw-unit_a")
    r = c.post("/account/2fa/verify/", {"token": codes[3].upper()})
    assert r.status_code == 302
    assert c.get("/projects/").status_code == 200
    assert identity.recovery_codes_left(user) == 9
    assert AuditEntry.objects.filter(verb="使用恢复码登录").exists()
    again = password_login("unit_a", "pw-unit_a")
    r = again.post("/account/2fa/verify/", {"token": codes[3]})
    assert r.status_code == 200 and "已使用" in r.content.decode()
    assert again.get("/projects/").status_code == 302


def test_it_replaces_recovery_codes_on_request(world):
    user = world.users["unit_a"]
    c = signed_in(user)
    old = enrol(c, user)
    new = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", c.post("/account/2fa/recovery/").content.decode()
    )
    assert len(new) == 10 and not set(old) & set(new)
    assert identity.verify_second_factor(user, old[0]) is None


@pytest.mark.parametrize(
    ("name", "required"),
    [("sup_a", True), ("leader_a", True), ("admin", True), ("unit_a", False), ("cadre_a", False)],
)
def test_it_sends_required_roles_to_enrolment_when_enforced(world, settings, name, required):
    settings.TAIZHANG_2FA_ENFORCE = True
    c = signed_in(world.users[name])
    r = c.get("/projects/")
    if required:
        assert r.status_code == 302 and r["Location"].startswith("/account/2fa/")
        assert "必须启用双因素认证" in c.get("/account/2fa/").content.decode()
        assert c.get("/api/v1/projects").status_code == 403
    else:
        assert r.status_code == 200


def test_it_lets_an_enforced_role_in_after_enrolment(world, settings):
    settings.TAIZHANG_2FA_ENFORCE = True
    user = world.users["sup_a"]
    c = signed_in(user)
    enrol(c, user)  # enrolling verifies this session
    assert c.get("/projects/").status_code == 200


def test_it_lets_the_demo_and_tests_run_without_enforcement(world, settings):
    settings.TAIZHANG_2FA_ENFORCE = False
    assert signed_in(world.users["sup_a"]).get("/projects/").status_code == 200


def test_it_lets_the_security_administrator_reset_a_lost_phone(world):
    user = world.users["unit_a"]
    enrol(signed_in(user), user)
    secadmin = make_user("aq", Role.SECADMIN)
    with pytest.raises(Exception, match="只有安全管理员"):
        identity.do_reset_two_factor(world.scope("admin"), user)
    c = signed_in(secadmin)
    r = c.post(f"/accounts/roles/{user.pk}/", {"action": "reset_2fa"})
    assert r.status_code == 302
    assert not identity.has_confirmed_device(user) and identity.recovery_codes_left(user) == 0
    assert AuditEntry.objects.filter(verb="重置双因素认证", object_id=str(user.pk)).exists()
    # Back to password only.
    assert password_login("unit_a", "pw-unit_a").get("/projects/").status_code == 200
