from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from taizhang.envconf import env_bool, env_int, env_list, parse_database_url


def test_it_reads_booleans_and_fails_loudly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_it_reads_ints_with_bounds(monkeypatch):
    monkeypatch.setenv("X_N", "7")
    assert env_int("X_N", 1) == 7
    monkeypatch.setenv("X_N", "seven")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_N", 1)
    monkeypatch.setenv("X_N", "-1")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_N", 1, minimum=0)


def test_it_reads_lists(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.gov.cn, b.gov.cn,,")
    assert env_list("X_HOSTS", []) == ["a.gov.cn", "b.gov.cn"]


def test_it_parses_database_urls():
    cfg = parse_database_url("postgres://tz:p%40ss@db.local:5433/taizhang?sslmode=require")
    assert cfg["ENGINE"] == "django.db.backends.postgresql"
    assert (cfg["USER"], cfg["PASSWORD"], cfg["HOST"], cfg["PORT"], cfg["NAME"]) == (
        "tz",
        "p@ss",
        "db.local",
        "5433",
        "taizhang",
    )
    assert cfg["OPTIONS"] == {"sslmode": "require"}
    assert parse_database_url("sqlite:////var/lib/tz.db")["NAME"] == "/var/lib/tz.db"
    with pytest.raises(ImproperlyConfigured):
        parse_database_url("mysql://x/y")
    with pytest.raises(ImproperlyConfigured):
        parse_database_url("postgres://host/")


def test_it_refuses_to_start_production_without_a_secret_key():
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "TAIZHANG_DEMO", "TAIZHANG_TESTING"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "taizhang.settings"
    r = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "SECRET_KEY" in r.stderr


def test_it_trusts_x_forwarded_proto_only_when_told_it_sits_behind_a_tls_proxy():
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    out = {}
    for flag in ("0", "1"):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "taizhang.settings", "DEBUG": "1"}
        env["TAIZHANG_BEHIND_TLS_PROXY"] = flag
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        out[flag] = r.stdout.strip().splitlines()[-1]
    assert out == {"0": "None", "1": "('HTTP_X_FORWARDED_PROTO', 'https')"}
