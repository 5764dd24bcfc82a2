"""The permission matrix rows of the petitions part (信访): web routes and API operations.

Each district gets its petitions on first use (looked up by title, so a test's rollback only
means they are made again): one assigned to the district's unit under a leader in charge
(包案领导; A's is leader_a, so the leader_a account is a case handler), one only registered.
"""

from __future__ import annotations

import datetime as dt

from taizhang.core.models import Person
from taizhang.core.scope import Scope
from taizhang.matters.models import Matter
from taizhang.petitions import services as ps
from tests.matrix.harness import E, Route, Write
from tests.petition_fixtures import petition_data

V1 = "/api/v1"


def _office(s) -> Scope:
    from django.contrib.auth import get_user_model

    name = "sup_a" if s.division.code == "410603" else "sup_b"
    return Scope(get_user_model().objects.get(username=name))


def _leader(s) -> Person:
    found = Person.objects.filter(division=s.division, is_leader=True).order_by("pk").first()
    return found or Person.objects.create(
        name=f"{s.division.name}包案领导", division=s.division, is_leader=True
    )


def petition(s, stage: str = "assigned") -> Matter:
    title = f"{s.division.name}信访件{stage}"
    found = Matter.objects.filter(title=title).first()
    if found is not None:
        return found
    sup = _office(s)
    m = ps.do_register_petition(
        sup, petition_data(s.division, title=title, raised_on=dt.date(2022, 3, 1))
    )
    if stage in {"accepted", "assigned"}:
        m = ps.do_accept_petition(sup, m, expected_version=m.version).matter
    if stage == "assigned":
        m = ps.do_assign_petition(
            sup, m, lead_unit=s.unit, leader=_leader(s), expected_version=m.version
        ).matter
    return m


def make_petitions(mw) -> None:
    """Every district's petitions made up front (for tests that count what a write saved)."""
    for side in (mw.a, mw.b):
        _leader(side)
        for stage in ("submitted", "accepted", "assigned"):
            petition(side, stage)


def _version(m: Matter) -> int:
    return Matter.objects.get(pk=m.pk).version


NEW_PETITION = {
    "title": "反映某村低保评定不公",
    "raised_on": "2022-03-01",
    "channel": "visit",
    "people_count": "1",
}
# Who finds district A's petition: its office and leaders, the handling unit, the leader in charge.
SEES = E(200, nobody=404, unit_a_town=404, cadre_a=404, ent_a=404, sup_b=404, unit_b=404)
# Who may see the petitioner unmasked: the handlers (leader_a is A's 包案领导).
HANDLERS = E(404, admin=200, sup_a=200, leader_a=200, unit_a=200)

WEB = {
    "petition_list": Route(url=lambda s: "/petitions/", get=E(200, ent_a=302), scoped=False),
    "petition_export": Route(
        url=lambda s: "/petitions/export.csv", get=E(200, ent_a=403), scoped=False
    ),
    "petition_new": Route(
        url=lambda s: "/petitions/new/",
        get=E(403, admin=200, sup_a=200, sup_b=200),
        scoped=False,
        write=Write(
            # The admin has no division of its own: asked to choose one, nothing saved.
            E(403, admin=200, sup_a=302, sup_b=302),
            data=lambda mw, s: dict(NEW_PETITION),
        ),
    ),
    "petition_detail": Route(url=lambda s: f"/petitions/{petition(s).pk}/", get=SEES),
    "petition_personal": Route(
        url=lambda s: f"/petitions/{petition(s).pk}/personal/",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200),
    ),
    "petition_visit": Route(
        url=lambda s: f"/petitions/{petition(s).pk}/visits/",
        get=E(405),
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=302, unit_a=302),
            data=lambda mw, s: {
                "date": dt.date.today().isoformat(),
                "place": "某村",
                "met": "信访人",
            },
        ),
    ),
    "petition_mediation": Route(
        url=lambda s: f"/petitions/{petition(s).pk}/mediation/",
        get=E(405),
        write=Write(
            E(404, admin=302, sup_a=302, unit_a=302, leader_a=403),
            data=lambda mw, s: {"outcome": "success", "agreement": "双方达成一致"},
        ),
    ),
}

