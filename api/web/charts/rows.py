"""Horizontal bars, one row per name (a metric, an operator, a tag), each a stack of segments.

Used where the names are long or many: SLA achieved / breached / pending per metric, CSI per
operator (likes and dislikes as shares of 100 %), tickets per type, tag and channel. The axis is
along the bottom (counts, or 0-100 % when `percent`), the names left of the rows, each row's
figure right of it, and a legend on top. Every segment links to the tickets behind it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from api.web.charts.axis import Key, count_ticks, legend, nothing, shortened, text_width, tick_label
from api.web.charts.svg import Svg

TOP, BOTTOM, RIGHT = 30.0, 34.0, 64.0
ROW = 24.0
BAR = 15.0
PERCENT_TICKS = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]


@dataclass(frozen=True, slots=True)
class Segment:
    value: float
    css: str
    title: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    segments: Sequence[Segment]
    note: str = ""
    """The row's figure, written after the bar."""


def stacked_rows(
    label: str,
    rows: Sequence[Row],
    keys: Sequence[Key],
    unit: str,
    empty: str,
    percent: bool = False,
    width: int = 560,
) -> Markup:
    """The chart as inline SVG; with `percent` the segments are shares and the axis is 0-100."""
    names = [shortened(r.label) for r in rows]
    left = min(170.0, max(48.0, max((text_width(n) for n in names), default=0.0) + 12.0))
    height = int(TOP + ROW * max(len(rows), 1) + BOTTOM)
    svg = Svg(width, height, label, "chart hbars")
    plot_w = width - left - RIGHT
    base = height - BOTTOM
    highest = max((sum(s.value for s in r.segments) for r in rows), default=0.0)
    ticks = PERCENT_TICKS if percent else count_ticks(highest)
    scale = plot_w / ticks[-1]
    for tick in ticks:
        x = left + tick * scale
        svg.line(x, TOP, x, base, "grid")
        svg.text(x, base + 16.0, tick_label(tick), "tick", "middle")
    svg.text(left + plot_w, base + 30.0, unit, "unit", "end")
    for i, (row, name) in enumerate(zip(rows, names, strict=True)):
        y = TOP + i * ROW + (ROW - BAR) / 2
        svg.text(left - 6.0, y + BAR - 3.0, name, "name", "end")
        x = left
        for segment in row.segments:
            w = segment.value * scale
            svg.rect(x, y, w, BAR, f"seg {segment.css}", segment.title, segment.href)
            x += w
        if row.note:
            svg.text(x + 5.0, y + BAR - 3.0, row.note, "note")
    svg.line(left, TOP, left, base, "axis")
    if highest <= 0:
        nothing(svg, left + plot_w / 2, TOP + (base - TOP) / 2 + 4.0, empty)
    legend(svg, keys, left, 16.0)
    return svg.render()
