"""Whether a unit, park, enterprise or person lies inside a division: the one rule.

Matters, projects, tasks and enterprises belong to a district (区/县). A unit, park,
enterprise or division is inside when it sits in that district or below it. A person
may also come from a division above it: a city leader can be the responsible leader
(责任领导、包联领导) or a liaison of a district's matter, as the demo's city leaders are.
Asked of a division above district level (a city office's own records), the division
itself is the area.
"""

from __future__ import annotations

from typing import Any

from taizhang.core.errors import invalid
from taizhang.core.models import Division, Person


def district_of(division: Division) -> Division:
    """The district a division lies in, or the division itself above district level."""
    return division.district() or division


def _place(obj: Any) -> Division:
    return obj if isinstance(obj, Division) else obj.division


def within(division: Division, obj: Any) -> bool:
    """Whether obj (a Division, or anything with a .division: Unit, Person, Enterprise …)
    lies inside the district of `division`; a Person may also come from above it."""
    area = district_of(division)
    place = _place(obj)
    if place.path.startswith(area.path):
        return True
    return isinstance(obj, Person) and area.path.startswith(place.path)


def require_within(division: Division, obj: Any, field: str, label: str) -> None:
    """Raise a field-keyed ValidationError「{label}「X」不属于Y区」when obj is outside."""
    if not within(division, obj):
        name = getattr(obj, "name", str(obj))
        raise invalid(field, f"{label}「{name}」不属于{district_of(division).name}")
