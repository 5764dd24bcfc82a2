"""Scoring on small hand-built ledgers; every expected number is worked out in a comment."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from taizhang.lib.scoring import (
    FORMULAS,
    Adjustment,
    Facts,
    IndicatorSpec,
    InvestmentFact,
    MatterFact,
    MilestoneFact,
    PeriodError,
    ReportFact,
    Scheme,
    SchemeError,
    Target,
    boards,
    parse_period,
    rank,
    score,
)

D = Decimal
CUT = date(2022, 9, 30)
FGW = Target("unit", "fgw", "发改委", "区直部门")
ZJJ = Target("unit", "zjj", "住建局", "区直部门")
LEADER = Target("person", "p1", "张三", "县级干部")


def d(m: int, day: int) -> date:
    return date(2022, m, day)


def line(formula: str, facts: Facts, *, weight="10", target=FGW, cutoff=CUT, **kw):
    params = kw.pop("params", {})
    spec = IndicatorSpec("x", FORMULAS[formula][0], D(weight), formula, params)
    card = score(Scheme([spec], **kw), facts, cutoff, [target])[0]
    return card.line("x")


def refs(ln) -> dict:
    return {i.ref: i.explanation for i in ln.items}


# ------------------------------------------------------------------ each indicator


def test_milestone_on_time_rate():
    facts = Facts(
        milestones=[
            MilestoneFact("fgw", "p1", d(7, 31), d(7, 20), ref=1),  # on time
            MilestoneFact("fgw", "p1", d(8, 15), d(8, 20), ref=2),  # late
            MilestoneFact("fgw", "p1", d(9, 1), None, ref=3),  # overdue, not done
            MilestoneFact("fgw", "p1", d(9, 10), d(10, 5), ref=4),  # done after cut-off: overdue
            MilestoneFact("fgw", "p1", d(9, 30), None, ref=5),  # due on the cut-off day: not yet
            MilestoneFact("fgw", "p1", d(11, 30), None, ref=6),  # not due
            MilestoneFact("fgw", "p1", d(12, 31), d(9, 1), ref=7),  # finished early: on time
            MilestoneFact("zjj", "p2", d(7, 1), None, ref=8),  # another unit
        ]
    )
    ln = line("milestone_on_time_rate", facts, weight="20")
    # 2 on time (1, 7) of 5 assessed (1, 2, 3, 4, 7) = 40.0%; 20 × 40.0% = 8.00
    assert (ln.numerator, ln.denominator, ln.rate, ln.points) == (2, 5, D("40.0"), D("8.00"))
    assert refs(ln) == {
        1: "按期完成",
        2: "逾期完成",
        3: "逾期未完成",
        4: "逾期未完成",
        7: "按期完成",
    }


def test_investment_vs_plan_uses_latest_report_and_caps():
    facts = Facts(
        investments=[
            InvestmentFact("fgw", "p1", D(10000), D(8000), d(9, 30), ref="a"),
            InvestmentFact("fgw", "p1", D(5000), D(3000), d(8, 31), ref="b"),
            InvestmentFact("fgw", "p1", D(5000), D(4000), d(9, 30), ref="b"),  # latest for b
            InvestmentFact("fgw", "p1", D(5000), D(6000), d(10, 31), ref="b"),  # after cut-off
        ]
    )
    ln = line("investment_vs_plan", facts, weight="15")
    # (8000 + 4000) ÷ (10000 + 5000) = 80.0%; 15 × 80% = 12.00
    assert (ln.numerator, ln.denominator, ln.rate, ln.points) == (
        D(12000),
        D(15000),
        D("80.0"),
        D("12.00"),
    )
    over = Facts(investments=[InvestmentFact("fgw", "p1", D(15000), D(18000), ref="c")])
    # 18000 ÷ 15000 = 120.0%, capped at 100 → 15.00; with cap 120 → 18.00
    assert line("investment_vs_plan", over, weight="15").points == D("15.00")
    capped = line("investment_vs_plan", over, weight="15", params={"cap": 120})
    assert (capped.rate, capped.points) == (D("120.0"), D("18.00"))


def test_investment_vs_pace_month_and_date():
    facts = Facts(investments=[InvestmentFact("fgw", "p1", D(10000), D(6000), ref="a")])
    ln = line("investment_vs_pace", facts)
    # September: pace 9/12 = 75.0%, expected 7500; 6000 ÷ 7500 = 80.0%; 10 × 80% = 8.00
    assert (ln.denominator, ln.rate, ln.points) == (D(7500), D("80.0"), D("8.00"))
    assert refs(ln) == {"a": "慢于时序进度"}
    by_date = line("investment_vs_pace", facts, params={"pace": "date"})
    # 30 Sep is day 273 of 365 → 74.8%, expected 7480; 6000 ÷ 7480 = 80.21% → 80.2 → 8.02
    assert (by_date.denominator, by_date.rate, by_date.points) == (D(7480), D("80.2"), D("8.02"))


def _matters() -> Facts:
    return Facts(
        matters=[
            # lead, closed on time, resolved, 满意
            MatterFact("fgw", "lead", "p1", d(8, 31), d(8, 20), True, "满意", 0, ref=1),
            # lead, closed late, not resolved, 不满意, reminded 3 times
            MatterFact("fgw", "lead", "p1", d(8, 31), d(9, 5), False, "不满意", 3, ref=2),
            # lead, open and overdue
            MatterFact("fgw", "lead", "p1", d(9, 15), None, False, None, 1, ref=3),
            # lead, open, not yet due
            MatterFact("fgw", "lead", "p1", d(10, 31), None, ref=4),
            # co, closed on time, resolved, 基本满意, reminded twice
            MatterFact("fgw", "co", "p1", d(9, 20), d(9, 18), True, "基本满意", 2, ref=5),
            # lead, closed after the cut-off: still open and overdue as of the cut-off
            MatterFact("fgw", "lead", "p1", d(9, 10), d(10, 8), True, "满意", ref=6),
            # assigned after the cut-off: does not exist yet
            MatterFact("fgw", "lead", "p1", d(9, 1), None, reminders=5, assigned_on=d(10, 9)),
        ]
    )


def test_matter_on_time_rate_with_lead_and_co_weights():
    ln = line("matter_on_time_rate", _matters())
    # numerator: 1 (lead) + 0.5 (co) = 1.5; denominator: 1, 2, 3, 6 (lead) + 5 (co 0.5) = 4.5
    # 1.5 ÷ 4.5 = 33.3%; 10 × 33.3% = 3.33
    assert (ln.numerator, ln.denominator, ln.rate, ln.points) == (
        D("1.5"),
        D("4.5"),
        D("33.3"),
        D("3.33"),
    )
    assert refs(ln) == {
        1: "按期办结",
        2: "逾期办结",
        3: "逾期未办结",
        5: "按期办结",
        6: "逾期未办结",
    }
    assert {i.ref: i.weight for i in ln.items}[5] == D("0.5")
    # co_weight 0.3: 1.3 ÷ 4.3 = 30.23% → 30.2 → 3.02
    alt = line("matter_on_time_rate", _matters(), co_weight=D("0.3"))
    assert (alt.numerator, alt.denominator, alt.rate, alt.points) == (
        D("1.3"),
        D("4.3"),
        D("30.2"),
        D("3.02"),
    )


def test_resolution_rate():
    ln = line("resolution_rate", _matters())
    # resolved: 1 (lead) + 5 (co 0.5) = 1.5; all known: 1, 2, 3, 4, 6 + 0.5 = 5.5
    # 1.5 ÷ 5.5 = 27.27% → 27.3; 10 × 27.3% = 2.73
    assert (ln.numerator, ln.denominator, ln.rate, ln.points) == (
        D("1.5"),
        D("5.5"),
        D("27.3"),
        D("2.73"),
    )
    assert refs(ln)[2] == "已办结未解决" and refs(ln)[6] == "未办结"


def test_satisfaction_rate():
    ln = line("satisfaction_rate", _matters())
    # rated and closed by the cut-off: 1 满意 (1), 2 不满意 (1), 5 基本满意 (0.5)
    # (1 + 0.5) ÷ 2.5 = 60.0%; 10 × 60% = 6.00
    assert (ln.numerator, ln.denominator, ln.rate, ln.points) == (
        D("1.5"),
        D("2.5"),
        D("60.0"),
        D("6.00"),
    )


def test_report_timeliness():
    facts = Facts(
        reports=[
            ReportFact("fgw", d(7, 25), d(7, 25), ref="7月"),
            ReportFact("fgw", d(8, 25), d(8, 27), ref="8月"),
            ReportFact("fgw", d(9, 25), None, ref="9月"),
            ReportFact("fgw", d(10, 25), None, ref="10月"),
        ]
    )
    ln = line("report_timeliness", facts, weight="5")
    # 1 ÷ 3 = 33.3%; 5 × 33.3% = 1.665 → 1.67 (half up)
    assert (ln.numerator, ln.denominator, ln.rate, ln.points) == (1, 3, D("33.3"), D("1.67"))
    assert refs(ln) == {"7月": "按时报送", "8月": "逾期报送", "9月": "未报送"}


def test_reminder_penalty_weighted_and_capped():
    ln = line("reminder_penalty", _matters(), weight="5", params={"per": "0.5"})
    # lead 3 + lead 1 + co 2 × 0.5 = 5 催办 × 0.5 = −2.50 (the 5 after the cut-off are ignored)
    assert (ln.numerator, ln.points, ln.rate) == (D(5), D("-2.50"), None)
    capped = line("reminder_penalty", _matters(), weight="2", params={"per": "0.5"})
    assert capped.points == D("-2.00")


def test_adjustments_with_reasons_and_caps():
    facts = Facts(
        adjustments=[
            Adjustment("unit", "fgw", D(2), "获省级表彰", d(8, 1), ref="a1"),
            Adjustment("unit", "fgw", D("1.5"), "经验做法被市里推广", ref="a2"),
            Adjustment("unit", "fgw", D(-3), "发生安全生产事故", d(9, 3), ref="a3"),
            Adjustment("unit", "fgw", D(5), "十月表彰", d(10, 8)),  # after the cut-off
            Adjustment("unit", "zjj", D(4), "另一单位"),
            Adjustment("person", "fgw", D(4), "同号的人，不是单位"),
        ]
    )
    card = score(Scheme([]), facts, CUT, [FGW])[0]
    adj = card.line("adjustments")
    # 2 + 1.5 − 3 = 0.50
    assert (adj.points, card.total) == (D("0.50"), D("0.50"))
    assert [i.explanation for i in adj.items] == ["加分", "加分", "扣分"]
    assert "安全生产事故" in adj.items[2].detail
    capped = score(Scheme([], bonus_cap=D(1), penalty_cap=D(2)), facts, CUT, [FGW])[0]
    # bonus 3.5 capped to 1, penalty 3 capped to 2 → −1.00
    assert capped.total == D("-1.00")
    with pytest.raises(SchemeError, match="理由"):
        Adjustment("unit", "fgw", D(1), " ")


# ------------------------------------------------------------------ totals and options


def _scheme(**kw) -> Scheme:
    return Scheme(
        [
            IndicatorSpec("jd", "节点", D(20), "milestone_on_time_rate"),
            IndicatorSpec("tz", "投资", D(30), "investment_vs_plan"),
            IndicatorSpec("bj", "办结", D(50), "matter_on_time_rate"),
            IndicatorSpec("cb", "催办", D(5), "reminder_penalty"),
        ],
        **kw,
    )


def _unit_facts() -> Facts:
    return Facts(
        milestones=[
            MilestoneFact("fgw", "p1", d(7, 1), d(7, 1), ref="m1"),
            MilestoneFact("fgw", "p1", d(8, 1), None, ref="m2"),
        ],
        investments=[InvestmentFact("fgw", "p1", D(10000), D(8000), ref="i1")],
        adjustments=[Adjustment("unit", "fgw", D(1), "获市级表彰")],
    )


def test_weighted_total_empty_counts_full():
    card = score(_scheme(), _unit_facts(), CUT, [FGW])[0]
    # 节点 1/2 = 50% × 20 = 10; 投资 80% × 30 = 24; 办结 no items → full 50; 催办 0; +1
    assert [ln.points for ln in card.lines] == [D(10), D(24), D(50), D(0), D(1)]
    assert card.total == D("85.00")
    assert card.line("bj").note == "无考核事项，按满分计"
    for ln in card.lines:
        assert ln.numerator == sum((i.numerator for i in ln.items), D(0))
        assert ln.denominator == sum((i.denominator for i in ln.items), D(0))


def test_weighted_total_empty_excluded_and_renormalised():
    card = score(_scheme(empty="exclude"), _unit_facts(), CUT, [FGW])[0]
    # rate weights 100, present 50 → ×2: 节点 40 × 50% = 20; 投资 60 × 80% = 48; +1
    assert [ln.weight for ln in card.lines[:3]] == [D(40), D(60), D(0)]
    assert [ln.points for ln in card.lines] == [D(20), D(48), D(0), D(0), D(1)]
    assert card.total == D("69.00")
    assert card.line("bj").excluded and card.line("jd").base_weight == D(20)
    # nothing at all to assess: every rate indicator excluded, nothing to renormalise onto
    empty = score(_scheme(empty="exclude"), Facts(), CUT, [ZJJ])[0]
    assert empty.total == D(0) and all(ln.excluded for ln in empty.lines[:3])
    assert score(_scheme(), Facts(), CUT, [ZJJ])[0].total == D(100)


def test_renormalised_weights_that_do_not_divide_evenly():
    scheme = Scheme(
        [
            IndicatorSpec("a", "节点", D(10), "milestone_on_time_rate"),
            IndicatorSpec("b", "报送", D(10), "report_timeliness"),
            IndicatorSpec("c", "办结", D(10), "matter_on_time_rate"),
        ],
        empty="exclude",
    )
    facts = Facts(milestones=[MilestoneFact("fgw", None, d(7, 1), d(7, 1))])
    card = score(scheme, facts, CUT, [FGW])[0]
    # 30 ÷ 10 → the one remaining indicator carries all 30 points
    assert card.total == D("30.00")
    facts2 = replace(facts, reports=[ReportFact("fgw", d(7, 25), d(7, 24))])
    # 30 ÷ 20 = 1.5: each 15 × 100% → 30
    assert score(scheme, facts2, CUT, [FGW])[0].total == D("30.00")


def test_person_targets_follow_the_leader():
    facts = Facts(
        milestones=[
            MilestoneFact("fgw", "p1", d(7, 1), d(7, 1)),
            MilestoneFact("zjj", "p1", d(7, 1), None),
            MilestoneFact("zjj", "p2", d(7, 1), None),
        ],
        reports=[ReportFact("zjj", d(7, 25), d(7, 25), leader_id="p1")],
    )
    ln = line("milestone_on_time_rate", facts, target=LEADER)
    assert (ln.numerator, ln.denominator) == (1, 2)  # both of p1's, across two units
    assert line("report_timeliness", facts, target=LEADER).rate == D("100.0")


def test_since_window_backlog_and_early_finish():
    facts = Facts(
        milestones=[
            MilestoneFact("fgw", None, d(5, 1), d(5, 1), ref="q2"),  # settled in Q2: left out
            MilestoneFact("fgw", None, d(6, 1), None, ref="backlog"),  # still open: counts
            MilestoneFact("fgw", None, d(6, 1), d(7, 10), ref="late"),  # cleared late in Q3
            MilestoneFact("fgw", None, d(12, 1), d(8, 1), ref="early"),  # early finish in Q3
        ]
    )
    scheme = Scheme([IndicatorSpec("x", "节点", D(10), "milestone_on_time_rate")])
    q3 = score(scheme, facts, CUT, [FGW], since=d(7, 1))[0].line("x")
    assert refs(q3) == {"backlog": "逾期未完成", "late": "逾期完成", "early": "按期完成"}
    ytd = score(scheme, facts, CUT, [FGW])[0].line("x")
    assert len(ytd.items) == 4
    with pytest.raises(SchemeError):
        score(scheme, facts, CUT, [FGW], since=d(10, 1))


def test_purity_same_inputs_same_outputs_and_later_facts_ignored():
    scheme = _scheme(empty="exclude")
    facts = Facts(
        milestones=list(_unit_facts().milestones),
        investments=list(_unit_facts().investments),
        matters=list(_matters().matters),
        adjustments=list(_unit_facts().adjustments),
    )
    first = score(scheme, facts, CUT, [FGW, ZJJ, LEADER])
    assert score(scheme, facts, CUT, [FGW, ZJJ, LEADER]) == first
    later = Facts(
        milestones=[*facts.milestones, MilestoneFact("fgw", "p1", d(10, 1), d(10, 9))],
        investments=[
            *facts.investments,
            InvestmentFact("fgw", "p1", D(10000), D(9900), d(10, 31), ref="i1"),
        ],
        matters=[
            *facts.matters,
            MatterFact("fgw", "lead", "p1", d(9, 1), d(10, 2), assigned_on=d(10, 1)),
        ],
        reports=[ReportFact("fgw", d(9, 25), d(10, 3))],
        adjustments=[*facts.adjustments, Adjustment("unit", "fgw", D(9), "十月加分", d(10, 1))],
    )
    again = score(scheme, later, CUT, [FGW, ZJJ, LEADER])
    # report_timeliness is not in the scheme, but its fact is after the cut-off anyway
    assert again == first


def test_scheme_validation():
    with pytest.raises(SchemeError, match="不支持的计分公式"):
        IndicatorSpec("x", "x", D(1), "vibes")
    with pytest.raises(SchemeError, match="不支持的参数"):
        IndicatorSpec("x", "x", D(1), "resolution_rate", {"per": 1})
    with pytest.raises(SchemeError, match="重复"):
        Scheme([IndicatorSpec("x", "a", D(1), "resolution_rate")] * 2)
    with pytest.raises(SchemeError, match="full 或 exclude"):
        Scheme([], empty="nope")  # type: ignore[arg-type]
    with pytest.raises(SchemeError, match="评价"):
        MatterFact("u", "lead", None, d(1, 1), d(1, 1), rating="很好")  # type: ignore[arg-type]
    assert IndicatorSpec("x", "x", "7.5", "resolution_rate").weight == D("7.5")


# ------------------------------------------------------------------ ranking and boards


def _cards(totals: dict[str, str], group: str = "乡镇/街道"):
    adj = [Adjustment("unit", name, D(v), "测试分") for name, v in totals.items()]
    targets = [Target("unit", name, name, group) for name in totals]
    return score(Scheme([]), Facts(adjustments=adj), CUT, targets)


def test_rank_with_ties_groups_and_movement():
    cards = _cards({"甲镇": "85", "乙镇": "90", "丙街道": "85", "丁镇": "80"})
    cards += _cards({"发改委": "99"}, group="区直部门")
    ranked = rank(cards, "乡镇/街道")
    # 90 → 1; 85, 85 → 2, 2 (names in code-point order: 丙 < 甲); 80 → 4
    assert [(r.position, r.card.target.name) for r in ranked] == [
        (1, "乙镇"),
        (2, "丙街道"),
        (2, "甲镇"),
        (4, "丁镇"),
    ]
    assert all(r.movement is None for r in ranked)
    prev = rank(_cards({"甲镇": "70", "乙镇": "90", "丁镇": "95"}), "乡镇/街道")
    # before: 丁 1, 乙 2, 甲 3; now 乙 1 (+1), 丙 new, 甲 2 (+1), 丁 4 (−3)
    moved = {r.card.target.name: r.movement for r in rank(cards, "乡镇/街道", prev)}
    assert moved == {"乙镇": 1, "丙街道": None, "甲镇": 1, "丁镇": -3}
    assert [r.card.target.name for r in rank(cards, "区直部门")] == ["发改委"]


def test_boards_top_and_bottom_with_ties():
    ranked = rank(_cards({"甲": "85", "乙": "90", "丙": "85", "丁": "80", "戊": "70"}), "乡镇/街道")
    top, bottom = boards(ranked, 1)
    assert [r.card.target.name for r in top] == ["乙"]
    assert [r.card.target.name for r in bottom] == ["戊"]
    top, bottom = boards(ranked, 2)
    # the tie at second place puts both 85s on the 飞虎榜
    assert [r.card.target.name for r in top] == ["乙", "丙", "甲"]
    assert [r.card.target.name for r in bottom] == ["丁", "戊"]
    top, bottom = boards(ranked, 3)
    # nobody is on both boards
    assert [r.card.target.name for r in bottom] == ["丁", "戊"]
    assert boards(ranked, 0) == ([], [])
    with pytest.raises(ValueError):
        boards(ranked, -1)


# ------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2022Q3", date(2022, 7, 1), date(2022, 9, 30), "2022年第三季度"),
        ("2022q1", date(2022, 1, 1), date(2022, 3, 31), "2022年第一季度"),
        ("2022", date(2022, 1, 1), date(2022, 12, 31), "2022年"),
        ("2022-08", date(2022, 8, 1), date(2022, 8, 31), "2022年8月"),
        ("2024-2", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
        (" 2022-12 ", date(2022, 12, 1), date(2022, 12, 31), "2022年12月"),
    ],
)
def test_parse_period(text, start, end, label):
    p = parse_period(text)
    assert (p.start, p.end, p.label) == (start, end, label)


def test_period_previous():
    assert parse_period("2022Q1").previous().label == "2021年第四季度"
    assert parse_period("2022Q3").previous().code == "2022Q2"
    assert parse_period("2022-01").previous().code == "2021-12"
    assert parse_period("2022").previous().code == "2021"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022Q5", "季度应为1至4"),
        ("2022-13", "月份应在1至12之间"),
        ("2022-00", "月份应在1至12之间"),
        ("0000", "年份超出范围"),
        ("22Q3", "无法识别的考核期间"),
        ("2022年", "无法识别的考核期间"),
        ("", "无法识别的考核期间"),
    ],
)
def test_parse_period_errors(text, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(text)
