"""工作日历: the supervision office enters the State Council's annual holiday notice.

Paste the notice, preview the parsed dates (放假/上班), save: the dates become
calendar overrides for that year and the year is confirmed, so deadlines counted
through it are no longer 未确认. Office and admins only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from taizhang.core.calendar import do_save_holiday_notice, preview_notice, year_statuses
from taizhang.core.errors import messages_of
from taizhang.core.scope import scope_of


def _year(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise ValidationError({"year": ["年份应为2000至2100之间的四位数字"]})
    return int(value)


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室或业务管理员可以维护工作日历")
    text = ""
    year_field = ""
    notice = None
    errors: list[str] = []
    if request.method == "POST":
        text = request.POST.get("text", "")
        year_field = request.POST.get("year", "")
        try:
            year = _year(year_field)
            if request.POST.get("action") == "save":
                saved = do_save_holiday_notice(scope, text, year)
                messages.success(
                    request, f"已保存{saved.year}年放假安排，该年的办理时限不再标注“未确认”。"
                )
                return redirect("calendar")
            notice = preview_notice(text, year)
        except ValidationError as e:
            errors = [m for msgs in messages_of(e).values() for m in msgs]
    return render(
        request,
        "web/calendar.html",
        {
            "years": year_statuses(),
            "text": text,
            "year": year_field,
            "notice": notice,
            "errors": errors,
        },
    )
