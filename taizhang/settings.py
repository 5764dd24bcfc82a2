"""Django settings, read from environment variables (see taizhang.envconf)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from taizhang.envconf import (
    DEMO_SECRET_KEY,
    caches_from_env,
    env_bool,
    env_int,
    env_list,
    env_megabytes,
    env_str,
    parse_database_url,
    replica_databases,
    storages_from_env,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TAIZHANG_DATA_DIR", str(Path.cwd() / "data")))

DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("TAIZHANG_DEMO", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or DEMO or env_bool("TAIZHANG_TESTING", False):
        # Demo and test instances run on loopback only; production must set its own key.
        SECRET_KEY = DEMO_SECRET_KEY
    else:
        raise ImproperlyConfigured(
            "生产环境必须设置环境变量 SECRET_KEY（或设置 DEBUG=1 / TAIZHANG_DEMO=1）"
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # TOTP second factor and one-time recovery codes (docs/security-identity.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Listed so the API docs page serves Swagger UI from the package, not a CDN.
    "ninja",
    # The domain, from the ground up: each app imports only those above it in this list.
    "taizhang.core",
    "taizhang.attachments",
    "taizhang.projects",
    "taizhang.enterprises",
    "taizhang.matters",
    # Push channels (WeCom/DingTalk/Feishu robots, SMS) and their delivery queue.
    "taizhang.notify",
    "taizhang.tasks",
    "taizhang.assessment",
    # 信访 with 领导包案 (a kind of matter on the one step table).
    "taizhang.petitions",
    # 创文 inspections → points → rectification (issue 14)
    "taizhang.civility",
    # 政务服务办件 and 银企对接 (issue 14): before imports, which imports its cases.
    "taizhang.services",
    # 推进会 and 领导批示: their decisions and instructions become supervision tasks.
    "taizhang.meetings",
    # Ledger measures: targets bound to what the ledger computes, documents fact-checked.
    "taizhang.measures",
    # Similar problems, 合并 and the problem radar (未诉先办): docs/similar.md.
    "taizhang.similar",
    # Evidence packs (问责佐证材料包) assembled from matters, tasks, notices and files.
    "taizhang.evidence",
    "taizhang.imports",
    # Who uses it: the web pages, the JSON API, the demo data.
    "taizhang.web",
    "taizhang.api",
    "taizhang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: sends this request's reads to a replica or pins
    # it to the primary (taizhang.core.routing); not used when no replica is configured.
    "taizhang.core.routing.ReplicaPinMiddleware",
    # After WhiteNoise, so static files keep their cache headers; CSP and no-store.
    "taizhang.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "taizhang.core.sessions.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: its 400 page is rendered with the user's layout.
    "taizhang.core.params.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "taizhang.core.middleware.RequestSourceMiddleware",
    "taizhang.api.auth.ApiRateLimitMiddleware",
    "axes.middleware.AxesMiddleware",
    # Second factor, forced password change and 三权分立 gates, after the user is known.
    "taizhang.web.identity_gate.IdentityGateMiddleware",
]

ROOT_URLCONF = "taizhang.urls"
WSGI_APPLICATION = "taizhang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taizhang.web.context.nav",
            ],
        },
    }
]

_db_url = env_str("DATABASE_URL")
if _db_url:
    DATABASES = {"default": parse_database_url(_db_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "taizhang.sqlite3"),
            # WAL lets readers work while an import writes; NORMAL sync is safe under WAL.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

# PostgreSQL streaming replicas (docs/deploy.md): aliases replica1..n serve the reads of GET
# requests whose user has not written in the last REPLICA_PIN_SECONDS; the router is only
# installed when there are replicas, so a single database behaves exactly as before.
_replicas = replica_databases(DATABASES["default"])
DATABASES.update(_replicas)
DATABASE_REPLICAS = list(_replicas)
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 5, minimum=1)
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["taizhang.core.routing.ReplicaRouter"]

# CACHE_URL: locmem:// (one process) or db:// (a table in the primary, `taizhang
# createcachetable`): API rate limits and API clients' replica pins are counted there, so
# several workers or servers need db:// (envconf.caches_from_env, docs/deploy.md).
CACHES = caches_from_env()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first (a locked address is refused; force_login also uses the first backend),
    # then a username with recent failures waits a growing delay (never a hard lock).
    "axes.backends.AxesStandaloneBackend",
    "taizhang.core.lockout.UsernameDelayBackend",
    "django.contrib.auth.backends.ModelBackend",
]
_TESTING = env_bool("TAIZHANG_TESTING", False)

# Password policy (等保三级 身份鉴别): docs/security-identity.md.
TAIZHANG_PASSWORD_MIN_LENGTH = env_int("TAIZHANG_PASSWORD_MIN_LENGTH", 10, minimum=8)
TAIZHANG_PASSWORD_HISTORY = env_int("TAIZHANG_PASSWORD_HISTORY", 5, minimum=0)
# Days before a staff password must be changed; 0 disables expiry. The demo's accounts never expire.
TAIZHANG_PASSWORD_MAX_AGE_DAYS = env_int(
    "TAIZHANG_PASSWORD_MAX_AGE_DAYS", 0 if DEMO else 90, minimum=0
)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "taizhang.core.passwords.LengthValidator",
        "OPTIONS": {"min_length": TAIZHANG_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "taizhang.core.passwords.CharacterClassValidator"},
    {"NAME": "taizhang.core.passwords.NoUsernameValidator"},
    {"NAME": "taizhang.core.passwords.CommonPasswordValidator"},
    {
        "NAME": "taizhang.core.passwords.HistoryValidator",
        "OPTIONS": {"keep": TAIZHANG_PASSWORD_HISTORY},
    },
]

# TOTP second factor: mandatory for these roles when enforced; optional for everyone else.
# The demo and the test suite do not enforce it (tests of enforcement switch it on).
TAIZHANG_2FA_ENFORCE = env_bool("TAIZHANG_2FA_ENFORCE", not (DEBUG or DEMO or _TESTING))
TAIZHANG_2FA_REQUIRED_ROLES = env_list(
    "TAIZHANG_2FA_REQUIRED_ROLES",
    ["admin", "supervisor", "leader", "sysadmin", "secadmin", "auditor"],
)
TAIZHANG_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "台账督查督办系统"

LOGIN_URL = "login"
# Each role's first page (taizhang.web.today.landing): units and cadres their today page.
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "login"

# Login failures. Per username: after a few failures each try waits a growing delay
# (a delay, not a lock, so nobody can lock a colleague out). Per client IP: django-axes
# locks an address that keeps failing. The client IP is REMOTE_ADDR unless the request
# comes from a trusted proxy, whose header then names it (taizhang.core.clientip).
TAIZHANG_LOGIN_FREE_FAILURES = env_int("TAIZHANG_LOGIN_FREE_FAILURES", 3, minimum=1)
TAIZHANG_LOGIN_MAX_DELAY_SECONDS = env_int("TAIZHANG_LOGIN_MAX_DELAY_SECONDS", 60, minimum=1)
TAIZHANG_LOGIN_FAILURE_WINDOW_MINUTES = env_int(
    "TAIZHANG_LOGIN_FAILURE_WINDOW_MINUTES", 15, minimum=1
)
TAIZHANG_TRUSTED_PROXY_HEADER = env_str("TAIZHANG_TRUSTED_PROXY_HEADER")  # e.g. X-Forwarded-For
TAIZHANG_TRUSTED_PROXIES = env_list("TAIZHANG_TRUSTED_PROXIES", [])  # CIDRs, e.g. 10.0.0.0/8
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "taizhang.core.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"

# SESSION_COOKIE_AGE is the idle timeout; taizhang.core.sessions refreshes it at most once
# a minute instead of writing the session on every request, and ends any session
# TAIZHANG_SESSION_ABSOLUTE_HOURS after its login however active it is.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
# Sessions live in the database (Django's default, written out): any app server behind the
# load balancer finds them; the replica router always reads them on the primary.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# The interface language is a deployment choice, not the browser's: a clerk whose
# browser says English still gets the district's Chinese forms and messages.
LANGUAGE_CODE = env_str("TAIZHANG_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
# Uploaded attachments (佐证材料): a local directory or an S3-compatible bucket
# (envconf.storages_from_env, docs/attachments.md). Never served from a URL of its own:
# only the scope-checked download view hands files out.
STORAGES = {
    **storages_from_env(str(DATA_DIR)),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "taizhang@localhost")
if DEMO or DEBUG:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

SECURE_COOKIES = env_bool("SECURE_COOKIES", not (DEBUG or DEMO))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Behind nginx (or a load balancer) that ends TLS and sets X-Forwarded-Proto: requests
# count as HTTPS, so redirects and absolute links keep https and SECURE_SSL_REDIRECT does
# not loop. Only set it when the proxy overwrites the header a client might send.
if env_bool("TAIZHANG_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS is on in production (one year); demo and DEBUG run over plain HTTP on loopback.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if (DEBUG or DEMO) else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])

# `taizhang backup` encrypts with this Fernet key (`taizhang backup --generate-key`); keep a
# copy away from the server: without it a backup cannot be restored.
TAIZHANG_BACKUP_KEY = env_str("TAIZHANG_BACKUP_KEY")

# Business rules that districts tune.
TAIZHANG = {
    "YELLOW_WORKDAYS": env_int("TAIZHANG_YELLOW_WORKDAYS", 5, minimum=0),
    "PACE_RED_MARGIN": env_int("TAIZHANG_PACE_RED_MARGIN", 10, minimum=0),
    "PACE_YELLOW_MARGIN": env_int("TAIZHANG_PACE_YELLOW_MARGIN", 0, minimum=0),
    "UPLOAD_MAX_BYTES": env_int("TAIZHANG_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024),
    # Work reports pasted or uploaded for task drafting and POST /api/v1/extract (docs/tasks.md).
    "REPORT_MAX_BYTES": env_int("TAIZHANG_REPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024),
    # Excel import (taizhang/imports, docs/import.md).
    "IMPORT_MAX_BYTES": env_int("TAIZHANG_IMPORT_MAX_BYTES", 30 * 1024 * 1024, minimum=1024),
    "IMPORT_MAX_ROWS": env_int("TAIZHANG_IMPORT_MAX_ROWS", 200_000, minimum=1),
    "IMPORT_MAX_COLUMNS": env_int("TAIZHANG_IMPORT_MAX_COLUMNS", 100, minimum=1),
    "IMPORT_MAX_UNCOMPRESSED": env_int(
        "TAIZHANG_IMPORT_MAX_UNCOMPRESSED", 400 * 1024 * 1024, minimum=1024
    ),
    "IMPORT_MAX_RATIO": env_int("TAIZHANG_IMPORT_MAX_RATIO", 200, minimum=2),
    "IMPORT_INLINE_THREAD": env_bool("TAIZHANG_IMPORT_INLINE_THREAD", True),
    "IMPORT_BULK_THRESHOLD": env_int("TAIZHANG_IMPORT_BULK_THRESHOLD", 500, minimum=0),
    # Attachments (佐证材料, docs/attachments.md).
    "ATTACH_MAX_BYTES": env_megabytes("TAIZHANG_UPLOAD_MAX_MB", 20),
    "ATTACH_MAX_FILES": env_int("TAIZHANG_ATTACH_MAX_FILES", 20, minimum=1),
    "ATTACH_MAX_UNCOMPRESSED": env_megabytes("TAIZHANG_ATTACH_MAX_UNCOMPRESSED_MB", 200),
    "ATTACH_MAX_RATIO": env_int("TAIZHANG_ATTACH_MAX_RATIO", 100, minimum=2),
    "ATTACH_RETENTION_DAYS": env_int("TAIZHANG_ATTACH_RETENTION_DAYS", 365, minimum=0),
    # Audit log and API tokens (docs/security-audit.md). 网络安全法: logs kept >= 6 months.
    "AUDIT_RETENTION_DAYS": env_int("TAIZHANG_AUDIT_RETENTION_DAYS", 180, minimum=180),
    "TOKEN_DAYS": env_int("TAIZHANG_TOKEN_DAYS", 90, minimum=1),
    # Requests per minute; 0 switches a limit off. Counted in CACHES["default"]: several
    # workers or servers need a shared one (CACHE_URL=db://, docs/deploy.md).
    "API_RATE_PER_TOKEN": env_int("TAIZHANG_API_RATE_PER_TOKEN", 120, minimum=0),
    "API_RATE_PER_IP": env_int("TAIZHANG_API_RATE_PER_IP", 300, minimum=0),
    # A worker killed mid-import: its claim goes stale and the job is re-queued (docs/import.md).
    "IMPORT_HEARTBEAT_SECONDS": env_int("TAIZHANG_IMPORT_HEARTBEAT_SECONDS", 2, minimum=1),
    "IMPORT_STALE_SECONDS": env_int("TAIZHANG_IMPORT_STALE_SECONDS", 60, minimum=2),
    "IMPORT_MAX_ATTEMPTS": env_int("TAIZHANG_IMPORT_MAX_ATTEMPTS", 3, minimum=1),
    "SESSION_ABSOLUTE_HOURS": env_int("TAIZHANG_SESSION_ABSOLUTE_HOURS", 12, minimum=1),
    # `taizhang serve`: gunicorn kills a worker whose request runs longer than this.
    "GUNICORN_TIMEOUT": env_int("TAIZHANG_GUNICORN_TIMEOUT", 60, minimum=1),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = TAIZHANG["UPLOAD_MAX_BYTES"]

# Notices pushed to WeCom/DingTalk/Feishu robots and SMS (taizhang/notify, docs/notifications.md).
# Links in pushed notices are absolute: the address users open the system at.
TAIZHANG_BASE_URL = env_str("TAIZHANG_BASE_URL", "http://localhost:8000").rstrip("/")
# Key for webhook URLs and secrets stored in the database (Fernet); SECRET_KEY when unset.
# Changing it makes the stored channel settings unreadable: enter them again.
TAIZHANG_FIELD_KEY = env_str("TAIZHANG_FIELD_KEY", "")
TAIZHANG_NOTIFY = {
    "TIMEOUT": env_int("TAIZHANG_NOTIFY_TIMEOUT", 10, minimum=1),
    "MAX_ATTEMPTS": env_int("TAIZHANG_NOTIFY_MAX_ATTEMPTS", 6, minimum=1),
    # A claim older than this (a worker that died mid-send) may be taken by another worker.
    "STALE_MINUTES": env_int("TAIZHANG_NOTIFY_STALE_MINUTES", 10, minimum=1),
    "BATCH": env_int("TAIZHANG_NOTIFY_BATCH", 200, minimum=1),
    # Notification kinds pushed to channels; the rest (办理动态) stay in-app and e-mail.
    "PUSH_KINDS": env_list(
        "TAIZHANG_NOTIFY_PUSH_KINDS",
        ["yellow", "red", "escalate", "db_blue", "db_yellow", "db_red", "notice"],
    ),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Ledger measures (docs/measures.md): a self-reported figure differing from the ledger by more
# than this is flagged to the office — counts by units, other figures by percent of the ledger.
TAIZHANG_MEASURES = {
    "TOLERANCE_PCT": env_int("TAIZHANG_MEASURE_TOLERANCE_PCT", 5, minimum=0),
    "TOLERANCE_COUNT": env_int("TAIZHANG_MEASURE_TOLERANCE_COUNT", 1, minimum=0),
}
# Similar problems and the radar (docs/similar.md), as percentages of the 0..1 score.
TAIZHANG_SIMILAR_THRESHOLD_PCT = env_int("TAIZHANG_SIMILAR_THRESHOLD_PCT", 30, minimum=1)
TAIZHANG_RADAR_THRESHOLD_PCT = env_int("TAIZHANG_RADAR_THRESHOLD_PCT", 25, minimum=1)
# Problems closed within this many days still count on the radar and as duplicates.
TAIZHANG_RADAR_DAYS = env_int("TAIZHANG_RADAR_DAYS", 90, minimum=1)
# A radar cluster is listed once this many distinct enterprises raised it.
TAIZHANG_RADAR_MIN_ENTERPRISES = env_int("TAIZHANG_RADAR_MIN_ENTERPRISES", 3, minimum=2)
