"""Permission-matrix rows of the 政务服务办件 and 银企对接 routes (web and API).

The matrix world has no cases or needs of its own: each side's objects are made on first
use inside the test's savepoint (like the notify rows' robot channel), from the side's unit,
enterprise and division. WEB_ROWS and API_ROWS are merged into the two tables.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from taizhang.core.scope import Scope
from taizhang.matters import services as msvc
from taizhang.matters.models import Matter, ProblemCategory
from taizhang.services.models import (
    Bank,
    BankResponse,
    FinancingNeed,
    ServiceCase,
    ensure_default_banks,
)
from tests.matrix.harness import E, Route, Write

V1 = "/api/v1"
DAY = dt.date(2022, 3, 7)


def case(s) -> ServiceCase:
    """An open case of the side's unit, past its 5-working-day limit (so it can be escalated)."""
    found, _ = ServiceCase.objects.get_or_create(
        division=s.division,
        number=f"MX-{s.division.code}",
        defaults={"item": "矩阵测试许可", "unit": s.unit, "accepted_on": DAY, "limit_workdays": 5},
    )
    return found


def need(s) -> FinancingNeed:
    found, _ = FinancingNeed.objects.get_or_create(
        division=s.division,
        enterprise=s.enterprise,
        purpose="矩阵测试流动资金",
        defaults={"amount": "1000", "term_months": 12, "published_on": DAY},
    )
    return found


def response(s) -> BankResponse:
    ensure_default_banks()  # a demo test before this one may have flushed the migration's rows
    found, _ = BankResponse.objects.get_or_create(
        need=need(s), bank=Bank.objects.get(name="中原银行"), defaults={"started_on": DAY}
    )
    return found


def loan_problem(s) -> Matter:
    """A 融资 problem of the side's enterprise, registered by the office (待受理)."""
    title = f"{s.division.code}矩阵流贷续贷"
    found = Matter.objects.filter(title=title).first()
    if found is None:
        admin = Scope(get_user_model().objects.get(username="admin"))
        found = msvc.do_create_problem(
            admin,
            {
                "enterprise": s.enterprise,
                "category": ProblemCategory.objects.get(name="融资"),
                "title": title,
                "raised_on": DAY,
            },
        )
    return found


def _q(s) -> str:
    return f"division={s.division.code}&year=2022"


def _version(model, obj) -> int:
    return model.objects.get(pk=obj.pk).version


def _case_form(mw, s) -> dict:
    c = case(s)
    return {
        "item": "矩阵测试许可（更正）",
        "unit": c.unit_id,
        "accepted_on": "2022-03-07",
        "limit_workdays": "5",
        "version": _version(ServiceCase, c),
    }


def _case_json(mw, s) -> dict:
    c = case(s)
    return {
        "item": "矩阵测试许可（更正）",
        "unit_id": c.unit_id,
        "accepted_on": "2022-03-07",
        "limit_workdays": 5,
        "version": _version(ServiceCase, c),
    }


def _need_form(mw, s) -> dict:
    return {
        "enterprise": s.enterprise.pk,
        "amount": "500",
        "purpose": "新增流动资金",
        "term_months": "12",
        "published_on": "2022-03-01",
    }


def _advance(mw, s) -> dict:
    r = response(s)
    today = timezone.localdate().isoformat()
    return {
        "status": "intention",
        "date": today,
        "amount": "300",
        "version": _version(BankResponse, r),
    }


POST_ONLY = E(405)
# A district's pages: its staff read them (each sees its own rows), outsiders do not find it.
IN_A = E(200, nobody=404, sup_b=404, unit_b=404)
# The same, where an enterprise user is sent to its portal (cases are not an enterprise's).
STAFF_IN_A = E(200, nobody=404, ent_a=302, sup_b=404, unit_b=404)
# A case of 区发改委: the office, the leaders and the handling unit.
SEES_CASE_A = E(404, admin=200, sup_a=200, leader_a=200, unit_a=200)
# A need of enterprise A: the office, the leaders, its liaison cadre and the enterprise.
SEES_NEED_A = E(404, admin=200, sup_a=200, leader_a=200, cadre_a=200, ent_a=200)
# Only the office writes; the others who see the object are refused.
OFFICE_CASE_A = E(404, admin=302, sup_a=302, leader_a=403, unit_a=403)
OFFICE_NEED_A = E(404, admin=302, sup_a=302, leader_a=403, cadre_a=403, ent_a=403)


def _api(expect: dict, ok: int) -> dict:
    return {r: (ok if v == 302 else v) for r, v in expect.items()}


