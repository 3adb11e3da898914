"""Vertical bars: one group per category (a day, a bucket), one bar per series in each group.

Drawn on a count axis with round ticks from zero, the unit above it, category labels below (every
n-th one when there are many), and a legend on top. Every bar carries its figure as a tooltip and
a link to the tickets behind it; a bar for a figure above zero is at least a sliver tall, so it
can be seen and clicked.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from api.web.charts.axis import Key, count_ticks, every_nth, legend, nothing, tick_label
from api.web.charts.svg import Svg

LEFT, RIGHT, TOP, BOTTOM = 44.0, 8.0, 34.0, 30.0
GAP = 0.25
"""The share of a category's slot left empty between groups."""
SLIVER = 1.5


@dataclass(frozen=True, slots=True)
class Bar:
    value: float
    title: str
    """The tooltip: what the bar counts, in words, with its figure."""
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Series:
    key: Key
    bars: Sequence[Bar]
    """One per category, in the categories' order."""


def columns(
    label: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: str,
    empty: str,
    width: int = 1100,
    height: int = 250,
) -> Markup:
    """The chart as inline SVG; `label` is its accessible name, `empty` what it says with no data."""
    svg = Svg(width, height, label, "chart vbars")
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    base = TOP + plot_h
    highest = max((bar.value for s in series for bar in s.bars), default=0.0)
    ticks = count_ticks(highest)
    scale = plot_h / ticks[-1]
    for tick in ticks:
        y = base - tick * scale
        svg.line(LEFT, y, width - RIGHT, y, "grid")
        svg.text(LEFT - 6.0, y + 4.0, tick_label(tick), "tick", "end")
    svg.text(4.0, TOP - 8.0, unit, "unit")
    slot = plot_w / max(len(categories), 1)
    width_of_bar = slot * (1 - GAP) / max(len(series), 1)
    step = every_nth(len(categories), plot_w, max((len(c) for c in categories), default=1))
    for i, category in enumerate(categories):
        x = LEFT + i * slot + slot * GAP / 2
        for j, s in enumerate(series):
            bar = s.bars[i]
            tall = max(bar.value * scale, SLIVER) if bar.value > 0 else 0.0
            svg.rect(
                x + j * width_of_bar, base - tall, width_of_bar, tall, f"bar {s.key.css}", bar.title, bar.href
            )
        if i % step == 0:
            svg.text(LEFT + (i + 0.5) * slot, base + 18.0, category, "tick", "middle")
    svg.line(LEFT, base, width - RIGHT, base, "axis")
    if highest <= 0:
        nothing(svg, LEFT + plot_w / 2, TOP + plot_h / 2, empty)
    legend(svg, [s.key for s in series], LEFT, 14.0)
    return svg.render()
