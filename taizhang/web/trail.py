"""An object's audit trail as a person reads it: labels, not codes; no empty-to-empty lines;
a page at a time.

Audit entries are immutable and keep the raw values written at the time (choice codes,
ISO dates, "True"); turning them into words happens here, at display, from the model's
own field definitions — so old entries read as well as new ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.utils.translation import gettext as _

from taizhang.core import audit
from taizhang.core.models import AuditEntry
from taizhang.lib.numbers import fmt_value

PER_PAGE = 10
EMPTY = "—"


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class TrailRow:
    entry: AuditEntry
    lines: list[Line]


@lru_cache(maxsize=128)
def _fields(object_type: str) -> dict[str, models.Field]:
    """The model's fields by verbose name (the key `audit.snapshot` writes)."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    return {str(f.verbose_name): f for f in model._meta.concrete_fields}


def _is_empty(v: Any) -> bool:
    return v is None or v == "" or v == [] or v == {}


def _word(value: Any, field: models.Field | None) -> str:
    if _is_empty(value):
        return EMPTY
    if isinstance(value, bool) or (isinstance(field, models.BooleanField) and value in (0, 1)):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_word(v, field) for v in value) or EMPTY
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    if isinstance(field, models.DecimalField) and isinstance(value, str | int | float):
        try:
            return fmt_value(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    return str(value)


def readable(entry: AuditEntry) -> list[Line]:
    fields = _fields(entry.object_type)
    out: list[Line] = []
    for label, pair in (entry.changes or {}).items():
        if label.startswith("__") or not isinstance(pair, list | tuple) or len(pair) != 2:
            continue  # internal bookkeeping such as a version number
        old, new = pair
        if _is_empty(old) and _is_empty(new):
            continue
        field = fields.get(label)
        out.append(Line(label, _word(old, field), _word(new, field)))
    return out


def trail_page(obj: models.Model, page_param: Any) -> Page:
    """One page of `obj`'s trail (newest first); a bad page number shows the first page."""
    paginator = Paginator(audit.history(obj), PER_PAGE)
    page = paginator.get_page(page_param)
    page.object_list = [TrailRow(e, readable(e)) for e in page.object_list]
    return page
