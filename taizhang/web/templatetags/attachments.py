"""`{% attachments_of obj %}`: the files of a record — thumbnails grid, file list, and the
'add files' form for those who may attach — on any detail page."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from taizhang.attachments import owners, services
from taizhang.core.scope import scope_of

register = template.Library()


@register.inclusion_tag("attachments/_files.html", takes_context=True)
def attachments_of(context: dict[str, Any], owner: Model, title: str = "") -> dict[str, Any]:
    request = context["request"]
    scope = scope_of(request)
    files = services.visible_attachments(scope, owner)
    kind = owners.kind_of(owner)
    return {
        "files": [(a, services.can_delete(scope, a)) for a in files],
        "images": [a for a in files if a.thumb_name],
        "owner": owner,
        "owner_key": kind.key,
        "can_attach": kind.can_attach(scope, owner),
        "next": request.get_full_path(),
        "title": title,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def filesize(n: int | None) -> str:
    if not n:
        return "—"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"
