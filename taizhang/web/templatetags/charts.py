"""``{% chart c %}``: draw a `taizhang.lib.svgcharts.Chart` built by the view."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from taizhang.lib.svgcharts import Chart

register = template.Library()


@register.simple_tag
def chart(c: Chart | None) -> SafeString:
    if c is None:
        return mark_safe("")
    # Safe: svgcharts escapes every label, name and title it writes.
    return mark_safe(c.render())  # noqa: S308
