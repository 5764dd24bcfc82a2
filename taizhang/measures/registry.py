"""The registry of named ledger measures (台账指标).

A measure is one question the ledger answers as of a date — "how many projects were newly
signed", "what share of problems was resolved" — with a stable code, a Chinese name, the
words a report uses for it (synonyms, for matching a work-report target or a figure in a
document), its unit and its parameters. Its value is computed by one function, with SQL
aggregates through the existing figure functions of the app that owns the data.

Another app adds its measures in its own ``AppConfig.ready`` with one call per measure::

    from taizhang.measures.registry import register_measure
    register_measure(
        "petitions.resolved", "信访事项办结数", unit="件", accepts=("件", "个", "起"),
        synonyms=("信访办结", "信访事项办结"), formula="期内办结的信访事项数",
        value=lambda ctx: Decimal(count_resolved(ctx.division, ctx.start, ctx.as_of)),
    )

(``taizhang.measures`` sits after those apps in INSTALLED_APPS only for its own models;
the registry module imports nothing of the domain, so any app may import it.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Units a report writes, by family, with the factor to the family's base.
MONEY = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
PERCENT = ("%",)
COUNTS = ("个", "家", "次", "名", "人", "件", "条", "项", "户", "起", "场")


@dataclass(frozen=True)
class Param:
    """One parameter of a measure: a name, a Chinese label and the allowed values (label → value)."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...]

    def check(self, value: Any) -> str:
        allowed = {v for v, _ in self.choices}
        if str(value) not in allowed:
            labels = "、".join(f"{v}（{lbl}）" for v, lbl in self.choices)
            raise ValueError(f"参数「{self.label}」的值「{value}」无效，可选：{labels}")
        return str(value)


@dataclass(frozen=True)
class Context:
    """What a measure's value function receives: the division, the window and the parameters.

    ``start`` opens the window for flows (raised, signed, visited in the period); ``as_of``
    closes it and is the day stocks (coverage, listed projects) are read on.
    """

    division: Any
    as_of: dt.date
    start: dt.date
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    unit: str
    value: Callable[[Context], Decimal | None]
    formula: str = ""
    synonyms: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    # Stock measures are read on a day; flow measures count what happened in the window.
    stock: bool = False
    # Words of which at least one must appear in the name (e.g. 项目 for a project count).
    requires: tuple[str, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        return self.accepts or (self.unit,)

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY

    @property
    def is_count(self) -> bool:
        return not self.is_rate and not self.is_money

    def clean_params(self, params: dict[str, Any] | None) -> dict[str, str]:
        """Known parameters checked against their choices; unknown ones refused (Chinese message)."""
        params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ValueError(f"指标「{self.name}」没有参数：{'、'.join(unknown)}")
        return {k: known[k].check(v) for k, v in params.items()}

    def describe(self, params: dict[str, str] | None = None) -> str:
        """The name with its parameters as a report would say it: 新签约项目（亿元以上、省市重点）."""
        if not params:
            return self.name
        labels = []
        for p in self.params:
            if p.name in params:
                labels += [lbl for v, lbl in p.choices if v == params[p.name]]
        return f"{self.name}（{'、'.join(labels)}）" if labels else self.name

    def compute(
        self, division: Any, as_of: dt.date, start: dt.date, params: dict[str, str] | None = None
    ) -> Decimal | None:
        return self.value(Context(division, as_of, start, self.clean_params(params)))


_REGISTRY: dict[str, Measure] = {}


def register_measure(
    code: str,
    name: str,
    *,
    unit: str,
    value: Callable[[Context], Decimal | None],
    formula: str = "",
    synonyms: tuple[str, ...] = (),
    accepts: tuple[str, ...] = (),
    params: tuple[Param, ...] = (),
    stock: bool = False,
    requires: tuple[str, ...] = (),
) -> Measure:
    """Add a measure. Registering the same code twice (an app's ``ready`` run again in tests)
    replaces it, so the registry never holds two definitions of one code."""
    m = Measure(
        code=code,
        name=name,
        unit=unit,
        value=value,
        formula=formula,
        synonyms=synonyms,
        accepts=accepts,
        params=params,
        stock=stock,
        requires=requires,
    )
    _REGISTRY[code] = m
    return m


def get_measure(code: str) -> Measure:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise ValueError(f"指标「{code}」不存在") from None


def all_measures() -> list[Measure]:
    return sorted(_REGISTRY.values(), key=lambda m: m.code)


def unit_factor(written: str, measure_unit: str) -> Decimal | None:
    """The factor turning a value written in ``written`` into ``measure_unit``; None if unrelated.

    3.2亿元 against a 万元 measure: 3.2 × 10000. A count unit matches any count unit the measure
    accepts (个/家 for enterprises), because reports use them loosely.
    """
    if written == measure_unit:
        return Decimal(1)
    if written in MONEY and measure_unit in MONEY:
        return MONEY[written] / MONEY[measure_unit]
    return None