API = {
    ("GET", "/api/v1/petitions"): Route(url=lambda s: f"{V1}/petitions", get=E(200), scoped=False),
    ("POST", "/api/v1/petitions"): Route(
        url=lambda s: f"{V1}/petitions",
        scoped=False,
        write=Write(
            E(403, admin=422, sup_a=201, sup_b=201),
            ok=201,
            data=lambda mw, s: {**NEW_PETITION, "people_count": 1},
        ),
    ),
    ("GET", "/api/v1/petitions/{pk}"): Route(
        url=lambda s: f"{V1}/petitions/{petition(s).pk}", get=SEES
    ),
    ("GET", "/api/v1/petitions/{pk}/personal"): Route(
        url=lambda s: f"{V1}/petitions/{petition(s).pk}/personal", get=HANDLERS
    ),
    ("POST", "/api/v1/petitions/{pk}/visits"): Route(
        url=lambda s: f"{V1}/petitions/{petition(s).pk}/visits",
        write=Write(
            E(404, admin=201, sup_a=201, leader_a=201, unit_a=201),
            ok=201,
            data=lambda mw, s: {
                "date": dt.date.today().isoformat(),
                "place": "某村",
                "met": "信访人",
            },
        ),
    ),
    ("POST", "/api/v1/petitions/{pk}/mediation"): Route(
        url=lambda s: f"{V1}/petitions/{petition(s).pk}/mediation",
        write=Write(
            E(404, admin=200, sup_a=200, unit_a=200, leader_a=403),
            ok=200,
            data=lambda mw, s: {"outcome": "failed"},
        ),
    ),
    ("GET", "/api/v1/dashboard/petitions"): Route(
        url=lambda s: f"{V1}/dashboard/petitions?division={s.division.code}&year=2022",
        get=E(200, nobody=404, sup_b=404, unit_b=404),
    ),
    # The petition kind's own steps (the shared ones are rows of the matters table).
    ("POST", "/api/v1/matters/{pk}/steps/reject"): Route(
        url=lambda s: f"{V1}/matters/{petition(s, 'submitted').pk}/steps/reject",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403),
            ok=200,
            data=lambda mw, s: {
                "version": _version(petition(s, "submitted")),
                "note": "不属受理范围",
            },
        ),
    ),
    ("POST", "/api/v1/matters/{pk}/steps/take_charge"): Route(
        url=lambda s: f"{V1}/matters/{petition(s).pk}/steps/take_charge",
        write=Write(
            E(404, admin=200, sup_a=200, leader_a=403, unit_a=403),
            ok=200,
            data=lambda mw, s: {"version": _version(petition(s)), "leader": _leader(s).pk},
        ),
    ),
}


def foreign_id_cases(Case) -> list:
    """The id fields of the petition writes, for tests/matrix/test_foreign_ids.py: each names
    the given side's object; district B's must be refused with nothing saved."""
    today = dt.date.today().isoformat()
    return [
        Case(
            ("POST", "/api/v1/petitions"),
            "division",
            lambda a: f"{V1}/petitions",
            lambda mw, s: {**NEW_PETITION, "people_count": 1, "division": s.division.code},
        ),
        Case(
            ("POST", "/api/v1/petitions/{pk}/visits"),
            "leader_id",
            lambda a: f"{V1}/petitions/{petition(a).pk}/visits",
            lambda mw, s: {
                "date": today,
                "place": "某村",
                "met": "信访人",
                "leader_id": _leader(s).pk,
            },
        ),
        Case(
            ("POST", "/api/v1/matters/{pk}/steps/take_charge"),
            "leader",
            lambda a: f"{V1}/matters/{petition(a).pk}/steps/take_charge",
            lambda mw, s: {"version": _version(petition(mw.a)), "leader": _leader(s).pk},
            ok=200,
        ),
        Case(
            ("POST", "/api/v1/matters/{pk}/steps/assign"),
            "leader",
            lambda a: f"{V1}/matters/{petition(a, 'accepted').pk}/steps/assign",
            lambda mw, s: {
                "version": _version(petition(mw.a, "accepted")),
                "lead_unit": mw.a.unit.pk,
                "leader": _leader(s).pk,
            },
            ok=200,
        ),
    ]
