"""Demo assessment: 2022 schemes for 山城区 and 湛河区, a few adjustments, and 山城区's
second and third quarters of 2022 published (so rankings show movement), with the Q3
bulletin issued as 山城督〔2022〕8号.

Seed 004 (湛河区): "实行季度考评和年度考评相结合的方式, 给全区县级干部和各乡(街道)、区直单位打分排名";
seed 001: "设立'飞虎榜''蜗牛榜'". Weights and adjustments below are invented for the demo.
"""

from __future__ import annotations

import datetime as dt

from taizhang.assessment import bulletin, service
from taizhang.assessment.models import BulletinSettings, DocCounter
from taizhang.core.scope import Scope

SCHEME = {
    "name": "重点工作季度和年度考评方案",
    "indicators": service.DEFAULT_INDICATORS,
    "lead_weight": "1",
    "co_weight": "0.5",
    "empty": "exclude",
    "bonus_cap": "5",
    "penalty_cap": "10",
    "board_size": 3,
    "note": "按季度考评、年度总评；主办单位计全权重，协办单位计0.5",
}

ADJUSTMENTS = {
    "410603": [
        (
            "牟山园区管委会",
            "2",
            "新拓洋生物科技产业园项目获全省重点项目建设先进表彰（省级表彰）",
            dt.date(2022, 9, 15),
        ),
        ("发展和改革委员会", "1", "重点项目谋划工作经验被市政府推广", dt.date(2022, 8, 10)),
        ("石林镇", "-1", "项目建设现场发生一般安全生产事故，被市安委办通报", dt.date(2022, 8, 22)),
    ],
    "410411": [
        ("马庄街道", "1", "万人助万企工作被省领导小组办公室通报表扬", dt.date(2022, 6, 20)),
    ],
}

SETTINGS = {
    "410603": ("山城区督查通报", "山城督", "山城区人民政府督查室"),
    "410411": ("湛河区督查通报", "湛督", "湛河区人民政府督查室"),
}


def load(scope: Scope, org) -> None:
    for dcode in ("410603", "410411"):
        district = org.divisions[dcode]
        service.do_save_scheme(scope, district, 2022, SCHEME)
        for key, points, reason, on in ADJUSTMENTS[dcode]:
            unit = org.units[(dcode, key)]
            service.do_add_adjustment(
                scope, district, unit=unit, points=points, reason=reason, on=on
            )
        issuer, prefix, office = SETTINGS[dcode]
        BulletinSettings.objects.create(
            division=district, issuer_name=issuer, number_prefix=prefix, closing_office=office
        )
    sc = org.divisions["410603"]
    service.do_publish(scope, sc, "2022Q2")
    service.do_publish(scope, sc, "2022Q3")


def issue_bulletins(scope: Scope, org) -> None:
    """Issue the 2022Q3 bulletin once every ledger is loaded, as the office did on 8 October.

    Seven bulletins went out earlier in 2022, so the Q3 one is number 8.
    """
    sc = org.divisions["410603"]
    DocCounter.objects.create(division=sc, year=2022, next_number=8)
    bulletin.do_issue(scope, sc, "2022Q3", today=dt.date(2022, 10, 8))
