"""Bars in groups: one group per weekday, one bar per shift, the figure printed on each bar.

Drawn for the staffing page's shift view, the picture a manager shows upward: how many agents
each shift needs on each day. The legend (one line per shift) and a note under the chart are the
caller's words, so the picture carries its own explanation when it is saved or projected.
Shift colours are CSS classes (`shift-0` … `shift-5`, then again).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from api.web.charts.svg import Svg, nice_ticks, num

WIDTH = 868
LEFT, RIGHT = 44, 12
PLOT_HEIGHT = 220
LEGEND_LINE = 18
COLOURS = 6
MAX_BAR = 40.0
GROUP_FILL = 0.76


@dataclass(frozen=True, slots=True)
class Bar:
    value: int
    title: str


@dataclass(frozen=True, slots=True)
class Series:
    legend: str
    bars: Sequence[Bar]
    """One per group, in the groups' order."""


@dataclass(frozen=True, slots=True)
class BarsText:
    label: str
    groups: Sequence[str]
    value_axis: str
    note: str


def grouped_bars(series: Sequence[Series], text: BarsText) -> Markup:
    plot_top = 12 + LEGEND_LINE * len(series) + 40
    base = plot_top + PLOT_HEIGHT
    svg = Svg(WIDTH, base + 56, text.label, "chart shift-bars")
    for n, each in enumerate(series):
        y = 12 + n * LEGEND_LINE
        svg.rect(float(LEFT), float(y), 12.0, 12.0, f"swatch shift-{n % COLOURS}")
        svg.text(LEFT + 18, y + 10, each.legend, "label")
    svg.text(4, plot_top - 22, text.value_axis, "axis-title")
    top = max((bar.value for each in series for bar in each.bars), default=0)
    ticks = nice_ticks(max(top, 1), 5)
    if ticks[1] < 1:
        ticks = [float(n) for n in range(round(ticks[-1]) + 1)]

    def y_of(value: float) -> float:
        return base - value / ticks[-1] * PLOT_HEIGHT

    for tick in ticks:
        svg.line(float(LEFT), y_of(tick), float(WIDTH - RIGHT), y_of(tick), "grid")
        svg.text(LEFT - 6, y_of(tick) + 4, num(tick), "label", "end")
    draw_groups(svg, series, text.groups, y_of, base)
    svg.line(float(LEFT), base, float(WIDTH - RIGHT), base, "axis")
    svg.text(4, base + 46, text.note, "note")
    return svg.render()


def draw_groups(
    svg: Svg, series: Sequence[Series], groups: Sequence[str], y_of: Callable[[float], float], base: float
) -> None:
    group = (WIDTH - LEFT - RIGHT) / len(groups)
    width = min(MAX_BAR, group * GROUP_FILL / max(len(series), 1))
    for g, name in enumerate(groups):
        left = LEFT + g * group + (group - width * len(series)) / 2
        for n, each in enumerate(series):
            bar = each.bars[g]
            x, y = left + n * width, y_of(bar.value)
            svg.rect(x + 1, y, width - 2, base - y, f"bar shift-{n % COLOURS}", bar.title)
            svg.text(x + width / 2, y - 4, str(bar.value), "bar-value", "middle")
        svg.text(LEFT + (g + 0.5) * group, base + 18, name, "label", "middle")
