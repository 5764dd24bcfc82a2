"""Steps a signed-in user must take before any other page, and the 三权分立 page fences.

In order: the second factor of a user who has an authenticator; a forced password change
(temporary password or expired); enrolment when the role must have a second factor. Then a
三权分立 administrator reaches only their own pages: every business page and the whole API
answers 403, the dashboard sends them to their own home page.

API requests with a bearer token are left to the token (no session, no interactive steps);
API requests on a session get a JSON 403 while a step is pending.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from taizhang.core import identity
from taizhang.core.models import Role
from taizhang.core.scope import scope_of

# Open whatever is pending.
# The installable app's files carry no data: every signed-in person may fetch them.
ALWAYS = {"login", "logout", "favicon", "webmanifest", "service_worker"}
STEP_PAGES = {
    "otp_verify": {"otp_verify"},
    "password_change": {"password_change", "password_change_done"},
    "otp_setup": {"otp_setup", "otp_recovery"},
}
# Pages of one's own account every signed-in user may open.
OWN_ACCOUNT = {"password_change", "password_change_done", "otp_setup", "otp_recovery", "otp_verify"}
DUTY_PAGES = {
    Role.SYSADMIN: {"account_users", "account_user"},
    Role.SECADMIN: {"account_roles", "account_role"},
    Role.AUDITOR: {"audit_log", "audit_export"},
}
DUTY_HOME = {
    Role.SYSADMIN: "account_users",
    Role.SECADMIN: "account_roles",
    Role.AUDITOR: "audit_log",
}
STEP_MESSAGES = {
    "otp_verify": "请输入身份验证器上的验证码",
    "password_change": "请先修改密码",
    "otp_setup": "请先绑定身份验证器（双因素认证）",
}


def pending_step(request: HttpRequest) -> str | None:
    """The URL name of the step the user must take now, or None."""
    user = request.user
    enrolled = identity.has_confirmed_device(user)
    if enrolled and not user.is_verified():
        return "otp_verify"
    role = scope_of(request).role  # the page builds the same scope: one profile query
    if identity.password_change_reason(user, role=role):
        return "password_change"
    if not enrolled and identity.requires_two_factor(user, role=role):
        return "otp_setup"
    return None


def _url_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return None if match.namespace else match.url_name


class IdentityGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        api = request.path_info.startswith("/api/")
        if api and request.META.get("HTTP_AUTHORIZATION"):
            return self.get_response(request)
        name = None if api else _url_name(request)
        if name in ALWAYS:
            return self.get_response(request)
        step = pending_step(request)
        if step is not None and name not in STEP_PAGES[step]:
            if api:
                return JsonResponse({"detail": STEP_MESSAGES[step]}, status=403)
            target = reverse(step)
            if request.method == "GET" and name is not None:
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        role = scope_of(request).role
        if role in DUTY_PAGES:
            if api:
                return JsonResponse({"detail": "三员账号不能使用业务接口"}, status=403)
            if name in ("dashboard", "landing"):
                return redirect(DUTY_HOME[role])
            if name not in DUTY_PAGES[role] | OWN_ACCOUNT:
                raise PermissionDenied(f"{Role(role).label}账号不能打开此页面")
        return self.get_response(request)
