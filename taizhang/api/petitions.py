"""信访 (petitions) in the API: list, register, detail (petitioner masked), the audited view of
the petitioner's personal data, 带案下访 visits, mediation, and the figures contract
`GET /dashboard/petitions`. Steps go through `POST /matters/{id}/steps/{action}`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from taizhang.api.schemas import (
    After,
    Id,
    Limit,
    MatterFields,
    Offset,
    PageOut,
    StepOut,
    Year,
    matter_fields,
    step_out,
)
from taizhang.core.paging import window
from taizhang.core.scope import Scope, scope_of
from taizhang.matters.models import Kind, Matter
from taizhang.matters.timing import light_of, timings_for
from taizhang.petitions import services
from taizhang.petitions.figures import petition_figures
from taizhang.petitions.queries import PetitionFilter, filter_petitions

router = Router(tags=["信访"])
dash = Router(tags=["看板"])


class PetitionVisitOut(Schema):
    id: int
    date: dt.date
    leader: str
    place: str
    met: str
    note: str


class PetitionOut(MatterFields):
    petitioner_name: str = Field(description="脱敏（张*）；明文见 /petitions/{id}/personal")
    petitioner_phone: str = Field(description="脱敏（138****1234）")
    petitioner_id_number: str = Field(description="脱敏（4104**********1234）")
    channel: str
    channel_label: str
    category: str
    is_repeat: bool
    is_collective: bool
    is_skip_level: bool
    is_key: bool
    people_count: int
    leader_since: dt.date | None
    rejected_on: dt.date | None
    resolved_on: dt.date | None
    mediation_outcome: str
    mediation_agreement: str
    mediation_on: dt.date | None
    may_reveal: bool
    visits: list[PetitionVisitOut] = []
    steps: list[StepOut] = []


def _out(scope: Scope, m: Matter, *, full: bool = False, light: Any = None) -> dict[str, Any]:
    """`light`: the row's light when the list computed its page's at once."""
    d = m.petition
    if light is None:
        light = light_of(m, timezone.localdate())
    out = {
        **matter_fields(scope, m, light),
        **d.masked,
        "status_label": d.status_label,
        "channel": d.channel,
        "channel_label": d.get_channel_display(),
        "category": d.category,
        "is_repeat": d.is_repeat,
        "is_collective": d.is_collective,
        "is_skip_level": d.is_skip_level,
        "is_key": d.is_key,
        "people_count": d.people_count,
        "leader_since": d.leader_since,
        "rejected_on": d.rejected_on,
        "resolved_on": d.resolved_on,
        "mediation_outcome": d.mediation_outcome,
        "mediation_agreement": d.mediation_agreement,
        "mediation_on": d.mediation_on,
        "may_reveal": services.is_handler(scope, m),
    }
    if full:
        out["visits"] = [
            {
                "id": v.pk,
                "date": v.date,
                "leader": v.leader.name,
                "place": v.place,
                "met": v.met,
                "note": v.note,
            }
            for v in m.petition_visits.select_related("leader")
        ]
        out["steps"] = [step_out(s) for s in m.steps.all()]
    return out


def _get(scope: Scope, pk: Id) -> Matter:
    return scope.get(
        Matter.objects.filter(kind=Kind.PETITION).select_related(
            "division", "lead_unit", "leader", "petition"
        ),
        pk,
    )


class PetitionParams(Schema):
    status: str | None = None
    channel: str | None = Field(None, description="letter/visit/online/hotline/mailbox")
    flag: str | None = Field(None, description="repeat/collective/skip_level/key/leader/resolved")
    light: str | None = Field(None, description="red/yellow/green/none")
    leader: Id | None = Field(None, description="包案领导（人员编号）")
    division: str | None = None
    year: Year | None = None
    q: str | None = None
    offset: Offset = 0
    limit: Limit = 100
    after: After = None


class PetitionPage(PageOut):
    items: list[PetitionOut]


@router.get("/petitions", response=PetitionPage, summary="信访件列表（信访人信息脱敏）")
def list_petitions(request: HttpRequest, params: Query[PetitionParams]):
    scope = scope_of(request)
    data = {
        k: str(v)
        for k, v in params.dict(exclude={"offset", "limit", "after"}).items()
        if v is not None
    }
    f = PetitionFilter.from_params(data)
    qs = filter_petitions(scope, f, timezone.localdate()).prefetch_related("co_units")
    page = window(qs, offset=params.offset, limit=params.limit, after=params.after)
    scope.vouch(page.items)
    lights = timings_for(page.items, timezone.localdate())
    return page.as_dict([_out(scope, m, light=lights[m.pk].result) for m in page.items])


class PetitionIn(Schema):
    title: str = Field(description="信访事项（标题，不含信访人个人信息）")
    content: str = ""
    raised_on: dt.date = Field(description="登记日期（收到信访事项之日）")
    channel: str = Field(
        description="letter 来信 / visit 来访 / online 网上信访 / hotline 12345热线 / mailbox 领导信箱"
    )
    category: str = Field("other", description="report/appeal/request/suggestion/other")
    division: str | None = Field(None, description="区划代码或名称；默认本人区划")
    petitioner_name: str = ""
    petitioner_phone: str = Field("", description="11位手机号")
    petitioner_id_number: str = Field("", description="18位身份证号（校验位）")
    is_repeat: bool = False
    is_collective: bool = False
    is_skip_level: bool = False
    is_key: bool = False
    people_count: int = Field(1, ge=1, le=9999)
    accept_deadline: dt.date | None = Field(None, description="受理时限；留空为登记之日起15日")


@router.post("/petitions", response={201: PetitionOut}, summary="登记信访件（督查室）")
def create_petition(request: HttpRequest, payload: PetitionIn):
    scope = scope_of(request)
    data = payload.dict()
    if payload.division:
        data["division"] = scope.division_by_ref(payload.division)
    m = services.do_register_petition(scope, data)
    return Status(201, _out(scope, _get(scope, m.pk), full=True))


@router.get("/petitions/{pk}", response=PetitionOut, summary="信访件详情（信访人信息脱敏）")
def get_petition(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    return _out(scope, _get(scope, pk), full=True)


class PetitionPersonalOut(Schema):
    petitioner_name: str
    petitioner_phone: str
    petitioner_id_number: str


@router.get(
    "/petitions/{pk}/personal",
    response=PetitionPersonalOut,
    summary="信访人个人信息明文（仅包案领导、承办单位、督查室；每次查看记入审计日志）",
)
def get_personal(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    return services.personal_data(scope, _get(scope, pk), request=request)


class PetitionVisitIn(Schema):
    date: dt.date
    place: str
    met: str = Field(description="接谈对象")
    note: str = ""
    leader_id: Id | None = Field(None, description="下访领导；默认包案领导")


@router.post(
    "/petitions/{pk}/visits",
    response={201: PetitionVisitOut},
    summary="登记带案下访（照片用 /attachments，owner_type=petition_visit）",
)
def add_visit(request: HttpRequest, pk: Id, payload: PetitionVisitIn):
    scope = scope_of(request)
    v = services.do_record_visit(
        scope,
        _get(scope, pk),
        date=payload.date,
        place=payload.place,
        met=payload.met,
        note=payload.note,
        leader=payload.leader_id,
    )
    return Status(
        201,
        {
            "id": v.pk,
            "date": v.date,
            "leader": v.leader.name,
            "place": v.place,
            "met": v.met,
            "note": v.note,
        },
    )


class PetitionMediationIn(Schema):
    outcome: str = Field(description="success 调解成功 / partial 部分成功 / failed 调解未成")
    agreement: str = ""
    date: dt.date | None = None


@router.post("/petitions/{pk}/mediation", response=PetitionOut, summary="登记矛盾纠纷调解结果")
def set_mediation(request: HttpRequest, pk: Id, payload: PetitionMediationIn):
    scope = scope_of(request)
    services.do_record_mediation(
        scope,
        _get(scope, pk),
        outcome=payload.outcome,
        agreement=payload.agreement,
        date=payload.date,
    )
    return _out(scope, _get(scope, pk), full=True)


class PetitionFiguresOut(Schema):
    division: str
    division_code: str
    year: int
    as_of: dt.date
    petitions_accepted: int
    people_received: int
    cases_under_leader: int
    difficult_resolved: int
    replied: int
    replied_on_time: int
    rated: int
    on_time_rate_pct: str | None
    satisfaction_rate_pct: str | None


@dash.get(
    "/dashboard/petitions",
    response=PetitionFiguresOut,
    summary="信访看板数据（稳定契约）：受理件数、接待人次、领导包案件、化解疑难件、按期答复率、满意率",
)
def dashboard_petitions(request: HttpRequest, division: str, year: Year):
    """Counts, and rates in percent with one decimal as strings (null when nothing to divide),
    as of the year's last day (today while the year runs)."""
    scope = scope_of(request)
    d = scope.division_by_ref(division)
    return petition_figures(scope, d, year).as_contract()


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router, dash]
