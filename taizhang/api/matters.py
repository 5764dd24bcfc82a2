"""One API shape for every kind of tracked matter: read a matter, take a step.

`POST /matters/{id}/steps/{action}` dispatches through the one step table
(`taizhang.matters.steps.take_step`), exactly like the web forms. One route is registered
per action name found in the table, so that OpenAPI shows each action's fields (one schema
per kind when kinds differ, e.g. 办结 of a task needs evidence); a last route takes any other
registered action (a kind registered later). Kind-specific creation stays with each kind
(`POST /problems`, `POST /tasks`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from taizhang.core.scope import Scope, scope_of
from taizhang.matters import services, steps
from taizhang.matters.models import Kind, Matter, MatterStep
from taizhang.matters.timing import light_of

router = Router(tags=["办理环节"])


class StepOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    date: dt.date
    by: str
    note: str
    deadline_before: dt.date | None
    deadline_after: dt.date | None
    rating: str
    round: int


class MatterOut(Schema):
    id: int
    kind: str
    kind_label: str
    number: str
    title: str
    description: str
    division: str
    enterprise_id: int | None
    enterprise: str | None
    raised_on: dt.date
    status: str
    status_label: str
    lead_unit_id: int | None
    lead_unit: str | None
    co_units: list[str]
    leader: str | None
    deadline: dt.date | None
    original_deadline: dt.date | None
    finished_on: dt.date | None
    closed_on: dt.date | None
    rating: str
    rating_comment: str
    round: int
    pending_deadline: dt.date | None
    light: str | None
    light_reason: str | None
    version: int
    allowed_actions: list[str]
    steps: list[StepOut]
    step: StepOut | None = None


def _step(s: MatterStep) -> dict[str, Any]:
    return {
        "action": s.action,
        "label": s.label,
        "from_status": s.from_status,
        "to_status": s.to_status,
        "date": s.date,
        "by": s.by_name,
        "note": s.note,
        "deadline_before": s.deadline_before,
        "deadline_after": s.deadline_after,
        "rating": s.rating,
        "round": s.round,
    }


def _get(scope: Scope, pk: int) -> Matter:
    return scope.get(
        Matter.objects.select_related("division", "enterprise", "category", "lead_unit", "leader"),
        pk,
    )


def _matter(scope: Scope, m: Matter, step: MatterStep | None = None) -> dict[str, Any]:
    light = light_of(m, timezone.localdate())
    spec = steps.kind_steps(m.kind)
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": str(dict(Kind.choices).get(m.kind) or (spec.label if spec else m.kind)),
        "number": m.number,
        "title": m.title,
        "description": m.description,
        "division": m.division.name,
        "enterprise_id": m.enterprise_id,
        "enterprise": m.enterprise.name if m.enterprise_id else None,
        "raised_on": m.raised_on,
        "status": m.status,
        "status_label": m.get_status_display(),
        "lead_unit_id": m.lead_unit_id,
        "lead_unit": m.lead_unit.name if m.lead_unit_id else None,
        "co_units": [u.name for u in m.co_units.all()],
        "leader": m.leader.name if m.leader_id else None,
        "deadline": m.deadline,
        "original_deadline": m.original_deadline,
        "finished_on": m.finished_on,
        "closed_on": m.closed_on,
        "rating": m.rating,
        "rating_comment": m.rating_comment,
        "round": m.round,
        "pending_deadline": m.pending_deadline,
        "light": light.light.value if light else None,
        "light_reason": light.reason if light else None,
        "version": m.version,
        "allowed_actions": services.allowed_actions(scope, m),
        "steps": [_step(s) for s in m.steps.all()],
        "step": _step(step) if step else None,
    }


@router.get(
    "/matters/{pk}",
    response=MatterOut,
    summary="事项详情（任何类型：状态、版本号、可办环节、灯、办理过程）",
)
def get_matter(request: HttpRequest, pk: int):
    scope = scope_of(request)
    return _matter(scope, _get(scope, pk))


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError({"__all__": ["请求内容不是有效的 JSON"]}) from None
    if not isinstance(data, dict):
        raise ValidationError({"__all__": ["请求内容应为 JSON 对象"]})
    return data


def _take(request: HttpRequest, pk: int, action: str) -> dict[str, Any]:
    scope = scope_of(request)
    m = _get(scope, pk)
    result = steps.take_step(scope, m, action, _body(request))
    return _matter(scope, _get(scope, pk), result.step)


def _request_body(action: str) -> dict[str, Any]:
    """The OpenAPI request body of one action: its schema, or one per kind when they differ.

    The body is read and checked by the dispatcher against the matter's own kind (so the
    errors are the same Chinese ones as on the web), not by ninja; hence described here."""
    variants: dict[str, dict[str, Any]] = {}
    for spec in steps.registered_kinds():
        step = spec.steps.get(action)
        if step is None:
            continue
        schema = step.schema.model_json_schema()
        key = json.dumps(schema, sort_keys=True)
        if key in variants:
            variants[key]["title"] += f"、{spec.label}"
        else:
            variants[key] = {**schema, "title": f"{step.label}（{spec.label}"}
    bodies = [{**v, "title": v["title"] + "）"} for v in variants.values()]
    body = bodies[0] if len(bodies) == 1 else {"oneOf": bodies}
    return {"required": True, "content": {"application/json": {"schema": body}}}


def _summary(action: str) -> str:
    labels = []
    for spec in steps.registered_kinds():
        step = spec.steps.get(action)
        if step is not None and step.label not in labels:
            labels.append(step.label)
    return f"办理环节 {action}：{'、'.join(labels)}"


def _register_step_routes() -> None:
    actions: list[str] = []
    for spec in steps.registered_kinds():
        actions += [a for a in spec.steps if a not in actions]
    for action in actions:

        def view(request: HttpRequest, pk: int, action: str = action):
            return _take(request, pk, action)

        router.add_api_operation(
            f"/matters/{{pk}}/steps/{action}",
            ["POST"],
            view,
            response=MatterOut,
            summary=_summary(action),
            operation_id=f"matter_step_{action}",
            openapi_extra={"requestBody": _request_body(action)},
        )

    # Actions of kinds registered after this module was imported (and unknown actions,
    # refused with "该类事项没有「…」环节") land here.
    @router.post(
        "/matters/{pk}/steps/{action}",
        response=MatterOut,
        summary="办理环节（其他按事项类型登记的环节）",
        operation_id="matter_step",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    def any_step(request: HttpRequest, pk: int, action: str):
        return _take(request, pk, action)


_register_step_routes()
# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router]
