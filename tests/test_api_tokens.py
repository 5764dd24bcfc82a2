"""API tokens: expiry, read-only scope, the owner's page, the command, last_used, rate limits."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from taizhang.core.models import ApiToken, AuditEntry
from taizhang.core.tokens import do_issue_token


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _report(c: Client, world, raw: str):
    return c.post(
        f"/api/v1/projects/{world.pa.pk}/reports",
        data=json.dumps({"year": 2022, "month": 5, "amount_wan": "1"}),
        content_type="application/json",
        **_bearer(raw),
    )


@pytest.fixture
def limits(settings):
    """Small rate limits, counted from zero."""
    cache.clear()
    settings.TAIZHANG = {**settings.TAIZHANG, "API_RATE_PER_TOKEN": 3, "API_RATE_PER_IP": 5}
    yield
    cache.clear()


def test_it_issues_tokens_that_expire(world, settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "TOKEN_DAYS": 30}
    token, raw = do_issue_token(world.users["sup_a"], name="数据中心")
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(
        minutes=1
    )
    c = Client()
    assert c.get("/api/v1/projects", **_bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = c.get("/api/v1/projects", **_bearer(raw))
    assert r.status_code == 401 and "过期" in r.json()["detail"]


def test_it_refuses_longer_than_the_configured_term(world, settings):
    from django.core.exceptions import ValidationError

    settings.TAIZHANG = {**settings.TAIZHANG, "TOKEN_DAYS": 30}
    with pytest.raises(ValidationError, match="1—30"):
        do_issue_token(world.users["sup_a"], name="x", days=31)
    with pytest.raises(ValidationError, match="用途"):
        do_issue_token(world.users["sup_a"], name="  ")


def test_it_lets_a_read_only_token_read_but_not_write(world):
    _, ro = do_issue_token(world.users["sup_a"], name="只读", read_only=True)
    _, rw = do_issue_token(world.users["sup_a"], name="读写")
    c = Client()
    assert c.get("/api/v1/projects", **_bearer(ro)).status_code == 200
    r = _report(c, world, ro)
    assert r.status_code == 403 and "只读" in r.json()["detail"]
    for method, path in (("patch", ""), ("put", "/years")):
        r = getattr(c, method)(
            f"/api/v1/projects/{world.pa.pk}{path}",
            data="{}",
            content_type="application/json",
            **_bearer(ro),
        )
        assert r.status_code == 403, method
    assert not AuditEntry.objects.filter(object_type="projects.monthlyreport").exists()
    assert _report(c, world, rw).status_code == 201


def test_it_writes_last_used_at_most_once_a_minute(world):
    token, raw = do_issue_token(world.users["sup_a"], name="t")
    c = Client()
    c.get("/api/v1/projects", **_bearer(raw))
    first = ApiToken.objects.get(pk=token.pk).last_used
    assert first is not None
    c.get("/api/v1/projects", **_bearer(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used == first
    ApiToken.objects.filter(pk=token.pk).update(last_used=first - dt.timedelta(seconds=61))
    c.get("/api/v1/projects", **_bearer(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used > first


def test_it_limits_requests_per_token_with_retry_after(world, limits):
    _, raw = do_issue_token(world.users["sup_a"], name="t")
    _, other = do_issue_token(world.users["sup_a"], name="u")
    c = Client(REMOTE_ADDR="10.0.0.1")
    assert [c.get("/api/v1/projects", **_bearer(raw)).status_code for _ in range(3)] == [200] * 3
    r = c.get("/api/v1/projects", **_bearer(raw))
    assert r.status_code == 429 and 1 <= int(r["Retry-After"]) <= 60
    assert "请求过于频繁" in r.json()["detail"]
    # Another token from the same address still has its own allowance (IP limit is 5).
    assert c.get("/api/v1/projects", **_bearer(other)).status_code == 200


def test_it_limits_requests_per_ip_even_without_a_valid_token(world, limits):
    c = Client(REMOTE_ADDR="10.0.0.2")
    codes = [c.get("/api/v1/projects", **_bearer(f"tz_guess{i}")).status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    # Another address is not affected; the web pages are not limited.
    assert Client(REMOTE_ADDR="10.0.0.3").get("/api/v1/projects").status_code == 401
    assert c.get("/login/").status_code == 200


def test_it_lets_the_owner_issue_list_and_revoke_tokens(world):
    c = Client()
    c.force_login(world.users["unit_a"])
    r = c.post("/account/tokens/", {"name": "科室对接", "days": "10", "read_only": "on"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    raw = re.search(r"tz_[A-Za-z0-9_-]{20,}", r.content.decode()).group(0)
    token = ApiToken.objects.get(user=world.users["unit_a"])
    assert token.digest == ApiToken.hash(raw) and token.read_only
    issued = AuditEntry.objects.filter(verb="签发接口令牌").latest("id")
    assert issued.changes["权限"] == [None, "只读"] and raw not in json.dumps(issued.changes)
    # Shown once: the list page does not carry it.
    page = c.get("/account/tokens/").content.decode()
    assert "科室对接" in page and raw not in page
    # Someone else's token is not found; the owner's is revoked.
    other = Client()
    other.force_login(world.users["unit_b"])
    assert other.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert c.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert AuditEntry.objects.filter(verb="吊销接口令牌", object_id=str(token.pk)).exists()
    assert Client().get("/api/v1/projects", **_bearer(raw)).status_code == 401


def test_it_refuses_a_bad_form_in_chinese(world):
    c = Client()
    c.force_login(world.users["unit_a"])
    r = c.post("/account/tokens/", {"name": "", "days": "9999"})
    assert r.status_code == 200 and not ApiToken.objects.exists()
    assert "tz_" not in r.content.decode()


def test_it_issues_from_the_command_line_with_days_and_read_only(world, capsys):
    call_command("token", "sup_a", "数据中心", "--days", "7", "--read-only")
    out = capsys.readouterr().out
    raw = out.strip().splitlines()[-1]
    token = ApiToken.objects.get(digest=ApiToken.hash(raw))
    assert token.read_only and "只读" in out
    assert token.expires_at - timezone.now() < dt.timedelta(days=7, minutes=1)
    entry = AuditEntry.objects.filter(verb="签发接口令牌").latest("id")
    assert entry.source == "command" and entry.actor_id == world.users["sup_a"].pk
