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
from ninja import Router

from taizhang.api.schemas import Id, MatterFields, StepOut, matter_fields, step_out
from taizhang.core.scope import Scope, scope_of
from taizhang.matters import steps
from taizhang.matters.models import Kind, Matter, MatterStep
from taizhang.matters.timing import light_of

router = Router(tags=["办理环节"])


class MatterOut(MatterFields):
    kind: str
    kind_label: str
    division: str
    original_deadline: dt.date | None
    steps: list[StepOut]
    step: StepOut | None = None


def _get(scope: Scope, pk: Id) -> Matter:
    return scope.get(
        Matter.objects.select_related("division", "enterprise", "category", "lead_unit", "leader"),
        pk,
    )


def _matter(scope: Scope, m: Matter, step: MatterStep | None = None) -> dict[str, Any]:
    spec = steps.kind_steps(m.kind)
    return {
        **matter_fields(scope, m, light_of(m, timezone.localdate())),
        "kind": m.kind,
        "kind_label": str(dict(Kind.choices).get(m.kind) or (spec.label if spec else m.kind)),
        "division": m.division.name,
        "original_deadline": m.original_deadline,
        "steps": [step_out(s) for s in m.steps.all()],
        "step": step_out(step) if step else None,
    }


@router.get(
    "/matters/{pk}",
    response=MatterOut,
    summary="事项详情（任何类型：状态、版本号、可办环节、灯、办理过程）",
)
def get_matter(request: HttpRequest, pk: Id):
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


def _take(request: HttpRequest, pk: Id, action: str) -> dict[str, Any]:
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
    # anyOf, not oneOf: kinds' schemas overlap (a body with only `version` fits several), and
    # the matter's own kind decides which one applies.
    body = bodies[0] if len(bodies) == 1 else {"anyOf": bodies}
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

        def view(request: HttpRequest, pk: Id, action: str = action):
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
    def any_step(request: HttpRequest, pk: Id, action: str):
        return _take(request, pk, action)


_register_step_routes()
# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router]
