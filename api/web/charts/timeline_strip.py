"""One measured stretch (a wait, a resolution) as a strip: its parts side by side, in time order.

Widths follow wall-clock time, with a floor so that a minute counted between two nights stays
visible; each part's tooltip says what it was, when, and what it counted. Colours are CSS classes
(static/explain.css) keyed by the part's kind, which the page's legend names.
"""

from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup

from api.web.charts.svg import Svg

WIDTH, HEIGHT, BAR = 640, 26, 22
FLOOR = 3.0
"""Least width of a part, in user units."""


def timeline_strip(
    parts: Sequence[dict[str, Any]],
    label: str,
    describe: Callable[[dict[str, Any]], str],
) -> Markup:
    """`parts` as the explain API gives them; `describe` names one for its tooltip. The time axis
    runs from the stretch's start to its end, which the page writes beside it in the reader's
    zone (text inside a scaled SVG would shrink to nothing on a phone)."""
    chart = Svg(WIDTH, HEIGHT, label, css_class="chart strip")
    if not parts:
        return chart.render()
    wall = sum(p["wall_seconds"] for p in parts) or 1.0
    room = WIDTH - FLOOR * len(parts)
    x = 0.0
    for part in parts:
        w = FLOOR + max(room, 0.0) * part["wall_seconds"] / wall
        chart.rect(x, 0.0, w, float(BAR), f"part {part['kind']}", title=describe(part))
        x += w
    chart.line(0.0, BAR + 2.0, float(WIDTH), BAR + 2.0, "axis")
    return chart.render()
