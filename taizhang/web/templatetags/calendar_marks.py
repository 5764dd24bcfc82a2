"""The 未确认 mark: one filter for every deadline or working-day count shown on a page.

``{{ m.deadline|unconfirmed }}`` marks a date in a year whose holiday notice is not
yet known; ``{{ light|unconfirmed:m.deadline }}`` marks a light (LightResult, Timing)
whose working-day count ran through such a year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html

from taizhang.core.calendar import get_calendar, today, unconfirmed_note

register = template.Library()


def _first_unconfirmed(a: dt.date, b: dt.date) -> int | None:
    cal = get_calendar()
    lo, hi = min(a, b), max(a, b)
    for year in range(lo.year, hi.year + 1):
        if not cal.year_confirmed(year):
            return year
    return None


def unconfirmed_year(value: Any, deadline: Any = None) -> int | None:
    """The year that makes ``value`` unconfirmed, or None when it is confirmed."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return None if get_calendar().year_confirmed(day.year) else day.year
    if getattr(value, "confirmed", True):
        return None
    year = getattr(value, "unconfirmed_year", None)
    if year:
        return int(year)
    end = deadline if isinstance(deadline, dt.date) else today()
    found = _first_unconfirmed(today(), end)
    return found if found is not None else end.year


@register.filter
def unconfirmed(value: Any, deadline: Any = None) -> str:
    """A small 未确认 tag with the reason as its tooltip; empty when confirmed."""
    year = unconfirmed_year(value, deadline)
    if year is None:
        return ""
    return format_html(
        ' <span class="tag unconfirmed" title="{}" data-unconfirmed="{}">未确认</span>',
        unconfirmed_note(year),
        year,
    )
