"""The tickets behind a figure: the very rows a report's SQL counted, listed.

A figure is named as the dashboard and the other pages link to it:

    received · resolved · assigned · first_response · next_response · resolution
    frt:<lo>-<hi>                     first responses of lo ≤ seconds < hi (hi may be `inf`)
    sla:<metric>:<outcome>            first_response|next_response|resolution; achieved|breached|pending
    csi:<like|dislike>                the ratings of that score
    breakdown:<type|tag|channel>:<key>  tickets received with that key (empty: none)
    daily:<received|resolved>:<YYYY-MM-DD>  in the report's time zone
    arrivals:<isoweekday 1-7>:<hour 0-23>   tickets with customer messages in that hour of the week

Each is a `Members` set of projections/report_members.py, the one the report aggregates, narrowed
by the clause the report groups by (the outcome, the bucket, the day, the key): so a list's length
is the figure, with the report's own filters (`operator` included) applied the same way. Samples
(waits, ratings) are listed one row each, so a ticket with two next-response waits is listed
twice; `assigned` and `arrivals` list each ticket once.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.calendar import from_us
from domain.errors import InvalidValueError
from projections import report_members as members
from projections.analytics_view import View
from projections.report_members import BREAKDOWN, METRICS, OUTCOMES, Members, ReportQuery

PLAIN = ("received", "resolved", "assigned", *METRICS)
SCORES = ("like", "dislike")
DAILY = ("received", "resolved")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PER_TICKET = ("assigned", "arrivals")
"""Figures listed one row per ticket; the others one row per counted row."""
UNITS = {
    "first_response": "seconds",
    "next_response": "seconds",
    "resolution": "seconds",
    "frt": "seconds",
    "sla": "seconds",
    "arrivals": "messages",
}
"""What a row's `value` is: seconds on the report's clock (SLA: business time used), or the
ticket's customer messages in the cell. Figures not named have no value per row."""
FORMS = (
    "received, resolved, assigned, first_response, next_response, resolution, frt:<lo>-<hi>, "
    "sla:<metric>:<achieved|breached|pending>, csi:<like|dislike>, breakdown:<type|tag|channel>:<key>, "
    "daily:<received|resolved>:<YYYY-MM-DD> or arrivals:<weekday 1-7>:<hour 0-23>"
)


class UnknownFigureError(InvalidValueError):
    code = "unknown_figure"


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    """The figure as named in a link: `sla:first_response:breached`."""
    kind: str
    """received, …, frt, sla, csi, breakdown, daily or arrivals."""
    args: tuple[Any, ...] = ()

    @property
    def per_ticket(self) -> bool:
        return self.kind in PER_TICKET

    @property
    def unit(self) -> str | None:
        return UNITS.get(self.kind)


def parse_figure(text: str) -> Figure:
    """The figure a name stands for, or UnknownFigureError with a sentence saying what is allowed."""
    kind, _, rest = text.partition(":")
    found = None
    if kind in PLAIN and not rest:
        found = Figure(text, kind)
    elif kind in ARGUMENTS and rest:
        found = ARGUMENTS[kind](text, rest)
    if found is None:
        raise UnknownFigureError(f"{text[:100]!r} is not a figure; a figure is one of: {FORMS}.")
    return found


def frt(text: str, rest: str) -> Figure | None:
    lo, _, hi = rest.partition("-")
    low, high = whole(lo), (None if hi == "inf" else whole(hi))
    if low is None or (hi != "inf" and (high is None or high <= low)):
        return None
    return Figure(text, "frt", (low, high))


def sla(text: str, rest: str) -> Figure | None:
    metric, _, outcome = rest.partition(":")
    return Figure(text, "sla", (metric, outcome)) if metric in METRICS and outcome in OUTCOMES else None


def csi(text: str, rest: str) -> Figure | None:
    return Figure(text, "csi", (rest,)) if rest in SCORES else None


def breakdown(text: str, rest: str) -> Figure | None:
    by, colon, key = rest.partition(":")
    return Figure(text, "breakdown", (by, key or None)) if by in BREAKDOWN and colon else None


def daily(text: str, rest: str) -> Figure | None:
    which, _, day = rest.partition(":")
    if which not in DAILY or not DAY.fullmatch(day):
        return None
    try:
        date.fromisoformat(day)
    except ValueError:
        return None
    return Figure(text, "daily", (which, day))


