"""The working-day calendar with the admin's overrides applied."""

from __future__ import annotations

import datetime as dt

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from taizhang.core.models import CalendarOverride
from taizhang.lib.workdays import WorkCalendar

_cache: WorkCalendar | None = None


def get_calendar() -> WorkCalendar:
    global _cache
    if _cache is None:
        overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
        _cache = WorkCalendar(overrides)
    return _cache


def reset_calendar() -> None:
    global _cache
    _cache = None


@receiver(post_save, sender=CalendarOverride)
@receiver(post_delete, sender=CalendarOverride)
def _overrides_changed(**kwargs) -> None:
    reset_calendar()


def today() -> dt.date:
    return timezone.localdate()
