"""Webhook URLs and secrets at rest: Fernet, keyed from TAIZHANG_FIELD_KEY or SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(material: str) -> Fernet:
    # A derived key, so any string (SECRET_KEY) serves and the raw key never lands in a row.
    digest = hashlib.sha256(b"taizhang-field-key:" + material.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _key() -> Fernet:
    return _fernet(getattr(settings, "TAIZHANG_FIELD_KEY", "") or settings.SECRET_KEY)


def seal(plain: str) -> str:
    return _key().encrypt(plain.encode("utf-8")).decode("ascii") if plain else ""


def unseal(token: str) -> str:
    """The plain text, or "" when the key changed since it was stored (enter it again)."""
    if not token:
        return ""
    try:
        return _key().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return ""
