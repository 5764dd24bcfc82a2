from __future__ import annotations

from typing import Any

from django import template

from taizhang.web.links import matter_url as _url

register = template.Library()


@register.simple_tag(takes_context=True)
def matter_url(context: Any, matter: Any) -> str:
    """The matter's own page for the signed-in person (see taizhang.web.links)."""
    return _url(context["request"].user.profile.role, matter.kind, matter.pk)
