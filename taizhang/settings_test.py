"""Settings for the test suite: the real settings plus fast hashing and captured mail."""

from __future__ import annotations

import os

os.environ.setdefault("TAIZHANG_TESTING", "1")
os.environ.setdefault("SECURE_COOKIES", "0")

from taizhang.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True

# Uploaded attachments go to a throw-away directory, never into data/media; tests that look
# at the files themselves point STORAGES at their own tmp_path.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

_MEDIA = tempfile.mkdtemp(prefix="taizhang-test-media-")
atexit.register(shutil.rmtree, _MEDIA, True)
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _MEDIA, "base_url": None},
    },
}
# The suite sends thousands of API requests a minute from one address; the rate-limit tests
# switch the limits back on with override_settings.
TAIZHANG = {**TAIZHANG, "API_RATE_PER_TOKEN": 0, "API_RATE_PER_IP": 0}  # noqa: F405
