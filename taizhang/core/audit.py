"""Writing and reading the audit log. Every do_* function calls `record` inside its transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from taizhang.core.context import current_origin
from taizhang.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


_SKIP = {"version", "search_key", "updated_at", "created_at"}
_LABELS: dict[type, list[tuple[str, str]]] = {}


def _labels(model: type[models.Model]) -> list[tuple[str, str]]:
    # Translating verbose names per row is what made bulk imports slow; once per model is enough.
    found = _LABELS.get(model)
    if found is None:
        found = [
            (f.name, str(f.verbose_name))
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in _SKIP
        ]
        _LABELS[model] = found
    return found


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values as JSON-ready data, keyed by verbose name so the log reads in Chinese."""
    return {
        label: _plain(getattr(obj, name))
        for name, label in _labels(type(obj))
        if fields is None or name in fields
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def entry_values(
    actor: Any,
    obj: models.Model,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    verb: str = "",
    division_path: str = "",
    extra: dict[str, Any] | None = None,
    root: models.Model | None = None,
) -> dict[str, Any]:
    """An entry's column values; `record` saves one, bulk imports insert many at once."""
    origin = current_origin()
    if action == AuditEntry.Action.CREATE:
        # A new record has no "before": list only the fields it was created with.
        changes: dict[str, Any] = {
            k: [None, v] for k, v in (after or {}).items() if v not in (None, "", [])
        }
    elif action == AuditEntry.Action.DELETE:
        changes = {k: [v, None] for k, v in (before or {}).items()}
    else:
        changes = diff(before or {}, after or {})
    if extra:
        changes.update({k: [None, _plain(v)] for k, v in extra.items()})
    user = actor if getattr(actor, "pk", None) else None
    name = (user.get_full_name() or user.get_username()) if user is not None else ""
    root = root or obj
    return {
        "at": timezone.now(),
        "actor_id": user.pk if user is not None else None,
        "actor_name": name or "系统",
        "source": origin.source,
        "ip": origin.ip,
        "action": action,
        "verb": verb,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
        "division_path": division_path,
        "root_type": root._meta.label_lower,
        "root_id": str(root.pk),
        "changes": changes,
    }


def entry(actor: Any, obj: models.Model, action: str, **kwargs: Any) -> AuditEntry:
    return AuditEntry(**entry_values(actor, obj, action, **kwargs))


def record(actor: Any, obj: models.Model, action: str, **kwargs: Any) -> AuditEntry:
    made = entry(actor, obj, action, **kwargs)
    made.save()
    return made


def history(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """Entries of the object and of the rows that belong to it."""
    return AuditEntry.objects.filter(
        root_type=obj._meta.label_lower, root_id=str(obj.pk)
    ).select_related("actor")
