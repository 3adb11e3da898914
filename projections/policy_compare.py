"""The SLA report's figures under the versions that governed each ticket, beside the same tickets
re-judged under another version (domain.sla_compare), for the report's period and filters.

"Then" is the report's own `sla` (projections.reports.sla, the same SQL). "Now" folds each of the
window's tickets again from the analytics view's fact table: one query fetches a month of
tickets' events, only those the SLA fold reads (METRIC_EVENTS). The same tickets are those the
report counts: received in the window, of the channel, type and tag asked; `operator` keeps the
outcomes attributed to that operator, on each side by its own judgement.

The version to judge by may be any recorded one, also one recorded after an `as_of` (the question
is hypothetical); "current" means in force at the as-of instant.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from domain.event_types import EventType
from domain.metrics import Fact
from domain.sla_compare import Rejudged, Ticket, judge_for, judging_versions, rejudge, transitions
from domain.sla_policy import METRICS, PolicyVersion
from domain.sla_settled import Settled, judged_settled, settled_of
from projections.analytics import AnalyticsDb
from projections.analytics_view import View
from projections.reports import OUTCOME, ReportQuery, Sql, sla, sla_figures
from projections.sla_policy_queries import versions_recorded

CHANGED_LISTED = 200
"""The changed tickets listed by id; all are counted."""
METRIC_EVENTS = (
    EventType.TICKET_OPENED, EventType.CUSTOMER_MESSAGE_RECEIVED, EventType.REPLY_SENT,
    EventType.TYPE_SET, EventType.PRIORITY_SET, EventType.ASSIGNED, EventType.PAUSED,
    EventType.RESUMED, EventType.RESOLVED, EventType.REOPENED, EventType.MERGED_INTO,
)  # fmt: skip
"""What decides a ticket's SLA outcomes (its waits, open time, policy match, operators). Tags,
ratings, notes and deliveries do not, and are not read; a test holds the outcomes equal."""
SLA_ITEMS = (
    "SELECT s.ticket_id, s.metric, s.done, s.elapsed_seconds FROM sla s "
    "WHERE s.opened_at >= make_timestamptz(?::BIGINT) AND s.opened_at < make_timestamptz(?::BIGINT)"
)
"""The SLA items of the tickets opened in a window (an item's opened_at is its ticket's)."""
WITHOUT_DATA = (EventType.CUSTOMER_MESSAGE_RECEIVED, EventType.REPLY_SENT)
"""Events whose fields the fold never reads: their JSON is not decoded."""


def compare(
    db: AnalyticsDb, policy: str | None, version: int | None, view: View, q: ReportQuery
) -> dict[str, Any]:
    until = None if view.live else view.as_of
    versions = versions_recorded(db)
    judges = judging_versions(versions, policy, version, view.as_of)
    then_outcomes, governed = judged_then(view, q)
    tickets = window_tickets(view, q)
    now = rejudged(db, tickets, judges, versions, view, q, until)
    counts, changed = transitions(then_outcomes, now.outcomes)
    then = sla(view, q, None).get(None) or {m: sla_figures({}) for m in METRICS}
    return {
        "judged_under": chosen_version(versions, judges),
        "tickets": len(tickets),
        "then": then,
        "now": {m: sla_figures(now.now.counts[m]) for m in METRICS},
        "governed_by": version_counts(governed),
        "judged_by": version_counts(now.now.versions),
        "outside_scope": now.outside_scope,
        "without_policy": now.without_policy,
        "transitions": counts,
        "changed": [
            {"ticket_id": t, "metric": m, "then": a, "now": b} for t, m, a, b in changed[:CHANGED_LISTED]
        ],
        "changed_count": len(changed),
    }


def rejudged(
    db: AnalyticsDb,
    tickets: list[Settled],
    judges: dict[str | None, PolicyVersion],
    versions: list[PolicyVersion],
    view: View,
    q: ReportQuery,
    until: int | None,
) -> Rejudged:
    """Tickets whose outcomes are settled are judged from the report tables (domain.sla_settled);
    the others, and all of them when an operator is asked for (re-judging can move a next
    response's blame to another reply), are folded again from their events."""
    governing = {(v.name, v.version): v for v in versions}
    result, folded = Rejudged(), []
    for ticket in tickets:
        judge = judge_for(judges, ticket.policy)
        governed = governing.get((ticket.policy, ticket.version))  # type: ignore[arg-type]
        outcomes = None if judge is None or q.operator else judged_settled(ticket, judge, governed)
        if judge is None or outcomes is None:
            folded.append(ticket)
        else:
            result.settle(ticket.ticket_id, judge, outcomes)
    facts = metric_facts(db, [t.ticket_id for t in folded], until)
    stale = (Ticket(t.ticket_id, t.policy, facts.get(t.ticket_id, [])) for t in folded)
    return rejudge(stale, judges, view.as_of, q.operator, result)


def window_tickets(view: View, q: ReportQuery) -> list[Settled]:
    """The tickets received in the window, with the filters but the operator's (an outcome's
    operator is the metric's, not the ticket's), each with the SLA items it has then.

    Two plain scans, joined here: a month of tickets joined and sorted by DuckDB holds every row at
    once, more than the server's memory limit allows on a busy desk (164,515 tickets in 64 MiB)."""
    sql = Sql(q, "t.opened_at", None)
    heads = view.con.execute(
        "SELECT t.ticket_id, t.policy_name, t.policy_version, t.channel, t.type, t.priority "
        f"FROM tickets t {sql.where}",
        sql.params,
    )
    found = {str(row[0]): row for row in streamed(heads)}
    items: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for tid, *item in streamed(view.con.execute(SLA_ITEMS, [q.start, q.end])):
        if tid in found:
            items[tid].append(tuple(item))
    rows = ((*found[tid], *item) for tid in sorted(found) for item in items.get(tid) or [(None, None, None)])
    return settled_of(list(rows))


def judged_then(view: View, q: ReportQuery) -> tuple[dict[str, dict[str, str]], dict[tuple[str, int], int]]:
    """Each ticket's outcomes as the report judges them, and how many tickets each version judged."""
    sql = Sql(q, "s.opened_at", "s.operator")
    cur = view.con.execute(
        f"SELECT s.ticket_id, s.metric, {OUTCOME}, s.policy_name, s.policy_version "
        f"FROM {sql.source('sla s')} {sql.where}",
        [view.as_of, *sql.params],
    )
    outcomes: dict[str, dict[str, str]] = defaultdict(dict)
    versions: dict[tuple[str, int], set[str]] = defaultdict(set)
    for ticket, metric, judged, name, number in streamed(cur):
        outcomes[ticket][metric] = judged
        versions[(name, number)].add(ticket)
    return dict(outcomes), {k: len(v) for k, v in versions.items()}


def streamed(cur: Any, size: int = 10_000) -> Iterator[tuple[Any, ...]]:
    """A result's rows a chunk at a time: fetched whole (fetchall), a month's rows would first be
    materialized in DuckDB's buffers, under the server's memory limit, before Python read one."""
    while rows := cur.fetchmany(size):
        yield from rows


def metric_facts(db: AnalyticsDb, ids: list[str], until: int | None) -> dict[str, list[Fact]]:
    """The tickets' events the SLA fold reads, in log order, in one query."""
    if not ids:
        return {}
    wanted = pa.table({"ticket_id": pa.array(ids, pa.string())})  # noqa: F841
    types = ", ".join(f"'{t}'" for t in METRIC_EVENTS)
    blank = ", ".join(f"'{t}'" for t in WITHOUT_DATA)
    clause = "" if until is None else "AND e.recorded_at <= make_timestamptz(?::BIGINT)"
    rows = (
        db.cursor()
        .execute(
            "SELECT e.aggregate_id, e.position, e.version, e.type, epoch_us(e.occurred_at), "
            f"epoch_us(e.recorded_at), e.actor, CASE WHEN e.type IN ({blank}) THEN NULL ELSE e.data END "
            f"FROM events e JOIN wanted w ON e.aggregate_id = w.ticket_id WHERE e.type IN ({types}) {clause} "
            "ORDER BY e.position",
            [] if until is None else [until],
        )
        .fetchall()
    )
    return facts_of(rows)


def facts_of(rows: list[tuple[Any, ...]]) -> dict[str, list[Fact]]:
    found: dict[str, list[Fact]] = defaultdict(list)
    empty: dict[str, Any] = {}
    for tid, position, version, kind, occurred, recorded, actor, data in rows:
        found[tid].append(
            Fact(
                position,
                version,
                kind,
                occurred,
                recorded,
                actor,
                empty if data is None else json.loads(data),
            )
        )
    return found


def chosen_version(
    versions: list[PolicyVersion], judges: dict[str | None, PolicyVersion]
) -> dict[str, Any] | None:
    """The one version asked for, as it was defined (its real effective_from); None: each policy's own."""
    if None not in judges:
        return None
    v = next(x for x in versions if (x.name, x.version) == (judges[None].name, judges[None].version))
    return {
        "policy": v.name,
        "version": v.version,
        "effective_from": v.effective_from_iso,
        "targets_minutes": dict(v.spec.targets),
    }


def version_counts(counts: dict[tuple[str, int], int]) -> list[dict[str, Any]]:
    return [{"policy": name, "version": number, "tickets": n} for (name, number), n in sorted(counts.items())]
