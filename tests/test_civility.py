"""创文: tree, points, inspections → rectification matters on the one step table, figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.attachments import services as attachments
from taizhang.civility import figures, services, tree
from taizhang.civility.models import Failure, Inspection, Point
from taizhang.civility.services import FoundFailure
from taizhang.core.models import AuditEntry
from taizhang.matters.models import Matter, Status
from taizhang.matters.steps import take_step
from taizhang.matters.timing import annotate_timing, timing_of
from tests.attachment_files import jpeg, pdf
from tests.civility_fixtures import DAY, build_civ

pytestmark = pytest.mark.django_db


@pytest.fixture
def civ(world):
    return build_civ(world)


def _inspect(civ, point=None, std=None, day=DAY, photos=None):
    return services.do_inspect(
        civ.w.scope("sup_a"),
        point or civ.street,
        date=day,
        failures=[FoundFailure(std or civ.road_std, "路面有坑洼", photos or [jpeg()])],
    )


def test_it_refuses_a_standard_that_does_not_apply_to_the_point_type(civ):
    before = (Inspection.objects.count(), Matter.objects.count())
    with pytest.raises(ValidationError) as e:
        _inspect(civ, point=civ.street, std=civ.market_std)
    assert "不适用于「街道/主干道」类点位" in str(e.value.message_dict["failures"])
    assert (Inspection.objects.count(), Matter.objects.count()) == before


def test_it_turns_each_failure_into_a_rectification_assigned_to_the_point_unit(civ):
    ins, matters = _inspect(civ)
    (m,) = matters
    assert m.kind == "rectification"
    assert m.status == Status.ASSIGNED
    assert m.lead_unit == civ.street.unit
    assert m.leader == civ.w.leader_a
    # 限时整改: 3 working days from Wednesday 2022-06-01 (06-03 is 端午) → 2022-06-07.
    assert m.deadline == dt.date(2022, 6, 7)
    assert ins.checked == 2  # the road standard and the one for streets and markets
    assert Failure.objects.get(matter=m).standard == civ.road_std
    assert len(attachments.attachments_of(m)) == 1
    assert timing_of(m, dt.date(2022, 6, 8)).light == "red"


def test_it_gives_a_standard_its_own_rectification_workdays(civ):
    _, (m,) = _inspect(civ, point=civ.market, std=civ.market_std)
    assert m.deadline == dt.date(2022, 6, 9)  # 5 working days, 端午 skipped


def test_it_requires_an_after_photo_to_report_a_rectification(civ):
    _, (m,) = _inspect(civ)
    unit = civ.w.scope("unit_a")
    with pytest.raises(ValidationError) as e:
        take_step(unit, m, "rectify", {"version": m.version, "note": "已修补", "date": DAY})
    assert "整改后照片" in str(e.value)
    doc = attachments.do_attach(unit, m, [pdf()])[0]
    with pytest.raises(ValidationError):
        take_step(unit, m, "rectify", {"version": m.version, "note": "已修补", "photos": [doc.pk]})
    m.refresh_from_db()
    assert m.status == Status.ASSIGNED


def _report(civ, m, day):
    unit = civ.w.scope("unit_a")
    photo = attachments.do_attach(unit, m, [jpeg()])[0]
    services.do_submit_rectification(
        unit, m, note="已修补", photos=[photo.pk], expected_version=m.version, date=day
    )
    m.refresh_from_db()
    photo.refresh_from_db()
    assert photo.step_id is not None
    return m


def test_it_closes_on_a_passed_recheck_and_reopens_on_a_failed_one(civ):
    _, (m,) = _inspect(civ)
    m = _report(civ, m, dt.date(2022, 6, 6))
    sup = civ.w.scope("sup_a")
    with pytest.raises(PermissionDenied):
        take_step(civ.w.scope("unit_a"), m, "recheck_pass", {"version": m.version})
    services.do_recheck_fail(
        sup, m, note="仍有积水", expected_version=m.version, date=dt.date(2022, 6, 7)
    )
    m.refresh_from_db()
    assert m.status == Status.RETURNED
    assert m.deadline == dt.date(2022, 6, 10)  # 3 working days from the re-inspection
    m = _report(civ, m, dt.date(2022, 6, 9))
    services.do_recheck_pass(sup, m, expected_version=m.version, date=dt.date(2022, 6, 10))
    m.refresh_from_db()
    assert m.status == Status.CLOSED
    assert list(m.steps.values_list("label", flat=True)) == [
        "交办",
        "整改报送",
        "复查不通过",
        "整改报送",
        "复查通过",
    ]
    assert annotate_timing(Matter.objects.filter(pk=m.pk)).get().light == "green"
    f = figures.civility_figures(sup, civ.w.a, 2022)
    assert (f.failures, f.rectified, f.rectified_on_time_rate_pct) == (1, 1, 100)


def test_it_counts_the_figures_in_scope(civ):
    _inspect(civ)
    _inspect(civ, point=civ.market, std=civ.market_std)
    f = figures.civility_figures(civ.w.scope("sup_a"), civ.w.a, 2022)
    assert (f.sections, f.contents, f.standards, f.points) == (2, 3, 3, 2)
    assert (f.inspections, f.failures, f.rectified) == (2, 2, 0)
    assert f.rectified_on_time_rate_pct is None
    # The town's office (a unit) counts only what is its own: its market's failure, no tree.
    town = figures.civility_figures(civ.w.scope("unit_a_town"), civ.w.a, 2022)
    assert (town.sections, town.points, town.inspections, town.failures) == (0, 1, 1, 1)


HEAD = [
    "年度",
    "测评项目板块",
    "测评内容",
    "测评标准",
    "分值",
    "责任单位",
    "适用点位类型",
    "整改时限",
]


def test_it_imports_the_tree_from_excel_and_reports_bad_rows(civ):
    from taizhang.civility.models import Standard
    from taizhang.imports import engine
    from tests.import_sheets import xlsx

    rows = [
        HEAD,
        [
            2022,
            "志愿服务",
            "志愿服务站点",
            "站点有标识、有人值守",
            2,
            "区发改委",
            "社区、公园广场",
            5,
        ],
        [2022, "志愿服务", "志愿服务站点", "志愿者服务记录完整", 1, "", "社区", ""],
        # Already in the tree: unchanged.
        [
            2022,
            "市容环境",
            "主次干道",
            "路面平整，无坑洼、无积水",
            1.5,
            "区发改委",
            "街道/主干道",
            "",
        ],
        [2022, "志愿服务", "志愿服务站点", "有误的行", "abc", "不存在的局", "飞机场", ""],
    ]
    before = Standard.objects.count()
    a = engine.run(
        "civility_standards", civ.w.scope("sup_a"), xlsx(rows), "测评体系.xlsx", commit=True
    )
    errs = [e[2] for r in a.rows for e in r.errors]
    assert any("分值「abc」不是数字" in e for e in errs)
    assert any("适用点位类型「飞机场」不存在" in e for e in errs)
    assert any("责任单位「不存在的局」不存在" in e for e in errs)
    assert (a.counts["create"], a.counts["unchanged"], a.counts["error"]) == (2, 1, 1)
    assert Standard.objects.count() == before + 2
    s = Standard.objects.get(text="站点有标识、有人值守")
    assert (s.point_types, s.workdays, s.unit) == (["community", "park"], 5, civ.w.unit_a)
    f = figures.civility_figures(civ.w.scope("sup_a"), civ.w.a, 2022)
    assert (f.sections, f.contents, f.standards) == (3, 4, 5)


def test_it_refuses_bad_points_and_inspections_in_chinese_and_saves_nothing(civ):
    sup = civ.w.scope("sup_a")
    before = (Point.objects.count(), Inspection.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as e:
        services.do_save_point(
            sup,
            {
                "division": civ.w.a.pk,
                "name": "",
                "type": "airport",
                "unit": civ.w.unit_b.pk,
                "leader": civ.w.leader_a.pk,
            },
        )
    errors = e.value.message_dict
    assert errors["name"] == ["请填写点位名称"]
    assert errors["type"] == ["请选择点位类型"]
    assert "不属于山城区" in errors["unit"][0]
    assert errors["leader_level"] == ["请选择包保领导的分包层级"]
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError, match="检查日期不能晚于今天"):
        services.do_inspect(sup, civ.street, date=tomorrow)
    with pytest.raises(ValidationError, match="没有适用于"):
        services.do_inspect(sup, civ.street, date=dt.date(2021, 6, 1))
    with pytest.raises(PermissionDenied):
        services.do_inspect(civ.w.scope("unit_a"), civ.street, date=DAY)
    with pytest.raises(ValidationError, match="点位不在您的管理范围内"):
        services.do_inspect(civ.w.scope("sup_b"), civ.street, date=DAY)
    with pytest.raises(ValidationError, match="分值应在 0 到 100 之间"):
        tree.do_save_standard(
            sup, civ.road_std.content, {"text": "x", "score": "120", "point_types": ["street"]}
        )
    after = (Point.objects.count(), Inspection.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_it_sends_a_failed_recheck_back_with_a_given_deadline_not_before_the_recheck(civ):
    _, (m,) = _inspect(civ)
    m = _report(civ, m, dt.date(2022, 6, 2))
    sup = civ.w.scope("sup_a")
    with pytest.raises(ValidationError, match="重新整改时限应晚于复查日期"):
        services.do_recheck_fail(
            sup,
            m,
            note="仍有积水",
            expected_version=m.version,
            deadline=dt.date(2022, 6, 6),
            date=dt.date(2022, 6, 6),
        )
    services.do_recheck_fail(
        sup,
        m,
        note="仍有积水",
        expected_version=m.version,
        deadline=dt.date(2022, 6, 20),
        date=dt.date(2022, 6, 6),
    )
    m.refresh_from_db()
    assert (m.status, m.deadline, m.round) == (Status.RETURNED, dt.date(2022, 6, 20), 2)
    # As of a day before the failed re-inspection the matter was 已办结, on time.
    assert timing_of(m, dt.date(2022, 6, 3)).light == "green"
