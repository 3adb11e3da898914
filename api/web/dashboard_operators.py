"""The operators table: every per-operator figure of `GET /api/v1/reports/operators`, one column
each, sortable by any of them, every cell a link to the tickets behind it for that operator.

Thirty columns are too many to read at once, so they stand in four bands (volume, speed, SLA,
CSI), each headed over its groups of columns; the page script lets the viewer hide and show
whole bands (remembered in the browser), and without it every band shows.

Sorting is the URL's (`sort=first_response.median_seconds&dir=asc`), done here on the report's
rows, so the page sorts without script; the page script sorts the same rows in place and keeps
the URL in step. Operators without a figure in a column sort last either way.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.web import dashboard_links as links
from api.web.dashboard_cards import at
from api.web.report_filters import ReportFilter
from projections.report_members import METRICS


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    """The figure's path in an operator's row of the report."""
    label: str
    kind: str
    """count, duration or percent."""
    figure: str
    """The drill-down of a cell (with the row's operator)."""
    group: str = ""
    """Catalogue key of the heading over a group of columns."""
    band: str = ""
    """volume, speed, sla or csi: the band of groups the viewer shows or hides together."""


def stats_columns(metric: str) -> list[Column]:
    group = f"dashboard.group_{metric}"
    return [
        Column(f"{metric}.count", "dashboard.col_count", "count", metric, group, "speed"),
        Column(f"{metric}.median_seconds", "dashboard.col_median", "duration", metric, group, "speed"),
        Column(f"{metric}.p90_seconds", "dashboard.col_p90", "duration", metric, group, "speed"),
        Column(f"{metric}.avg_seconds", "dashboard.col_avg", "duration", metric, group, "speed"),
    ]


def sla_columns(metric: str) -> list[Column]:
    group = f"dashboard.group_sla_{metric}"
    parts = [("achieved_pct", "dashboard.col_pct", "percent", "breached")] + [
        (outcome, f"dashboard.sla_{outcome}", "count", outcome)
        for outcome in ("achieved", "breached", "pending")
    ]
    return [
        Column(f"sla.{metric}.{key}", label, kind, f"sla:{metric}:{outcome}", group, "sla")
        for key, label, kind, outcome in parts
    ]


TICKETS, CSI = "dashboard.group_tickets", "dashboard.group_csi"
COLUMNS = (
    Column("tickets_assigned", "dashboard.col_assigned", "count", "assigned", TICKETS, "volume"),
    Column("tickets_received", "dashboard.col_received", "count", "received", TICKETS, "volume"),
    Column("tickets_resolved", "dashboard.col_resolved", "count", "resolved", TICKETS, "volume"),
    *(c for metric in METRICS for c in stats_columns(metric)),
    *(c for metric in METRICS for c in sla_columns(metric)),
    Column("csi.csi_pct", "dashboard.col_pct", "percent", "csi:dislike", CSI, "csi"),
    Column("csi.likes", "dashboard.csi_likes", "count", "csi:like", CSI, "csi"),
    Column("csi.dislikes", "dashboard.csi_dislikes", "count", "csi:dislike", CSI, "csi"),
)
SORTS = ("operator", *(c.key for c in COLUMNS))
DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True, slots=True)
class Cell:
    value: float | None
    kind: str
    href: str


@dataclass(frozen=True, slots=True)
class OperatorRow:
    operator: str
    href: str
    """The dashboard for this operator alone."""
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Band:
    key: str
    span: int
    """How many columns it heads."""
    groups: list[tuple[str, int]]
    """(heading, how many columns it spans), left to right; a band of one group shows no second
    heading (CSI over CSI)."""


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    bands: list[Band]
    starts: frozenset[int]
    """The columns that begin a group, ruled off from the one before."""
    rows: list[OperatorRow]
    sort: str
    direction: str
    links: dict[str, str]
    """Column key → the URL sorting by it (the other way round if it is the current sort)."""


def sorted_rows(rows: list[dict[str, Any]], sort: str, direction: str) -> list[dict[str, Any]]:
    """By the column, None last both ways; ties by name, so the order never depends on the input's."""
    by_name = sorted(rows, key=lambda r: r["operator"])
    if sort == "operator":
        return by_name[::-1] if direction == "desc" else by_name
    known = [r for r in by_name if at(r, sort) is not None]
    unknown = [r for r in by_name if at(r, sort) is None]
    known.sort(key=lambda r: at(r, sort), reverse=direction == "desc")
    return known + unknown


def spans(labels: list[str]) -> list[tuple[str, int]]:
    """Runs of equal labels, left to right: (label, length)."""
    found: list[tuple[str, int]] = []
    for label in labels:
        if found and found[-1][0] == label:
            found[-1] = (label, found[-1][1] + 1)
        else:
            found.append((label, 1))
    return found


def bands(columns: tuple[Column, ...]) -> list[Band]:
    return [
        Band(band, span, spans([c.group for c in columns if c.band == band]))
        for band, span in spans([c.band for c in columns])
    ]


def group_starts(columns: tuple[Column, ...]) -> frozenset[int]:
    return frozenset(i for i, c in enumerate(columns) if i == 0 or c.group != columns[i - 1].group)


def table(f: ReportFilter, report_rows: list[dict[str, Any]], params: Mapping[str, str]) -> Table:
    sort = params.get("sort", "operator")
    sort = sort if sort in SORTS else "operator"
    direction = params.get("dir", "asc")
    direction = direction if direction in DIRECTIONS else "asc"
    rows = [
        OperatorRow(
            r["operator"],
            links.dashboard(f, operator=r["operator"]),
            tuple(
                Cell(at(r, c.key), c.kind, links.drill(f, c.figure, operator=r["operator"])) for c in COLUMNS
            ),
        )
        for r in sorted_rows(report_rows, sort, direction)
    ]
    flip = {"asc": "desc", "desc": "asc"}
    sort_links = {
        key: links.dashboard(f, sort=key, dir=flip[direction] if key == sort else "asc") + "#operators"
        for key in SORTS
    }
    return Table(COLUMNS, bands(COLUMNS), group_starts(COLUMNS), rows, sort, direction, sort_links)
