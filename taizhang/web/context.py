from __future__ import annotations

from django.http import HttpRequest

from taizhang.core.scope import scope_of


def nav(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(request)
    return {"scope": scope, "role_label": scope.profile.get_role_display() if scope.profile else ""}
