"""The SVG primitives: deterministic bytes, escaped text, round axis ticks."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from api.web.charts.svg import Svg, nice_ticks, num


def test_coordinates_print_without_noise() -> None:
    assert [num(v) for v in (0.0, -0.04, 3.0, 2.25, 10.06, -1.5)] == ["0", "0", "3", "2.2", "10.1", "-1.5"]


def test_a_bar_with_a_link_and_a_tooltip_is_escaped() -> None:
    chart = Svg(100, 50, 'Tickets <received> & "resolved"')
    chart.rect(1.0, 2.0, 3.0, 4.0, "bar", title="a<b", href="/x?a=1&b=2")
    out = str(chart.render())
    assert (
        '<a href="/x?a=1&amp;b=2"><rect x="1" y="2" width="3" height="4" class="bar">'
        "<title>a&lt;b</title></rect></a>" in out
    )
    assert "<title>Tickets &lt;received&gt; &amp; &quot;resolved&quot;</title>" in out
    assert 'aria-label="Tickets &lt;received&gt; &amp; &quot;resolved&quot;"' in out


def test_a_negative_size_draws_nothing_rather_than_an_invalid_rect() -> None:
    chart = Svg(10, 10, "x")
    chart.rect(0.0, 0.0, -5.0, 2.0, "bar")
    assert 'width="0"' in str(chart.render())


@given(st.floats(min_value=0.001, max_value=1e9, allow_nan=False))
def test_ticks_start_at_zero_cover_the_top_in_round_equal_steps(top: float) -> None:
    ticks = nice_ticks(top)
    assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 12
    step = ticks[1]
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in (1, 2, 5, 10)
    assert all(abs((b - a) - step) <= step * 1e-9 for a, b in itertools.pairwise(ticks))


def test_the_same_chart_twice_is_the_same_bytes() -> None:
    def draw() -> str:
        chart = Svg(200, 100, "same")
        chart.line(0.0, 0.0, 200.0, 0.0, "axis")
        chart.text(5.0, 10.0, "0", anchor="end")
        chart.polyline([(0.0, 1.0), (2.5, 3.25)], "series")
        return str(chart.render())

    assert draw() == draw()
