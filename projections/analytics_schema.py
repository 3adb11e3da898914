"""The DuckDB analytic tables, and how one ticket's metrics become their rows.

Rows are gathered column by column and handed to DuckDB as Arrow tables: bulk appends, never
one INSERT per event. Times are TIMESTAMPTZ (UTC); durations are DOUBLE seconds, exact to the
microsecond. The data dictionary is docs/analytics.md.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from domain.metrics import TicketMetrics
from domain.sla_policy import PolicyVersion
from projections.records import EventRecord
from projections.tracking import TrackingCursor, ViewSchema

try:
    from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - CPython always has the C encoder
    c_make_encoder = None

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
        ("opened_at", "TIMESTAMPTZ", TS),
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
STRUCTS = {name: pa.struct([(c, kind) for c, _, kind in columns]) for name, columns in TABLES.items()}
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


TIME_COLUMNS = {
    "tickets": "opened_at",
    "waits": "started_at",
    "sla": "opened_at",
    "ratings": "rated_at",
    "assignments": "started_at",
    "pauses": "started_at",
    "messages": "occurred_at",
}
"""Per ticket table, a column every row of a ticket has set, to one of that ticket's event times
(`occurred_at`): a delete of some tickets' rows filters on it, so that DuckDB's zone maps skip
the row groups written before those tickets began, instead of scanning the whole table."""

SCHEMA_VERSION = 2
"""Bumped when a table changes shape (2: sla.opened_at): a file of another version is dropped and
replayed from the log, so every old ticket's rows get the new column filled by the same fold."""
VIEW = ViewSchema("analytics", SCHEMA_VERSION, (*TABLES, "tracking"), tuple(SCHEMA), "tracking")


def upgrade(cur: TrackingCursor) -> None:
    """The view made current. A file from before `analytics_schema` existed is version 2 if its
    sla table already has opened_at, else older (and so dropped and replayed)."""
    found = cur.fetchall(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'sla' AND column_name = 'opened_at'"
    )
    if found[0][0]:
        VIEW.stamp(cur, 2)
    VIEW.upgrade(cur)


class Rows:
    """Row tuples for one table, turned column-wise into one Arrow table per batch."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.columns = TABLES[table]
        self.rows: list[tuple[Any, ...]] = []
        self.struct = STRUCTS[table]

    def add(self, *values: Any) -> None:
        self.rows.append(values)

    def __len__(self) -> int:
        return len(self.rows)

    def arrow(self) -> pa.Table:
        """Arrow turns the tuples into columns itself (as a struct array): no Python loop."""
        return pa.Table.from_struct_array(pa.array(self.rows, self.struct))


def seconds(us: int | None) -> float | None:
    return None if us is None else us / 1_000_000


def ticket_rows(tables: dict[str, Rows], m: TicketMetrics) -> None:
    """Appends one ticket's rows to every per-ticket table."""
    tid = m.ticket_id
    first = m.waits[0] if m.waits and m.waits[0].status == "answered" else None
    last_rating = m.ratings[-1] if m.ratings else None
    policy = m.policy
    tables["tickets"].rows.append((
        tid, m.channel, m.customer_id, m.subject, m.status, m.type, m.priority, sorted(m.tags),
        m.assignee, m.opened, m.first_reply, m.resolved, m.resolution, m.resolver, m.merged_into,
        m.reopens, m.replies, len(m.messages),
        last_rating.score if last_rating else None, last_rating.at if last_rating else None,
        policy.name if policy else None, policy.version if policy else None,
        seconds(first.calendar_us) if first else None, seconds(first.business_us) if first else None,
        seconds(m.resolution_calendar_us), seconds(m.resolution_business_us),
        m.last_event, m.version, m.position,
    ))  # fmt: skip
    tables["waits"].rows.extend(
        (
            tid, seq, "first" if seq == 0 else "next", w.status, w.start, w.end, w.operator,
            seconds(w.calendar_us), seconds(w.business_us), seconds(w.paused_us),
        )
        for seq, w in enumerate(m.waits)
    )  # fmt: skip
    opened = m.opened
    tables["sla"].rows.extend(
        (
            tid, s.metric, s.policy, s.policy_version, seconds(s.target_us), s.done, s.late,
            seconds(s.elapsed_us), s.done_at, s.breach_at, s.operator, opened,
        )
        for s in m.sla
    )  # fmt: skip
    if m.ratings:
        tables["ratings"].rows.extend(
            (tid, seq, r.score, r.comment, r.at, r.operator) for seq, r in enumerate(m.ratings)
        )
    tables["assignments"].rows.extend(
        (tid, seq, a.assignee, a.by, a.comment, a.start, a.end) for seq, a in enumerate(m.assignments)
    )
    if m.pauses:
        tables["pauses"].rows.extend(
            (tid, seq, p.reason, p.department, p.start, p.end, p.ended_by) for seq, p in enumerate(m.pauses)
        )
    tables["messages"].rows.extend(
        (tid, seq, occurred, recorded) for seq, (occurred, recorded) in enumerate(m.messages)
    )


def events_table(
    records: Sequence[EventRecord], occurred: list[int], recorded: list[int], data: list[str]
) -> pa.Table:
    """The fact table's rows for a batch, built column by column."""
    return pa.table({
        "position": pa.array([r.position for r in records], pa.int64()),
        "aggregate_id": pa.array([r.aggregate_id for r in records], pa.string()),
        "aggregate_type": pa.array([r.aggregate_type for r in records], pa.string()),
        "version": pa.array([r.version for r in records], pa.int64()),
        "type": pa.array([r.type for r in records], pa.string()),
        "occurred_at": pa.array(occurred, TS),
        "recorded_at": pa.array(recorded, TS),
        "actor": pa.array([r.actor for r in records], pa.string()),
        "data": pa.array(data, pa.string()),
    })  # fmt: skip


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
    """The event's fields as JSON with sorted keys (as json.dumps(sort_keys=True) writes them)."""
    if not LEFT_OUT.isdisjoint(data):
        data = {k: v for k, v in data.items() if k not in LEFT_OUT}
    if _encode is None:
        return json.dumps(data, sort_keys=True, default=jsonable)
    return "".join(_encode(data, 0))


def jsonable(value: Any) -> Any:
    """Times in UTC, whatever offset a command gave them: the Kafka topic carries them so (Avro
    timestamps), and the two sources must write the same rows."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    return str(value)


# json.dumps builds a new C encoder on every call, which costs more than encoding a small event;
# this is the encoder json.dumps(sort_keys=True, default=jsonable) builds, made once.
_encode = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, jsonable, encode_basestring_ascii, None, ": ", ", ", True, False, True)
)


def empty_tables(names: Iterable[str] = TICKET_TABLES) -> dict[str, Rows]:
    return {name: Rows(name) for name in names}
