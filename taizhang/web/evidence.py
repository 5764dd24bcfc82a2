"""Evidence packs (问责佐证材料包) on the web: a matter's pack, a unit's pack for a period, and the
office's page listing each unit's overdue matters in a period with its download."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from taizhang.core.errors import messages_of
from taizhang.core.params import BadParam, date_param
from taizhang.core.scope import scope_of
from taizhang.evidence.pack import (
    DOCX,
    EvidenceFile,
    do_download_matter_pack,
    do_download_unit_pack,
)
from taizhang.matters.models import Matter


def _docx(f: EvidenceFile) -> HttpResponse:
    response = HttpResponse(f.body, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f.filename)}"
    return response


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = date_param(request.GET, "from", dt.date(today.year, 1, 1))
    end = date_param(request.GET, "to", today)
    assert start is not None and end is not None  # both have defaults
    return start, end


@login_required
def matter_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return _docx(do_download_matter_pack(scope_of(request), pk))


@login_required
def unit_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    start, end = _period(request)
    try:
        return _docx(do_download_unit_pack(scope_of(request), pk, start, end))
    except ValidationError as e:
        key, msgs = next(iter(messages_of(e).items()))
        raise BadParam(key, msgs[0]) from None


@login_required
def evidence_page(request: HttpRequest) -> HttpResponse:
    """Each unit's matters overdue in the period (deadline in it, not finished by it)."""
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室和管理员可以下载问责佐证材料包")
    start, end = _period(request)
    counts = (
        scope.filter(Matter.objects.all())
        .filter(deadline__gte=start, deadline__lte=end, lead_unit__isnull=False)
        .filter(Q(finished_on__isnull=True) | Q(finished_on__gt=F("deadline")))
        .values("lead_unit", "lead_unit__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "lead_unit__name")
    )
    return render(
        request,
        "web/evidence.html",
        {"rows": list(counts[:500]), "start": start, "end": end},
    )
