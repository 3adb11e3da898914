"""The operators table: every per-operator figure of `GET /api/v1/reports/operators`, one column
each, sortable by any of them, every cell a link to the tickets behind it for that operator.

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


def stats_columns(metric: str) -> list[Column]:
    group = f"dashboard.group_{metric}"
    return [
        Column(f"{metric}.count", "dashboard.col_count", "count", metric, group),
        Column(f"{metric}.median_seconds", "dashboard.col_median", "duration", metric, group),
        Column(f"{metric}.p90_seconds", "dashboard.col_p90", "duration", metric, group),
        Column(f"{metric}.avg_seconds", "dashboard.col_avg", "duration", metric, group),
    ]


def sla_columns(metric: str) -> list[Column]:
    group = f"dashboard.group_sla_{metric}"
    return [
        Column(f"sla.{metric}.achieved_pct", "dashboard.col_pct", "percent", f"sla:{metric}:breached", group),
        *(
            Column(
                f"sla.{metric}.{outcome}",
                f"dashboard.sla_{outcome}",
                "count",
                f"sla:{metric}:{outcome}",
                group,
            )
            for outcome in ("achieved", "breached", "pending")
        ),
    ]


COLUMNS = (
    Column("tickets_assigned", "dashboard.col_assigned", "count", "assigned", "dashboard.group_tickets"),
    Column("tickets_received", "dashboard.col_received", "count", "received", "dashboard.group_tickets"),
    Column("tickets_resolved", "dashboard.col_resolved", "count", "resolved", "dashboard.group_tickets"),
    *(c for metric in METRICS for c in stats_columns(metric)),
    *(c for metric in METRICS for c in sla_columns(metric)),
    Column("csi.csi_pct", "dashboard.col_pct", "percent", "csi:dislike", "dashboard.group_csi"),
    Column("csi.likes", "dashboard.csi_likes", "count", "csi:like", "dashboard.group_csi"),
    Column("csi.dislikes", "dashboard.csi_dislikes", "count", "csi:dislike", "dashboard.group_csi"),
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


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    groups: list[tuple[str, int]]
    """(heading, how many columns it spans), left to right."""
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


def groups(columns: tuple[Column, ...]) -> list[tuple[str, int]]:
    spans: list[tuple[str, int]] = []
    for column in columns:
        if spans and spans[-1][0] == column.group:
            spans[-1] = (column.group, spans[-1][1] + 1)
        else:
            spans.append((column.group, 1))
    return spans


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
    return Table(COLUMNS, groups(COLUMNS), rows, sort, direction, sort_links)
