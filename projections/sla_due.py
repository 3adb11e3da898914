"""When a page of tickets is due an answer: the pending response targets the analytics view holds.

A point lookup of the page's tickets in the DuckDB `tickets` and `sla` tables, filtered on their
opening times as well, so that DuckDB's zone maps skip the row groups of every other period. The
analytics view follows the log at its own pace (DESKSTREAM_ANALYTICS_PACE, 5 s by default): each
answer says which version of each ticket it has folded, so a caller can tell a stale one from a fresh one.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from domain.calendar import to_us
from projections.analytics import AnalyticsDb

RESPONSES = ("first_response", "next_response")
KEEP = 20_000
"""Tickets whose answers are kept for one position of the view, at most."""
_KEPT: "WeakKeyDictionary[AnalyticsDb, tuple[int, dict[str, ResponseDue | None]]]" = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class ResponseDue:
    ticket_id: str
    version: int
    """The ticket's version the view has folded: behind the queue's row, the figure is stale."""
    metric: str | None
    """The response target not met yet (first or next), or None when none is pending."""
    breach_at: int | None
    """Epoch µs after which that target is missed; None while its clock is stopped (paused)."""


def responses_due(
    db: AnalyticsDb, opened: Mapping[str, datetime], position: int | None = None
) -> dict[str, ResponseDue]:
    """`opened`: ticket id → its opening time, as the queue view has it (the same `occurred_at`).

    With `position` (the analytics view's, read before calling), answers are kept until the view
    moves: they cannot change before, and the inbox asks for the same page again and again."""
    if position is None:
        return looked_up(db, opened)
    kept_at, kept = _KEPT.get(db, (None, {}))
    if kept_at != position or len(kept) > KEEP:
        kept = {}
        _KEPT[db] = (position, kept)
    missing = {tid: at for tid, at in opened.items() if tid not in kept}
    if missing:
        found = looked_up(db, missing)
        kept.update({tid: found.get(tid) for tid in missing})
    return {tid: due for tid in opened if (due := kept[tid]) is not None}


def looked_up(db: AnalyticsDb, opened: Mapping[str, datetime]) -> dict[str, ResponseDue]:
    if not opened:
        return {}
    ids = sorted(opened)
    low, high = to_us(min(opened.values())), to_us(max(opened.values()))
    marks = ", ".join("?" * len(ids))
    span = "BETWEEN make_timestamptz(?::BIGINT) AND make_timestamptz(?::BIGINT)"
    rows = (
        db.cursor()
        .execute(
            "SELECT t.ticket_id, t.version, s.metric, epoch_us(s.breach_at) FROM tickets t "
            f"LEFT JOIN sla s ON s.ticket_id = t.ticket_id AND NOT s.done AND s.metric IN (?, ?) "
            f"AND s.opened_at {span} WHERE t.ticket_id IN ({marks}) AND t.opened_at {span}",
            [*RESPONSES, low, high, *ids, low, high],
        )
        .fetchall()
    )
    return {tid: ResponseDue(tid, int(version), metric, breach) for tid, version, metric, breach in rows}
