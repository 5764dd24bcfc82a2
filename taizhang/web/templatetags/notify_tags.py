"""`{% matter_deliveries m %}`: the pushes of a matter's notices, on its page, for the office."""

from __future__ import annotations

from typing import Any

from django import template

from taizhang.notify.models import Delivery

register = template.Library()


@register.inclusion_tag("notify/_matter_deliveries.html", takes_context=True)
def matter_deliveries(context: Any, matter: Any) -> dict[str, Any]:
    scope = context.get("scope")
    # Mobiles and channel answers are the office's working data, not every reader's.
    if scope is None or not scope.can_manage or matter is None:
        return {"rows": []}
    rows = (
        scope.filter(Delivery.objects.filter(matter=matter))
        .select_related("channel", "recipient")
        .order_by("-created_at", "-id")[:50]
    )
    return {"rows": list(rows)}
