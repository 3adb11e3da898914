"""A week of hours as a 7 × 24 grid, each cell shaded by its value in round steps.

The shades are CSS classes (`heat-0` for nothing, `heat-1` … `heat-8`, `heat-none` for an hour
the period does not contain), and the steps are round numbers from `nice_ticks`, so the legend
reads "2–4", not "1.87–3.74"; whole figures (agents) step by whole numbers. Every cell has its
figures in words as its title and, where the page gives one, a link to the tickets behind it; the
figure is also printed on the cell, so nobody has to hover to read it. The caller writes every
word (both languages); this module only lays them out.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from api.web.charts.svg import Svg, nice_ticks

SHADES = 8
DARK_FROM = 5
"""From this shade on, the figure on a cell is printed light."""
HOURS = 24
DAYS = 7
CELL_W, CELL_H = 34, 24
LEFT, TOP = 44, 26
LEGEND_ITEM = 78


@dataclass(frozen=True, slots=True)
class Cell:
    weekday: int
    """ISO weekday, 1 (Monday) to 7."""
    hour: int
    value: float | None
    """None: the period has no such hour."""
    shown: str
    """The figure printed on the cell ("" for none)."""
    title: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class HeatmapText:
    label: str
    """What the chart shows: its accessible name."""
    weekdays: Sequence[str]
    """Seven short day names, Monday first."""
    hour_axis: str
    legend: str
    """The legend's title, with the unit."""
    outside: str
    """The legend's word for an hour outside the period."""
    number: Callable[[float], str]
    """A step's bound as the reader writes numbers."""


def heatmap(cells: Sequence[Cell], text: HeatmapText, whole: bool = False) -> Markup:
    bounds = steps(max((cell.value or 0.0 for cell in cells), default=0.0), whole)
    bottom = TOP + DAYS * CELL_H
    svg = Svg(LEFT + HOURS * CELL_W + 8, bottom + 74, text.label, "chart heatmap")
    for hour in range(HOURS):
        svg.text(LEFT + (hour + 0.5) * CELL_W, TOP - 8, f"{hour:02d}", "label", "middle")
    for row, day in enumerate(text.weekdays):
        svg.text(LEFT - 8, TOP + (row + 0.5) * CELL_H + 4, day, "label", "end")
    for cell in cells:
        draw_cell(svg, cell, bounds)
    svg.text(LEFT + HOURS * CELL_W / 2, bottom + 18, text.hour_axis, "axis-title", "middle")
    legend(svg, bounds, text, bottom + 36, whole, any(cell.value is None for cell in cells))
    return svg.render()


def draw_cell(svg: Svg, cell: Cell, bounds: Sequence[float]) -> None:
    x, y = LEFT + cell.hour * CELL_W, TOP + (cell.weekday - 1) * CELL_H
    step = level(cell.value, bounds)
    shade = "heat-none" if step is None else f"heat-{step}"
    svg.rect(x + 1.0, y + 1.0, CELL_W - 2.0, CELL_H - 2.0, f"cell {shade}", cell.title, cell.href)
    if cell.shown:
        ink = "cell-value on-dark" if step is not None and step >= DARK_FROM else "cell-value"
        svg.text(x + CELL_W / 2, y + CELL_H / 2 + 4, cell.shown, ink, "middle")


def steps(top: float, whole: bool = False) -> list[float]:
    """The upper bounds of the shades above zero: at most SHADES round steps up to `top`."""
    if whole and top <= SHADES:
        return [float(n) for n in range(1, max(int(top), 1) + 1)]
    return nice_ticks(top, SHADES)[1:]


def level(value: float | None, bounds: Sequence[float]) -> int | None:
    """0 for nothing, else the first step whose bound holds the value (the last holds the rest)."""
    if value is None:
        return None
    if value <= 0:
        return 0
    return next((n for n, bound in enumerate(bounds, 1) if value <= bound), len(bounds))


def legend(
    svg: Svg, bounds: Sequence[float], text: HeatmapText, y: float, whole: bool, outside: bool
) -> None:
    svg.text(LEFT, y, text.legend, "axis-title")
    items = [("heat-0", text.number(0))]
    lower = 0.0
    for n, bound in enumerate(bounds, 1):
        items.append((f"heat-{n}", step_label(lower, bound, text.number, whole, n == 1)))
        lower = bound
    if outside:
        items.append(("heat-none", text.outside))
    for n, (shade, label) in enumerate(items):
        x = LEFT + n * LEGEND_ITEM
        svg.rect(x, y + 10, 14.0, 14.0, f"swatch {shade}")
        svg.text(x + 18, y + 21, label, "label")


def step_label(lower: float, upper: float, number: Callable[[float], str], whole: bool, first: bool) -> str:
    """A shade's values: (lower, upper], written as a reader counts them."""
    if whole:
        low = lower + 1
        return number(upper) if low >= upper else f"{number(low)}–{number(upper)}"
    return f"≤ {number(upper)}" if first else f"{number(lower)}–{number(upper)}"
