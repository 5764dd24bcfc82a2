"""The 创文 (civility) rows of the web permission matrix, merged into web_table.WEB."""

from __future__ import annotations

from taizhang.matters.models import Matter
from tests.matrix.harness import E, Route, Write

POST_ONLY = E(405)


def _version(model, pk) -> int:
    return model.objects.get(pk=pk).version


# 创文: staff pages (an enterprise or a user without a role is refused); the tree and the
# points are the office's and leaders' (a unit reads the points it answers for).
CIV_READ = E(200, nobody=403, ent_a=403, sup_b=404, unit_b=404)
CIV_LIST = E(200, nobody=403, ent_a=403)
CIV_OFFICE = E(403, admin=200, sup_a=200, sup_b=200)
CIV_OFFICE_WRITE = E(403, admin=302, sup_a=302, sup_b=404, unit_b=404, nobody=403)
# A standard: also read by the unit answerable for it.
CIV_TREE = E(404, admin=200, sup_a=200, leader_a=200, unit_a=200, nobody=403, ent_a=403)
CIV_TREE_WRITE = E(404, admin=302, sup_a=302, leader_a=403, unit_a=403, nobody=403, ent_a=403)
# An enterprise is refused before anything is looked up, on either district's object.
CIV_B = {"ent_a": 403}
CIV_B_WRITE = {"ent_a": (403, False)}
CIV_POINT = E(404, admin=200, sup_a=200, leader_a=200, unit_a=200, nobody=403, ent_a=403)
CIV_POINT_WRITE = E(404, admin=302, sup_a=302, leader_a=403, unit_a=403, nobody=403, ent_a=403)
CIV_INSPECT = E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, nobody=403, ent_a=403)
CIV_RECT = E(404, admin=200, sup_a=200, leader_a=200, unit_a=200, nobody=403, ent_a=403)
CIV_RECT_CLOSE = E(404, admin=302, sup_a=302, leader_a=403, unit_a=403, nobody=403, ent_a=403)

CIVILITY: dict[str, Route] = {
    "civility_home": Route(
        url=lambda s: f"/civility/?division={s.division.code}&year=2022", get=CIV_READ, b=CIV_B
    ),
    "civility_bulletin": Route(
        url=lambda s: f"/civility/bulletin.docx?division={s.division.code}&year=2022",
        get=CIV_READ,
        b=CIV_B,
    ),
    "civility_tree": Route(
        url=lambda s: f"/civility/tree/?division={s.division.code}&year=2022",
        get=CIV_READ,
        b=CIV_B,
        write=Write(
            CIV_OFFICE_WRITE,
            b=CIV_B_WRITE,
            data=lambda mw, s: {"what": "section", "name": "志愿服务"},
        ),
    ),
    "civility_standard": Route(
        url=lambda s: f"/civility/standards/{s.extra['civ_std'].pk}/",
        get=CIV_TREE,
        b=CIV_B,
        write=Write(
            CIV_TREE_WRITE,
            b=CIV_B_WRITE,
            data=lambda mw, s: {"text": "路面平整无坑洼", "score": "2", "point_types": "street"},
        ),
    ),
    "civility_points": Route(url=lambda s: "/civility/points/", get=CIV_LIST, scoped=False),
    "civility_points_export": Route(
        url=lambda s: "/civility/points/export.csv", get=CIV_LIST, scoped=False
    ),
    "civility_point_new": Route(
        url=lambda s: "/civility/points/new/",
        get=CIV_OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, sup_b=(200, False)),
            data=lambda mw, s: {
                "division": mw.a.division.pk,
                "name": "矩阵新点位",
                "type": "park",
                "unit": mw.a.unit.pk,
            },
        ),
    ),
    "civility_point": Route(
        url=lambda s: f"/civility/points/{s.extra['civ_point'].pk}/",
        get=CIV_POINT,
        b=CIV_B,
        write=Write(
            CIV_POINT_WRITE,
            b=CIV_B_WRITE,
            data=lambda mw, s: {
                "division": s.division.pk,
                "name": s.extra["civ_point"].name,
                "type": "street",
                "unit": s.unit.pk,
                "position": "人民路东段",
            },
        ),
    ),
    "civility_inspect": Route(
        url=lambda s: f"/civility/points/{s.extra['civ_point'].pk}/inspect/",
        get=CIV_INSPECT,
        b=CIV_B,
        write=Write(
            CIV_POINT_WRITE,
            b=CIV_B_WRITE,
            data=lambda mw, s: {
                "date": "2022-07-01",
                "failed": [str(s.extra["civ_std"].pk)],
                f"note_{s.extra['civ_std'].pk}": "路面积水",
            },
        ),
    ),
    "civility_rectifications": Route(
        url=lambda s: "/civility/rectifications/", get=CIV_LIST, scoped=False
    ),
    "civility_rectifications_export": Route(
        url=lambda s: "/civility/rectifications/export.xlsx", get=CIV_LIST, scoped=False
    ),
    "civility_rectification": Route(
        url=lambda s: f"/civility/rectifications/{s.extra['civ_rect'].pk}/",
        get=CIV_RECT,
        b=CIV_B,
    ),
    "civility_rectification_act": Route(
        url=lambda s: f"/civility/rectifications/{s.extra['civ_reported'].pk}/steps/recheck_pass/",
        get=POST_ONLY,
        write=Write(
            CIV_RECT_CLOSE,
            b=CIV_B_WRITE,
            data=lambda mw, s: {
                "version": _version(Matter, s.extra["civ_reported"].pk),
                "note": "复查合格",
            },
        ),
    ),
}
