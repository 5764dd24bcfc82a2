"""The batched commit path: the same rows, written with bulk inserts and one audit insert per batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from taizhang.core import audit


def batched(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# Same entries as audit.record writes, unsaved, for bulk_create.
audit_entry = audit.entry
snapshot = audit.snapshot
