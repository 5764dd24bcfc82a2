"""Django settings, read from environment variables (see taizhang.envconf)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from taizhang.envconf import env_bool, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TAIZHANG_DATA_DIR", str(Path.cwd() / "data")))

DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("TAIZHANG_DEMO", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or DEMO or env_bool("TAIZHANG_TESTING", False):
        # Demo and test instances run on loopback only; production must set its own key.
        SECRET_KEY = "taizhang-insecure-demo-key-do-not-use-in-production-0123456789abcdef"
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
    # Listed so the API docs page serves Swagger UI from the package, not a CDN.
    "ninja",
    # The domain, from the ground up: each app imports only those above it in this list.
    "taizhang.core",
    "taizhang.projects",
    "taizhang.enterprises",
    "taizhang.matters",
    "taizhang.tasks",
    "taizhang.assessment",
    "taizhang.imports",
    # Who uses it: the web pages, the JSON API, the demo data.
    "taizhang.web",
    "taizhang.api",
    "taizhang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: its 400 page is rendered with the user's layout.
    "taizhang.core.params.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "taizhang.core.middleware.RequestSourceMiddleware",
    "axes.middleware.AxesMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])

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
}
DATA_UPLOAD_MAX_MEMORY_SIZE = TAIZHANG["UPLOAD_MAX_BYTES"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
