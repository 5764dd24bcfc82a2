"""Bar charts for bulletins, drawn as PNG with matplotlib (no Django here).

The chart's title, unit and reference-line caption are not drawn in the image:
the bulletin prints them as text in the document, in the document's own fonts,
so the only Chinese the image itself needs is the category labels. Those are
drawn in a CJK font found on the system (Noto Sans/Serif CJK, WenQuanYi, Source
Han, SimHei …). When none is installed the labels become 1, 2, 3 … and
``ChartImage.legend`` carries the names for the document to print under the
chart, so a server without CJK fonts still produces a readable bulletin instead
of boxes or a crash. When matplotlib itself is missing ``render_bar_chart``
returns None and the bulletin shows the figures as a table.
"""

from __future__ import annotations

import functools
import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from taizhang.lib.numbers import to_decimal

__all__ = [
    "ChartBlock",
    "ChartImage",
    "cjk_font_family",
    "fmt_value",
    "render_bar_chart",
    "short_label",
]

# Preference order: Simplified Chinese faces first; Noto CJK ships with
# fonts-noto-cjk on Debian, the rest cover other distributions and Windows.
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "Noto Sans CJK JP",
    "AR PL UMing CN",
)
_WIDTH_MM = 150.0  # a little inside the 156 mm text area
_BAR_COLOUR = "#2F5597"
_REF_COLOUR = "#C00000"


@dataclass(frozen=True)
class ChartBlock:
    """A bar chart: one bar per label, in the order given (first on top)."""

    title: str
    labels: Sequence[str]
    values: Sequence[float | Decimal | int]
    unit: str = ""  # printed in the caption: "（单位：亿元）"
    reference_line: float | Decimal | None = None  # e.g. 时序进度 75.0
    reference_label: str = ""  # caption text for the line: "红色虚线为时序进度75.0%"
    decimals: int = 1

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError(f"图表“{self.title}”的标签与数值个数不一致")
        object.__setattr__(self, "labels", tuple(str(x) for x in self.labels))
        object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class ChartImage:
    png: bytes
    width_mm: float
    height_mm: float
    legend: tuple[str, ...] = ()  # "1.甲镇" … when the labels had to be numbered


_CJK_FILE_HINTS = ("cjk", "wqy", "sourcehan", "simhei", "simsun", "msyh", "droidsansfallback")
_LABEL_MAX = 8  # characters of a unit name under a bar; longer names are shortened


@functools.cache
def cjk_font_family() -> str | None:
    """The first installed CJK font family matplotlib can use, or None.

    matplotlib caches its font list the first time it runs; a CJK font installed after
    that (fonts-noto-cjk added to a running server) is not in the cache, and the chart
    fell back to numbered bars. So when the cache has none, the system's font files are
    searched and any CJK face found is added before giving up.
    """
    try:
        from matplotlib import font_manager
    except ImportError:
        return None
    found = _pick_family({f.name for f in font_manager.fontManager.ttflist})
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(hint in path.lower().replace("-", "") for hint in _CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # an unreadable font file must not fail a bulletin
        found = _pick_family({f.name for f in font_manager.fontManager.ttflist})
    return found


def _pick_family(installed: set[str]) -> str | None:
    for family in _CJK_FAMILIES:
        if family in installed:
            return family
    # Any other face that declares itself CJK will do better than boxes.
    for name in sorted(installed):
        if "CJK" in name or "Hei" in name or "Song" in name:
            return name
    return None


def short_label(name: str, limit: int = _LABEL_MAX) -> str:
    """A unit's name short enough for a bar label: "城乡一体化示范区管委会" → "城乡一体化示范…"."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def fmt_value(v: float | Decimal | int, decimals: int = 1) -> str:
    """A figure as the reports print it: half up (四舍五入), never float's half-even."""
    d = to_decimal(v).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{abs(d) if d.is_zero() else d:,f}"


def render_bar_chart(chart: ChartBlock) -> ChartImage | None:
    """PNG of a horizontal bar chart, or None when there is nothing to draw or no matplotlib."""
    if not chart.labels:
        return None
    try:
        # The object API, not pyplot: no global figure state, safe in a threaded server.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None

    family = cjk_font_family()
    labels = list(chart.labels)
    legend: tuple[str, ...] = ()
    if family is None and any(not s.isascii() for s in labels):
        legend = tuple(f"{i}.{s}" for i, s in enumerate(labels, start=1))
        labels = [str(i) for i in range(1, len(labels) + 1)]
    else:
        labels = [short_label(s) for s in labels]
    values = [float(v) for v in chart.values]
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"图表“{chart.title}”含有非有限数值")
    n = len(values)
    # 5 mm a bar: an 11-unit chart (67 mm) with its caption and note fits under its table
    # instead of leaving half a page empty (bars stay 3 mm thick, labels 9 pt).
    height_mm = min(200.0, max(40.0, 12.0 + 5.0 * n))

    fig = Figure(figsize=(_WIDTH_MM / 25.4, height_mm / 25.4), dpi=200)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ys = list(range(n))
    ax.barh(ys, values, color=_BAR_COLOUR, height=0.6)
    ax.set_yticks(ys, labels)
    ax.invert_yaxis()
    for tick in ax.get_yticklabels():
        if family:
            tick.set_fontfamily(family)
        tick.set_fontsize(9)
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    lo, hi = min(0.0, *values), max(0.0, *values)
    if chart.reference_line is not None:
        ref = float(chart.reference_line)
        lo, hi = min(lo, ref), max(hi, ref)
        ax.axvline(ref, color=_REF_COLOUR, linestyle="--", linewidth=1)
        ax.annotate(
            fmt_value(ref, chart.decimals),
            xy=(ref, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color=_REF_COLOUR,
        )
    span = (hi - lo) or 1.0
    # Room at the ends for the value labels.
    ax.set_xlim(lo - (0.12 * span if lo < 0 else 0), hi + 0.15 * span)
    for y, v, raw in zip(ys, values, chart.values, strict=True):
        ax.annotate(
            fmt_value(raw, chart.decimals),
            xy=(v, y),
            xytext=(3 if v >= 0 else -3, 0),
            textcoords="offset points",
            va="center",
            ha="left" if v >= 0 else "right",
            fontsize=8,
        )
    fig.tight_layout(pad=0.4)

    buf = io.BytesIO()
    with warnings.catch_warnings():
        # A glyph a font lacks must not fail a bulletin; it just prints as a box.
        warnings.simplefilter("ignore", UserWarning)
        fig.savefig(buf, format="png", metadata={"Software": None})
    return ChartImage(buf.getvalue(), _WIDTH_MM, height_mm, legend)
