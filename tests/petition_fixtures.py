"""Petitions in the shared test world: one helper that registers a case in a district and,
if asked, takes it through 受理 and 交办 (to the district's unit, under a leader)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from taizhang.core.scope import Scope
from taizhang.matters.models import Matter
from taizhang.petitions import services as ps

GOOD_PHONE = "13812345678"


def id_with_check(body17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]
    )


def petition_data(division: Any, **over: Any) -> dict[str, Any]:
    data = {
        "division": division,
        "title": "反映某村低保评定不公",
        "content": "请求调查处理。",
        "raised_on": dt.date(2022, 3, 1),
        "channel": "visit",
        "category": "report",
        "people_count": 2,
        "petitioner_name": "张三丰",
        "petitioner_phone": GOOD_PHONE,
        "petitioner_id_number": id_with_check("41060319900101123"),
        "is_key": True,
    }
    data.update(over)
    return data


def new_petition(
    sup: Scope,
    division: Any,
    *,
    unit: Any = None,
    leader: Any = None,
    accepted: dt.date | None = dt.date(2022, 3, 3),
    **over: Any,
) -> Matter:
    m = ps.do_register_petition(sup, petition_data(division, **over))
    if accepted is not None:
        ps.do_accept_petition(sup, m, expected_version=m.version, date=accepted)
        m.refresh_from_db()
        if unit is not None:
            ps.do_assign_petition(
                sup,
                m,
                lead_unit=unit,
                leader=leader,
                expected_version=m.version,
                date=accepted + dt.timedelta(days=1),
            )
            m.refresh_from_db()
    return m
