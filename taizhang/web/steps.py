"""The one web dispatch for workflow steps: every step form of every kind of matter posts
here (directly at /matters/<pk>/steps/<action>/, or through the problem and task pages'
own /act/ URLs), and goes through `steps.take_step` like the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from taizhang.core.errors import ConflictError, messages_of
from taizhang.core.scope import Scope, scope_of
from taizhang.matters import steps
from taizhang.matters.models import Matter
from taizhang.web.attachments import attach_from_form
from taizhang.web.common import flash_errors, safe_next
from taizhang.web.forms.base import check_business_dates


def step_from_form(
    request: HttpRequest, scope: Scope, matter: Matter, action: str, *, back: str
) -> HttpResponse:
    """Take `action` on `matter` with the submitted form, flash the outcome, go `back`.

    Files sent with the form (`files`) are attached to the matter with the new step as
    their step (办结 evidence, progress photos), or before it when the step's input names
    them (`photos`), in the step's transaction: a refused file undoes the step, a refused
    step stores no file.

    Refusals (bad input, out of order, stale version) are flashed in Chinese and change
    nothing; a user who may not take the step gets 403 (PermissionDenied propagates)."""
    try:
        step = steps.step_of(matter.kind, action)
        check_business_dates(request.POST)  # 延期至, 重办时限: 2000 … end of next year
        data = steps.form_data(step.schema, request.POST)
        # A step that names its photos in its input (创文 整改报送) gets them uploaded first;
        # any other step's files are attached to the step it made.
        named = "photos" in step.schema.model_fields
        with transaction.atomic():
            if named:
                data["photos"] = [a.pk for a in attach_from_form(request, scope, matter)]
            result = steps.take_step(scope, matter, action, data)
            if not named:
                attach_from_form(request, scope, result.matter, step=result.step)
    except ValidationError as e:
        flash_errors(request, e)
        keep_step(request, matter, action, e)
    except ConflictError as e:
        messages.error(request, e.message)
    else:
        m = result.matter
        messages.success(
            request, f"已完成「{result.step.label}」，当前状态：{m.get_status_display()}"
        )
    return redirect(back)


@login_required
@require_POST
def matter_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Any step of any kind; back to `next` (a page of this site) or to 我的待办."""
    scope = scope_of(request)
    m = scope.get(Matter.objects.select_related("division", "category", "enterprise"), pk)
    return step_from_form(request, scope, m, action, back=safe_next(request, "my_work"))


KEPT_STEP = "kept_step"


def keep_step(request: HttpRequest, matter: Matter, action: str, error: ValidationError) -> None:
    """Keep a refused step's input for the next view of the matter's page, which fills the
    step form with it and shows the errors beside the fields (the POST redirects)."""
    data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "version")}
    request.session[KEPT_STEP] = {
        "matter": matter.pk,
        "action": action,
        "data": data,
        "errors": messages_of(error),
    }


def kept_step(request: HttpRequest, matter: Matter) -> dict[str, Any] | None:
    """The input of this matter's refused step (once), or None."""
    kept = request.session.get(KEPT_STEP)
    if not kept or kept.get("matter") != matter.pk:
        return None
    del request.session[KEPT_STEP]
    return kept


def kept_step_context(request: HttpRequest, matter: Matter) -> dict[str, Any]:
    """`kept_input` and `kept_errors` by action for the matter page's step forms: the
    template fills only the form that was refused. "__all__" is not readable in a
    template, so errors not of one field go under "all"."""
    kept = kept_step(request, matter)
    if not kept:
        return {"kept_input": {}, "kept_errors": {}}
    errors = {k.replace("__all__", "all"): v for k, v in kept["errors"].items()}
    return {"kept_input": {kept["action"]: kept["data"]}, "kept_errors": {kept["action"]: errors}}
