"""Who handles a petition: the one rule for the unmasked personal data and for visit photos.

Kept apart from the services so the models (which register the attachment owner) can use it
without importing the services that import them.
"""

from __future__ import annotations

from taizhang.core.models import Role
from taizhang.core.scope import Scope
from taizhang.matters.models import Matter


def is_handler(scope: Scope, m: Matter) -> bool:
    """The case handlers and the office: the district's supervisors and business admins, the
    handling (lead) unit's staff, the leader in charge (包案领导). Leaders reading the district,
    co-operating units and everyone else see the petitioner masked."""
    if not scope.contains(m):
        return False
    if scope.can_manage:
        return True
    if scope.role == Role.UNIT and scope.unit is not None and m.lead_unit_id == scope.unit.pk:
        return True
    return scope.person is not None and m.leader_id == scope.person.pk
