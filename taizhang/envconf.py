"""Typed readers for settings from environment variables.

Each helper fails loudly (ImproperlyConfigured) on a value it cannot
understand: a typo in a deployment must stop the process, not be ignored.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

# The key demo and test instances use when SECRET_KEY is not set; `taizhang check --deploy`
# warns when a deployment runs with it (taizhang.core.checks).
DEMO_SECRET_KEY = "taizhang-insecure-demo-key-do-not-use-in-production-0123456789abcdef"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"环境变量 {name} 未设置")
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 应为 true/false，实际为 {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，实际为 {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"环境变量 {name} 不能小于 {minimum}")
    return value


def env_megabytes(name: str, default: int, *, minimum: int = 1) -> int:
    """A size given in whole megabytes (TAIZHANG_UPLOAD_MAX_MB=20), returned in bytes."""
    return env_int(name, default, minimum=minimum) * 1024 * 1024


def storages_from_env(data_dir: str) -> dict[str, dict[str, object]]:
    """STORAGES["default"] (uploaded attachments): a local directory, or an S3-compatible
    bucket through django-storages when TAIZHANG_S3_BUCKET is set (docs/attachments.md).

    The bucket must be private: files are only ever handed out by the download view after
    the scope check, never by a public or signed URL of the store."""
    bucket = env_str("TAIZHANG_S3_BUCKET")
    if not bucket:
        location = env_str("TAIZHANG_MEDIA_ROOT", os.path.join(data_dir, "media"))
        return {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": location, "base_url": None},
            }
        }
    options: dict[str, object] = {
        "bucket_name": bucket,
        "location": env_str("TAIZHANG_S3_PREFIX", "attachments").strip("/"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    for key, var in (
        ("endpoint_url", "TAIZHANG_S3_ENDPOINT_URL"),
        ("region_name", "TAIZHANG_S3_REGION"),
        ("access_key", "TAIZHANG_S3_ACCESS_KEY"),
        ("secret_key", "TAIZHANG_S3_SECRET_KEY"),
    ):
        value = env_str(var)
        if value:
            options[key] = value
    if bool(options.get("access_key")) != bool(options.get("secret_key")):
        raise ImproperlyConfigured(
            "TAIZHANG_S3_ACCESS_KEY 与 TAIZHANG_S3_SECRET_KEY 须同时设置（或都不设置，使用实例角色）"
        )
    options["addressing_style"] = env_str("TAIZHANG_S3_ADDRESSING", "path")
    if options["addressing_style"] not in {"path", "virtual", "auto"}:
        raise ImproperlyConfigured("TAIZHANG_S3_ADDRESSING 应为 path、virtual 或 auto")
    return {"default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_database_url(url: str) -> dict[str, object]:
    """Turn postgres://user:pw@host:port/name or sqlite:///path into DATABASES['default']."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL 缺少数据库名")
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        cfg: dict[str, object] = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": unquote(parsed.hostname or ""),
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
        if options:
            cfg["OPTIONS"] = options
        return cfg
    if scheme == "sqlite":
        path = unquote(parsed.path)
        if path.startswith("//"):
            path = path[1:]
        elif path.startswith("/") and parsed.netloc == "":
            path = path[1:] if path.startswith("/./") else path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or ":memory:"}
    raise ImproperlyConfigured(
        f"DATABASE_URL 协议不受支持：{scheme!r}（支持 postgres:// 与 sqlite://）"
    )


def replica_databases(primary: dict[str, object]) -> dict[str, dict[str, object]]:
    """DATABASES entries replica1..n from DATABASE_REPLICA_URLS (comma-separated URLs).

    Streaming replicas of the primary: same engine, read-only. In tests each one mirrors
    the primary (TEST MIRROR), so a suite run with replicas configured creates no extra
    database; the routing test points an alias at a really different database instead."""
    urls = env_list("DATABASE_REPLICA_URLS", [])
    replicas: dict[str, dict[str, object]] = {}
    for n, url in enumerate(urls, 1):
        try:
            cfg = parse_database_url(url)
        except ImproperlyConfigured as e:
            raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS 第 {n} 项：{e}") from None
        postgres = "django.db.backends.postgresql"
        if cfg["ENGINE"] != postgres or primary.get("ENGINE") != postgres:
            # A replica is a streaming copy of the primary: only PostgreSQL has one, and an
            # SQLite file next to a PostgreSQL primary would silently serve other data.
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS 第 {n} 项：只读副本须为 PostgreSQL，"
                "且 DATABASE_URL（主库）也须为 PostgreSQL"
            )
        cfg["TEST"] = {"MIRROR": "default"}
        replicas[f"replica{n}"] = cfg
    return replicas


CACHE_TABLE = "taizhang_cache"


def caches_from_env() -> dict[str, dict[str, object]]:
    """CACHES["default"] from CACHE_URL: `locmem://` (one process, the default) or
    `db://` / `db://table` (a table in the primary database, shared by every process and server).

    The cache holds the API rate-limit counters and the replica pins of API clients; with
    several gunicorn workers or servers a per-process cache lets each count on its own."""
    raw = env_str("CACHE_URL", "locmem://")
    parsed = urlparse(raw)
    scheme = parsed.scheme.lower()
    if scheme == "locmem":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if scheme in {"db", "database"}:
        table = (parsed.netloc + parsed.path).strip("/") or CACHE_TABLE
        if not table.replace("_", "").isalnum():
            raise ImproperlyConfigured(f"CACHE_URL 的表名不合法：{table!r}")
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": table,
            }
        }
    raise ImproperlyConfigured(
        f"CACHE_URL 协议不受支持：{scheme!r}（支持 locmem:// 与 db://表名；多台服务器请用 db://）"
    )
