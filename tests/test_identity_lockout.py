"""Login failures: a growing delay per username (no lock of the victim), a lock per real client IP."""

from __future__ import annotations

import datetime as dt

from django.test import Client, RequestFactory

from taizhang.core import lockout
from taizhang.core.clientip import client_ip
from taizhang.core.models import LoginThrottle


def attempt(username: str, password: str, ip: str, **headers) -> object:
    return Client(REMOTE_ADDR=ip, **headers).post(
        "/login/", {"username": username, "password": password}
    )


def signed_in(r) -> bool:
    return r.status_code == 302 and "/login/" not in r["Location"]


def wait_out(username: str) -> None:
    # Move the last failure back past the longest delay instead of sleeping in the test.
    LoginThrottle.objects.filter(username=username).update(
        last_failure=LoginThrottle.objects.get(username=username).last_failure
        - dt.timedelta(seconds=61)
    )


def test_it_grows_the_delay_up_to_the_maximum(settings):
    settings.TAIZHANG_LOGIN_FREE_FAILURES = 3
    settings.TAIZHANG_LOGIN_MAX_DELAY_SECONDS = 60
    assert [lockout.delay_after(n) for n in range(1, 10)] == [0, 0, 2, 4, 8, 16, 32, 60, 60]


def test_it_does_not_lock_the_owner_out_after_twenty_failures_from_many_addresses(world):
    for i in range(20):
        attempt("sup_a", "wrong", f"198.51.100.{i + 1}")
    # While the delay runs even the right password is refused, with a Chinese reason ...
    r = attempt("sup_a", "pw-sup_a", "203.0.113.9")
    assert r.status_code == 200 and "秒后再试" in r.content.decode()
    # ... and once it has passed the owner logs in: no address was locked, nor the account.
    wait_out("sup_a")
    assert signed_in(attempt("sup_a", "pw-sup_a", "203.0.113.9"))
    assert not LoginThrottle.objects.filter(username="sup_a").exists()


def test_it_does_not_count_tries_refused_for_the_delay(world):
    for i in range(4):
        attempt("sup_a", "wrong", f"198.51.100.{i + 1}")
    failures = LoginThrottle.objects.get(username="sup_a").failures
    attempt("sup_a", "wrong", "198.51.100.50")  # refused for the delay, password unchecked
    assert LoginThrottle.objects.get(username="sup_a").failures == failures


def test_it_blocks_one_address_that_keeps_failing(world, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"guess{i}", "wrong", "198.51.100.7")
    r = attempt("sup_a", "pw-sup_a", "198.51.100.7")
    assert r.status_code == 429 and "锁定" in r.content.decode()
    # Everybody else still gets in.
    assert signed_in(attempt("sup_a", "pw-sup_a", "198.51.100.8"))


def test_it_ignores_a_forwarding_header_from_an_untrusted_peer(world, settings):
    settings.TAIZHANG_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TAIZHANG_TRUSTED_PROXIES = ["10.0.0.0/8"]
    rf = RequestFactory()
    direct = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(direct) == "198.51.100.1"
    proxied = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.3"
    )
    # The nearest address that is not our proxy; what the client wrote further left is ignored.
    assert client_ip(proxied) == "203.0.113.5"
    settings.TAIZHANG_TRUSTED_PROXY_HEADER = ""
    assert client_ip(proxied) == "10.0.0.2"


def test_it_locks_the_real_client_behind_the_proxy_not_the_proxy(world, settings):
    settings.TAIZHANG_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TAIZHANG_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = "10.0.0.2"
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"guess{i}", "wrong", proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
    blocked = attempt("sup_a", "pw-sup_a", proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert blocked.status_code == 429
    # Colleagues behind the same proxy are not locked out.
    assert signed_in(attempt("sup_a", "pw-sup_a", proxy, HTTP_X_FORWARDED_FOR="198.51.100.67"))


def test_it_cannot_be_made_to_lock_a_victims_address_by_a_forged_header(world, settings):
    settings.TAIZHANG_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TAIZHANG_TRUSTED_PROXIES = ["10.0.0.0/8"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"guess{i}", "wrong", "198.51.100.99", HTTP_X_FORWARDED_FOR="203.0.113.20")
    # The attacker locked itself, not the address it named.
    assert attempt("x", "y", "198.51.100.99").status_code == 429
    assert signed_in(attempt("sup_a", "pw-sup_a", "203.0.113.20"))
