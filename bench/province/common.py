"""Settings of the benchmark's Django process and of gunicorn, and small helpers."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

# The repository (bench/province/common.py → ../..): gunicorn runs from here.
ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "DJANGO_SETTINGS_MODULE": "taizhang.settings",
    "SECRET_KEY": "bench-province-not-a-secret-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_COOKIES": "0",
    "TAIZHANG_2FA_ENFORCE": "0",
    "TAIZHANG_API_RATE_PER_TOKEN": "0",
    "TAIZHANG_API_RATE_PER_IP": "0",
    "LOG_LEVEL": "ERROR",
}
PAGE = 25


def pad(text: str, width: int, right: bool = False) -> str:
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    fill = " " * max(width - cols, 0)
    return fill + text if right else text + fill


def setup_django(db_url: str | None, data_dir: str | None = None) -> None:
    os.environ.update(ENV)
    if db_url:
        os.environ["DATABASE_URL"] = db_url
    os.environ["TAIZHANG_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="tz-province-")
    import django

    django.setup()


def split_url(db_url: str) -> tuple[str, str]:
    """(URL of the maintenance database `postgres`, database name)."""
    parts = urllib.parse.urlsplit(db_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"database name {name!r}: lower-case letters, digits, _")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name
