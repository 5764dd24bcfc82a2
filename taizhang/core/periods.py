"""Which division and period a page opens on when the user has not chosen."""

from __future__ import annotations

from django.utils import timezone

from taizhang.core.models import Division, ReportingPeriod
from taizhang.core.scope import Scope


def default_division(scope: Scope) -> Division | None:
    if scope.division is not None:
        return scope.division
    if scope.unit is not None:
        return scope.unit.division.district() or scope.unit.division
    if scope.enterprise is not None:
        return scope.enterprise.division
    return scope.divisions.filter(level=Division.Level.DISTRICT).first() or scope.divisions.first()


def default_period(division: Division | None) -> tuple[int, int]:
    node = division
    while node is not None:
        period = ReportingPeriod.objects.filter(division=node).first()
        if period is not None:
            return period.year, period.month
        node = node.parent
    today = timezone.localdate()
    # Reports arrive for the previous month; in January that is December of last year.
    if today.month == 1:
        return today.year - 1, 12
    return today.year, today.month - 1
