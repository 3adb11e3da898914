"""The KPI cards: each a figure of the summary report, its change against the previous period of
equal length, and the drill-down of the tickets behind it.

A card names its figure by its place in the report's JSON (`first_response.median_seconds`), so
the page carries it as `data-kpi`, with the JSON's own number as `data-value`: a test reads both
and compares them with `GET /api/v1/reports/summary` for the same query.
"""

from dataclasses import dataclass
from typing import Any

from api.web import dashboard_links as links
from api.web.dashboard_format import negligible
from api.web.report_filters import ReportFilter
from projections.report_members import METRICS

BETTER_UP, BETTER_DOWN, NEUTRAL = "up", "down", ""


@dataclass(frozen=True, slots=True)
class Part:
    """A figure under the card's main one (SLA achieved / breached / pending, likes, dislikes)."""

    label: str
    value: int
    href: str


@dataclass(frozen=True, slots=True)
class Card:
    key: str
    """The figure's path in the summary JSON, e.g. `sla.first_response.achieved_pct`."""
    label: str
    """Catalogue key of the card's title."""
    kind: str
    """count, duration or percent."""
    value: float | None
    previous: float | None
    href: str
    better: str
    """Which way is good news: up, down, or neither (received)."""
    samples: int | None = None
    """For a statistic, how many samples it is over."""
    parts: tuple[Part, ...] = ()

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def tone(self) -> str:
        """good, bad or same, for the change's colour; empty when no way is better."""
        delta = self.delta
        if delta is None or not self.better:
            return ""
        if negligible(delta, self.kind):
            return "same"
        return "good" if (delta > 0) == (self.better == BETTER_UP) else "bad"

    @property
    def direction(self) -> str:
        delta = self.delta
        if delta is None:
            return ""
        return "flat" if negligible(delta, self.kind) else ("up" if delta > 0 else "down")


def at(figures: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of a report's JSON."""
    found: Any = figures
    for part in path.split("."):
        found = found[part]
    return found


def cards(f: ReportFilter, summary: dict[str, Any], previous: dict[str, Any]) -> list[Card]:
    def card(path: str, label: str, kind: str, figure: str, better: str, **extra: Any) -> Card:
        return Card(
            path, label, kind, at(summary, path), at(previous, path), links.drill(f, figure), better, **extra
        )

    made = [
        card("tickets_received", "dashboard.kpi_received", "count", "received", NEUTRAL),
        card("tickets_resolved", "dashboard.kpi_resolved", "count", "resolved", BETTER_UP),
    ]
    for path, label, metric in (
        ("first_response.median_seconds", "dashboard.kpi_frt_median", "first_response"),
        ("first_response.p90_seconds", "dashboard.kpi_frt_p90", "first_response"),
        ("next_response.median_seconds", "dashboard.kpi_next_median", "next_response"),
        ("resolution.median_seconds", "dashboard.kpi_resolution_median", "resolution"),
    ):
        samples = int(summary[metric]["count"])
        made.append(card(path, label, "duration", metric, BETTER_DOWN, samples=samples))
    for metric in METRICS:
        sla = summary["sla"][metric]
        parts = tuple(
            Part(f"dashboard.sla_{outcome}", int(sla[outcome]), links.drill(f, f"sla:{metric}:{outcome}"))
            for outcome in ("achieved", "breached", "pending")
        )
        made.append(
            card(f"sla.{metric}.achieved_pct", f"dashboard.kpi_sla_{metric}", "percent",
                 f"sla:{metric}:breached", BETTER_UP, parts=parts)
        )  # fmt: skip
    csi = summary["csi"]
    parts = (
        Part("dashboard.csi_likes", int(csi["likes"]), links.drill(f, "csi:like")),
        Part("dashboard.csi_dislikes", int(csi["dislikes"]), links.drill(f, "csi:dislike")),
    )
    made.append(card("csi.csi_pct", "dashboard.kpi_csi", "percent", "csi:dislike", BETTER_UP, parts=parts))
    return made
