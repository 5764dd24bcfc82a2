"""`{% meeting_box obj %}`: on a problem's, task's or project's page, where the matter came
from (a meeting's decision, a leader's instruction), the instructions given on it and the
form 批示转督办. One line in each detail template, no change to their views."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from taizhang.meetings.models import Decision, Instruction, Meeting
from taizhang.meetings.queries import instructions_on
from taizhang.projects.models import Project

register = template.Library()


@register.inclusion_tag("meetings/_matter_box.html", takes_context=True)
def meeting_box(context: Any, obj: Any) -> dict[str, Any]:
    scope = context.get("scope")
    request = context.get("request")
    out: dict[str, Any] = {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "scope": scope,
    }
    if scope is None or obj is None or scope.role in (None, "enterprise"):
        return out
    is_project = isinstance(obj, Project)
    out["instructions"] = list(instructions_on(scope, obj))
    # The meetings that discussed it (议题), as far as the user sees them.
    items = {"items__project": obj} if is_project else {"items__problem": obj}
    out["meetings_on"] = list(
        scope.filter(Meeting.objects.filter(**items)).order_by("-date", "-id")[:20]
    )
    if not is_project:
        out["origin_decision"] = (
            Decision.objects.select_related("meeting").filter(matter=obj).first()
        )
        out["origin_instruction"] = (
            Instruction.objects.select_related("leader").filter(task=obj).first()
        )
        out["decisions_on"] = list(
            scope.filter(Decision.objects.filter(problem=obj).select_related("meeting", "matter"))
        )
    out["can_instruct"] = scope.can_manage
    out["subject"] = obj
    out["subject_is_project"] = is_project
    out["data"] = {"given_on": timezone.localdate().isoformat()}
    out["next"] = request.get_full_path() if request is not None else ""
    return out
