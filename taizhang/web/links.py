"""Where a matter's own page is, by kind: each ledger's web module registers its route.

The "today" page, "my work" and the notifications link every kind of matter; a new kind
registers its detail route here (from its web module) and none of those pages changes.
"""

from __future__ import annotations

from django.urls import reverse

from taizhang.core.models import Role
from taizhang.matters.models import Kind

# kind → URL name taking the matter's pk; a kind not listed opens on the task page.
_ROUTES: dict[str, str] = {Kind.ENTERPRISE_PROBLEM: "problem_detail"}
_DEFAULT = "task_detail"


def register_detail_route(kind: str, url_name: str) -> None:
    _ROUTES[kind] = url_name


def matter_url(role: str, kind: str, pk: int) -> str:
    """The page holding the matter's step forms for this role (an enterprise has its portal)."""
    if role == Role.ENTERPRISE:
        return reverse("portal_problem", args=[pk])
    return reverse(_ROUTES.get(kind, _DEFAULT), args=[pk])
