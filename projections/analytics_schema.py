"""The DuckDB analytic tables, and how one ticket's metrics become their rows.

Rows are gathered column by column and handed to DuckDB as Arrow tables: bulk appends, never
one INSERT per event. Times are TIMESTAMPTZ (UTC); durations are DOUBLE seconds, exact to the
microsecond. The data dictionary is docs/analytics.md.
"""

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pyarrow as pa

from domain.metrics import Fact, TicketMetrics
from domain.sla_policy import PolicyVersion

TS = pa.timestamp("us", tz="UTC")

TABLES: dict[str, list[tuple[str, str, Any]]] = {
    "events": [
        ("position", "BIGINT", pa.int64()),
        ("aggregate_id", "VARCHAR", pa.string()),
        ("aggregate_type", "VARCHAR", pa.string()),
        ("version", "BIGINT", pa.int64()),
        ("type", "VARCHAR", pa.string()),
        ("occurred_at", "TIMESTAMPTZ", TS),
        ("recorded_at", "TIMESTAMPTZ", TS),
        ("actor", "VARCHAR", pa.string()),
        ("data", "JSON", pa.string()),
    ],
    "tickets": [
        ("ticket_id", "VARCHAR", pa.string()),
        ("channel", "VARCHAR", pa.string()),
        ("customer_id", "VARCHAR", pa.string()),
        ("subject", "VARCHAR", pa.string()),
        ("status", "VARCHAR", pa.string()),
        ("type", "VARCHAR", pa.string()),
        ("priority", "VARCHAR", pa.string()),
        ("tags", "VARCHAR[]", pa.list_(pa.string())),
        ("assignee", "VARCHAR", pa.string()),
        ("opened_at", "TIMESTAMPTZ", TS),
        ("first_reply_at", "TIMESTAMPTZ", TS),
        ("resolved_at", "TIMESTAMPTZ", TS),
        ("resolution", "VARCHAR", pa.string()),
        ("resolver", "VARCHAR", pa.string()),
        ("merged_into", "VARCHAR", pa.string()),
        ("reopens", "INTEGER", pa.int32()),
        ("replies", "INTEGER", pa.int32()),
        ("messages", "INTEGER", pa.int32()),
        ("rating", "VARCHAR", pa.string()),
        ("rated_at", "TIMESTAMPTZ", TS),
        ("policy_name", "VARCHAR", pa.string()),
        ("policy_version", "INTEGER", pa.int32()),
        ("first_response_seconds", "DOUBLE", pa.float64()),
        ("first_response_business_seconds", "DOUBLE", pa.float64()),
        ("resolution_seconds", "DOUBLE", pa.float64()),
        ("resolution_business_seconds", "DOUBLE", pa.float64()),
        ("last_event_at", "TIMESTAMPTZ", TS),
        ("version", "BIGINT", pa.int64()),
        ("position", "BIGINT", pa.int64()),
    ],
    "waits": [
        ("ticket_id", "VARCHAR", pa.string()),
        ("seq", "INTEGER", pa.int32()),
        ("kind", "VARCHAR", pa.string()),
        ("status", "VARCHAR", pa.string()),
        ("started_at", "TIMESTAMPTZ", TS),
        ("ended_at", "TIMESTAMPTZ", TS),
        ("operator", "VARCHAR", pa.string()),
        ("calendar_seconds", "DOUBLE", pa.float64()),
        ("business_seconds", "DOUBLE", pa.float64()),
        ("paused_seconds", "DOUBLE", pa.float64()),
    ],
    "sla": [
        ("ticket_id", "VARCHAR", pa.string()),
        ("metric", "VARCHAR", pa.string()),
        ("policy_name", "VARCHAR", pa.string()),
        ("policy_version", "INTEGER", pa.int32()),
        ("target_seconds", "DOUBLE", pa.float64()),
        ("done", "BOOLEAN", pa.bool_()),
        ("late", "BOOLEAN", pa.bool_()),
        ("elapsed_seconds", "DOUBLE", pa.float64()),
        ("done_at", "TIMESTAMPTZ", TS),
        ("breach_at", "TIMESTAMPTZ", TS),
        ("operator", "VARCHAR", pa.string()),
    ],
    "ratings": [
        ("ticket_id", "VARCHAR", pa.string()),
        ("seq", "INTEGER", pa.int32()),
        ("score", "VARCHAR", pa.string()),
        ("comment", "VARCHAR", pa.string()),
        ("rated_at", "TIMESTAMPTZ", TS),
        ("operator", "VARCHAR", pa.string()),
    ],
    "assignments": [
        ("ticket_id", "VARCHAR", pa.string()),
        ("seq", "INTEGER", pa.int32()),
        ("assignee", "VARCHAR", pa.string()),
        ("assigned_by", "VARCHAR", pa.string()),
        ("comment", "VARCHAR", pa.string()),
        ("started_at", "TIMESTAMPTZ", TS),
        ("ended_at", "TIMESTAMPTZ", TS),
    ],
    "pauses": [
        ("ticket_id", "VARCHAR", pa.string()),
        ("seq", "INTEGER", pa.int32()),
        ("reason", "VARCHAR", pa.string()),
        ("department", "VARCHAR", pa.string()),
        ("started_at", "TIMESTAMPTZ", TS),
        ("ended_at", "TIMESTAMPTZ", TS),
        ("ended_by", "VARCHAR", pa.string()),
    ],
    "messages": [
        ("ticket_id", "VARCHAR", pa.string()),
        ("seq", "INTEGER", pa.int32()),
        ("occurred_at", "TIMESTAMPTZ", TS),
        ("recorded_at", "TIMESTAMPTZ", TS),
    ],
    "sla_policies": [
        ("policy_id", "VARCHAR", pa.string()),
        ("name", "VARCHAR", pa.string()),
        ("version", "INTEGER", pa.int32()),
        ("effective_from", "TIMESTAMPTZ", TS),
        ("recorded_at", "TIMESTAMPTZ", TS),
        ("first_response_minutes", "INTEGER", pa.int32()),
        ("next_response_minutes", "INTEGER", pa.int32()),
        ("resolution_minutes", "INTEGER", pa.int32()),
        ("calendar", "JSON", pa.string()),
        ("applies_to", "JSON", pa.string()),
        ("rank", "INTEGER", pa.int32()),
        ("position", "BIGINT", pa.int64()),
    ],
}
TICKET_TABLES = ("tickets", "waits", "sla", "ratings", "assignments", "pauses", "messages")

