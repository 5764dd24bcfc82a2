from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from taizhang.lib.numbers import fmt_rate, fmt_value, fmt_wan, fmt_yi

register = template.Library()


@register.filter
def yi(wan: Any) -> str:
    """万元 → 亿元 with one decimal, as the district's reports print it."""
    if wan in (None, ""):
        return "—"
    return fmt_yi(Decimal(str(wan)))


@register.filter
def wan(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return fmt_wan(Decimal(str(value)))


@register.filter
def value(v: Any) -> str:
    """A value as entered (targets, actuals): "5.5", never "5.5000"; "" when empty."""
    if v in (None, ""):
        return ""
    return fmt_value(Decimal(str(v)))


@register.filter
def pct(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return fmt_rate(Decimal(str(value)))


@register.filter
def bar(value: Any, cap: Any = 150) -> str:
    """Width in percent for a CSS bar, capped so a 300% project doesn't overflow."""
    try:
        v = float(value or 0)
    except (TypeError, ValueError):
        return "0"
    return f"{max(0.0, min(v, float(cap))) * 100 / float(cap):.1f}"


@register.filter
def get(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None
