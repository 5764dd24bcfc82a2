"""A small 创文 world on top of tests.conftest's: a 2022 tree for 山城区, two points."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from taizhang.civility import services, tree
from taizhang.civility.models import Point, Standard
from tests.conftest import World

DAY = dt.date(2022, 6, 1)


@dataclass
class CivWorld:
    w: World
    street: Point  # 区发改委's road, held by 王区长
    market: Point  # 红旗街道's market
    road_std: Standard  # applies to streets only
    market_std: Standard  # applies to markets only
    both_std: Standard  # streets and markets


def build_civ(
    w: World, *, division=None, unit=None, sup: str = "sup_a", year: int = 2022
) -> CivWorld:
    scope = w.scope(sup)
    division = division or w.a
    unit = unit or w.unit_a
    rows = tree.clean_rows(
        scope,
        division,
        [
            {
                "section": "市容环境",
                "content": "主次干道",
                "text": "路面平整，无坑洼、无积水",
                "score": "1.5",
                "unit": unit.name,
                "point_types": "街道/主干道",
            },
            {
                "section": "市容环境",
                "content": "农贸市场",
                "text": "市场内划行归市，无占道经营",
                "score": "2",
                "unit": "",
                "point_types": "农贸市场",
                "workdays": "5",
            },
            {
                "section": "公共秩序",
                "content": "公益广告",
                "text": "公益广告醒目、数量充足",
                "score": "1",
                "unit": "",
                "point_types": "街道/主干道、农贸市场",
            },
        ],
    )
    made = tree.do_load_tree(scope, division, year, rows)
    town_unit = w.unit_a_town if division == w.a else unit
    street = services.do_save_point(
        scope,
        {
            "division": division.pk,
            "name": f"{division.name}人民路",
            "type": "street",
            "unit": unit.pk,
            "leader": w.leader_a.pk if division == w.a else None,
            "leader_level": "road" if division == w.a else "",
            "position": "人民路全段",
        },
    )
    market = services.do_save_point(
        scope,
        {
            "division": division.pk,
            "name": f"{division.name}红旗农贸市场",
            "type": "market",
            "unit": town_unit.pk,
        },
    )
    return CivWorld(w, street, market, made[0], made[1], made[2])


def civ_extra(w: World, sup: str, lead: str, division, unit) -> dict:
    """The permission matrix's 创文 objects of one district: a tree, a street point, an
    inspection whose failure is assigned (civ_rect) and one already reported (civ_reported)."""
    from taizhang.attachments import services as attachments
    from tests.attachment_files import jpeg

    civ = build_civ(w, division=division, unit=unit, sup=sup)
    scope = w.scope(sup)
    ins, (rect,) = services.do_inspect(
        scope,
        civ.street,
        date=DAY,
        failures=[services.FoundFailure(civ.road_std, f"{division.name}路面坑洼")],
    )
    _, (reported,) = services.do_inspect(
        scope,
        civ.street,
        date=DAY + dt.timedelta(days=1),
        failures=[services.FoundFailure(civ.both_std, f"{division.name}公益广告破损")],
    )
    photo = attachments.do_attach(w.scope(lead), reported, [jpeg()])[0]
    services.do_submit_rectification(
        w.scope(lead),
        reported,
        note="已更换",
        photos=[photo.pk],
        expected_version=reported.version,
        date=DAY + dt.timedelta(days=2),
    )
    reported.refresh_from_db()
    # An after-photo uploaded to the assigned one, for its 整改报送.
    after = attachments.do_attach(w.scope(lead), rect, [jpeg("整改后.jpg")])[0]
    return {
        "civ_photo": after,
        "civ_point": civ.street,
        "civ_std": civ.road_std,
        "civ_section": civ.road_std.content.section,
        "civ_inspection": ins,
        "civ_rect": rect,
        "civ_reported": reported,
    }
