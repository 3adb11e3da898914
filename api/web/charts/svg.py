"""The drawing primitives every chart is built from: an SVG document as ordered elements.

Charts are drawn on the server so that the same figures give the same bytes: coordinates are
rounded to one decimal and printed without trailing zeros, attributes come in a fixed order,
and nothing depends on the clock or on a random id. Colours come from CSS classes (the page's
stylesheet; the Content-Security-Policy allows no inline style), and every shape that stands
for a figure can carry a link to the tickets behind it and a <title> that screen readers and
hovering mice read.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup


def num(value: float) -> str:
    """A coordinate as SVG wants it: at most one decimal, no trailing zero, never '-0'."""
    rounded = round(value, 1)
    if rounded == 0:
        return "0"
    text = f"{rounded:.1f}"
    return text[:-2] if text.endswith(".0") else text


def attributes(pairs: Iterable[tuple[str, object]]) -> str:
    parts = []
    for name, value in pairs:
        if value is None:
            continue
        shown = num(value) if isinstance(value, float) else str(value)
        parts.append(f' {name}="{escape(shown, quote=True)}"')
    return "".join(parts)


@dataclass
class Svg:
    """One chart: `width` × `height` user units, scaled by CSS to its container."""

    width: int
    height: int
    label: str
    """What the chart shows, in the reader's language: the accessible name."""
    css_class: str = "chart"
    parts: list[str] = field(default_factory=list)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        cls: str,
        title: str | None = None,
        href: str | None = None,
    ) -> None:
        box = (("x", x), ("y", y), ("width", max(w, 0.0)), ("height", max(h, 0.0)), ("class", cls))
        shape = f"<rect{attributes(box)}"
        self.parts.append(linked(shape, title, href))

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str) -> None:
        self.parts.append(
            f"<line{attributes((('x1', x1), ('y1', y1), ('x2', x2), ('y2', y2), ('class', cls)))}/>"
        )

    def text(self, x: float, y: float, content: str, cls: str = "label", anchor: str = "start") -> None:
        pairs = (("x", x), ("y", y), ("class", cls), ("text-anchor", anchor))
        self.parts.append(f"<text{attributes(pairs)}>{escape(content)}</text>")

    def polyline(self, points: list[tuple[float, float]], cls: str) -> None:
        joined = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        self.parts.append(f"<polyline{attributes((('points', joined), ('class', cls)))}/>")

    def render(self) -> Markup:
        head = attributes(
            (
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("viewBox", f"0 0 {self.width} {self.height}"),
                ("class", self.css_class),
                ("role", "img"),
                ("aria-label", self.label),
            )
        )
        return Markup(f"<svg{head}><title>{escape(self.label)}</title>{''.join(self.parts)}</svg>")


def linked(shape: str, title: str | None, href: str | None) -> str:
    """A shape closed with its tooltip, inside a link when it leads to the tickets behind it."""
    body = (
        f"{shape}><title>{escape(title)}</title></{shape[1 : shape.index(' ')]}>" if title else f"{shape}/>"
    )
    return f"<a{attributes((('href', href),))}>{body}</a>" if href else body


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Axis ticks from 0 past `top` in steps of 1, 2 or 5 × 10ⁿ: round numbers a reader can add."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks
