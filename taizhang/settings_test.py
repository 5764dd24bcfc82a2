"""Settings for the test suite: the real settings plus fast hashing and captured mail."""

from __future__ import annotations

import os

os.environ.setdefault("TAIZHANG_TESTING", "1")
os.environ.setdefault("SECURE_COOKIES", "0")

from taizhang.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True