SCHEMA = [
    *(
        f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(f'{c} {t}' for c, t, _ in columns)})"
        for name, columns in TABLES.items()
    ),
    """CREATE TABLE IF NOT EXISTS tracking (
        source VARCHAR PRIMARY KEY, position BIGINT NOT NULL, recorded_at TIMESTAMPTZ)""",
    """CREATE OR REPLACE VIEW sla_outcomes AS
        SELECT s.*, CASE WHEN s.late THEN 'breached' WHEN s.done THEN 'achieved'
            WHEN s.breach_at < (SELECT max(recorded_at) FROM tracking) THEN 'breached'
            ELSE 'pending' END AS outcome
        FROM sla s""",
]


class Rows:
    """Column buffers for one table, turned into one Arrow table per batch."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.columns = TABLES[table]
        self.data: list[list[Any]] = [[] for _ in self.columns]

    def add(self, *values: Any) -> None:
        for column, value in zip(self.data, values, strict=True):
            column.append(value)

    def __len__(self) -> int:
        return len(self.data[0])

    def arrow(self) -> pa.Table:
        return pa.table(
            {
                name: pa.array(values, kind)
                for (name, _, kind), values in zip(self.columns, self.data, strict=True)
            }
        )


def seconds(us: int | None) -> float | None:
    return None if us is None else us / 1_000_000


def ticket_rows(tables: dict[str, Rows], m: TicketMetrics) -> None:
    """Appends one ticket's rows to every per-ticket table."""
    tid = m.ticket_id
    first = m.waits[0] if m.waits and m.waits[0].status == "answered" else None
    last_rating = m.ratings[-1] if m.ratings else None
    policy = m.policy
    tables["tickets"].add(
        tid, m.channel, m.customer_id, m.subject, m.status, m.type, m.priority, sorted(m.tags),
        m.assignee, m.opened, m.first_reply, m.resolved, m.resolution, m.resolver, m.merged_into,
        m.reopens, m.replies, len(m.messages),
        last_rating.score if last_rating else None, last_rating.at if last_rating else None,
        policy.name if policy else None, policy.version if policy else None,
        seconds(first.calendar_us) if first else None, seconds(first.business_us) if first else None,
        seconds(m.resolution_calendar_us), seconds(m.resolution_business_us),
        m.last_event, m.version, m.position,
    )  # fmt: skip
    for seq, w in enumerate(m.waits):
        tables["waits"].add(
            tid, seq, "first" if seq == 0 else "next", w.status, w.start, w.end, w.operator,
            seconds(w.calendar_us), seconds(w.business_us), seconds(w.paused_us),
        )  # fmt: skip
    for s in m.sla:
        tables["sla"].add(
            tid, s.metric, s.policy, s.policy_version, seconds(s.target_us), s.done, s.late,
            seconds(s.elapsed_us), s.done_at, s.breach_at, s.operator,
        )  # fmt: skip
    for seq, r in enumerate(m.ratings):
        tables["ratings"].add(tid, seq, r.score, r.comment, r.at, r.operator)
    for seq, a in enumerate(m.assignments):
        tables["assignments"].add(tid, seq, a.assignee, a.by, a.comment, a.start, a.end)
    for seq, p in enumerate(m.pauses):
        tables["pauses"].add(tid, seq, p.reason, p.department, p.start, p.end, p.ended_by)
    for seq, (occurred, recorded) in enumerate(m.messages):
        tables["messages"].add(tid, seq, occurred, recorded)


def event_row(rows: Rows, aggregate_id: str, aggregate_type: str, fact: Fact) -> None:
    rows.add(
        fact.position, aggregate_id, aggregate_type, fact.version, fact.type, fact.occurred, fact.recorded,
        fact.actor, data_json(fact.data),
    )  # fmt: skip


def policy_row(rows: Rows, policy_id: str, v: PolicyVersion, recorded: int, position: int) -> None:
    t = v.spec.targets
    rows.add(
        policy_id, v.name, v.version, v.effective_from, recorded, t.get("first_response"),
        t.get("next_response"), t.get("resolution"),
        None if v.spec.calendar is None else data_json(v.spec.calendar), data_json(v.spec.applies_to),
        v.spec.rank, position,
    )  # fmt: skip


LEFT_OUT = frozenset({"text"})
"""Message bodies stay in the event store: analytics never needs them, and they are large."""


def data_json(data: Any) -> str:
    return json.dumps({k: v for k, v in data.items() if k not in LEFT_OUT}, sort_keys=True, default=jsonable)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    return str(value)


def empty_tables(names: Iterable[str] = TICKET_TABLES) -> dict[str, Rows]:
    return {name: Rows(name) for name in names}
