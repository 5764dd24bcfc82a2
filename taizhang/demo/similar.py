"""Demo: a planted duplicate and a radar pattern in this year's 山城区 problems (docs/similar.md).

- 疑似重复: 三贤电子 reported that the park's sewage main does not reach its plant; days later
  another enterprise of 牟山园区 reported the same in other words. Both are open, so the
  office sees the pair, and submitting a third rewording on /problems/new/ is asked about both.
- 问题雷达: six enterprises of 牟山园区 asked, in their own words, for more power capacity
  (用电增容) in the last weeks — the radar shows them as one cluster to turn into one task on
  the root cause (the park's substation).

Written through `do_create_problem` / `do_accept` / `do_assign` like any problem; nothing here
is a stored figure: the suggestions and the cluster are computed by `taizhang.similar`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.enterprises.models import Enterprise
from taizhang.matters import services
from taizhang.matters.models import ProblemCategory, Source

DISTRICT = "410603"
PARK = "牟山园区管委会"
SEWAGE = (
    "园区污水管网未接入厂区，生产污水无法排放",
    "园区污水管网没有连通到我厂，厂区污水排放不了",
)
POWER = [
    "新上生产线用电容量不足，申请电力增容",
    "园区变压器容量不够，申请增容800千伏安",
    "二期车间投产用电负荷不足，申请增容",
    "夏季生产用电容量紧张，希望协调增容",
    "新购设备用电容量不足，需要电力增容",
    "厂区配电容量不足，申请供电公司增容",
]


def load(scope: Scope, org: Org) -> None:
    today = timezone.localdate()
    park = org.units[(DISTRICT, PARK)]
    in_park = list(
        Enterprise.objects.filter(division__code=DISTRICT, park=park).order_by("is_synthetic", "pk")
    )
    if len(in_park) < len(POWER) + 2:
        return  # a smaller demo world: nothing to plant
    water = ProblemCategory.objects.get(name="水电气暖")
    infra = ProblemCategory.objects.get(name="基础设施")
    moushan = park

    def raise_(e: Enterprise, title: str, category: ProblemCategory, days_ago: int):
        day = today - dt.timedelta(days=days_ago)
        return services.do_create_problem(
            scope,
            {
                "enterprise": e,
                "category": category,
                "title": title,
                "raised_on": day,
                "description": f"{title}，影响正常生产，请协调解决。",
                "source": Source.VISIT,
            },
        )

    # The duplicate pair: the first assigned to the park, the second still waiting.
    first = raise_(in_park[1], SEWAGE[0], infra, 9)
    first = services.do_accept(scope, first, expected_version=first.version, date=first.raised_on)
    services.do_assign(
        scope,
        first.matter,
        lead_unit=moushan,
        expected_version=first.matter.version,
        date=first.matter.raised_on,
    )
    raise_(in_park[2], SEWAGE[1], infra, 3)
    # The radar's pattern: six enterprises of the park on power capacity.
    for n, title in enumerate(POWER):
        raise_(in_park[3 + n], title, water, 20 - 3 * n)