WEB_ROWS: dict[str, Route] = {
    "service_list": Route(url=lambda s: f"/services/?{_q(s)}", get=STAFF_IN_A, b={"ent_a": 302}),
    "service_export": Route(
        url=lambda s: f"/services/export.xlsx?{_q(s)}",
        get=E(200, nobody=404, ent_a=403, sup_b=404, unit_b=404),
        b={"ent_a": 403},
    ),
    "service_figures": Route(
        url=lambda s: f"/services/figures/?{_q(s)}", get=STAFF_IN_A, b={"ent_a": 302}
    ),
    "service_detail": Route(url=lambda s: f"/services/{case(s).pk}/", get=SEES_CASE_A),
    "service_edit": Route(
        url=lambda s: f"/services/{case(s).pk}/edit/",
        get=POST_ONLY,
        write=Write(OFFICE_CASE_A, data=_case_form),
    ),
    "service_escalate": Route(
        url=lambda s: f"/services/{case(s).pk}/escalate/",
        get=POST_ONLY,
        write=Write(OFFICE_CASE_A),
    ),
    "financing_list": Route(url=lambda s: f"/financing/?{_q(s)}", get=IN_A),
    "financing_export": Route(url=lambda s: f"/financing/export.csv?{_q(s)}", get=IN_A),
    "financing_figures": Route(url=lambda s: f"/financing/figures/?{_q(s)}", get=IN_A),
    "financing_new": Route(
        url=lambda s: "/financing/new/",
        get=E(403, admin=200, sup_a=200, sup_b=200),
        scoped=False,
        # District B's office does not find enterprise A: the form answers with its message.
        write=Write(E(403, admin=302, sup_a=302, sup_b=200), data=_need_form),
    ),
    "financing_detail": Route(url=lambda s: f"/financing/{need(s).pk}/", get=SEES_NEED_A),
    "financing_response_add": Route(
        url=lambda s: f"/financing/{need(s).pk}/responses/",
        get=POST_ONLY,
        write=Write(
            OFFICE_NEED_A,
            data=lambda mw, s: {"bank": "中国银行", "started_on": "2022-03-08"},
        ),
    ),
    "financing_response_advance": Route(
        url=lambda s: f"/financing/responses/{response(s).pk}/advance/",
        get=POST_ONLY,
        write=Write(OFFICE_NEED_A, data=_advance),
    ),
    "financing_from_problem": Route(
        url=lambda s: f"/problems/{loan_problem(s).pk}/financing/",
        get=POST_ONLY,
        write=Write(OFFICE_NEED_A, data=lambda mw, s: {"amount": "800", "term_months": "12"}),
    ),
}


API_ROWS: dict[tuple[str, str], Route] = {
    ("GET", "/api/v1/services/cases"): Route(
        url=lambda s: f"{V1}/services/cases?{_q(s)}", get=IN_A
    ),
    ("GET", "/api/v1/services/cases/{pk}"): Route(
        url=lambda s: f"{V1}/services/cases/{case(s).pk}", get=SEES_CASE_A
    ),
    ("PUT", "/api/v1/services/cases/{pk}"): Route(
        url=lambda s: f"{V1}/services/cases/{case(s).pk}",
        write=Write(_api(OFFICE_CASE_A, 200), ok=200, method="PUT", data=_case_json),
    ),
    ("POST", "/api/v1/services/cases/{pk}/escalate"): Route(
        url=lambda s: f"{V1}/services/cases/{case(s).pk}/escalate",
        write=Write(_api(OFFICE_CASE_A, 201), ok=201),
    ),
    ("GET", "/api/v1/dashboard/services"): Route(
        url=lambda s: f"{V1}/dashboard/services?{_q(s)}", get=IN_A
    ),
    ("GET", "/api/v1/financing/needs"): Route(
        url=lambda s: f"{V1}/financing/needs?{_q(s)}", get=IN_A
    ),
    ("POST", "/api/v1/financing/needs"): Route(
        url=lambda s: f"{V1}/financing/needs",
        scoped=False,
        write=Write(
            E(403, admin=201, sup_a=201, sup_b=422),
            ok=201,
            data=lambda mw, s: {
                "enterprise_id": s.enterprise.pk,
                "amount_wan": "500",
                "purpose": "新增流动资金",
                "term_months": 12,
                "published_on": "2022-03-01",
            },
        ),
    ),
    ("GET", "/api/v1/financing/needs/{pk}"): Route(
        url=lambda s: f"{V1}/financing/needs/{need(s).pk}", get=SEES_NEED_A
    ),
    ("POST", "/api/v1/financing/from-problem/{pk}"): Route(
        url=lambda s: f"{V1}/financing/from-problem/{loan_problem(s).pk}",
        write=Write(
            _api(OFFICE_NEED_A, 201),
            ok=201,
            data=lambda mw, s: {"amount_wan": "800", "term_months": 12},
        ),
    ),
    ("POST", "/api/v1/financing/needs/{pk}/responses"): Route(
        url=lambda s: f"{V1}/financing/needs/{need(s).pk}/responses",
        write=Write(
            _api(OFFICE_NEED_A, 201),
            ok=201,
            data=lambda mw, s: {"bank": "中国银行", "started_on": "2022-03-08"},
        ),
    ),
    ("POST", "/api/v1/financing/responses/{pk}/status"): Route(
        url=lambda s: f"{V1}/financing/responses/{response(s).pk}/status",
        write=Write(
            _api(OFFICE_NEED_A, 200),
            ok=200,
            data=lambda mw, s: {
                k if k != "amount" else "amount_wan": v for k, v in _advance(mw, s).items()
            },
        ),
    ),
    ("GET", "/api/v1/dashboard/financing"): Route(
        url=lambda s: f"{V1}/dashboard/financing?{_q(s)}", get=IN_A
    ),
}
