"""What the inbox shows, gathered from the views: a page of the queue, the channels' counts, the
SLA badges of the page's rows and the viewer's saved views. Nothing here decides anything: it
calls the queue's own query (the one `GET /api/v1/tickets` answers with) and the view queries,
and puts their answers side by side for the templates.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from api.bootstrap import Runtime
from api.web.inbox_filters import InboxFilter
from api.web.inbox_sla import Badge, badge, minutes
from api.web.ticket_sla import policies
from domain.sla_policy import PolicyVersion
from projections.queue_counts import active_per_channel
from projections.sla_due import ResponseDue, responses_due

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Row:
    ticket: dict[str, Any]
    """The queue's row, as the API lists it."""
    since: datetime | None
    """Since when the customer has been waiting for an answer (None: nobody waits)."""
    waited: float | None
    badge: Badge | None


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    href: str
    count: int | None = None
    current: bool = False


@dataclass(frozen=True)
class Inbox:
    filter: InboxFilter
    src: str
    """Where the page script refetches the list, and (`sidebar`) the channels' counts."""
    sidebar: str
    rows: list[Row]
    position: int
    """The queue view's position, read before the page was: the page's live stream starts there."""
    channels: list[Link]
    total: int | None
    """How many tickets the filter matches, when the channel counts tell (else not counted)."""
    previous: str | None
    next: str | None
    first: int
    last: int
    views: list[Link]


def gather(runtime: Runtime, f: InboxFilter, viewer: str, now: datetime) -> Inbox:
    position = runtime.runner.position(("queue",))
    if f.errors:
        tickets, more = [], False
    else:
        offset = (f.page - 1) * PAGE_SIZE
        tickets, more = runtime.queue.page(f.queue_filter(viewer), PAGE_SIZE, offset)
    counts = active_per_channel(runtime.queue_db, position)
    total = None
    if f.plain:
        total = counts.get(f.channel, 0) if f.channel else sum(counts.values())
    return Inbox(
        filter=f,
        src=f.url(),
        sidebar=sidebar_url(f),
        rows=rows(runtime, tickets, now),
        position=position,
        channels=channel_links(runtime, f, counts),
        total=total,
        previous=f.url(page=f.page - 1) if f.page > 1 else None,
        next=f.url(page=f.page + 1) if more else None,
        first=(f.page - 1) * PAGE_SIZE + 1,
        last=(f.page - 1) * PAGE_SIZE + len(tickets),
        views=view_links(runtime, f, viewer),
    )


def sidebar_url(f: InboxFilter) -> str:
    return f"/inbox/sidebar?{f.query()}"


def channels(runtime: Runtime, f: InboxFilter) -> list[Link]:
    """The sidebar's channels alone, for the page's live refresh of their counts."""
    counts = active_per_channel(runtime.queue_db, runtime.runner.position(("queue",)))
    return channel_links(runtime, f, counts)


def rows(runtime: Runtime, tickets: list[dict[str, Any]], now: datetime) -> list[Row]:
    due = dues(runtime, tickets)
    policies = cache(lambda: known_policies(runtime))
    return [Row(t, *waited(t, now), badge(t, due.get(t["id"]), policies, now)) for t in tickets]


def dues(runtime: Runtime, tickets: list[dict[str, Any]]) -> dict[str, ResponseDue]:
    waiting = {
        t["id"]: datetime.fromisoformat(t["opened_at"]) for t in tickets if t["status"] in ("open", "paused")
    }
    if runtime.analytics is None or not waiting:
        return {}
    return responses_due(runtime.analytics, waiting, runtime.runner.position(("analytics",)))


def known_policies(runtime: Runtime) -> list[PolicyVersion]:
    return policies(runtime.analytics)


def waited(ticket: dict[str, Any], now: datetime) -> tuple[datetime | None, float | None]:
    if ticket["waiting_since"] is None:
        return None, None
    since = datetime.fromisoformat(ticket["waiting_since"])
    return since, minutes(max(0.0, (now - since).total_seconds()))


def channel_links(runtime: Runtime, f: InboxFilter, counts: dict[str, int]) -> list[Link]:
    """Every channel with tickets waiting, every configured one (at 0) and the one filtered on."""
    configured = [c["name"] for c in runtime.ingest.store.channels()] if runtime.ingest else []
    names = sorted({*counts, *configured, *([f.channel] if f.channel else [])})
    links = [Link("", f.url(channel="", page=1), sum(counts.values()), not f.channel)]
    links += [
        Link(name, f.url(channel=name, page=1), counts.get(name, 0), name == f.channel) for name in names
    ]
    return links


def view_links(runtime: Runtime, f: InboxFilter, viewer: str) -> list[Link]:
    views = runtime.helpdesk.saved_views_of(viewer)
    return [
        Link(name, f"/inbox?{query}" if query else "/inbox", None, query == f.filters)
        for name, query in views.items()
    ]
