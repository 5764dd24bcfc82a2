"""Red / yellow / green status rules (亮灯规则).

Pure functions: the working-day calendar is passed in, "today" is an argument.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from taizhang.lib.numbers import Number, quantize_1, to_decimal
from taizhang.lib.workdays import WorkCalendar

__all__ = [
    "Light",
    "LightResult",
    "deadline_light",
    "milestone_light",
    "pace_light",
    "project_light",
    "worst",
]


class Light(enum.StrEnum):
    """Traffic light; the str value is what gets stored, ``label`` what gets shown."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_LABELS = {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯"}
_SEVERITY = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


def worst(*lights: Light) -> Light:
    """The most severe light; GREEN when none given."""
    return max(lights, key=_SEVERITY.__getitem__, default=Light.GREEN)


@dataclass(frozen=True)
class LightResult:
    """A light and a short Chinese reason.

    ``confirmed`` is False when the working-day count relied on a year whose
    official holiday notice is not yet in the calendar (Mon-Fri fallback).
    """

    light: Light
    reason: str
    confirmed: bool = True

    def prefixed(self, prefix: str) -> LightResult:
        """Same result with ``prefix：`` before the reason (e.g. a milestone name)."""
        return replace(self, reason=f"{prefix}：{self.reason}" if self.reason else prefix)


def deadline_light(
    deadline: date,
    done_at: date | None,
    today: date,
    cal: WorkCalendar,
    yellow_workdays: int = 5,
) -> LightResult:
    """Light for something due on ``deadline`` (milestone or tracked matter).

    * done → green ("按期完成", or "逾期完成" if done_at > deadline);
    * not done and today > deadline → red "已逾期N个工作日", N = working days
      in (deadline, today] (a day off right after the deadline gives N = 0,
      still red: "已逾期（不足1个工作日）");
    * not done and working days in (today, deadline] ≤ yellow_workdays →
      yellow "N个工作日内到期" ("今日到期" on the deadline day);
    * otherwise green "距到期N个工作日".
    """
    if yellow_workdays < 0:
        raise ValueError(f"黄灯提前工作日数不能为负数：{yellow_workdays}")
    if done_at is not None:
        if done_at > deadline:
            return LightResult(Light.GREEN, "逾期完成")
        return LightResult(Light.GREEN, "按期完成")
    if today > deadline:
        late = cal.workdays_between(deadline, today)
        if late.days == 0:
            return LightResult(Light.RED, "已逾期（不足1个工作日）", late.confirmed)
        return LightResult(Light.RED, f"已逾期{late.days}个工作日", late.confirmed)
    left = cal.workdays_between(today, deadline)
    if left.days <= yellow_workdays:
        if today == deadline:
            reason = "今日到期"
        elif left.days == 0:
            # Deadline falls on a day off with no working day before it.
            reason = "到期前已无工作日"
        else:
            reason = f"{left.days}个工作日内到期"
        return LightResult(Light.YELLOW, reason, left.confirmed)
    return LightResult(Light.GREEN, f"距到期{left.days}个工作日", left.confirmed)


def milestone_light(
    planned: date,
    actual: date | None,
    today: date,
    cal: WorkCalendar,
    yellow_workdays: int = 5,
) -> LightResult:
    """Milestone light: same rule as :func:`deadline_light`."""
    return deadline_light(planned, actual, today, cal, yellow_workdays)


def _points(d: Decimal) -> str:
    return f"{quantize_1(abs(d)):f}"


def pace_light(
    completion_rate: Number | None,
    elapsed_rate: Number,
    red_margin: Number = Decimal(10),
    yellow_margin: Number = Decimal(0),
) -> LightResult:
    """Investment pace: lag = 时序进度 − 完成率 (both in percent).

    lag > red_margin → red; lag > yellow_margin → yellow; else green.
    ``completion_rate`` None (no annual plan) → green "无年度计划".
    """
    if completion_rate is None:
        return LightResult(Light.GREEN, "无年度计划")
    red, yellow = to_decimal(red_margin), to_decimal(yellow_margin)
    if yellow > red:
        raise ValueError(f"黄灯阈值（{yellow}）不能大于红灯阈值（{red}）")
    lag = to_decimal(elapsed_rate) - to_decimal(completion_rate)
    if lag > red:
        return LightResult(Light.RED, f"完成率落后时序进度{_points(lag)}个百分点")
    if lag > yellow:
        return LightResult(Light.YELLOW, f"完成率落后时序进度{_points(lag)}个百分点")
    if lag < 0:
        return LightResult(Light.GREEN, f"完成率快于时序进度{_points(lag)}个百分点")
    if lag > 0:
        # Within the yellow margin: behind, but tolerated.
        return LightResult(Light.GREEN, f"完成率落后时序进度{_points(lag)}个百分点")
    return LightResult(Light.GREEN, "完成率与时序进度持平")


def project_light(
    milestone_results: Iterable[LightResult],
    pace_result: LightResult | None = None,
) -> LightResult:
    """Worst of all results.

    Reason: the distinct reasons of the non-green results, most severe first
    (joined with "；"); if everything is green, the distinct green reasons.
    """
    results = list(milestone_results)
    if pace_result is not None:
        results.append(pace_result)
    light = worst(*(r.light for r in results))
    if light is Light.GREEN:
        chosen = results
    else:
        chosen = sorted(
            (r for r in results if r.light is not Light.GREEN),
            key=lambda r: -r.light.severity,
        )
    reasons = list(dict.fromkeys(r.reason for r in chosen if r.reason))
    return LightResult(light, "；".join(reasons), all(r.confirmed for r in results))
