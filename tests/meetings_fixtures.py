"""A meeting's payload in the shared test world (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt

DAY = dt.date(2022, 3, 7)


def meeting_data(w, **extra):
    return {
        "division": w.a,
        "kind": "progress",
        "title": "重点产业项目推进会",
        "date": DAY,
        "place": "区政府三楼会议室",
        "chair": w.leader_a.pk,
        "attendees": [w.cadre_a.pk],
        "attendee_units": [w.unit_a.pk, w.unit_a_town.pk],
        "projects": [w.pa.pk],
        "enterprises": [w.enterprise_a.pk],
        "decisions": [
            {
                "text": "区发改委牵头协调新拓洋产业园用电增容，3月底前完成",
                "lead_unit": w.unit_a.pk,
                "co_units": [w.unit_a_town.pk],
                "deadline": "2022-03-31",
            },
            {
                "text": "红旗街道负责综合体周边道路占道清理",
                "lead_unit": w.unit_a_town.pk,
                "deadline": dt.date(2022, 3, 15),
            },
        ],
        **extra,
    }
