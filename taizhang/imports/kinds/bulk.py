"""The batched commit path: the same rows, written with bulk inserts and one audit insert per batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models

from taizhang.core import audit
from taizhang.core.context import current_origin
from taizhang.core.models import AuditEntry


def batched(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def audit_entry(
    actor: Any,
    obj: models.Model,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    verb: str = "",
    division_path: str = "",
    root: models.Model | None = None,
) -> AuditEntry:
    """An unsaved AuditEntry exactly as audit.record would write it, for bulk_create."""
    origin = current_origin()
    if action == AuditEntry.Action.CREATE:
        changes: dict[str, Any] = {k: [None, v] for k, v in (after or {}).items()}
    else:
        changes = audit.diff(before or {}, after or {})
    user = actor if getattr(actor, "pk", None) else None
    name = (user.get_full_name() or user.get_username()) if user is not None else ""
    root = root or obj
    return AuditEntry(
        actor=user,
        actor_name=name or "系统",
        source=origin.source,
        ip=origin.ip,
        action=action,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        division_path=division_path,
        root_type=root._meta.label_lower,
        root_id=str(root.pk),
        changes=changes,
    )


_LABELS: dict[type, list[tuple[str, str]]] = {}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """audit.snapshot(obj) with the field labels translated once per model, not once per row."""
    fields = _LABELS.get(type(obj))
    if fields is None:
        fields = [
            (f.name, str(f.verbose_name))
            for f in obj._meta.concrete_fields
            if not f.primary_key
            and f.name not in {"version", "search_key", "updated_at", "created_at"}
        ]
        _LABELS[type(obj)] = fields
    return {label: audit._plain(getattr(obj, name)) for name, label in fields}
