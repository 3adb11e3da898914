"""One measured stretch (a wait, a resolution) as a strip: its parts side by side, in time order.

Widths follow wall-clock time, with a floor so that a minute counted between two nights stays
visible; each part's tooltip says what it was, when, and what it counted. Colours are CSS classes
(static/explain.css) keyed by the part's kind, which the page's legend names.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from markupsafe import Markup

from api.web.charts.svg import Svg

WIDTH, HEIGHT, BAR = 640, 40, 22
FLOOR = 3.0
"""Least width of a part, in user units."""


def timeline_strip(
    parts: Sequence[dict[str, Any]],
    label: str,
    describe: Callable[[dict[str, Any]], str],
    when: Callable[[datetime], str],
) -> Markup:
    """`parts` as the explain API gives them; `describe` names one for its tooltip; `when` writes
    an instant in the reader's zone and language (the axis: where the stretch starts and ends)."""
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
    chart.line(0.0, BAR + 1.0, float(WIDTH), BAR + 1.0, "axis")
    chart.text(0.0, HEIGHT - 3.0, when(datetime.fromisoformat(parts[0]["start"])), "tick")
    chart.text(float(WIDTH), HEIGHT - 3.0, when(datetime.fromisoformat(parts[-1]["end"])), "tick", "end")
    return chart.render()
