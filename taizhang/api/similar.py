"""Similar problems, 合并 and the problem radar (docs/similar.md): the same functions as the
web pages (`taizhang.similar.figures`, `do_merge_problems`, `do_task_from_cluster`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from taizhang.api.schemas import Id
from taizhang.core.scope import Scope, scope_of
from taizhang.matters.merge import do_merge_problems
from taizhang.matters.models import Kind, Matter
from taizhang.similar import figures
from taizhang.similar.services import do_task_from_cluster

router = Router(tags=["相似问题与问题雷达"])


def _office(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以查看相似问题和问题雷达")
    return scope


class SimilarItem(Schema):
    id: int
    number: str
    title: str
    enterprise: str | None
    park: str | None
    category: str | None
    status: str
    raised_on: dt.date
    score: float = Field(description="相似度 0～1（两位小数）")


class SimilarOut(Schema):
    threshold: float
    formula: str
    items: list[SimilarItem]


def _item(m: Matter, score: float) -> dict[str, Any]:
    e = m.enterprise
    return {
        "id": m.pk,
        "number": m.number,
        "title": m.title,
        "enterprise": e.name if e else None,
        "park": e.park.name if e and e.park_id else None,
        "category": m.category.name if m.category_id else None,
        "status": m.status,
        "raised_on": m.raised_on,
        "score": round(score, 2),
    }


@router.get(
    "/problems/{pk}/similar",
    response=SimilarOut,
    summary="企业问题的疑似重复（相似度不低于阈值，最相似在前）",
)
def problem_similar(request: HttpRequest, pk: Id):
    scope = _office(request)
    m = scope.get(
        Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM).select_related("enterprise"), pk
    )
    found = figures.similar_of(scope, m)
    return {
        "threshold": figures.threshold(),
        "formula": figures.formulas()["duplicate"],
        "items": [_item(c.matter, c.score) for c in found],
    }


class MergeIn(Schema):
    merged: Id = Field(description="并入本问题的重复问题（事项 id），合并后销号")
    reason: str = Field(min_length=1, max_length=500, description="合并理由")
    version: int | None = Field(None, description="重复问题读取时的版本号；版本已变则返回409")


class MergeOut(Schema):
    kept: int
    merged: int
    merged_status: str
    other_enterprises: list[str]


@router.post(
    "/problems/{pk}/merge",
    response=MergeOut,
    summary="合并：把重复问题并入本问题（本问题保留两家企业，两家企业均收到通知）",
)
def problem_merge(request: HttpRequest, pk: Id, payload: MergeIn):
    scope = _office(request)
    keep = scope.get(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM), pk)
    result = do_merge_problems(
        scope, keep, payload.merged, payload.reason, expected_version=payload.version
    )
    return {
        "kept": keep.pk,
        "merged": result.matter.pk,
        "merged_status": result.matter.status,
        "other_enterprises": list(keep.other_enterprises.values_list("name", flat=True)),
    }


class ClusterOut(Schema):
    representative: SimilarItem
    enterprises: list[str]
    parks: list[str]
    categories: list[str]
    problems: list[SimilarItem] = Field(description="簇中的问题；score 为与代表问题的相似度")


class RadarOut(Schema):
    threshold: float
    formula: str
    clusters: list[ClusterOut]


@router.get("/radar", response=RadarOut, summary="问题雷达：多家企业反映的同类问题簇")
def radar(request: HttpRequest):
    scope = _office(request)
    clusters = figures.radar(scope)
    return {
        "threshold": figures.radar_threshold(),
        "formula": figures.formulas()["radar"],
        "clusters": [
            {
                "representative": _item(c.representative, 1.0),
                "enterprises": c.enterprises,
                "parks": c.parks,
                "categories": c.categories,
                "problems": [_item(m, c.scores[m.pk]) for m in c.problems],
            }
            for c in clusters
        ],
    }


class RadarTaskIn(Schema):
    problems: list[Id] = Field(description="簇中的问题（事项 id），至少两个")
    title: str = Field(description="督办任务名称（针对共性原因）")
    lead_unit_id: Id
    deadline: dt.date | None = Field(None, description="完成时限；默认当年年底")
    description: str = ""


class RadarTaskOut(Schema):
    task_id: int
    number: str
    title: str
    problems: list[int]


@router.post(
    "/radar/task",
    response={201: RadarTaskOut},
    summary="问题雷达：把一簇问题转为一项督办任务并关联每个问题",
)
def radar_task(request: HttpRequest, payload: RadarTaskIn):
    scope = _office(request)
    data: dict[str, Any] = {
        "title": payload.title,
        "lead_unit": payload.lead_unit_id,
        "description": payload.description,
    }
    if payload.deadline:
        data["deadline"] = payload.deadline
    task, links = do_task_from_cluster(scope, payload.problems, data)
    return Status(
        201,
        {
            "task_id": task.pk,
            "number": task.number,
            "title": task.title,
            "problems": [link.problem_id for link in links],
        },
    )


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router]
