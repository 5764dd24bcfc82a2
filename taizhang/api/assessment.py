"""Assessment API: scores and rankings for a period, one card's drill-down, published periods,
the bulletin (.docx) and the ranking export. Same scope and functions as the web pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from taizhang.api.schemas import Id
from taizhang.assessment import bulletin as bulletin_mod
from taizhang.assessment import exports, service
from taizhang.assessment.models import ScorePeriod
from taizhang.core.models import Division
from taizhang.core.periods import chosen_division
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download

router = Router(tags=["考评排名"])


def _district(scope: Scope, ref: str | None) -> Division:
    division = chosen_division(scope, ref)
    if division is None:
        raise ValidationError({"division": ["请指定区划"]})
    return division.district() or division


def _row(r: service.Row, *, card: bool = False) -> dict[str, Any]:
    out = {
        "kind": r.kind,
        "id": r.target_id,
        "name": r.name,
        "group": r.group,
        "position": r.position,
        "total": str(r.total),
        "movement": r.movement,
        "board": r.board or None,
    }
    if card:
        out["lines"] = r.card.get("lines", [])
    else:
        out["lines"] = [
            {"code": ln["code"], "name": ln["name"], "points": ln["points"], "rate": ln["rate"]}
            for ln in r.card.get("lines", [])
        ]
    return out


def _head(res: service.Result) -> dict[str, Any]:
    return {
        "division": {"code": res.district.code, "name": res.district.name},
        "period": res.period.code,
        "label": res.period.label,
        "cutoff": res.cutoff.isoformat(),
        "published": res.published is not None,
        "published_at": res.published.published_at.isoformat() if res.published else None,
        "scheme": None
        if res.scheme is None
        else {"id": res.scheme.pk, "name": res.scheme.name, "version": res.scheme.version},
        "previous_period": res.previous.code if res.previous else None,
        "full_ranking": res.full,
    }


class PeriodOut(Schema):
    code: str
    label: str
    cutoff: str
    scheme_version: int
    published_at: str


@router.get("/assessment/scores", summary="某期间的考评得分、分组排名、飞虎榜和蜗牛榜")
def scores(request: HttpRequest, period: str, division: str | None = None, live: bool = False):
    scope = scope_of(request)
    res = service.result_for(scope, _district(scope, division), period, live=live)
    return {
        **_head(res),
        "groups": [
            {
                "name": g.name,
                "rows": [_row(r) for r in g.rows],
                "top": [r.name for r in g.top],
                "bottom": [r.name for r in g.bottom],
            }
            for g in res.groups
        ],
    }


@router.get(
    "/assessment/scores/{kind}/{pk}",
    summary="一个单位或干部的得分明细（各指标的算式和台账事项）",
)
def score_card(
    request: HttpRequest,
    kind: str,
    pk: Id,
    period: str,
    division: str | None = None,
    live: bool = False,
):
    from django.http import Http404

    scope = scope_of(request)
    res = service.result_for(scope, _district(scope, division), period, live=live)
    row = res.row(kind, pk)
    if row is None:
        raise Http404("未找到该考评对象，或您无权查看")
    return {**_head(res), **_row(row, card=True)}


@router.get("/assessment/periods", response=list[PeriodOut], summary="已发布（冻结）的考评期间")
def periods(request: HttpRequest, division: str | None = None):
    scope = scope_of(request)
    district = _district(scope, division)
    qs = scope.filter(ScorePeriod.objects.filter(division=district)).select_related("scheme")
    return [
        {
            "code": sp.code,
            "label": sp.label,
            "cutoff": sp.cutoff.isoformat(),
            "scheme_version": sp.scheme.version,
            "published_at": sp.published_at.isoformat(),
        }
        for sp in qs.order_by("-end")
    ]


@router.get("/assessment/scores/export", summary="导出考评排名（xlsx 或 csv）")
def scores_export(
    request: HttpRequest,
    period: str,
    division: str | None = None,
    live: bool = False,
    format: str = "xlsx",
):
    if format not in {"xlsx", "csv"}:
        raise ValidationError({"format": ["导出格式应为 xlsx 或 csv"]})
    scope = scope_of(request)
    district = _district(scope, division)
    res = service.result_for(scope, district, period, live=live)
    return download(
        exports.scores_table(scope, res), format, f"{district.name}{res.period.label}考评排名"
    )


@router.get(
    "/assessment/bulletin",
    summary="下载督查通报（.docx；已印发的为印发稿原文件，recompute=true 按当前数据重算）",
)
def bulletin(
    request: HttpRequest, period: str, division: str | None = None, recompute: bool = False
):
    from django.core.exceptions import PermissionDenied

    scope = scope_of(request)
    district = _district(scope, division)  # first: another district is 404, not 403
    if not scope.reads_division:
        raise PermissionDenied("只有督查室和区领导可以下载通报")
    f = bulletin_mod.bulletin_file(scope, district, period, recompute=recompute)
    response = HttpResponse(
        f.body,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f.filename)}"
    return response


@router.post("/assessment/publish", summary="发布（冻结）某期间的考评结果（督查室）")
def publish(request: HttpRequest, period: str, division: str | None = None):
    scope = scope_of(request)
    sp = service.do_publish(scope, _district(scope, division), period)
    return {"code": sp.code, "label": sp.label, "scores": sp.scores.count()}


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router]
