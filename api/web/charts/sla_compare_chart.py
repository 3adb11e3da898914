"""Policy then versus policy now as one chart: per metric, two stacked bars of the same tickets,
achieved / breached / pending, under the versions that governed them and re-judged.

The x axis counts tickets (round ticks from nice_ticks), the legend names the three outcomes, and
each bar ends with its SLA %. A segment of the "then" bar links to the dashboard's list of the
tickets behind it (the drill-down figure `sla:<metric>:<outcome>`); the re-judged outcomes are
hypothetical, so theirs is the page's own list of the tickets that changed.
"""

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

from api.web.charts.svg import Svg, nice_ticks

METRICS = ("first_response", "next_response", "resolution")
OUTCOMES = ("achieved", "breached", "pending")
SIDES = ("then", "now")
WIDTH, LEFT, RIGHT, TOP = 720, 190, 70, 34
BAR, STEP, BLOCK = 18, 24, 62
Text = Callable[..., str]


def sla_compare_chart(report: Mapping[str, Any], t: Text, drill: Callable[[str, str], str]) -> Markup:
    """`report`: the sla-compare answer; `t`: the catalogue; `drill(metric, outcome)`: the link to
    the tickets behind a "then" figure."""
    height = TOP + BLOCK * len(METRICS) + 42
    chart = Svg(WIDTH, height, t("policy.chart_label"), css_class="chart compare")
    legend(chart, t)
    top = max(sum(report[s][m][o] for o in OUTCOMES) for s in SIDES for m in METRICS)
    ticks = nice_ticks(float(max(top, 1)))
    scale = (WIDTH - LEFT - RIGHT) / ticks[-1]
    for i, metric in enumerate(METRICS):
        y = TOP + i * BLOCK
        chart.text(4.0, y + BAR - 4.0, t(f"policy.metric_{metric}"), "label metric")
        for j, side in enumerate(SIDES):
            bar(chart, report[side][metric], y + j * STEP, scale, side, metric, t, drill)
    axis(chart, ticks, scale, TOP + BLOCK * len(METRICS) - 12.0, t)
    return chart.render()


def legend(chart: Svg, t: Text) -> None:
    x = float(LEFT)
    for outcome in OUTCOMES:
        chart.rect(x, 6.0, 12.0, 12.0, f"seg {outcome}")
        chart.text(x + 16.0, 16.0, t(f"policy.outcome_{outcome}"), "legend")
        x += 130.0


def bar(
    chart: Svg,
    figures: Mapping[str, Any],
    y: float,
    scale: float,
    side: str,
    metric: str,
    t: Text,
    drill: Callable[[str, str], str],
) -> None:
    chart.text(LEFT - 8.0, y + BAR - 5.0, t(f"policy.side_{side}"), "label side", "end")
    x = float(LEFT)
    for outcome in OUTCOMES:
        count = figures[outcome]
        if not count:
            continue
        w = count * scale
        title = t("policy.segment_title", side=t(f"policy.side_{side}"), count=count,
                  outcome=t(f"policy.outcome_{outcome}"))  # fmt: skip
        href = drill(metric, outcome) if side == "then" else "#changed"
        chart.rect(x, y, w, float(BAR), f"seg {outcome} {side}", title=title, href=href)
        x += w
    pct = figures["achieved_pct"]
    shown = "—" if pct is None else f"{pct:.1f} %"
    chart.text(x + 6.0, y + BAR - 5.0, shown, "pct")


def axis(chart: Svg, ticks: list[float], scale: float, y: float, t: Text) -> None:
    chart.line(float(LEFT), y, WIDTH - RIGHT + 0.0, y, "axis")
    for tick in ticks:
        x = LEFT + tick * scale
        chart.line(x, y, x, y + 4.0, "axis")
        chart.text(x, y + 16.0, f"{tick:g}", "tick", "middle")
    chart.text(WIDTH - RIGHT + 0.0, y + 30.0, t("policy.axis_tickets"), "tick unit", "end")
