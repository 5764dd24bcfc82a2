"""Reads on a replica, writes and read-your-writes on the primary, against two real databases.

The "replica" here is a second database that really differs from the primary: a copy taken
at one moment (SQLite's backup API, or PostgreSQL's CREATE DATABASE … TEMPLATE) and never
updated after. A row written on the primary afterwards is absent there, which is exactly
what a lagging streaming replica looks like; so a page that shows the row read the primary.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.db import connection, connections, transaction
from django.db.utils import load_backend
from django.http import HttpResponse, StreamingHttpResponse

from taizhang.core import audit_events, routing
from taizhang.core.models import Division
from taizhang.envconf import caches_from_env, replica_databases

ALIAS = "replica1"
ROUTER = "taizhang.core.routing.ReplicaRouter"


def _postgres_admin():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=s["USER"],
        password=s["PASSWORD"] or None,
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture
def make_replica(transactional_db, settings, tmp_path) -> Iterator[Callable[[], str]]:
    """Call it to copy the primary, as it is now, into a second database named replica1
    and route reads there; undone (and the copy dropped) after the test."""
    made: list[str] = []
    made_alias: list[str] = []

    def make() -> str:
        primary = dict(connection.settings_dict)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            path = tmp_path / "replica.sqlite3"
            copy = sqlite3.connect(path)
            connection.connection.backup(copy)
            copy.close()
            cfg: dict[str, object] = {"ENGINE": primary["ENGINE"], "NAME": str(path)}
        else:
            name = f"{primary['NAME']}_replica"
            # TEMPLATE copies the database only while nobody is connected to it.
            connections.close_all()
            with _postgres_admin() as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                # In the whole suite a connection an earlier test's thread left open would
                # block the copy ("being accessed by other users"): end it first.
                pg.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (primary["NAME"],),
                )
                pg.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary["NAME"]}"')
            made.append(name)
            cfg = {k: primary[k] for k in ("ENGINE", "USER", "PASSWORD", "HOST", "PORT")}
            cfg["NAME"] = name
        configured = connections.configure_settings({"default": primary, ALIAS: cfg})[ALIAS]
        # Registered as a connection only, not in DATABASES: Django's test case lets a test
        # use such a dynamically created alias, and never tries to create or flush it.
        connections[ALIAS] = load_backend(cfg["ENGINE"]).DatabaseWrapper(configured, ALIAS)
        made_alias.append(ALIAS)
        settings.DATABASE_REPLICAS = [ALIAS]
        settings.DATABASE_ROUTERS = [ROUTER]
        return ALIAS

    yield make
    for alias in made_alias:
        connections[alias].close()
        del connections[alias]
    for name in made:
        with _postgres_admin() as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _codes(request) -> HttpResponse:
    return HttpResponse(",".join(Division.objects.order_by("code").values_list("code", flat=True)))


def _with_pin(req, response):
    req.COOKIES[routing.PIN_COOKIE] = response.cookies[routing.PIN_COOKIE].value
    return req


def test_a_get_reads_the_replica_until_the_user_writes(make_replica, rf):
    Division.objects.create(code="410000", name="河南省", level="province")
    make_replica()
    Division.objects.create(code="410600", name="鹤壁市", level="city")  # primary only
    mw = routing.ReplicaPinMiddleware(_codes)

    assert mw(rf.get("/")).content == b"410000"  # unpinned: the replica, row absent

    wrote = mw(rf.post("/"))
    assert wrote.content == b"410000,410600"  # any other method reads the primary
    assert routing.PIN_COOKIE in wrote.cookies
    assert mw(_with_pin(rf.get("/"), wrote)).content == b"410000,410600"
    # The same cookie, signed longer ago than REPLICA_PIN_SECONDS, pins no more.
    with mock.patch.object(signing.time, "time", return_value=signing.time.time() + 6):
        assert mw(_with_pin(rf.get("/"), wrote)).content == b"410000"
    # A forged pin (not signed with SECRET_KEY) is ignored.
    forged = rf.get("/")
    forged.COOKIES[routing.PIN_COOKIE] = "1"
    assert mw(forged).content == b"410000"


def test_a_failed_write_does_not_pin(make_replica, rf):
    make_replica()
    mw = routing.ReplicaPinMiddleware(lambda r: HttpResponse("不合法", status=400))
    assert routing.PIN_COOKIE not in mw(rf.post("/")).cookies


def test_an_api_client_is_pinned_through_the_cache_without_cookies(make_replica, rf):
    make_replica()
    Division.objects.create(code="410600", name="鹤壁市", level="city")
    mw = routing.ReplicaPinMiddleware(_codes)
    auth = {"HTTP_AUTHORIZATION": "Bearer tz_abc"}
    assert mw(rf.get("/", **auth)).content == b""
    mw(rf.post("/", **auth))
    assert mw(rf.get("/", **auth)).content == b"410600"  # same token: pinned
    assert mw(rf.get("/", HTTP_AUTHORIZATION="Bearer tz_other")).content == b""


def test_atomic_blocks_and_what_a_request_wrote_read_the_primary(make_replica, rf):
    make_replica()
    city = Division.objects.create(code="410600", name="鹤壁市", level="city")
    Division.objects.create(code="410603", name="山城区", level="district", parent=city)

    def locked(request):
        with transaction.atomic():
            rows = list(Division.objects.select_for_update().values_list("code", flat=True))
        return HttpResponse(",".join(rows))

    def writes_then_reads(request):
        Division.objects.create(code="410700", name="新乡市", level="city")
        return _codes(request)

    def relations_of_a_locked_row(request):
        with transaction.atomic():
            city = Division.objects.select_for_update().get(code="410600")
        return HttpResponse(",".join(c.code for c in city.children.all()))

    assert routing.ReplicaPinMiddleware(locked)(rf.get("/")).content == b"410600,410603"
    children = routing.ReplicaPinMiddleware(relations_of_a_locked_row)(rf.get("/")).content
    assert children == b"410603"
    body = routing.ReplicaPinMiddleware(writes_then_reads)(rf.get("/")).content
    assert body == b"410600,410603,410700"

    def audited_export(request):
        audit_events.record_event(None, verb="导出", object_type="test.export")
        return _codes(request)

    # Its own audit entry is not something a request reads back: it stays on the replica.
    assert routing.ReplicaPinMiddleware(audited_export)(rf.get("/")).content == b""
    assert routing.read_state() is None  # nothing leaks into the next request


def test_a_streamed_response_keeps_reading_where_its_request_did(make_replica, rf):
    make_replica()
    Division.objects.create(code="410600", name="鹤壁市", level="city")

    def export(request):
        def rows():
            yield b"codes:"
            yield ",".join(Division.objects.values_list("code", flat=True)).encode()

        return StreamingHttpResponse(rows())

    response = routing.ReplicaPinMiddleware(export)(rf.get("/"))
    assert b"".join(response.streaming_content) == b"codes:"  # generated later, on the replica


def test_commands_and_workers_read_the_primary(make_replica):
    make_replica()
    Division.objects.create(code="410600", name="鹤壁市", level="city")
    # No request: a worker claiming rows must read back what it stamped.
    assert list(Division.objects.values_list("code", flat=True)) == ["410600"]
    assert Division.objects.using(ALIAS).count() == 0  # the copy really is another database


@pytest.mark.django_db(transaction=True)
def test_a_real_page_follows_the_pin(make_replica, world, client):
    client.force_login(world.users["sup_a"])
    make_replica()
    assert "新拓洋生物科技产业园" in client.get("/projects/").content.decode()
    form = client.get("/projects/new/").content.decode()
    token = form.split('name="once_token" value="', 1)[1].split('"', 1)[0]
    data = {
        "division": world.a.pk,
        "code": "SC-099",
        "name": "山城区智慧仓储",
        "responsible_unit": world.unit_a.pk,
        "total_investment": "1.2亿",
        "once_token": token,
    }
    assert client.post("/projects/new/", data).status_code == 302
    assert "山城区智慧仓储" in client.get("/projects/").content.decode()  # pinned: primary
    del client.cookies[routing.PIN_COOKIE]
    html = client.get("/projects/").content.decode()
    assert "新拓洋生物科技产业园" in html and "山城区智慧仓储" not in html  # the replica


@pytest.mark.skipif(bool(os.environ.get("DATABASE_REPLICA_URLS")), reason="本次运行配置了只读副本")
def test_without_replicas_nothing_changes(settings, rf):
    assert settings.DATABASE_REPLICAS == []
    assert not settings.DATABASE_ROUTERS
    with pytest.raises(MiddlewareNotUsed):
        routing.ReplicaPinMiddleware(_codes)


def test_replica_urls_are_read_and_checked(monkeypatch):
    primary = {"ENGINE": "django.db.backends.postgresql", "NAME": "taizhang"}
    monkeypatch.setenv(
        "DATABASE_REPLICA_URLS", "postgres://r@db2/taizhang, postgres://r@db3/taizhang"
    )
    got = replica_databases(primary)
    assert list(got) == ["replica1", "replica2"]
    assert got["replica2"]["HOST"] == "db3" and got["replica1"]["TEST"] == {"MIRROR": "default"}
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://db2/")
    with pytest.raises(ImproperlyConfigured, match="第 1 项"):
        replica_databases(primary)
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "sqlite:////tmp/x.db")
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        replica_databases(primary)
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://r@db2/taizhang")
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        replica_databases({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
    monkeypatch.delenv("DATABASE_REPLICA_URLS")
    assert replica_databases(primary) == {}


def test_cache_url_is_read_and_checked(monkeypatch):
    monkeypatch.delenv("CACHE_URL", raising=False)
    assert caches_from_env()["default"]["BACKEND"].endswith("LocMemCache")
    monkeypatch.setenv("CACHE_URL", "db://")
    assert caches_from_env()["default"]["LOCATION"] == "taizhang_cache"
    monkeypatch.setenv("CACHE_URL", "db://tz_cache")
    assert caches_from_env()["default"]["LOCATION"] == "tz_cache"
    monkeypatch.setenv("CACHE_URL", "memcached://127.0.0.1")
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        caches_from_env()


def test_the_router_migrates_the_primary_only_and_relates_replica_rows(settings):
    settings.DATABASE_REPLICAS = [ALIAS]
    router = routing.ReplicaRouter()
    assert router.allow_migrate("default", "core") is True
    assert router.allow_migrate(ALIAS, "core") is False
    a, b = Division(code="1"), Division(code="2")
    a._state.db, b._state.db = "default", ALIAS
    assert router.allow_relation(a, b) is True


def test_settings_install_the_router_only_with_replicas():
    import json
    import subprocess
    import sys

    code = (
        "import json; from django.conf import settings as s; print(json.dumps([sorted(s.DATABASES),"
        " s.DATABASE_REPLICAS, getattr(s, 'DATABASE_ROUTERS', []), s.CACHES['default']['BACKEND']]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URLS", "CACHE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="taizhang.settings",
        TAIZHANG_TESTING="1",
        DATABASE_URL="postgres://tz@db1/taizhang",
        DATABASE_REPLICA_URLS="postgres://tz@db2/taizhang,postgres://tz@db3/taizhang",
        CACHE_URL="db://",
    )
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    dbs, replicas, routers, cache = json.loads(out.stdout.strip().splitlines()[-1])
    assert dbs == ["default", "replica1", "replica2"] and replicas == ["replica1", "replica2"]
    assert routers == [ROUTER] and cache.endswith("DatabaseCache")


@pytest.mark.django_db(transaction=True)
def test_a_database_cache_gets_its_table_and_replicas_want_one(settings):
    from django.core.cache import caches

    from taizhang.core.apps import create_cache_table
    from taizhang.core.checks import shared_cache_with_replicas

    settings.DATABASE_REPLICAS = [ALIAS]
    assert [w.id for w in shared_cache_with_replicas()] == ["taizhang.W002"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "taizhang_cache_t",
        }
    }
    assert shared_cache_with_replicas() == []
    create_cache_table()  # what `taizhang migrate` runs after core's migrations
    try:
        caches["default"].set("k", 1)
        assert caches["default"].get("k") == 1
    finally:
        with connection.schema_editor() as editor:
            editor.execute(editor.sql_delete_table % {"table": "taizhang_cache_t"})


def test_one_request_reads_one_replica(settings):
    settings.DATABASE_REPLICAS = ["replica1", "replica2", "replica3"]
    router = routing.ReplicaRouter()
    token = routing._state.set(routing.ReadState(replica=True))
    try:
        chosen = {router.db_for_read(Division) for _ in range(50)}
    finally:
        routing._state.reset(token)
    assert len(chosen) == 1 and chosen <= set(settings.DATABASE_REPLICAS)


@pytest.mark.django_db(transaction=True)
def test_an_api_script_without_cookies_reads_its_own_writes(make_replica, world):
    import json

    from django.core.cache import cache
    from django.test import Client

    from taizhang.core.models import ApiToken

    _, raw = ApiToken.issue(world.users["sup_a"], "数据中心")
    _, other = ApiToken.issue(world.users["sup_a"], "大屏")
    make_replica()

    def call(method: str, token: str, **kw):
        # A new client each time: a script that keeps no cookies.
        return getattr(Client(), method)(
            "/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {token}", **kw
        )

    assert call("get", raw).json()["count"] == 2
    created = call(
        "post",
        raw,
        data=json.dumps(
            {
                "division": "410603",
                "code": "SC-100",
                "name": "德瑞电子化学品",
                "responsible_unit_id": world.unit_a.pk,
                "total_investment_wan": "60000",
                "stage": "signed",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert call("get", raw).json()["count"] == 3  # pinned through the cache: the primary
    assert call("get", other).json()["count"] == 2  # another client: the replica
    cache.clear()  # the pin's REPLICA_PIN_SECONDS have passed
    assert call("get", raw).json()["count"] == 2
