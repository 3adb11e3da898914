"""What every chart has around its shapes: round ticks with their labels, grid lines, the unit,
a legend, and a line saying so when there is nothing to draw.

Text cannot be measured on the server, so widths are estimated from the number of characters
(about 7.6 user units each at the charts' 12px): generous enough for Cyrillic, never the clock.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from api.web.charts.svg import Svg, nice_ticks, num

CHAR = 7.6
"""Estimated width of one character of a label, in user units."""
MAX_LABEL = 22


@dataclass(frozen=True, slots=True)
class Key:
    """One entry of a legend: what a colour stands for."""

    label: str
    css: str
    """The class the shapes of this series carry (their colour comes from the page's stylesheet)."""


def count_ticks(highest: float) -> list[float]:
    """Ticks for a count axis: whole numbers only (a top under 5 still gets 0…5 in ones)."""
    return nice_ticks(max(highest, 5.0))


def tick_label(value: float) -> str:
    return str(int(value)) if value == int(value) else num(value)


def text_width(text: str) -> float:
    return CHAR * len(text)


def shortened(text: str, limit: int = MAX_LABEL) -> str:
    """A label cut to `limit` characters with an ellipsis; the full text stays in the tooltip."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def legend(svg: Svg, keys: Sequence[Key], x: float, y: float) -> None:
    """Swatches and labels in a row, starting at (x, y) (y is the text's baseline)."""
    at = x
    for key in keys:
        svg.rect(at, y - 9.0, 10.0, 10.0, f"key {key.css}")
        svg.text(at + 14.0, y, key.label, "legend")
        at += 14.0 + text_width(key.label) + 14.0


def every_nth(count: int, room: float, longest: int) -> int:
    """Show every n-th category label so that labels `longest` characters long do not overlap."""
    fits = max(1, math.floor(room / (CHAR * longest + 8.0)))
    return max(1, math.ceil(count / fits))


def nothing(svg: Svg, x: float, y: float, message: str) -> None:
    """The sentence shown in an empty plot area, centred on (x, y)."""
    svg.text(x, y, message, "empty", "middle")
