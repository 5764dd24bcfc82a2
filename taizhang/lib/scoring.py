"""Assessment scoring (考评打分), rankings and the 飞虎榜/蜗牛榜.

Scoring is a pure function of ledger facts as of a cut-off date: no database,
no clock, no Django. A Django layer fills the plain fact dataclasses below from
the ledgers; the same facts, scheme and cut-off always give the same cards, so
a published (frozen) quarter can be re-computed and checked at any time.

Facts dated after the cut-off are ignored: a milestone done after the cut-off
is "not done" as of the cut-off, a matter closed later is still open, a report
submitted later is missing, a matter assigned later does not exist yet.

Which items an indicator with a due date assesses (milestones, matters,
reports): an open item once it is past due (due date < cut-off; on the due date
itself it can still be done in time), and a settled item in the period it was
settled in. With ``since`` (the period start) items settled before the period
are left out, so an early finish is rewarded once and a backlog carried over
from an earlier period keeps counting against the unit until it is cleared.
Investment is cumulative within the plan year and ignores ``since``.

Indicators (``IndicatorSpec.formula``), a fixed set:

``milestone_on_time_rate``
    按期完成节点 ÷ (已完成节点 + 逾期未完成节点). Done on or before the planned
    date is on time; done late or overdue and not done count in the denominator only.
``investment_vs_plan``
    完成投资 ÷ 年度投资计划. Several facts with the same ``ref`` are monthly reports
    of one project: the latest ``as_of`` on or before the cut-off is used.
``investment_vs_pace``
    完成率 ÷ 时序进度 = 完成投资 ÷ (年度计划 × 时序进度). Param ``pace``: ``"month"``
    (default; month/12, as the monthly "1至8月" reports are compared) or ``"date"``
    (day of year).
``matter_on_time_rate``
    按期办结 ÷ (已办结 + 逾期未办结). An open matter past its deadline counts against;
    an open matter not yet due is left out.
``resolution_rate``
    已解决 ÷ 全部交办事项 (known at the cut-off).
``satisfaction_rate``
    (满意 + 基本满意) ÷ 已评价 (matters closed by the cut-off with a rating).
``report_timeliness``
    按时报送 ÷ 应报送 (reports due by the cut-off).
``reminder_penalty``
    −``per`` points (default 1) per 催办, the deduction capped at the indicator's
    ``weight``. ``MatterFact.reminders`` is counted by the caller for the period
    being scored (not windowed here: the fact carries a count, not dates).

Every rate indicator scores ``weight × min(rate, cap) / 100``, with ``rate`` the
one-decimal percentage as displayed (so anyone can redo the sum by hand from the
screen) and ``cap`` a param (default 100; e.g. 120 lets over-completion earn up
to 1.2 × weight). Points are rounded to 2 decimals half up per line; the total
is the sum of the rounded line points.

On matter indicators each fact is one unit's participation in a matter; a lead
unit's item counts ``lead_weight`` and a co-operating unit's ``co_weight`` in
both numerator and denominator (and in the reminder count).

A target with nothing to assess for a rate indicator is treated per
``Scheme.empty``: ``"full"`` gives the full weight, ``"exclude"`` drops the
indicator and scales the other rate indicators' weights up so they still add
up to the same total (a target with nothing at all to assess keeps only its
penalties and adjustments). Hand-entered ``Adjustment``s (加减分) are always added as
a last line, optionally capped by ``Scheme.bonus_cap`` / ``penalty_cap``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from taizhang.lib.numbers import elapsed_share_date, elapsed_share_month, rate, to_decimal
from taizhang.lib.periods import month_end

__all__ = [
    "FORMULAS",
    "Adjustment",
    "Facts",
    "IndicatorSpec",
    "InvestmentFact",
    "ItemRef",
    "Line",
    "MatterFact",
    "MilestoneFact",
    "Period",
    "PeriodError",
    "Ranked",
    "ReportFact",
    "Scheme",
    "SchemeError",
    "ScoreCard",
    "Target",
    "boards",
    "parse_period",
    "rank",
    "score",
]

D0 = Decimal(0)
D1 = Decimal(1)
_HUNDRED = Decimal(100)

TargetKind = Literal["unit", "person"]
Role = Literal["lead", "co"]
Rating = Literal["满意", "基本满意", "不满意"]
RATINGS: tuple[str, ...] = ("满意", "基本满意", "不满意")

# Code → (default Chinese name, how it is computed). The text is what the UI
# shows next to a score, so it must stay in step with the code below.
FORMULAS: dict[str, tuple[str, str]] = {
    "milestone_on_time_rate": (
        "节点按期完成率",
        "按期完成节点数 ÷ (已完成节点数 + 逾期未完成节点数)",
    ),
    "investment_vs_plan": ("投资完成率", "完成投资 ÷ 年度投资计划"),
    "investment_vs_pace": ("投资完成进度", "完成投资 ÷ (年度投资计划 × 时序进度)"),
    "matter_on_time_rate": ("按时办结率", "按期办结数 ÷ (已办结数 + 逾期未办结数)"),
    "resolution_rate": ("问题解决率", "已解决数 ÷ 交办问题数"),
    "satisfaction_rate": ("满意率", "(满意 + 基本满意) ÷ 已评价数"),
    "report_timeliness": ("进度报送及时率", "按时报送次数 ÷ 应报送次数"),
    "reminder_penalty": ("催办扣分", "每催办一次扣分，扣完本项分值为止"),
}
_PENALTY_FORMULAS = frozenset({"reminder_penalty"})
_PARAMS: dict[str, frozenset[str]] = {
    f: frozenset({"cap"}) for f in FORMULAS if f not in _PENALTY_FORMULAS
} | {"investment_vs_pace": frozenset({"cap", "pace"}), "reminder_penalty": frozenset({"per"})}


class SchemeError(ValueError):
    """A scoring scheme that cannot be used."""


class PeriodError(ValueError):
    """A period string that cannot be parsed."""


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class MilestoneFact:
    unit_id: Hashable
    leader_id: Hashable | None
    planned: date
    done_on: date | None
    ref: Any = None


@dataclass(frozen=True)
class InvestmentFact:
    """Cumulative completion of one project within the plan year, as reported on ``as_of``."""

    unit_id: Hashable
    leader_id: Hashable | None
    annual_plan: Decimal  # 万元
    completed: Decimal  # 万元, cumulative within the year
    as_of: date | None = None
    ref: Any = None


@dataclass(frozen=True)
class MatterFact:
    """One unit's part (lead or co) in a tracked matter or enterprise problem."""

    unit_id: Hashable
    role: Role
    leader_id: Hashable | None
    deadline: date
    closed_on: date | None
    resolved: bool = False
    rating: Rating | None = None
    reminders: int = 0  # 催办 up to the cut-off; counted by the caller
    assigned_on: date | None = None  # 交办日期; a matter assigned after the cut-off is ignored
    ref: Any = None

    def __post_init__(self) -> None:
        if self.role not in ("lead", "co"):
            raise SchemeError(f"承办角色应为 lead（主办）或 co（协办）：{self.role!r}")
        if self.rating is not None and self.rating not in RATINGS:
            raise SchemeError(f"评价应为满意、基本满意或不满意：{self.rating!r}")
        if self.reminders < 0:
            raise SchemeError(f"催办次数不能为负：{self.reminders}")


