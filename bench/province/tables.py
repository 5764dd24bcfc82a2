"""Tables of the real models (columns given by the generator, defaults for the rest),
counts at a scale, and the district a generator fills."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from province.words import FULL


@dataclass
class Table:
    """One table of a model: the columns given by the generator and the defaults of the rest."""

    model: Any
    given: list[str]
    name: str = ""
    columns: list[str] = field(default_factory=list)
    fill: tuple = ()

    def __post_init__(self) -> None:
        from django.utils import timezone

        opts = self.model._meta
        self.name = opts.db_table
        now = timezone.now()
        extra: list[tuple[str, Any]] = []
        fields = {f.attname: f for f in opts.concrete_fields}
        unknown = [c for c in self.given if c not in fields]
        if unknown:
            raise ValueError(f"{self.name}: no column {unknown}")
        for f in opts.concrete_fields:
            if f.attname in self.given or (f.primary_key and f.attname not in self.given):
                continue
            if f.has_default():
                value = f.default() if callable(f.default) else f.default
                if f.default is timezone.now:
                    value = now
                extra.append((f.column, value))
            elif f.null:
                extra.append((f.column, None))
            elif f.blank and f.get_internal_type() in {"CharField", "TextField"}:
                extra.append((f.column, ""))
            else:
                raise ValueError(f"{self.name}.{f.column}: NOT NULL without a value")
        self.columns = [fields[c].column for c in self.given] + [c for c, _ in extra]
        self.fill = tuple(v for _, v in extra)


def through(model: Any, attr: str) -> Any:
    return getattr(model, attr).through


# ---------------------------------------------------------------------------- the plan


def counts(scale: float) -> dict[str, int]:
    out = {k: max(1, round(v * scale)) for k, v in FULL.items()}
    out["districts"] = max(2, out["districts"])
    out["cities"] = min(out["cities"], out["districts"])
    return out


def lognormal_weights(r: random.Random, n: int, sigma: float) -> list[float]:
    w = [r.lognormvariate(0, sigma) for _ in range(n)]
    total = sum(w)
    return [x / total for x in w]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split by weights into integers that add up to it exactly."""
    raw = [total * w for w in weights]
    out = [int(x) for x in raw]
    rest = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in rest[: total - sum(out)]:
        out[i] += 1
    return out


@dataclass
class District:
    id: int
    code: str
    path: str
    weight: float
    towns: list[int] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)  # unit ids, busiest first
    units: list[int] = field(default_factory=list)
    unit_weights: list[float] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)
    cadres: list[int] = field(default_factory=list)
    supervisor_user: int = 0
    unit_users: dict[int, int] = field(default_factory=dict)
    enterprises: list[int] = field(default_factory=list)
    enterprise_division: dict[int, int] = field(default_factory=dict)
    visits: list[tuple[int, dt.date]] = field(default_factory=list)


Sink = Callable[[Table, Iterable[tuple]], None]
