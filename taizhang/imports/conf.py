"""Import limits, read from settings.TAIZHANG with defaults (see docs/import.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "IMPORT_MAX_BYTES": 30 * 1024 * 1024,  # uploaded file
    "IMPORT_MAX_ROWS": 200_000,
    "IMPORT_MAX_COLUMNS": 100,
    "IMPORT_MAX_UNCOMPRESSED": 400 * 1024 * 1024,  # xlsx: sum of unzipped members
    "IMPORT_MAX_RATIO": 200,  # xlsx: uncompressed ÷ compressed, per large member
    "IMPORT_INLINE_THREAD": True,  # run jobs in a thread of the web process
    "IMPORT_BULK_THRESHOLD": 500,  # rows to write above which the batched path is used
    "IMPORT_HEARTBEAT_SECONDS": 2,  # how often a runner refreshes its claim
    "IMPORT_STALE_SECONDS": 60,  # a claim not refreshed for this long belongs to a dead runner
    "IMPORT_MAX_ATTEMPTS": 3,  # interrupted this many times, the job fails instead of retrying
}


def limit(name: str) -> Any:
    return getattr(settings, "TAIZHANG", {}).get(name, DEFAULTS[name])
