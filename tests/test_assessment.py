"""Assessment on a small hand-built ledger: every expected number is worked out in a comment.

Q3 2022 (1 Jul – 30 Sep), scheme: 节点 40, 投资 40 (vs annual plan), 办结 20; lead 1, co 0.5;
an indicator with nothing to assess gets its full weight.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.assessment import facts as facts_mod
from taizhang.assessment import service
from taizhang.assessment.models import PublishedScore, Scheme, ScorePeriod
from taizhang.core.models import AuditEntry, Unit
from taizhang.matters import services as msvc
from taizhang.matters.models import Matter, ProblemCategory, ensure_default_categories
from taizhang.projects import services as psvc
from taizhang.projects.models import Milestone, Stage
from tests.streams import streamed

D = Decimal
TODAY = dt.date(2026, 11, 21)


def d(m: int, day: int) -> dt.date:
    return dt.date(2022, m, day)


SCHEME = {
    "name": "季度综合考评",
    "indicators": [
        {
            "code": "jd",
            "name": "节点按期完成率",
            "weight": "40",
            "formula": "milestone_on_time_rate",
        },
        {"code": "tz", "name": "投资完成率", "weight": "40", "formula": "investment_vs_plan"},
        {"code": "bj", "name": "按时办结率", "weight": "20", "formula": "matter_on_time_rate"},
    ],
    "lead_weight": "1",
    "co_weight": "0.5",
    "empty": "full",
    "board_size": 1,
}


@dataclass
class Ledger:
    w: object
    town2: Unit
    m3: Milestone
    matter: Matter


def _reports(admin, project, amounts: dict[int, str]) -> None:
    for month, amount in amounts.items():
        psvc.do_submit_monthly_report(
            admin, project, year=2022, month=month, amount=amount, today=dt.date(2023, 1, 5)
        )


def _milestone(admin, project, name, planned, done=None) -> Milestone:
    return psvc.do_add_milestone(
        admin, project, {"name": name, "planned_date": planned, "actual_date": done}
    )


@pytest.fixture
def ledger(world) -> Ledger:
    w = world
    admin = w.scope("admin")
    sup = w.scope("sup_a")
    town2 = Unit.objects.create(division=w.a_town, name="长风街道办事处", kind="town")
    pt2 = psvc.do_create_project(
        admin,
        {
            "division": w.a_town,
            "code": "SC-003",
            "name": "长风街道养老中心",
            "responsible_unit": town2,
            "total_investment": D("3000"),
        },
        stage=Stage.BUILDING,
        stage_date=d(1, 10),
    )
    psvc.do_set_project_year(admin, pt2, year=2022, level="district", annual_plan="1000")
    # 区发改委 (pa, plan 100000): nodes 7/15 on time, 8/15 late, 9/10 open → 1 ÷ 3
    _milestone(admin, w.pa, "开工", d(7, 15), d(7, 10))
    _milestone(admin, w.pa, "封顶", d(8, 15), d(8, 20))
    m3 = _milestone(admin, w.pa, "设备安装", d(9, 10))
    _milestone(admin, w.pa, "竣工", d(12, 1))  # not due
    _milestone(admin, w.pa, "上年节点", dt.date(2021, 11, 1))  # another year
    # Jan–Sep 60000 of 100000; October's report is after the cut-off.
    _reports(admin, w.pa, {1: "20000", 5: "20000", 9: "20000", 10: "10000"})
    # 红旗街道 (pa_town, plan 2000): one node on time; 1500 of 2000.
    _milestone(admin, w.pa_town, "主体完工", d(7, 20), d(7, 20))
    _reports(admin, w.pa_town, {3: "1500"})
    # 长风街道 (pt2, plan 1000): node overdue; 1000 of 1000.
    _milestone(admin, pt2, "开工", d(8, 1))
    _reports(admin, pt2, {8: "1000"})
    # One problem: lead 区发改委, co 红旗街道, deadline 31 Aug, finished 25 Aug,
    # then sent back on 10 Oct (after the cut-off: as of 30 Sep it was finished on time).
    ensure_default_categories()
    m = msvc.do_create_problem(
        sup,
        {
            "enterprise": w.enterprise_a,
            "category": ProblemCategory.objects.get(name="用工").pk,
            "title": "招工难",
            "raised_on": d(8, 1),
        },
        accept=True,
    )
    msvc.do_assign(
        sup,
        m,
        lead_unit=w.unit_a,
        co_units=[w.unit_a_town],
        deadline=d(8, 31),
        leader=w.leader_a,
        expected_version=None,
        date=d(8, 2),
    )
    msvc.do_finish(w.scope("unit_a"), m, note="已解决", expected_version=None, date=d(8, 25))
    msvc.do_send_back(sup, m, note="企业反映未落实", expected_version=None, date=d(10, 10))
    service.do_save_scheme(sup, w.a, 2022, SCHEME)
    service.do_add_adjustment(sup, w.a, unit=town2, points="2", reason="获省级表彰", on=d(9, 1))
    return Ledger(w, town2, m3, m)


def _cards(ledger, scope_name="sup_a", code="2022Q3"):
    res = service.result_for(ledger.w.scope(scope_name), ledger.w.a, code, today=TODAY)
    return res, {r.name: r for r in res.rows}


def _line(row, code):
    return next(ln for ln in row.card["lines"] if ln["code"] == code)


def test_matter_state_is_replayed_from_history(ledger):
    m = ledger.matter
    steps = list(m.steps.order_by("date", "at", "id"))
    st = facts_mod.state_as_of(m, steps, d(9, 30))
    assert (st.assigned_on, st.deadline, st.finished_on) == (d(8, 2), d(8, 31), d(8, 25))
    later = facts_mod.state_as_of(m, steps, dt.date(2022, 10, 31))
    assert later.finished_on is None  # returned on 10 Oct: open again
    before = facts_mod.state_as_of(m, steps, d(8, 20))
    assert before.finished_on is None and before.deadline == d(8, 31)


def test_each_indicator_weighted_total_and_ranking(ledger):
    res, rows = _cards(ledger)
    assert res.published is None and res.cutoff == d(9, 30)
    fgw = rows["区发改委"]
    # 节点: on time 1 of (2 done + 1 overdue) = 33.3%; 40 × 33.3% = 13.32
    jd = _line(fgw, "jd")
    assert (jd["numerator"], jd["denominator"], jd["rate"], jd["points"]) == (
        "1",
        "3",
        "33.3",
        "13.32",
    )
    assert [i["explanation"] for i in jd["items"]] == ["按期完成", "逾期完成", "逾期未完成"]
    assert jd["items"][0]["ref"]["url"] == f"/projects/{ledger.w.pa.pk}/"
    # 投资: 60000 ÷ 100000 = 60.0%; 40 × 60% = 24.00
    tz = _line(fgw, "tz")
    assert (D(tz["numerator"]), D(tz["denominator"]), tz["points"]) == (
        D(60000),
        D(100000),
        "24.00",
    )
    # 办结: lead, finished 25 Aug ≤ 31 Aug → 100%; 20
    bj = _line(fgw, "bj")
    assert (bj["rate"], bj["points"]) == ("100.0", "20.00")
    assert bj["items"][0]["ref"]["url"] == f"/problems/{ledger.matter.pk}/"
    # total 13.32 + 24 + 20 + 0 = 57.32
    assert fgw.total == D("57.32")
    town = rows["红旗街道办事处"]
    # 40 + 1500 ÷ 2000 = 75% → 30 + co on time 0.5 ÷ 0.5 → 20 = 90
    assert _line(town, "bj")["items"][0]["weight"] == "0.50"
    assert town.total == D("90.00")
    t2 = rows["长风街道办事处"]
    # 0 + 40 + nothing to assess → 20 + 2 (provincial commendation) = 62
    assert _line(t2, "adjustments")["points"] == "2.00"
    assert _line(t2, "bj")["note"] == "无考核事项，按满分计"
    assert t2.total == D("62.00")
    towns = next(g for g in res.groups if g.name == "乡镇/街道")
    assert [(r.position, r.name) for r in towns.rows] == [
        (1, "红旗街道办事处"),
        (2, "长风街道办事处"),
    ]
    assert [r.name for r in towns.top] == ["红旗街道办事处"]
    assert [r.name for r in towns.bottom] == ["长风街道办事处"]
    depts = next(g for g in res.groups if g.name == "区直部门")
    assert [r.name for r in depts.rows] == ["区发改委"]
    # people: the liaison leader of pa (李干部) carries its nodes and investment; 王区长 the matter
    assert rows["李干部"].group == "其他干部" and rows["王区长"].group == "县级干部"
    assert _line(rows["王区长"], "bj")["rate"] == "100.0"
    # the other district is not there
    assert "淇滨区发改委" not in rows


def test_year_and_month_periods(ledger):
    _, rows = _cards(ledger, code="2022-08")
    # August: node 8/15 done late (8/20); 7/15 settled in July is left out; 9/10 not yet due
    assert _line(rows["区发改委"], "jd")["rate"] == "0.0"
    # investment to August: 40000 ÷ 100000
    assert _line(rows["区发改委"], "tz")["rate"] == "40.0"
    res, rows = _cards(ledger, code="2022")
    assert res.cutoff == dt.date(2022, 12, 31)
    # the year: 7/15 on time, 8/15 late, 9/10 and 12/1 overdue → 1 ÷ 4
    assert _line(rows["区发改委"], "jd")["rate"] == "25.0"
    # the return on 10 Oct re-opened the matter, open past its deadline at year end
    assert _line(rows["区发改委"], "bj")["rate"] == "0.0"


def test_published_quarter_is_frozen_against_later_edits(ledger):
    w = ledger.w
    sup = w.scope("sup_a")
    sp = service.do_publish(sup, w.a, "2022Q3", today=TODAY)
    assert sp.scheme.version == 1 and sp.cutoff == d(9, 30)
    assert PublishedScore.objects.filter(period=sp).count() == 5
    assert AuditEntry.objects.filter(
        object_type="assessment.scoreperiod", verb="发布考评结果"
    ).exists()
    # a late edit: the overdue node is recorded as done on 5 Sep (late anyway, but done)
    psvc.do_update_milestone(
        w.scope("admin"), ledger.m3, {"actual_date": d(9, 5)}, expected_version=ledger.m3.version
    )
    # and the scheme is revised
    revised = dict(SCHEME, indicators=SCHEME["indicators"][:2])
    v2 = service.do_save_scheme(sup, w.a, 2022, revised)
    assert v2.version == 2 and Scheme.objects.filter(division=w.a, year=2022).count() == 2
    live = service.result_for(sup, w.a, "2022Q3", live=True, today=TODAY)
    assert live.row("unit", w.unit_a.pk).total != D("57.32")
    frozen = service.result_for(sup, w.a, "2022Q3", today=TODAY)
    assert frozen.published == sp and frozen.scheme.version == 1
    assert frozen.row("unit", w.unit_a.pk).total == D("57.32")
    with pytest.raises(ValidationError, match="已发布"):
        service.do_publish(sup, w.a, "2022Q3", today=TODAY)


def test_movement_against_the_previous_published_period(ledger):
    w = ledger.w
    sup = w.scope("sup_a")
    service.do_publish(sup, w.a, "2022Q2", today=TODAY)
    q2 = service.result_for(sup, w.a, "2022Q2", today=TODAY)
    q3 = service.result_for(sup, w.a, "2022Q3", today=TODAY)
    assert q3.previous is not None and q3.previous.code == "2022Q2"
    before = {r.name: r.position for r in q2.rows}
    for r in q3.rows:
        if r.name in before:
            assert r.movement == before[r.name] - r.position
        else:
            assert r.movement is None


def test_permissions(ledger):
    w = ledger.w
    for name in ("unit_a", "leader_a", "cadre_a", "sup_b"):
        with pytest.raises(PermissionDenied):
            service.do_publish(w.scope(name), w.a, "2022Q3", today=TODAY)
        with pytest.raises(PermissionDenied):
            service.do_save_scheme(w.scope(name), w.a, 2022, SCHEME)
        with pytest.raises(PermissionDenied):
            service.do_add_adjustment(
                w.scope(name), w.a, unit=w.unit_a, points="1", reason="x", on=d(9, 1)
            )
    # a unit sees only its own card, with nothing about the others' positions
    res, rows = _cards(ledger, "unit_a")
    assert set(rows) == {"区发改委"} and rows["区发改委"].total == D("57.32")
    assert rows["区发改委"].position is None
    # another district sees nothing of 山城区
    res_b, rows_b = _cards(ledger, "sup_b")
    assert rows_b == {}
    service.do_publish(w.scope("sup_a"), w.a, "2022Q3", today=TODAY)
    res, rows = _cards(ledger, "unit_a")
    assert set(rows) == {"区发改委"} and rows["区发改委"].position == 1
    assert service.find_published(w.scope("sup_b"), w.a, "2022Q3") is None
    assert ScorePeriod.objects.count() == 1


def test_scheme_and_adjustment_validation(ledger):
    w = ledger.w
    sup = w.scope("sup_a")
    bad = dict(SCHEME, indicators=[{"formula": "vibes", "weight": "1"}])
    with pytest.raises(ValidationError, match="计分公式无效"):
        service.do_save_scheme(sup, w.a, 2022, bad)
    with pytest.raises(ValidationError, match="不支持的参数"):
        service.do_save_scheme(
            sup,
            w.a,
            2022,
            dict(
                SCHEME,
                indicators=[{"formula": "resolution_rate", "weight": "5", "params": {"per": "1"}}],
            ),
        )
    with pytest.raises(ValidationError, match="理由"):
        service.do_add_adjustment(sup, w.a, unit=w.unit_a, points="1", reason=" ", on=d(9, 1))
    with pytest.raises(ValidationError, match="不属于"):
        service.do_add_adjustment(sup, w.a, unit=w.unit_b, points="1", reason="x", on=d(9, 1))
    a = service.do_add_adjustment(
        sup, w.a, person=w.leader_a, points="-1", reason="安全事故", on=d(9, 2)
    )
    assert AuditEntry.objects.filter(
        object_type="assessment.adjustment", object_id=str(a.pk)
    ).exists()
    service.do_delete_adjustment(sup, a)
    assert AuditEntry.objects.filter(object_type="assessment.adjustment", action="delete").exists()


# ------------------------------------------------------------------ web pages and API


def _client(w, name):
    from django.test import Client

    c = Client()
    c.force_login(w.users[name])
    return c


def test_pages_render_and_only_the_office_publishes(ledger):
    w = ledger.w
    sup = _client(w, "sup_a")
    body = sup.get("/assessment/", {"period": "2022Q3"}).content.decode()
    assert "区发改委" in body and "57.32" in body and "飞虎榜" in body and "发布（冻结）" in body
    card = sup.get(f"/assessment/card/unit/{w.unit_a.pk}/", {"period": "2022Q3"}).content.decode()
    assert "13.32" in card and "逾期未完成" in card and f"/projects/{w.pa.pk}/" in card
    assert sup.get("/assessment/scheme/", {"year": 2022}).status_code == 200
    assert sup.get("/assessment/adjustments/", {"year": 2022}).status_code == 200
    assert "获省级表彰" in sup.get("/assessment/adjustments/", {"year": 2022}).content.decode()
    leader = _client(w, "leader_a")
    assert "发布（冻结）" not in leader.get("/assessment/", {"period": "2022Q3"}).content.decode()
    # The district's unit and leader are refused; district B's office does not even find 山城区.
    for name, status in (("unit_a", 403), ("leader_a", 403), ("sup_b", 404)):
        c = _client(w, name)
        r = c.post("/assessment/publish/", {"period": "2022Q3", "division": "410603"})
        assert r.status_code == status, name
    assert not ScorePeriod.objects.exists()
    unit = _client(w, "unit_a")
    assert unit.get("/assessment/scheme/").status_code == 403
    r = unit.post("/assessment/scheme/", {"year": 2022, "jd-on": "1"})
    assert r.status_code == 403
    page = unit.get("/assessment/", {"period": "2022Q3"}).content.decode()
    assert "区发改委" in page and "红旗街道办事处" not in page
    assert (
        unit.get(f"/assessment/card/unit/{w.unit_a_town.pk}/", {"period": "2022Q3"}).status_code
        == 404
    )
    r = sup.post("/assessment/publish/", {"period": "2022Q3", "division": "410603"})
    assert r.status_code == 302 and ScorePeriod.objects.filter(code="2022Q3").exists()


def test_scheme_editor_saves_a_new_version(ledger):
    w = ledger.w
    sup = _client(w, "sup_a")
    data = {
        "division": "410603",
        "year": "2022",
        "name": "修订方案",
        "milestone_on_time_rate-on": "1",
        "milestone_on_time_rate-name": "节点",
        "milestone_on_time_rate-weight": "60",
        "reminder_penalty-on": "1",
        "reminder_penalty-weight": "5",
        "reminder_penalty-per": "0.5",
        "investment_vs_plan-weight": "40",  # not ticked: left out
        "lead_weight": "1",
        "co_weight": "0.3",
        "empty": "exclude",
        "board_size": "2",
    }
    r = sup.post("/assessment/scheme/", data)
    assert r.status_code == 302
    s = Scheme.objects.filter(division=w.a, year=2022).order_by("-version").first()
    assert s.version == 2 and [i["formula"] for i in s.indicators] == [
        "milestone_on_time_rate",
        "reminder_penalty",
    ]
    assert s.indicators[1]["params"] == {"per": "0.5"} and s.co_weight == D("0.3")
    bad = dict(data, **{"milestone_on_time_rate-weight": "abc"})
    r = sup.post("/assessment/scheme/", bad)
    assert r.status_code == 200 and "应为数字" in r.content.decode()


def test_adjustments_page_adds_and_deletes(ledger):
    w = ledger.w
    sup = _client(w, "sup_a")
    r = sup.post(
        "/assessment/adjustments/",
        {
            "division": "410603",
            "year": "2022",
            "target": f"person-{w.leader_a.pk}",
            "points": "-1.5",
            "reason": "安全事故被通报",
            "on": "2022-09-10",
        },
    )
    assert r.status_code == 302
    from taizhang.assessment.models import Adjustment

    a = Adjustment.objects.get(reason="安全事故被通报")
    assert a.person == w.leader_a and a.points == D("-1.5")
    assert _client(w, "unit_a").post(f"/assessment/adjustments/{a.pk}/delete/").status_code == 404
    assert sup.post(f"/assessment/adjustments/{a.pk}/delete/").status_code == 302
    assert not Adjustment.objects.filter(pk=a.pk).exists()


def test_api_scores_card_periods_and_bulletin(ledger):
    w = ledger.w
    sup = _client(w, "sup_a")
    r = sup.get("/api/v1/assessment/scores", {"period": "2022Q3"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["published"] is False and body["label"] == "2022年第三季度"
    towns = next(g for g in body["groups"] if g["name"] == "乡镇/街道")
    assert towns["top"] == ["红旗街道办事处"] and towns["rows"][0]["total"] == "90.00"
    r = sup.get(f"/api/v1/assessment/scores/unit/{w.unit_a.pk}", {"period": "2022Q3"})
    card = r.json()
    assert card["total"] == "57.32"
    assert [ln["code"] for ln in card["lines"]] == ["jd", "tz", "bj", "adjustments"]
    assert card["lines"][0]["items"][0]["ref"]["kind"] == "milestone"
    assert sup.post("/api/v1/assessment/publish?period=2022Q3").status_code == 200
    periods = sup.get("/api/v1/assessment/periods").json()
    assert [p["code"] for p in periods] == ["2022Q3"]
    assert sup.get("/api/v1/assessment/scores", {"period": "2022Q3"}).json()["published"]
    unit = _client(w, "unit_a")
    rows = [
        r
        for g in unit.get("/api/v1/assessment/scores", {"period": "2022Q3"}).json()["groups"]
        for r in g["rows"]
    ]
    assert [r["name"] for r in rows] == ["区发改委"]
    assert unit.post("/api/v1/assessment/publish?period=2022Q4").status_code == 403
    assert unit.get("/api/v1/assessment/bulletin", {"period": "2022Q3"}).status_code == 403
    other = _client(w, "sup_b")
    assert (
        other.get(
            "/api/v1/assessment/scores", {"period": "2022Q3", "division": "山城区"}
        ).status_code
        == 404
    )
    assert other.get("/api/v1/assessment/periods").json() == []
    r = sup.get("/api/v1/assessment/bulletin", {"period": "2022Q3"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = sup.get("/api/v1/assessment/scores/export", {"period": "2022Q3", "format": "csv"})
    assert "区发改委" in streamed(r).decode("utf-8-sig")


def test_bulletin_numbering_and_settings(ledger):
    from taizhang.assessment import bulletin

    w = ledger.w
    sup = w.scope("sup_a")
    h = bulletin.heading_for(w.a, "2022Q3", TODAY)
    assert h.doc_number == "山城督〔2026〕1号" and h.issued is None
    bulletin.do_save_settings(
        sup,
        w.a,
        {
            "issuer_name": "山城区人民政府督查室",
            "number_prefix": "山城督",
            "closing_office": "山城区人民政府督查室",
            "next_number": "8",
            "year": "2026",
        },
    )
    with pytest.raises(ValidationError, match="尚未发布"):
        bulletin.do_issue(sup, w.a, "2022Q3", today=TODAY)
    service.do_publish(sup, w.a, "2022Q3", today=TODAY)
    ib = bulletin.do_issue(sup, w.a, "2022Q3", today=TODAY)
    assert ib.doc_number == "山城督〔2026〕8号"
    assert bulletin.heading_for(w.a, "2022Q3", TODAY).doc_number == "山城督〔2026〕8号"
    assert bulletin.next_number(w.a, 2026) == 9
    with pytest.raises(ValidationError, match="已印发"):
        bulletin.do_issue(sup, w.a, "2022Q3", today=TODAY)
    with pytest.raises(PermissionDenied):
        bulletin.do_issue(w.scope("unit_a"), w.a, "2022Q4", today=TODAY)
    g = bulletin.gather(sup, w.a, "2022Q3", today=TODAY)
    assert g.content.issuer_name == "山城区人民政府督查室"
    overdue = {o.title: o.unit for o in g.overdue}
    assert overdue["新拓洋生物科技产业园 · 设备安装"] == "区发改委"
    assert overdue["长风街道养老中心 · 开工"] == "长风街道办事处"


def test_bulletin_command_for_another_users_scope(ledger, tmp_path):
    import io

    from django.core.management import CommandError, call_command

    out = tmp_path / "b.docx"
    call_command(
        "bulletin",
        "--division",
        "410603",
        "--period",
        "2022Q3",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match="无权"):
        call_command(
            "bulletin",
            "--division",
            "山城区",
            "--period",
            "2022Q3",
            "-o",
            str(out),
            "--user",
            "sup_b",
        )
    with pytest.raises(CommandError, match="无法识别"):
        call_command("bulletin", "--division", "山城区", "--period", "22Q3", "-o", str(out))


def test_report_timeliness_from_supervision_tasks(world):
    if not facts_mod.tasks_installed():
        pytest.skip("the tasks app is not installed")
    from taizhang.matters.models import Kind, Status
    from taizhang.tasks.models import TaskDetail, TaskReport
    from taizhang.tasks.status import schedule_of

    w = world
    m = Matter.objects.create(
        kind=Kind.SUPERVISION_TASK,
        division=w.a,
        title="城镇新增就业3760人",
        raised_on=d(6, 1),
        lead_unit=w.unit_a,
        leader=w.leader_a,
        status=Status.IN_PROGRESS,
        assigned_on=d(6, 1),
        deadline=d(12, 31),
        original_deadline=d(12, 31),
    )
    TaskDetail.objects.create(matter=m, year=2022, start=d(6, 1), cycle="monthly", due_day=25)
    due = [p for p in schedule_of(m) if p.due < d(9, 30)]
    assert len(due) >= 3
    TaskReport.objects.create(
        matter=m, period=due[0].label, due=due[0].due, submitted_on=due[0].due, text="按时"
    )
    TaskReport.objects.create(
        matter=m,
        period=due[1].label,
        due=due[1].due,
        submitted_on=due[1].due + dt.timedelta(days=3),
        text="迟报",
    )
    facts = facts_mod.report_facts(w.scope("sup_a"), w.a, dt.date(2022, 1, 1), d(9, 30))
    assert [(f.due, f.submitted_on is not None) for f in facts][:2] == [
        (due[0].due, True),
        (due[1].due, True),
    ]
    assert all(f.unit_id == w.unit_a.pk and f.leader_id == w.leader_a.pk for f in facts)
    service.do_save_scheme(
        w.scope("sup_a"),
        w.a,
        2022,
        {"indicators": [{"code": "bs", "weight": "10", "formula": "report_timeliness"}]},
    )
    res = service.result_for(w.scope("sup_a"), w.a, "2022", today=TODAY)
    line = _line(res.row("unit", w.unit_a.pk), "bs")
    # on time 1 of the reports due in the year so far (all due by 31 Dec are past due)
    assert line["numerator"] == "1" and int(line["denominator"]) == len(
        [p for p in schedule_of(m) if p.due < dt.date(2022, 12, 31)]
    )
    assert facts_mod.report_facts(w.scope("sup_b"), w.a, dt.date(2022, 1, 1), d(9, 30)) == []
