"""What every route module says about a tracked matter: one schema, one serialiser.

Route modules are leaves; they share this module instead of importing each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from taizhang.core import params as bounds
from taizhang.core.scope import Scope
from taizhang.matters import services
from taizhang.matters.models import Matter, MatterStep

# Bounded numbers, from the same constants as the web's parameters (taizhang.core.params):
# a value outside them is a 422 with a Chinese message before any query runs, instead of
# an OverflowError or a date out of range deep in the ORM (HTTP 500).
Id = Annotated[int, Field(ge=1, le=bounds.ID_MAX)]
Year = Annotated[int, Field(ge=bounds.YEAR_MIN, le=bounds.YEAR_MAX)]
Month = Annotated[int, Field(ge=1, le=12)]
Offset = Annotated[int, Field(ge=0, le=bounds.OFFSET_MAX)]
Limit = Annotated[int, Field(ge=1, le=1000)]
Days = Annotated[int, Field(ge=0, le=bounds.DAYS_MAX)]
# Version numbers and other counters: anything a 64-bit column holds.
Count = Annotated[int, Field(ge=0, le=bounds.ID_MAX)]
# A seek cursor (taizhang.core.paging): the `next` of the page before.
After = Annotated[
    str | None,
    Field(max_length=500, description="上一页返回的 next 游标；深翻页用它而不是 offset"),
]


class PageOut(Schema):
    """What every list says besides its items: a count exact up to 10,000 (then
    count_exact is false and count is 10000, "10,000+"), and the cursor of the next page."""

    count: int
    count_exact: bool = True
    next: str | None = Field(
        None, description="下一页的游标（作为 after 传回）；没有下一页时为 null"
    )


class ErrorOut(Schema):
    """Every refusal: `detail` is one Chinese sentence; `errors` names the fields (422, 400);
    `changes` lists what someone else changed meanwhile (409)."""

    detail: str
    errors: dict[str, list[str]] | None = None
    changes: list[dict[str, Any]] | None = None


# The refusals every operation can answer (documented on each in the OpenAPI by
# taizhang/api/api.py): status → description.
ERRORS: dict[int, str] = {
    400: "查询参数类型或范围不正确（中文原因）",
    401: "未登录或令牌无效",
    403: "无权执行此操作",
    404: "未找到该记录，或不在您的管辖范围内",
    409: "版本冲突：他人已修改，请刷新后重试",
    422: "数据无效：按字段列出中文原因",
    429: "请求过于频繁：按令牌和地址限流，见 Retry-After 头",
    500: "服务器内部错误（已记录）",
}


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


def step_out(s: MatterStep) -> dict[str, Any]:
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


class MatterFields(Schema):
    """The fields every kind of matter has (problems, tasks, suggestions … add their own)."""

    id: int
    number: str
    title: str
    description: str
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


def matter_fields(scope: Scope, m: Matter, light: Any = None) -> dict[str, Any]:
    """``light`` is the matter's Timing or LightResult as of the day asked, or None."""
    return {
        "id": m.pk,
        "number": m.number,
        "title": m.title,
        "description": m.description,
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
        "finished_on": m.finished_on,
        "closed_on": m.closed_on,
        "rating": m.rating,
        "rating_comment": m.rating_comment,
        "round": m.round,
        "pending_deadline": m.pending_deadline,
        "light": light.light.value if light and light.light else None,
        "light_reason": light.reason if light else None,
        "version": m.version,
        "allowed_actions": services.allowed_actions(scope, m),
    }
