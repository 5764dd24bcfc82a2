from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.lib.lights import (
    Light,
    LightResult,
    deadline_light,
    milestone_light,
    pace_light,
    project_light,
    worst,
)
from taizhang.lib.workdays import WorkCalendar

CAL = WorkCalendar()
D = Decimal

# Around National Day 2026 (library data): 09-25..27 中秋 off, 10-01..07 off,
# 10-10 (Saturday) worked.


def test_light_enum():
    assert Light.RED.value == "red"
    assert Light.RED == "red"  # StrEnum: stores and serialises as plain text
    assert [light.label for light in Light] == ["绿灯", "黄灯", "红灯"]
    assert worst(Light.GREEN, Light.RED, Light.YELLOW) is Light.RED
    assert worst(Light.GREEN, Light.YELLOW) is Light.YELLOW
    assert worst() is Light.GREEN


def test_done_is_green():
    r = milestone_light(date(2026, 9, 30), date(2026, 9, 29), date(2026, 10, 20), CAL)
    assert r == LightResult(Light.GREEN, "按期完成")
    r = milestone_light(date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 20), CAL)
    assert r == LightResult(Light.GREEN, "逾期完成")


def test_yellow_window_counts_only_working_days():
    deadline = date(2026, 10, 9)
    # (09-24, 10-09]: 09-28, 09-29, 09-30, 10-08, 10-09 -> 5 working days.
    r = milestone_light(deadline, None, date(2026, 9, 24), CAL)
    assert r == LightResult(Light.YELLOW, "5个工作日内到期")
    # One more working day (09-24) -> 6 -> green, although 16 calendar days remain.
    r = milestone_light(deadline, None, date(2026, 9, 23), CAL)
    assert r == LightResult(Light.GREEN, "距到期6个工作日")
    r = milestone_light(deadline, None, date(2026, 9, 30), CAL)
    assert r == LightResult(Light.YELLOW, "2个工作日内到期")
    r = milestone_light(deadline, None, deadline, CAL)
    assert r == LightResult(Light.YELLOW, "今日到期")


def test_custom_yellow_window():
    deadline = date(2026, 10, 9)
    assert milestone_light(deadline, None, date(2026, 9, 30), CAL, 1).light is Light.GREEN
    assert milestone_light(deadline, None, date(2026, 10, 8), CAL, 1).light is Light.YELLOW
    assert milestone_light(deadline, None, date(2026, 10, 8), CAL, 0).light is Light.GREEN
    with pytest.raises(ValueError, match="不能为负数"):
        milestone_light(deadline, None, date(2026, 10, 8), CAL, -1)


def test_overdue_through_holiday():
    planned = date(2026, 9, 30)
    # Holiday days after the deadline: overdue, but no working day elapsed yet.
    r = milestone_light(planned, None, date(2026, 10, 7), CAL)
    assert r == LightResult(Light.RED, "已逾期（不足1个工作日）")
    assert milestone_light(planned, None, date(2026, 10, 8), CAL).reason == "已逾期1个工作日"
    # 10-10 is a make-up Saturday and counts.
    assert milestone_light(planned, None, date(2026, 10, 10), CAL).reason == "已逾期3个工作日"
    assert milestone_light(planned, None, date(2026, 10, 11), CAL).reason == "已逾期3个工作日"


def test_deadline_on_day_off():
    # Deadline on National Day itself, today the last working day before it.
    r = deadline_light(date(2026, 10, 3), None, date(2026, 9, 30), CAL)
    assert r == LightResult(Light.YELLOW, "到期前已无工作日")


def test_override_changes_light():
    cal = WorkCalendar({date(2026, 10, 8): False})
    r = milestone_light(date(2026, 9, 30), None, date(2026, 10, 8), cal)
    assert r.reason == "已逾期（不足1个工作日）"


def test_unconfirmed_year_flagged():
    r = deadline_light(date(2027, 1, 5), None, date(2026, 12, 28), CAL)
    assert r.confirmed is False
    assert deadline_light(date(2026, 12, 31), None, date(2026, 12, 28), CAL).confirmed


@given(
    planned=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
    today=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
)
def test_milestone_equals_deadline_rule(planned: date, today: date):
    assert milestone_light(planned, None, today, CAL) == deadline_light(planned, None, today, CAL)
    light = milestone_light(planned, None, today, CAL).light
    assert (light is Light.RED) == (today > planned)


# -- pace ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "elapsed", "light", "reason"),
    [
        (D("60"), D("75"), Light.RED, "完成率落后时序进度15.0个百分点"),
        (D("65"), D("75"), Light.YELLOW, "完成率落后时序进度10.0个百分点"),  # not > 10
        (D("64.9"), D("75"), Light.RED, "完成率落后时序进度10.1个百分点"),
        (D("70"), D("75"), Light.YELLOW, "完成率落后时序进度5.0个百分点"),
        (D("75"), D("75"), Light.GREEN, "完成率与时序进度持平"),
        (D("143.2"), D("25.0"), Light.GREEN, "完成率快于时序进度118.2个百分点"),
        (None, D("75"), Light.GREEN, "无年度计划"),
    ],
)
def test_pace_light(completion: Decimal | None, elapsed: Decimal, light: Light, reason: str):
    assert pace_light(completion, elapsed) == LightResult(light, reason)


def test_pace_light_margins():
    r = pace_light(D("73"), D("75"), red_margin=D("10"), yellow_margin=D("3"))
    assert r == LightResult(Light.GREEN, "完成率落后时序进度2.0个百分点")
    assert pace_light(D("71"), D("75"), yellow_margin=D("3")).light is Light.YELLOW
    assert pace_light(70, 75, red_margin=4).light is Light.RED
    with pytest.raises(ValueError, match="黄灯阈值"):
        pace_light(D("70"), D("75"), red_margin=D("1"), yellow_margin=D("2"))


# -- project -------------------------------------------------------------------


def test_project_light_worst_and_reasons():
    ms = [
        LightResult(Light.GREEN, "按期完成"),
        LightResult(Light.YELLOW, "2个工作日内到期"),
        LightResult(Light.RED, "已逾期3个工作日"),
    ]
    pace = LightResult(Light.YELLOW, "完成率落后时序进度5.0个百分点")
    r = project_light(ms, pace)
    assert r.light is Light.RED
    assert r.reason == "已逾期3个工作日；2个工作日内到期；完成率落后时序进度5.0个百分点"


def test_project_light_all_green_and_empty():
    r = project_light([LightResult(Light.GREEN, "按期完成")] * 2, pace_light(None, D("50")))
    assert r == LightResult(Light.GREEN, "按期完成；无年度计划")
    assert project_light([], None) == LightResult(Light.GREEN, "")


def test_project_light_prefix_and_confirmed():
    ms = [
        LightResult(Light.YELLOW, "今日到期").prefixed("开工"),
        LightResult(Light.GREEN, "距到期9个工作日", confirmed=False),
    ]
    r = project_light(ms)
    assert r == LightResult(Light.YELLOW, "开工：今日到期", confirmed=False)