@dataclass(frozen=True)
class ReportFact:
    """One due progress report (进度报送)."""

    unit_id: Hashable
    due: date
    submitted_on: date | None
    leader_id: Hashable | None = None
    ref: Any = None


@dataclass(frozen=True)
class Adjustment:
    """A bonus (positive) or penalty (negative) entered by hand, always with a reason."""

    target_kind: TargetKind
    target_id: Hashable
    points: Decimal
    reason: str
    on: date | None = None
    ref: Any = None

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise SchemeError("加减分必须注明理由")


@dataclass(frozen=True)
class Facts:
    milestones: Sequence[MilestoneFact] = ()
    investments: Sequence[InvestmentFact] = ()
    matters: Sequence[MatterFact] = ()
    reports: Sequence[ReportFact] = ()
    adjustments: Sequence[Adjustment] = ()

    def __post_init__(self) -> None:
        # Tuples so a Facts value cannot be mutated behind a published score.
        for name in ("milestones", "investments", "matters", "reports", "adjustments"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


# --------------------------------------------------------------------------- scheme


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    weight: Decimal
    formula: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.formula not in FORMULAS:
            raise SchemeError(f"不支持的计分公式：{self.formula}")
        object.__setattr__(self, "weight", to_decimal(self.weight))
        if self.weight < 0:
            raise SchemeError(f"指标“{self.name}”的分值不能为负")
        unknown = set(self.params) - _PARAMS[self.formula]
        if unknown:
            raise SchemeError(f"指标“{self.name}”有不支持的参数：{'、'.join(sorted(unknown))}")
        if "cap" in self.params and to_decimal(self.params["cap"]) <= 0:
            raise SchemeError(f"指标“{self.name}”的封顶比例应大于0")
        if "per" in self.params and to_decimal(self.params["per"]) < 0:
            raise SchemeError(f"指标“{self.name}”的每次扣分应为正数")
        if self.params.get("pace", "month") not in ("month", "date"):
            raise SchemeError(f"指标“{self.name}”的时序进度应按 month 或 date 计算")
        object.__setattr__(self, "params", dict(self.params))

    @property
    def cap(self) -> Decimal:
        return to_decimal(self.params.get("cap", _HUNDRED))


@dataclass(frozen=True)
class Scheme:
    indicators: Sequence[IndicatorSpec]
    lead_weight: Decimal = D1
    co_weight: Decimal = Decimal("0.5")
    empty: Literal["full", "exclude"] = "full"
    bonus_cap: Decimal | None = None  # most a target can gain from adjustments
    penalty_cap: Decimal | None = None  # most it can lose (a positive number)

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicators", tuple(self.indicators))
        codes = [i.code for i in self.indicators]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise SchemeError(f"指标代码重复：{'、'.join(dup)}")
        if "adjustments" in codes:
            raise SchemeError("指标代码 adjustments 留给加减分项")
        if self.empty not in ("full", "exclude"):
            raise SchemeError(f"无考核事项的处理方式应为 full 或 exclude：{self.empty!r}")
        for name in ("lead_weight", "co_weight"):
            value = to_decimal(getattr(self, name))
            if value < 0:
                raise SchemeError("主办、协办权重不能为负")
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: Hashable
    name: str
    group: str  # e.g. "乡镇/街道", "区直部门", "县级干部"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ItemRef:
    """One ledger row behind a line: the caller's ``ref`` and what it contributed."""

    ref: Any
    explanation: str  # "按期完成", "逾期未办结", …
    detail: str = ""  # the dates or amounts that decided it
    weight: Decimal = D1  # lead/co weight on matter indicators, else 1
    numerator: Decimal = D0
    denominator: Decimal = D0


@dataclass(frozen=True)
class Line:
    """One indicator of one card; ``numerator``/``denominator`` are the sums over ``items``."""

    code: str
    name: str
    weight: Decimal  # effective weight (after renormalisation), 2 dp
    numerator: Decimal
    denominator: Decimal
    rate: Decimal | None  # percent, 1 dp; None for penalties, adjustments and no items
    points: Decimal  # 2 dp
    items: tuple[ItemRef, ...]
    note: str = ""  # the arithmetic in words
    excluded: bool = False  # no items and Scheme.empty == "exclude"
    base_weight: Decimal | None = None  # the scheme's weight, when renormalised


@dataclass(frozen=True)
class ScoreCard:
    target: Target
    cutoff: date
    total: Decimal  # 2 dp
    lines: tuple[Line, ...]

    def line(self, code: str) -> Line:
        for ln in self.lines:
            if ln.code == code:
                return ln
        raise KeyError(code)


# --------------------------------------------------------------------------- scoring


def _q2(f: Fraction) -> Decimal:
    """Exact half-up rounding to 2 decimals (away from zero on ties)."""
    hundredths = int(abs(f) * 100 + Fraction(1, 2))
    return Decimal(-hundredths if f < 0 else hundredths).scaleb(-2)


@dataclass(frozen=True)
class _Raw:
    items: tuple[ItemRef, ...]
    note: str  # may use {num} and {den}
    penalty: Decimal | None = None  # reminder_penalty only: points before the cap

    @property
    def numerator(self) -> Decimal:
        return sum((i.numerator for i in self.items), D0)

    @property
    def denominator(self) -> Decimal:
        return sum((i.denominator for i in self.items), D0)

    @property
    def rate(self) -> Decimal | None:
        return None if self.penalty is not None else rate(self.numerator, self.denominator)

    @property
    def text(self) -> str:
        return self.note.format(num=self.numerator, den=self.denominator)


@dataclass(frozen=True)
class _Window:
    cutoff: date
    since: date | None

    def known(self, d: date | None) -> bool:
        return d is None or d <= self.cutoff

    def by_cutoff(self, d: date | None) -> date | None:
        """The date if it happened by the cut-off, else None (not yet happened)."""
        return d if d is not None and d <= self.cutoff else None

    def counts(self, due: date, done: date | None) -> bool:
        """Whether an item with a due date is assessed in this period.

        ``done`` must already be cut (None if not done by the cut-off). An open
        item counts once it is past due — on its due date it can still be done
        in time. A settled item counts in the period it was settled in, so an
        early finish is rewarded once and a carried-over backlog is scored in
        every period until it is cleared.
        """
        if done is None:
            return due < self.cutoff
        return self.since is None or done >= self.since


def _mine(target: Target, unit_id: Hashable, leader_id: Hashable | None) -> bool:
    return (unit_id if target.kind == "unit" else leader_id) == target.id


def _milestones(facts: Sequence[MilestoneFact], w: _Window) -> _Raw:
    items = []
    for f in sorted(facts, key=lambda f: f.planned):
        done = w.by_cutoff(f.done_on)
        if not w.counts(f.planned, done):
            continue
        detail = f"计划{_cn(f.planned)}" + (f"，完成{_cn(done)}" if done else "")
        if done is None:
            items.append(ItemRef(f.ref, "逾期未完成", detail, D1, D0, D1))
        else:
            on_time = done <= f.planned
            label = "按期完成" if on_time else "逾期完成"
            items.append(ItemRef(f.ref, label, detail, D1, D1 if on_time else D0, D1))
    return _Raw(tuple(items), "按期完成{num}个 ÷ (已完成 + 逾期未完成){den}个")


def _latest_investments(facts: Sequence[InvestmentFact], w: _Window) -> list[InvestmentFact]:
    # Monthly reports of one project share a ref; only the last one known at the cut-off counts.
    latest: dict[Any, InvestmentFact] = {}
    loose: list[InvestmentFact] = []
    for f in facts:
        if not w.known(f.as_of):
            continue
        if f.ref is None:
            loose.append(f)
            continue
        cur = latest.get(f.ref)
        if cur is None or (f.as_of or date.min) >= (cur.as_of or date.min):
            latest[f.ref] = f
    return loose + list(latest.values())


def _investment(facts: Sequence[InvestmentFact], w: _Window, pace: Decimal | None) -> _Raw:
    # pace None: vs annual plan; else the denominator is the plan scaled to the time share.
    items = []
    for f in _latest_investments(facts, w):
        plan, done = to_decimal(f.annual_plan), to_decimal(f.completed)
        expected = plan if pace is None else plan * pace / _HUNDRED
        as_of = f"（截至{_cn(f.as_of)}）" if f.as_of else ""
        detail = f"完成{done}万元，年度计划{plan}万元{as_of}"
        if pace is not None:
            detail += f"，按时序进度应完成{expected}万元"
        label = "完成年度计划" if done >= expected else "未完成计划"
        if pace is not None:
            label = "快于时序进度" if done >= expected else "慢于时序进度"
        items.append(ItemRef(f.ref, label, detail, D1, done, expected))
    if pace is None:
        return _Raw(tuple(items), "完成投资{num}万元 ÷ 年度计划{den}万元")
    return _Raw(tuple(items), f"完成投资{{num}}万元 ÷ (年度计划 × 时序进度{pace}%){{den}}万元")


def _matter_weight(scheme: Scheme, f: MatterFact) -> Decimal:
    return scheme.lead_weight if f.role == "lead" else scheme.co_weight


def _role(f: MatterFact) -> str:
    return "主办" if f.role == "lead" else "协办"


def _matters_on_time(scheme: Scheme, facts: Sequence[MatterFact], w: _Window) -> _Raw:
    items = []
    for f in facts:
        wt = _matter_weight(scheme, f)
        closed = w.by_cutoff(f.closed_on)
        if not w.counts(f.deadline, closed):
            continue  # open and not yet due, or settled in an earlier period
        base = f"{_role(f)}，时限{_cn(f.deadline)}"
        if closed is None:
            items.append(ItemRef(f.ref, "逾期未办结", base, wt, D0, wt))
        elif closed <= f.deadline:
            items.append(ItemRef(f.ref, "按期办结", f"{base}，办结{_cn(closed)}", wt, wt, wt))
        else:
            items.append(ItemRef(f.ref, "逾期办结", f"{base}，办结{_cn(closed)}", wt, D0, wt))
    return _Raw(tuple(items), "按期办结{num} ÷ (已办结 + 逾期未办结){den}")


def _matters_resolved(scheme: Scheme, facts: Sequence[MatterFact], w: _Window) -> _Raw:
    items = []
    for f in facts:
        wt = _matter_weight(scheme, f)
        closed = w.by_cutoff(f.closed_on)
        if w.since is not None and closed is not None and closed < w.since:
            continue  # settled before the period: belongs to an earlier one
        if closed is None:
            items.append(ItemRef(f.ref, "未办结", _role(f), wt, D0, wt))
        else:
            label = "已解决" if f.resolved else "已办结未解决"
            detail = f"{_role(f)}，办结{_cn(closed)}"
            items.append(ItemRef(f.ref, label, detail, wt, wt if f.resolved else D0, wt))
    return _Raw(tuple(items), "已解决{num} ÷ 交办{den}")


def _matters_satisfaction(scheme: Scheme, facts: Sequence[MatterFact], w: _Window) -> _Raw:
    items = []
    for f in facts:
        closed = w.by_cutoff(f.closed_on)
        if closed is None or f.rating is None:
            continue
        if w.since is not None and closed < w.since:
            continue
        wt = _matter_weight(scheme, f)
        good = wt if f.rating in ("满意", "基本满意") else D0
        items.append(ItemRef(f.ref, f.rating, f"{_role(f)}，办结{_cn(closed)}", wt, good, wt))
    return _Raw(tuple(items), "满意和基本满意{num} ÷ 已评价{den}")


def _reminders(scheme: Scheme, facts: Sequence[MatterFact], per: Decimal) -> _Raw:
    items = []
    for f in facts:
        if f.reminders <= 0:
            continue
        wt = _matter_weight(scheme, f)
        n = Decimal(f.reminders) * wt
        items.append(ItemRef(f.ref, f"催办{f.reminders}次", _role(f), wt, n, D0))
    count = sum((i.numerator for i in items), D0)
    return _Raw(tuple(items), f"折合催办{{num}}次 × 每次{per}分", penalty=-(count * per))


def _reports(facts: Sequence[ReportFact], w: _Window) -> _Raw:
    items = []
    for f in sorted(facts, key=lambda f: f.due):
        sub = w.by_cutoff(f.submitted_on)
        if not w.counts(f.due, sub):
            continue
        if sub is None:
            items.append(ItemRef(f.ref, "未报送", f"应于{_cn(f.due)}前报送", D1, D0, D1))
        else:
            on_time = sub <= f.due
            label = "按时报送" if on_time else "逾期报送"
            detail = f"应于{_cn(f.due)}前报送，{_cn(sub)}报送"
            items.append(ItemRef(f.ref, label, detail, D1, D1 if on_time else D0, D1))
    return _Raw(tuple(items), "按时报送{num}次 ÷ 应报送{den}次")


def _pace(spec: IndicatorSpec, cutoff: date) -> Decimal:
    if spec.params.get("pace", "month") == "date":
        return elapsed_share_date(cutoff)
    return elapsed_share_month(cutoff.year, cutoff.month)


def _raw_line(
    scheme: Scheme, spec: IndicatorSpec, facts: Facts, target: Target, w: _Window
) -> _Raw:
    matters = [
        f for f in facts.matters if _mine(target, f.unit_id, f.leader_id) and w.known(f.assigned_on)
    ]
    match spec.formula:
        case "milestone_on_time_rate":
            mine = [f for f in facts.milestones if _mine(target, f.unit_id, f.leader_id)]
            return _milestones(mine, w)
        case "investment_vs_plan" | "investment_vs_pace":
            inv = [f for f in facts.investments if _mine(target, f.unit_id, f.leader_id)]
            pace = _pace(spec, w.cutoff) if spec.formula == "investment_vs_pace" else None
            return _investment(inv, w, pace)
        case "matter_on_time_rate":
            return _matters_on_time(scheme, matters, w)
        case "resolution_rate":
            return _matters_resolved(scheme, matters, w)
        case "satisfaction_rate":
            return _matters_satisfaction(scheme, matters, w)
        case "report_timeliness":
            mine_r = [f for f in facts.reports if _mine(target, f.unit_id, f.leader_id)]
            return _reports(mine_r, w)
        case "reminder_penalty":
            return _reminders(scheme, matters, to_decimal(spec.params.get("per", D1)))
    raise SchemeError(f"不支持的计分公式：{spec.formula}")  # pragma: no cover


def _adjustment_line(scheme: Scheme, facts: Facts, target: Target, w: _Window) -> Line:
    items = []
    for a in facts.adjustments:
        if a.target_kind != target.kind or a.target_id != target.id or not w.known(a.on):
            continue
        if w.since is not None and a.on is not None and a.on < w.since:
            continue
        pts = to_decimal(a.points)
        kind = "加分" if pts >= 0 else "扣分"
        when = f"（{_cn(a.on)}）" if a.on else ""
        items.append(ItemRef(a.ref, kind, f"{a.reason}{when}", D1, pts, D0))
    raw = tuple(items)
    bonus = sum((i.numerator for i in raw if i.numerator > 0), D0)
    malus = sum((i.numerator for i in raw if i.numerator < 0), D0)
    notes = [f"加分{bonus}，扣分{-malus}"]
    if scheme.bonus_cap is not None and bonus > scheme.bonus_cap:
        bonus = to_decimal(scheme.bonus_cap)
        notes.append(f"加分封顶{bonus}")
    if scheme.penalty_cap is not None and -malus > scheme.penalty_cap:
        malus = -to_decimal(scheme.penalty_cap)
        notes.append(f"扣分封顶{-malus}")
    total = sum((i.numerator for i in raw), D0)
    return Line(
        code="adjustments",
        name="加减分",
        weight=D0,
        numerator=total,
        denominator=D0,
        rate=None,
        points=_q2(Fraction(bonus + malus)),
        items=raw,
        note="；".join(notes),
    )


def _line(spec: IndicatorSpec, raw: _Raw, factor: Fraction, excluded: bool) -> Line:
    eff = Fraction(spec.weight) * factor
    weight = _q2(eff)
    base = spec.weight if factor != 1 or excluded else None
    if raw.penalty is not None:
        points = max(raw.penalty, -spec.weight)  # the weight is the most it can deduct
        note = raw.text + (f"，扣分以{spec.weight}分为限" if points != raw.penalty else "")
        weight, base = _q2(Fraction(spec.weight)), None
    elif excluded:
        weight, points, note = D0, D0, "无考核事项，不计分，分值按比例分配给其他指标"
    elif raw.rate is None:
        points, note = weight, "无考核事项，按满分计"
    else:
        used = min(raw.rate, spec.cap)
        points = _q2(eff * Fraction(used) / 100)
        capped = f"（封顶{spec.cap}%）" if raw.rate > spec.cap else ""
        note = f"{raw.text} = {raw.rate}%{capped}；{weight} × {used}% = {points}分"
    return Line(
        spec.code,
        spec.name,
        weight,
        raw.numerator,
        raw.denominator,
        raw.rate,
        _q2(Fraction(points)),
        raw.items,
        note,
        excluded,
        base,
    )


def _card(scheme: Scheme, facts: Facts, target: Target, w: _Window) -> ScoreCard:
    raws = [(spec, _raw_line(scheme, spec, facts, target, w)) for spec in scheme.indicators]
    rate_specs = [(s, r) for s, r in raws if s.formula not in _PENALTY_FORMULAS]
    excluded = {s.code for s, r in rate_specs if scheme.empty == "exclude" and r.rate is None}
    total_w = sum((s.weight for s, _ in rate_specs), D0)
    present_w = sum((s.weight for s, _ in rate_specs if s.code not in excluded), D0)
    # Renormalise so the remaining rate indicators still share the full weight.
    factor = Fraction(total_w) / Fraction(present_w) if excluded and present_w else Fraction(1)

    lines = [_line(spec, raw, factor, spec.code in excluded) for spec, raw in raws]
    lines.append(_adjustment_line(scheme, facts, target, w))
    total = sum((ln.points for ln in lines), D0)
    return ScoreCard(target=target, cutoff=w.cutoff, total=total, lines=tuple(lines))


def score(
    scheme: Scheme,
    facts: Facts,
    cutoff: date,
    targets: Iterable[Target],
    *,
    since: date | None = None,
) -> list[ScoreCard]:
    """Score every target as of ``cutoff``; ``since`` is the period start (see module doc)."""
    if since is not None and since > cutoff:
        raise SchemeError(f"考核期起始日{_cn(since)}晚于截止日{_cn(cutoff)}")
    w = _Window(cutoff, since)
    return [_card(scheme, facts, t, w) for t in targets]


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Ranked:
    position: int  # 1-based; ties share a position and the next one is skipped (1, 1, 3)
    card: ScoreCard
    movement: int | None  # places gained since the previous ranking (+ up, − down); None if new


def _key(t: Target) -> tuple[str, Hashable]:
    return (t.kind, t.id)


def rank(
    cards: Iterable[ScoreCard], group: str, previous: Iterable[Ranked] | None = None
) -> list[Ranked]:
    """Rank the cards of one group by total (desc), ties broken for display by name."""
    members = sorted(
        (c for c in cards if c.target.group == group),
        key=lambda c: (-c.total, c.target.name, str(c.target.id)),
    )
    before = {_key(r.card.target): r.position for r in previous or ()}
    out: list[Ranked] = []
    position = 0
    last: Decimal | None = None
    for i, card in enumerate(members, start=1):
        if card.total != last:
            position, last = i, card.total
        prev = before.get(_key(card.target))
        out.append(Ranked(position, card, None if prev is None else prev - position))
    return out


def boards(ranked: Sequence[Ranked], n: int) -> tuple[list[Ranked], list[Ranked]]:
    """(飞虎榜, 蜗牛榜): the top ``n`` and the bottom ``n`` of one group's ranking.

    Ties at the cut are all included (a board can be longer than ``n``); nobody
    is on both boards, the 飞虎榜 wins; both lists keep ranking order.
    """
    if n < 0:
        raise ValueError(f"榜单人数不能为负：{n}")
    top = [r for r in ranked if r.position <= n]
    on_top = {_key(r.card.target) for r in top}
    bottom = []
    for r in ranked:
        from_bottom = 1 + sum(1 for o in ranked if o.card.total < r.card.total)
        if from_bottom <= n and _key(r.card.target) not in on_top:
            bottom.append(r)
    return top, bottom


# --------------------------------------------------------------------------- periods

_QUARTERS = "一二三四"


@dataclass(frozen=True)
class Period:
    kind: Literal["year", "quarter", "month"]
    code: str  # "2022Q3", "2022", "2022-08"
    start: date
    end: date
    label: str  # "2022年第三季度", "2022年", "2022年8月"

    def previous(self) -> Period:
        """The period of the same kind just before this one (for ranking movement)."""
        if self.kind == "year":
            return parse_period(str(self.start.year - 1))
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            y, q = (self.start.year, q - 1) if q > 1 else (self.start.year - 1, 4)
            return parse_period(f"{y}Q{q}")
        prev = self.start - timedelta(days=1)
        return parse_period(f"{prev.year}-{prev.month:02d}")


def parse_period(text: str) -> Period:
    """ "2022Q3" → 2022年第三季度, "2022" → 2022年, "2022-08" → 2022年8月.

    "2022-Q3" is read as 2022Q3 too (the notation task reports once used); codes are
    always printed as 2022Q3.
    """
    s = (text or "").strip()
    if m := re.fullmatch(r"(\d{4})-?[Qq](\d)", s):
        year, q = int(m[1]), int(m[2])
        if not 1 <= q <= 4:
            raise PeriodError(f"季度应为1至4：{text}")
        _check_year(year, text)
        start = date(year, 3 * q - 2, 1)
        return Period(
            "quarter",
            f"{year}Q{q}",
            start,
            month_end(year, 3 * q),
            f"{year}年第{_QUARTERS[q - 1]}季度",
        )
    if m := re.fullmatch(r"(\d{4})", s):
        year = int(m[1])
        _check_year(year, text)
        return Period("year", str(year), date(year, 1, 1), date(year, 12, 31), f"{year}年")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"月份应在1至12之间：{text}")
        _check_year(year, text)
        return Period(
            "month",
            f"{year}-{month:02d}",
            date(year, month, 1),
            month_end(year, month),
            f"{year}年{month}月",
        )
    raise PeriodError(
        f"无法识别的考核期间：{text!r}，应写作 2022Q3（季度）、2022（年度）或 2022-08（月份）"
    )


def _check_year(year: int, text: str) -> None:
    # A four-digit string can still be nonsense (0000); the ledgers start long after 1949.
    if not 1949 <= year <= 9998:
        raise PeriodError(f"年份超出范围：{text}")
