"""创文 pages: the office inspects a point on the web, the unit rectifies with a photo, the
office re-inspects; lists, exports, the bulletin and bad input."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from docx import Document

from taizhang.civility.models import Inspection
from taizhang.matters.models import Matter, Status
from tests.attachment_files import jpeg
from tests.civility_fixtures import build_civ
from tests.streams import streamed

pytestmark = pytest.mark.django_db


@pytest.fixture
def civ(world):
    return build_civ(world)


def _client(civ, name: str) -> Client:
    c = Client()
    c.force_login(civ.w.users[name])
    return c


def test_it_inspects_rectifies_and_closes_through_the_pages(civ):
    sup = _client(civ, "sup_a")
    url = f"/civility/points/{civ.street.pk}/inspect/"
    page = sup.get(url + "?date=2022-06-01")
    assert page.status_code == 200
    assert civ.road_std.text in page.content.decode()
    assert civ.market_std.text not in page.content.decode()
    r = sup.post(
        url,
        {
            "date": "2022-06-01",
            "failed": [str(civ.road_std.pk)],
            f"note_{civ.road_std.pk}": "路面坑洼积水",
            f"photo_{civ.road_std.pk}": jpeg(),
        },
    )
    assert r.status_code == 302
    m = Matter.objects.get(kind="rectification")
    unit = _client(civ, "unit_a")
    detail = unit.get(f"/civility/rectifications/{m.pk}/")
    assert "整改报送" in detail.content.decode()
    act = f"/civility/rectifications/{m.pk}/steps/"
    # Without a photo the report is refused and nothing changes.
    unit.post(act + "rectify/", {"version": m.version, "note": "已修补"})
    m.refresh_from_db()
    assert m.status == Status.ASSIGNED
    unit.post(
        act + "rectify/", {"version": m.version, "note": "已修补", "files": jpeg("整改后.jpg")}
    )
    m.refresh_from_db()
    assert m.status == Status.REPORTED
    sup.post(act + "recheck_pass/", {"version": m.version, "note": "复查合格"})
    m.refresh_from_db()
    assert m.status == Status.CLOSED
    listing = sup.get("/civility/rectifications/?status=closed").content.decode()
    assert m.number in listing


def test_it_refuses_a_standard_of_another_point_type_on_the_form(civ):
    sup = _client(civ, "sup_a")
    r = sup.post(
        f"/civility/points/{civ.street.pk}/inspect/",
        {
            "date": "2022-06-01",
            "failed": [str(civ.market_std.pk)],
            f"note_{civ.market_std.pk}": "x",
        },
    )
    assert r.status_code == 200
    assert "不适用于「街道/主干道」类点位" in r.content.decode()
    assert not Inspection.objects.exists()


def test_it_shows_the_figures_with_formulas_and_gives_the_bulletin(civ):
    sup = _client(civ, "sup_a")
    page = sup.get("/civility/?division=410603&year=2022").content.decode()
    assert 'data-figure="standards">3<' in page
    assert "按时整改率 = " in page
    r = sup.get("/civility/bulletin.docx?division=410603&year=2022")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "3条测评标准" in text


def test_it_exports_points_and_rectifications(civ):
    sup = _client(civ, "sup_a")
    for url in ("/civility/points/export.csv", "/civility/rectifications/export.xlsx"):
        r = sup.get(url)
        assert r.status_code == 200
    assert "人民路" in streamed(sup.get("/civility/points/export.csv")).decode("utf-8-sig")


def test_it_offers_the_tree_import_template(civ):
    from openpyxl import load_workbook

    sup = _client(civ, "sup_a")
    assert "创文测评体系" in sup.get("/imports/").content.decode()
    r = sup.get("/imports/template/civility_standards.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    heads = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert heads[:4] == ["年度", "测评项目板块", "测评内容", "测评标准"]
    assert "适用点位类型" in heads


def test_it_links_a_units_rectification_from_its_work_lists(civ):
    from taizhang.civility import services

    _, (m,) = services.do_inspect(
        civ.w.scope("sup_a"),
        civ.street,
        date="2022-06-01",
        failures=[services.FoundFailure(civ.road_std, "路面坑洼")],
    )
    unit = _client(civ, "unit_a")
    for url in ("/today/", "/my/"):
        page = unit.get(url).content.decode()
        assert f"/civility/rectifications/{m.pk}/" in page, url


def test_it_runs_the_flow_through_the_api(civ):
    import json

    sup = _client(civ, "sup_a")
    r = sup.post(
        "/api/v1/civility/points",
        json.dumps(
            {
                "division_id": civ.w.a.pk,
                "name": "体育广场",
                "type": "park",
                "unit_id": civ.w.unit_a.pk,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    point = r.json()["id"]
    bad = sup.post(
        f"/api/v1/civility/points/{point}/inspections",
        json.dumps(
            {"date": "2022-06-01", "failures": [{"standard_id": civ.road_std.pk, "note": "x"}]}
        ),
        content_type="application/json",
    )
    # Nothing in the 2022 tree applies to a park: refused, nothing saved.
    assert bad.status_code == 422 and "没有适用于「公园广场」" in bad.json()["detail"]
    r = sup.post(
        f"/api/v1/civility/points/{civ.street.pk}/inspections",
        json.dumps(
            {"date": "2022-06-01", "failures": [{"standard_id": civ.road_std.pk, "note": "坑洼"}]}
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    matter = r.json()["failures"][0]["matter_id"]
    unit = _client(civ, "unit_a")
    photo = unit.post(
        "/api/v1/attachments", {"owner_type": "matter", "owner_id": matter, "files": jpeg()}
    ).json()
    ids = [a["id"] for a in photo]
    version = Matter.objects.get(pk=matter).version
    r = unit.post(
        f"/api/v1/matters/{matter}/steps/rectify",
        json.dumps({"version": version, "note": "已修补", "photos": ids}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert Matter.objects.get(pk=matter).status == Status.REPORTED
    fig = sup.get("/api/v1/dashboard/civility?division=山城区&year=2022").json()
    assert (fig["points"], fig["inspections"], fig["failures"], fig["rectified"]) == (3, 1, 1, 0)
