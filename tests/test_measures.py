"""Ledger measures on hand-built ledgers with known answers; binding suggestion; the mismatch
flag; fact-check colouring and rounding; the API contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from taizhang.core.models import AuditEntry
from taizhang.enterprises import services as es
from taizhang.matters import services as ms
from taizhang.matters.models import Matter
from taizhang.measures import factcheck, services
from taizhang.measures.figures import ledger_value
from taizhang.measures.matching import suggest
from taizhang.measures.models import Binding, FactCheck
from taizhang.measures.registry import all_measures, get_measure, register_measure
from taizhang.projects import services as ps
from taizhang.projects.models import Stage
from taizhang.tasks import services as ts
from tests.task_fixtures import frozen, tworld  # noqa: F401  (fixture)

D = dt.date
Y0 = D(2022, 1, 1)


def as_user(username: str) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


@pytest.fixture
def ledger(eworld):
    """District A (山城区) in 2022, with answers worked out by hand:

    projects listed at 区 level: pa (30亿, plan 10亿) and pa_town (0.5亿, plan 0.2亿);
    reports pa 1–3月 1亿 each, pa_town 2月 0.1亿 → completed 3.1亿 by 31 March (rate 30.4%);
    signed: 1.5亿 on 5 March, 0.5亿 on 1 July; in B a signed project that never counts.
    Problems: 2 raised on 1 March in A, one closed (resolved) on 20 March.
    Visits: 2 in A (April, May), a forum in June.
    """
    ew = eworld
    w = ew.w
    admin = w.scope("admin")
    with frozen(D(2022, 12, 31)):
        for code, total, day, div in (
            ("SC-S1", "15000", D(2022, 3, 5), w.a),
            ("SC-S2", "5000", D(2022, 7, 1), w.a_town),
            ("QB-S1", "90000", D(2022, 3, 5), w.b),
        ):
            unit = w.unit_a if div != w.b else w.unit_b
            ps.do_create_project(
                admin,
                {
                    "division": div,
                    "code": code,
                    "name": f"签约项目{code}",
                    "responsible_unit": unit,
                    "total_investment": Decimal(total),
                },
                stage=Stage.SIGNED,
                stage_date=day,
            )
        for month in (1, 2, 3):
            ps.do_submit_monthly_report(admin, w.pa, year=2022, month=month, amount="10000")
        ps.do_submit_monthly_report(admin, w.pa_town, year=2022, month=2, amount="1000")
        for day, kind in (
            (D(2022, 4, 8), "visit"),
            (D(2022, 5, 18), "visit"),
            (D(2022, 6, 2), "forum"),
        ):
            es.do_record_visit(
                w.scope("sup_a"),
                {
                    "date": day.isoformat(),
                    "enterprises": [w.enterprise_a],
                    "kind": kind,
                    "notes": "走访",
                },
            )
    m = ew.problem_a
    m = ms.do_finish(
        w.scope("unit_a"), m, note="已办结", expected_version=m.version, date=D(2022, 3, 10)
    ).matter
    m = ms.do_rate(
        w.scope("ent_a"), m, rating="satisfied", expected_version=m.version, date=D(2022, 3, 12)
    ).matter
    ms.do_close(w.scope("sup_a"), m, expected_version=m.version, date=D(2022, 3, 20))
    return ew


def value(code: str, as_of: dt.date, start: dt.date = Y0, **params) -> Decimal | None:
    from taizhang.core.models import Division

    return ledger_value(code, Division.objects.get(code="410603"), as_of, start, params)


# Measures: known answers -------------------------------------------------------------


def test_it_counts_projects_signed_in_the_window(ledger):
    assert value("projects.signed_count", D(2022, 6, 30)) == 1
    assert value("projects.signed_count", D(2022, 12, 31)) == 2
    # 亿元以上: the 0.5亿 project of July is below the threshold.
    assert value("projects.signed_count", D(2022, 12, 31), min_investment_wan="10000") == 1
    assert value("projects.signed_investment", D(2022, 12, 31)) == Decimal("2")
    assert value("projects.signed_count", D(2022, 12, 31), D(2022, 4, 1)) == 1


def test_it_sums_completed_investment_of_ended_months(ledger):
    assert value("projects.completed_investment", D(2022, 3, 31), level="区") == Decimal("3.1")
    # On 15 March only January and February have ended.
    assert value("projects.completed_investment", D(2022, 3, 15)) == Decimal("2.1")
    assert value("projects.completion_rate", D(2022, 3, 31), level="区") == Decimal("30.4")
    assert value("projects.listed_count", D(2022, 3, 31), level="区") == 2
    assert value("projects.listed_count", D(2022, 3, 31), level="省市") == 0
    assert value("projects.annual_plan", D(2022, 3, 31)) == Decimal("10.2")
    assert value("projects.listed_investment", D(2022, 3, 31)) == Decimal("30.5")


def test_it_counts_problems_as_they_stood_on_the_day(ledger):
    with frozen(D(2022, 12, 31)):
        assert value("problems.raised", D(2022, 12, 31)) == 2
        assert value("problems.resolved", D(2022, 12, 31)) == 1
        assert value("problems.resolution_rate", D(2022, 12, 31)) == Decimal("50.0")
        # Before the 销号 of 20 March nothing was resolved.
        assert value("problems.resolved", D(2022, 3, 15)) == 0
        assert value("problems.satisfaction_rate", D(2022, 12, 31)) == Decimal("100.0")
        assert value("problems.raised", D(2022, 2, 28)) == 0
        assert value("problems.resolution_rate", D(2022, 2, 28)) is None


def test_it_counts_enterprises_liaison_and_visits(ledger):
    # A: 新拓洋 (no 四上 category, two liaisons) and 宝发能源 (规上工业, none).
    assert value("enterprises.count", D(2022, 6, 30)) == 2
    assert value("enterprises.sishang_count", D(2022, 6, 30)) == 1
    assert value("enterprises.under_liaison", D(2022, 6, 30)) == 1
    assert value("enterprises.visit_coverage", D(2022, 6, 30)) == Decimal("0.0")
    assert value("visits.count", D(2022, 6, 30)) == 2
    assert value("visits.count", D(2022, 4, 30)) == 1
    assert value("visits.forums", D(2022, 6, 30)) == 1


def test_it_lets_another_app_register_a_measure_in_one_call(db):
    register_measure(
        "test.constant",
        "测试信访事项办结数",
        unit="件",
        synonyms=("信访事项办结",),
        value=lambda ctx: Decimal(7),
    )
    try:
        assert get_measure("test.constant").compute(None, D(2022, 1, 1), Y0) == 7
        assert suggest("信访事项办结", "件").measure.code == "test.constant"
    finally:
        from taizhang.measures import registry

        registry._REGISTRY.pop("test.constant")
    with pytest.raises(ValueError, match="参数"):
        get_measure("projects.signed_count").clean_params({"level": "乡"})


# Binding suggestion ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "unit", "code", "params"),
    [
        ("新签约亿元以上项目", "个", "projects.signed_count", {"min_investment_wan": "10000"}),
        ("新签约项目总投资", "亿元", "projects.signed_investment", {}),
        ("省市重点项目完成投资", "亿元", "projects.completed_investment", {"level": "省市"}),
        ("省、市重点项目完成投资", "万元", "projects.completed_investment", {"level": "省市"}),
        ("帮助企业解决问题办结率", "%", "problems.resolution_rate", {}),
        ("问题按时办结率", "%", "problems.on_time_rate", {}),
        ("走访企业", "次", "visits.count", {}),
        ("区重点项目完成投资占年度投资计划", "%", "projects.completion_rate", {"level": "区"}),
    ],
)
def test_it_suggests_the_measure_from_name_and_unit(db, name, unit, code, params):
    found = suggest(name, unit)
    assert found is not None and found.measure.code == code and found.params == params


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("新增四上企业", "家"),  # a flow the ledger cannot date (see docs/measures.md)
        ("城镇新增就业", "人"),
        ("协助企业解决用工", "人"),  # 解决 but people, not problems
        ("覆盖率", "%"),  # a bare 覆盖率 may be any coverage
    ],
)
def test_it_suggests_nothing_when_no_measure_fits(db, name, unit):
    assert suggest(name, unit) is None


# Binding and the mismatch flag ---------------------------------------------------------


def _signed_task(w) -> Matter:
    with frozen(D(2022, 1, 10)):
        return ts.do_create_task(
            w.scope("sup_a"),
            {
                "title": "新签约亿元以上项目26个",
                "task_source": "work_report",
                "year": 2022,
                "lead_unit": w.unit_a,
                "deadline": D(2022, 12, 31),
                "target_value": 26,
                "target_unit": "个",
                "comparator": ">=",
                "raised_on": D(2022, 1, 10),
            },
        )


def test_it_binds_only_when_the_office_confirms_and_flags_the_difference(ledger):
    w = ledger.w
    m = _signed_task(w)
    assert services.binding_of(m) is None  # suggested, never bound silently
    with pytest.raises(PermissionDenied):
        services.do_bind_task(w.scope("unit_a"), m, code="projects.signed_count")
    with pytest.raises(ValidationError, match="单位"):
        services.do_bind_task(w.scope("sup_a"), m, code="projects.signed_investment")
    b = services.do_bind_task(
        w.scope("sup_a"), m, code="projects.signed_count", params={"min_investment_wan": "10000"}
    )
    assert AuditEntry.objects.filter(object_type="measures.binding", object_id=str(b.pk)).exists()
    with frozen(D(2022, 7, 20)):
        for period, reported in (("2022-03", 1), ("2022-06", 3)):
            m.refresh_from_db()
            ts.do_submit_progress(
                w.scope("unit_a"), m, period=period, text="进展", actual_value=reported,
                expected_version=m.version,
            )  # fmt: skip
        readings = services.readings(m, b)
    # March: 1 reported, 1 in the ledger. June: 3 reported, ledger 1 (difference 2 > 1 unit).
    assert [(r.period, r.ledger, r.reported, r.flagged) for r in readings] == [
        ("2022-03", Decimal("1.00"), Decimal("1"), False),
        ("2022-06", Decimal("1.00"), Decimal("3"), True),
    ]
    assert readings[1].text == "自报 3个，台账 1个"


def test_it_flags_by_percent_for_amounts_and_rates(db):
    rate = get_measure("problems.resolution_rate")
    assert not services.flagged(rate, Decimal("95.0"), Decimal("91.0"))  # 4 < 5 % of 91
    assert services.flagged(rate, Decimal("99.8"), Decimal("91.0"))
    count = get_measure("visits.count")
    assert not services.flagged(count, Decimal("25"), Decimal("24"))
    assert services.flagged(count, Decimal("28"), Decimal("24"))


def test_it_carries_a_draft_rows_binding_to_the_published_task(world):
    from taizhang.tasks import drafts

    sup = world.scope("sup_a")
    draft = drafts.do_create_draft(
        sup, text="2022年目标：新签约亿元以上项目26个。", year=2022, division=world.a
    )
    row = draft.rows.get(kind="target")
    found = services.suggestion_for_row(row)
    assert found.measure.code == "projects.signed_count"
    services.do_bind_row(sup, row, code=found.measure.code, params=found.params)
    drafts.do_update_row(sup, row, {"lead_unit": world.unit_a.pk, "deadline": "2022-12-31"})
    with frozen(D(2022, 2, 1)):
        [m] = drafts.do_publish_draft(sup, draft, [row.pk])
    b = services.binding_of(m)
    assert b is not None and b.code == "projects.signed_count"
    assert b.params == {"min_investment_wan": "10000"}


# Fact-check ------------------------------------------------------------------------------


TEXT = (
    "今年1至3月，区重点项目完成投资3.1亿元，占年度投资计划的30.4%。"
    "上半年新签约项目1个，走访企业5次，城镇新增就业300人。"
    "重点项目完成投资31000万元。重点项目完成投资3亿元。重点项目完成投资3.2亿元。"
)


def test_it_colours_each_figure(ledger):
    from taizhang.core.models import Division

    with frozen(D(2022, 12, 31)):
        items = factcheck.check(TEXT, Division.objects.get(code="410603"), D(2022, 3, 31))
    got = [(TEXT[i.start : i.end], i.status) for i in items]
    assert got == [
        ("3.1", "match"),
        ("30.4", "match"),
        ("1", "match"),
        ("5", "mismatch"),  # the ledger has no visit by 31 March
        ("300", "unchecked"),
        ("31000", "match"),  # 万元 against a measure kept in 亿元
        ("3", "match"),  # 3.1亿元 written with no decimals
        ("3.2", "mismatch"),
    ]
    visit = items[3]
    assert visit.message == "文中 走访企业5次，台账 0次（截至2022-03-31）"
    assert items[2].window_end == D(2022, 3, 31)  # 上半年, cut at the check's date


def test_it_reads_the_period_each_figure_names(db):
    assert factcheck.window("今年上半年，全区", None, D(2022, 8, 31), Y0) == (Y0, D(2022, 6, 30))
    assert factcheck.window("1至8月份", None, D(2022, 9, 30), Y0) == (Y0, D(2022, 8, 31))
    assert factcheck.window("去年", 2021, D(2022, 2, 23), Y0) == (D(2021, 1, 1), D(2021, 12, 31))
    assert factcheck.window("", 2022, D(2022, 2, 23), Y0) == (Y0, D(2022, 2, 23))
    assert factcheck.document_date("截至2022年8月底，……2022年3月5日", D(2023, 1, 1)) == D(
        2022, 8, 31
    )


@pytest.mark.parametrize(
    ("written", "ledger", "comparator", "decimals", "after", "ok"),
    [
        ("97.1", "97.14", "=", 1, "%", True),
        ("99.8", "97.1", "=", 1, "%", False),
        ("1100", "1126", "≈", 0, "余次", True),  # 1100余: 1100 to 1199
        ("1100", "1230", "≈", 0, "余次", False),
        ("95", "96.2", ">=", 0, "%以上", True),
        ("95", "94.1", ">=", 0, "%以上", False),
        ("60", "58", "≈", 0, "亿元左右", True),  # within 5 %
    ],
)
def test_it_compares_after_the_documents_rounding(written, ledger, comparator, decimals, after, ok):
    assert factcheck.compare(Decimal(written), Decimal(ledger), comparator, decimals, after) is ok


# API contract -------------------------------------------------------------------------


def test_it_answers_the_factcheck_contract_and_audits_who_checked(ledger):
    c = as_user("sup_a")
    with frozen(D(2022, 12, 31)):
        r = c.post(
            "/api/v1/factcheck",
            {"text": TEXT, "division": "山城区", "as_of": "2022-03-31"},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    body = r.json()
    item = body["items"][0]
    assert {"start", "end", "value", "unit", "name", "status", "ledger_value", "measure"} <= set(
        item
    )
    assert (item["value"], item["unit"], item["status"], item["ledger_value"]) == (
        "3.1",
        "亿元",
        "match",
        "3.1",
    )
    assert item["measure"] == "projects.completed_investment"
    assert {i["status"] for i in body["items"]} == {"match", "mismatch", "unchecked"}
    fc = FactCheck.objects.get(pk=body["id"])
    assert (fc.matched, fc.mismatched, fc.unchecked) == (5, 2, 1)
    entry = AuditEntry.objects.get(object_type="measures.factcheck", object_id=str(fc.pk))
    assert entry.actor.username == "sup_a" and TEXT not in str(entry.changes)
    bad = c.post(
        "/api/v1/factcheck",
        {"text": " ", "division": "410603", "as_of": "2022-03-31"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "text" in bad.json()["errors"]
    assert (
        as_user("unit_a")
        .post(
            "/api/v1/factcheck",
            {"text": TEXT, "division": "410603"},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_it_lists_measures_and_binds_a_task_over_the_api(ledger):
    c = as_user("sup_a")
    listed = c.get("/api/v1/measures").json()
    assert {m["code"] for m in listed} == {m.code for m in all_measures()}
    signed = next(m for m in listed if m["code"] == "projects.signed_count")
    assert signed["unit"] == "个" and [p["name"] for p in signed["params"]] == [
        "level",
        "min_investment_wan",
    ]
    m = _signed_task(ledger.w)
    got = c.get(f"/api/v1/tasks/{m.pk}/measure").json()
    assert got["bound"] is False and got["suggestion"] == "projects.signed_count"
    with frozen(D(2022, 12, 31)):
        r = c.put(
            f"/api/v1/tasks/{m.pk}/measure",
            {"measure": "projects.signed_count", "params": {"min_investment_wan": "10000"}},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    assert (r.json()["bound"], r.json()["ledger_value"]) == (True, "1")
    assert Binding.objects.filter(matter=m).count() == 1
    r = c.put(f"/api/v1/tasks/{m.pk}/measure", {"measure": None}, content_type="application/json")
    assert r.json()["bound"] is False and not Binding.objects.filter(matter=m).exists()


# Web ----------------------------------------------------------------------------------


def test_it_shows_the_binding_prefill_and_chart_on_the_task_page(ledger):
    w = ledger.w
    m = _signed_task(w)
    c = as_user("sup_a")
    with frozen(D(2022, 7, 20)):
        body = c.get(f"/tasks/{m.pk}/").content.decode()
        assert "建议绑定" in body and "新签约项目数" in body
        r = c.post(
            f"/tasks/{m.pk}/measure/",
            {"measure": "projects.signed_count", "param_min_investment_wan": "10000"},
        )
        assert r.status_code == 302
        body = c.get(f"/tasks/{m.pk}/").content.decode()
        assert 'data-field="ledger_value">1<' in body
        assert "tz-line" in body  # the monthly chart against 时序进度
        unit_page = as_user("unit_a").get(f"/tasks/{m.pk}/").content.decode()
    assert 'value="2022-06" data-ledger="1"' in unit_page and "已按台账值" in unit_page


def test_it_marks_figures_on_the_factcheck_page(ledger):
    c = as_user("sup_a")
    with frozen(D(2022, 12, 31)):
        r = c.post("/factcheck/", {"division": "410603", "text": TEXT, "as_of": "2022-03-31"})
        assert r.status_code == 200
        body = r.content.decode()
        assert body.count('class="fact-match"') >= 5 and 'mark class="fact-mismatch"' in body
        assert "文中 重点项目完成投资3.2亿元，台账 3.1亿元（截至2022-03-31）" in body
        r = c.post("/factcheck/", {"division": "410603", "text": TEXT, "as_of": "2030-01-01"})
    assert r.status_code == 422 and "核对日期不能晚于今天" in r.content.decode()


def test_it_counts_suggestions_of_the_year(tworld):  # noqa: F811
    w = tworld.w
    with frozen(D(2024, 2, 1)):
        ts.do_create_task(
            w.scope("sup_a"),
            {
                "title": "关于加装电梯的建议",
                "year": 2024,
                "lead_unit": tworld.unit_rs,
                "deadline": D(2024, 6, 30),
                "proposer": "代表",
                "raised_on": D(2024, 2, 1),
            },
            kind="suggestion",
        )
        assert value("tasks.suggestion_count", D(2024, 2, 1)) == 1
        assert value("tasks.proposal_count", D(2024, 2, 1)) == 0
        assert value("tasks.suggestion_finish_rate", D(2024, 2, 1)) == Decimal("0.0")
    assert suggest("办理人大代表建议", "件").measure.code == "tasks.suggestion_count"
