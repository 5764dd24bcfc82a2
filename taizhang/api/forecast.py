"""Pace forecast and evidence packs (issue 15): the dashboard's forecast and the .docx packs."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from taizhang.api.schemas import Id, Month, Year
from taizhang.core.scope import scope_of
from taizhang.evidence.pack import (
    DOCX,
    EvidenceFile,
    do_download_matter_pack,
    do_download_unit_pack,
)
from taizhang.projects.figures import parse_levels
from taizhang.projects.forecast import forecast_figures

dash = Router(tags=["看板"])
router = Router(tags=["问责佐证材料"])


@dash.get(
    "/dashboard/forecast",
    summary="重点项目年末完成预测（估算：季节指数法，历史不足两年时按线性进度）",
)
def dashboard_forecast(
    request: HttpRequest, division: str, year: Year, month: Month = 12, level: str | None = None
):
    """forecast_completion_pct in percent (one decimal), needed_monthly_wan in 万元; the method,
    the past years used (history_years, history_months) and the formula come with them."""
    scope = scope_of(request)
    try:
        levels = parse_levels(level)
    except ValueError as e:
        raise ValidationError({"level": [str(e)]}) from None
    d = scope.division_by_ref(division)
    return forecast_figures(scope, d, year, month, levels).as_contract()


class Period(Schema):
    start: dt.date = Field(alias="from", description="起始日期 YYYY-MM-DD（含）")
    end: dt.date = Field(alias="to", description="截止日期 YYYY-MM-DD（含）")


def _docx(f: EvidenceFile) -> HttpResponse:
    response = HttpResponse(f.body, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f.filename)}"
    return response


@router.get(
    "/matters/{pk}/evidence.docx",
    summary="下载一个事项的问责佐证材料包（.docx，督查室；下载记入审计日志）",
)
def matter_evidence(request: HttpRequest, pk: Id):
    return _docx(do_download_matter_pack(scope_of(request), pk))


@router.get(
    "/units/{pk}/evidence.docx",
    summary="下载一个单位在期间内逾期事项的问责佐证材料包（.docx，督查室）",
)
def unit_evidence(
    request: HttpRequest,
    pk: Id,
    period: Query[Period],
):
    return _docx(do_download_unit_pack(scope_of(request), pk, period.start, period.end))


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [dash, router]
