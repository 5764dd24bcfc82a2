"""Charts drawn on the server as SVG markup (pure: no Django, no I/O).

Why SVG from the server: the Content-Security-Policy forbids inline script and style and
the app serves no chart library, so a chart is plain markup. Only presentation attributes
(fill, stroke, stroke-width…) are used, never ``style=``; the SVG scales through its
viewBox with width 100%, so it fits a 390 px phone. Each chart carries ``<title>`` and
``<desc>`` for screen readers plus an accessible table of its figures (``role="img"`` on
the SVG, the table in a ``<details>`` below it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from taizhang.lib.numbers import Number, fmt_value, to_decimal

__all__ = ["Chart", "Series", "bar_chart", "line_chart", "EMPTY_TEXT", "PALETTE"]

EMPTY_TEXT = "暂无数据"
# Colour-blind-safe (Okabe–Ito) so series stay apart in print and for most readers.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_W = 640
_H = 300
_LEFT = 64
_RIGHT = 16
_TOP = 36
_BOTTOM = 44


@dataclass
class Series:
    """One line: a name for the legend and one value per label (None = no point)."""

    name: str
    values: Sequence[Number | None]
    color: str = ""
    dashed: bool = False
    points: bool = True


@dataclass
class _Frame:
    lo: Decimal
    hi: Decimal
    ticks: list[Decimal] = field(default_factory=list)


def _nice_step(span: Decimal) -> Decimal:
    """A 1/2/5×10ⁿ step giving about five ticks."""
    raw = span / 5
    if raw <= 0:
        return Decimal(1)
    exp = raw.adjusted()
    base = Decimal(10) ** exp
    for m in (1, 2, 5, 10):
        step = base * m
        if step >= raw:
            return step
    return base * 10  # pragma: no cover - the loop always returns


def _frame(values: list[Decimal]) -> _Frame:
    lo = min([Decimal(0), *values])
    hi = max([Decimal(0), *values])
    if hi == lo:
        hi = lo + 1
    step = _nice_step(hi - lo)
    start = (lo / step).to_integral_value(rounding="ROUND_FLOOR") * step
    end = (hi / step).to_integral_value(rounding="ROUND_CEILING") * step
    ticks = []
    t = start
    while t <= end:
        ticks.append(t)
        t += step
    return _Frame(lo=start, hi=end, ticks=ticks)


def _y(v: Decimal, fr: _Frame) -> float:
    plot_h = _H - _TOP - _BOTTOM
    return round(_TOP + plot_h - float((v - fr.lo) / (fr.hi - fr.lo)) * plot_h, 1)


def _open(title: str, desc: str, cls: str) -> str:
    return (
        f'<svg class="tz-chart {cls}" viewBox="0 0 {_W} {_H}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


def _empty(title: str, cls: str) -> str:
    return (
        f'<figure class="tz-chart-box">{_open(title, EMPTY_TEXT, cls)}'
        f'<text x="{_W // 2}" y="{_H // 2}" text-anchor="middle" font-size="16" '
        f'fill="#666">{EMPTY_TEXT}</text></svg>'
        f"<figcaption>{escape(title)}</figcaption></figure>"
    )


def _axes(fr: _Frame, fmt: Callable[[Number], str], unit: str) -> list[str]:
    out = []
    for t in fr.ticks:
        y = _y(t, fr)
        out.append(
            f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y}" y2="{y}" stroke="#ddd" '
            f'stroke-width="1"/><text class="tz-tick" x="{_LEFT - 6}" y="{y + 4}" '
            f'text-anchor="end" font-size="12" fill="#555">{escape(fmt(t))}</text>'
        )
    if unit:
        out.append(
            f'<text x="{_LEFT - 6}" y="{_TOP - 14}" text-anchor="end" font-size="12" '
            f'fill="#555">{escape(unit)}</text>'
        )
    return out


def _xlabels(labels: Sequence[str], xs: list[float]) -> list[str]:
    # Thin the labels out when they would overlap (12 months fit; 40 units do not).
    every = max(1, -(-len(labels) // 12))
    return [
        f'<text class="tz-xlabel" x="{x}" y="{_H - _BOTTOM + 18}" text-anchor="middle" '
        f'font-size="12" fill="#333">{escape(lab)}</text>'
        for i, (lab, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0
    ]


def _legend(items: list[tuple[str, str, bool]]) -> list[str]:
    out, x = [], _LEFT
    for name, color, dashed in items:
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(
            f'<line x1="{x}" x2="{x + 20}" y1="14" y2="14" stroke="{color}" stroke-width="3"{dash}/>'
            f'<text x="{x + 24}" y="18" font-size="12" fill="#333">{escape(name)}</text>'
        )
        x += 34 + 13 * len(name)
    return out


def _table(title: str, labels: Sequence[str], cols: list[tuple[str, list[str]]]) -> str:
    head = "".join(f'<th scope="col">{escape(n)}</th>' for n, _ in cols)
    rows = "".join(
        f'<tr><th scope="row">{escape(lab)}</th>'
        + "".join(f"<td>{escape(vals[i])}</td>" for _, vals in cols)
        + "</tr>"
        for i, lab in enumerate(labels)
    )
    return (
        f'<details class="tz-chart-table"><summary>数据表</summary><table class="grid">'
        f"<caption>{escape(title)}</caption><thead><tr><th></th>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></details>"
    )


def _cell(v: Number | None, fmt: Callable[[Number], str]) -> str:
    return "—" if v is None else fmt(v)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    fmt: Callable[[Number], str] = fmt_value,
    tick_fmt: Callable[[Number], str] | None = None,
) -> str:
    """A line chart with several series over the same labels (e.g. months)."""
    values = [to_decimal(v) for s in series for v in s.values if v is not None]
    if not labels or not values:
        return _empty(title, "tz-line")
    fr = _frame(values)
    plot_w = _W - _LEFT - _RIGHT
    n = len(labels)
    xs = [round(_LEFT + plot_w * (i + 0.5) / n, 1) for i in range(n)]
    parts = [_open(title, _describe(labels, series, unit, fmt), "tz-line")]
    parts += _axes(fr, tick_fmt or fmt, unit)
    parts += _xlabels(labels, xs)
    legend = []
    for k, s in enumerate(series):
        color = s.color or PALETTE[k % len(PALETTE)]
        legend.append((s.name, color, s.dashed))
        pts = [(xs[i], _y(to_decimal(v), fr)) for i, v in enumerate(s.values[:n]) if v is not None]
        if not pts:
            continue
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        path = " ".join(f"{x},{y}" for x, y in pts)
        parts.append(
            f'<polyline class="tz-series" points="{path}" fill="none" stroke="{color}" '
            f'stroke-width="2"{dash}/>'
        )
        if s.points:
            parts += [
                f'<circle class="tz-point" cx="{x}" cy="{y}" r="3" fill="{color}"/>' for x, y in pts
            ]
    parts += _legend(legend)
    parts.append("</svg>")
    table = _table(title, labels, [(s.name, [_cell(v, fmt) for v in s.values[:n]]) for s in series])
    return f'<figure class="tz-chart-box">{"".join(parts)}<figcaption>{escape(title)}</figcaption>{table}</figure>'


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    fmt: Callable[[Number], str] = fmt_value,
    tick_fmt: Callable[[Number], str] | None = None,
) -> str:
    """Grouped vertical bars: one group per label, one bar per series in each group."""
    values = [to_decimal(v) for s in series for v in s.values if v is not None]
    if not labels or not values or all(v == 0 for v in values):
        return _empty(title, "tz-bar")
    fr = _frame(values)
    plot_w = _W - _LEFT - _RIGHT
    n, k = len(labels), max(1, len(series))
    slot = plot_w / n
    bar_w = slot * 0.8 / k
    xs = [round(_LEFT + slot * (i + 0.5), 1) for i in range(n)]
    parts = [_open(title, _describe(labels, series, unit, fmt), "tz-bar")]
    parts += _axes(fr, tick_fmt or fmt, unit)
    parts += _xlabels(labels, xs)
    zero = _y(Decimal(0), fr)
    legend = []
    for j, s in enumerate(series):
        color = s.color or PALETTE[j % len(PALETTE)]
        legend.append((s.name, color, False))
        for i, v in enumerate(s.values[:n]):
            if v is None:
                continue
            y = _y(to_decimal(v), fr)
            x = round(_LEFT + slot * i + slot * 0.1 + bar_w * j, 1)
            top, h = min(y, zero), round(abs(zero - y), 1)
            parts.append(
                f'<rect class="tz-barrect" x="{x}" y="{top}" width="{round(bar_w, 1)}" '
                f'height="{h}" fill="{color}"><title>{escape(labels[i])} {escape(s.name)}：'
                f"{escape(fmt(v))}{escape(unit)}</title></rect>"
            )
    if len(series) > 1:
        parts += _legend(legend)
    parts.append("</svg>")
    table = _table(title, labels, [(s.name, [_cell(v, fmt) for v in s.values[:n]]) for s in series])
    return f'<figure class="tz-chart-box">{"".join(parts)}<figcaption>{escape(title)}</figcaption>{table}</figure>'


def _describe(
    labels: Sequence[str], series: Sequence[Series], unit: str, fmt: Callable[[Number], str]
) -> str:
    """One clause per series for <desc>: its last label and value."""
    out = []
    for s in series:
        vals = [(lab, v) for lab, v in zip(labels, s.values, strict=False) if v is not None]
        if not vals:
            continue
        last_lab, last = vals[-1]
        out.append(f"{s.name}：{last_lab} {fmt(last)}{unit}")
    return "；".join(out) + "。" if out else EMPTY_TEXT


@dataclass
class Chart:
    """What a view hands its template; ``{% chart c %}`` draws it (see web/templatetags)."""

    kind: str  # "line" or "bar"
    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    unit: str = ""
    fmt: Callable[[Number], str] = fmt_value
    # Ticks are round numbers: 万元's two decimals would only crowd the axis.
    tick_fmt: Callable[[Number], str] | None = None

    def render(self) -> str:
        draw = line_chart if self.kind == "line" else bar_chart
        return draw(
            self.title,
            self.labels,
            self.series,
            unit=self.unit,
            fmt=self.fmt,
            tick_fmt=self.tick_fmt,
        )
