"""Which division and period a page opens on when the user has not chosen."""

from __future__ import annotations

from django.db.models import Q
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


def chosen_division(scope: Scope, ref: str | None) -> Division | None:
    """The division a page or API call asked for, else the user's default.

    ``ref`` is a code, an exact name or an id, and must be inside the scope (404 otherwise):
    one rule for every page and API operation that takes a ``division`` parameter.
    """
    ref = (ref or "").strip()
    if not ref:
        return default_division(scope)
    if ref.isdigit() and len(ref) <= 9:
        # Codes are tried first: a numeric code must not be read as an id.
        found = scope.divisions.filter(Q(code=ref) | Q(name=ref)).exists()
        if not found:
            by_id = scope.divisions.filter(pk=int(ref)).first()
            if by_id is not None:
                return by_id
    return scope.division_by_ref(ref)


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