def arrivals(text: str, rest: str) -> Figure | None:
    weekday, _, hour = rest.partition(":")
    d, h = whole(weekday), whole(hour)
    return (
        Figure(text, "arrivals", (d, h))
        if d is not None and h is not None and 1 <= d <= 7 and h < 24
        else None
    )


ARGUMENTS = {"frt": frt, "sla": sla, "csi": csi, "breakdown": breakdown, "daily": daily, "arrivals": arrivals}


def whole(text: str) -> int | None:
    """A small whole number written plainly (no sign, no spaces), else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def members_of(figure: Figure, q: ReportQuery, as_of: int) -> Members:
    """The rows behind `figure`: the report's set for it, narrowed by the clause it groups by."""
    match figure.kind:
        case "received":
            return members.received(q)
        case "resolved":
            return members.resolved(q)
        case "assigned":
            return members.assignments(q)
        case "first_response" | "next_response" | "resolution":
            return members.durations(q, figure.kind)
        case "frt":
            m = members.responses(q, "first_response")
            clause, values = members.in_bucket(m.value, *figure.args)
            m.sql.add(clause, *values)
        case "sla":
            m = members.sla_outcome(q, as_of, *figure.args)
        case "csi":
            m = members.ratings(q)
            m.sql.add("r.score = ?", figure.args[0])
        case "breakdown":
            by, key = figure.args
            m = members.breakdown(q, by)
            if key is None:
                m.sql.add(f"{m.category} IS NULL")
            else:
                m.sql.add(f"{m.category} = ?", key)
        case "daily":
            which, day = figure.args
            m = members.received(q) if which == "received" else members.resolved(q)
            m.sql.add(f"{members.local_day(m.at)} = ?", q.tz, day)
        case _:
            m = members.arrivals(q)
            weekday, hour = members.local_slot(m.at)
            m.sql.add(f"{weekday} = ?", q.tz, figure.args[0])
            m.sql.add(f"{hour} = ?", q.tz, figure.args[1])
    return m


ROW = (
    "SELECT {ticket}, t.subject, t.channel, {operator}, epoch_us(t.opened_at), {value}, epoch_us({at}) "
    "FROM {source} {where} ORDER BY {order} LIMIT ? OFFSET ?"
)
TICKET = (
    "SELECT {ticket}, t.subject, t.channel, "
    "nullif(array_to_string(list_sort(list_distinct(list({operator}))), ', '), ''), "
    "epoch_us(t.opened_at), {value}, epoch_us(min({at})) "
    "FROM {source} {where} GROUP BY {ticket}, t.subject, t.channel, t.opened_at "
    "ORDER BY min({at}), {ticket} LIMIT ? OFFSET ?"
)


def count(view: View, figure: Figure, m: Members) -> int:
    """The figure itself, counted as the report counts it."""
    counted = f"count(DISTINCT {m.ticket})" if figure.per_ticket else "count(*)"
    rows = view.con.execute(f"SELECT {counted} FROM {m.source} {m.sql.where}", m.sql.params).fetchall()
    return int(rows[0][0])


def statement(figure: Figure, m: Members) -> str:
    if figure.per_ticket:
        value = "count(*)" if figure.unit else "NULL"
        return TICKET.format(
            ticket=m.ticket,
            operator=m.operator,
            value=value,
            at=m.at,
            source=m.with_tickets,
            where=m.sql.where,
        )
    order = ", ".join([m.at, m.ticket, *([m.seq] if m.seq else [])])
    return ROW.format(
        ticket=m.ticket, operator=m.operator, value=m.value, at=m.at, order=order, source=m.with_tickets,
        where=m.sql.where,
    )  # fmt: skip


def tickets(view: View, q: ReportQuery, figure: Figure, limit: int, offset: int) -> dict[str, Any]:
    """One page of the rows behind `figure`, oldest first; `count` is how many there are in all."""
    m = members_of(figure, q, view.as_of)
    rows = view.con.execute(statement(figure, m), [*m.sql.params, limit, offset]).fetchall()
    data = [
        {
            "ticket": ticket,
            "subject": subject,
            "channel": channel,
            "operator": operator,
            "opened_at": from_us(opened).isoformat(),
            "at": from_us(at).isoformat(),
            "value": number,
        }
        for ticket, subject, channel, operator, opened, number, at in rows
    ]
    return {
        "figure": figure.name,
        "unit": figure.unit,
        "count": count(view, figure, m),
        "limit": limit,
        "offset": offset,
        "data": data,
    }
