"""The analytics projection: every event into the DuckDB fact table, and each touched ticket's
metrics (domain.metrics, pure) re-derived from its events into the per-ticket tables.

One batch is one DuckDB transaction: event rows, ticket rows and the tracked position commit
together. A ticket's events are cached in memory (LRU, bounded by their estimated bytes) and
otherwise read back from the fact table, so a batch costs the tickets it touches, not the size
of history.
"""

import errno
import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from domain.calendar import to_us
from domain.event_types import EventType
from domain.metrics import Fact, ticket_metrics
from domain.sla_policy import PolicyVersion, policy_version
from projections import analytics_secrets, collector
from projections.analytics_schema import (
    TABLES,
    TICKET_TABLES,
    TIME_COLUMNS,
    VIEW,
    Rows,
    data_json,
    empty_tables,
    events_table,
    policy_row,
    ticket_rows,
    upgrade,
)
from projections.byte_budget import MIB, ByteBudgetCache
from projections.disk_space import has_room, is_disk_full
from projections.records import EventRecord
from projections.tracking import DuckCursor, unseen

HISTORY_CACHE_BYTES = 32 * MIB
FACT_BYTES = 700
"""A fact with its decoded data, as measured (sys.getsizeof, deep) on the seeded desk: 620-690."""
POLICY_TYPES = (EventType.SLA_POLICY_DEFINED, EventType.SLA_POLICY_CHANGED)
ROOM_TO_WRITE = 4 << 20
"""Free bytes it takes before a read-only view tries writing again (its WAL, a checkpoint)."""


class AnalyticsDb:
    """One DuckDB file (or :memory:) per process: DuckDB allows a single writer process.

    Opening for writing writes (the WAL, the schema), so on a full disk an existing file is opened
    read-only: reports are served as they stand, and the first write once there is room reopens
    it for writing."""

    def __init__(self, path: str | Path, memory_mb: float | None = None) -> None:
        """`memory_mb` caps DuckDB's buffers (its default is 80 % of RAM, which a server filled
        with table blocks it had written and would not read again)."""
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.memory_mb = memory_mb
        self.write_lock = threading.Lock()
        self.report_cache: OrderedDict[Any, str] = OrderedDict()
        self.read_only = False
        self.scrubbed = 0
        self.con = self._open()

    def _open(self) -> duckdb.DuckDBPyConnection:
        try:
            con, self.scrubbed = open_for_writing(self.path)
        except duckdb.Error as exc:
            if not is_disk_full(exc) or not Path(self.path).exists():
                raise
            self.read_only = True
            con = duckdb.connect(self.path, read_only=True)
        if self.memory_mb is not None:
            con.execute(f"SET memory_limit = '{int(self.memory_mb)}MB'")
        return con

    def _writable(self) -> None:
        """Reopens a read-only file for writing once there is room; raises while there is none."""
        if not self.read_only:
            return
        if has_room(Path(self.path).parent, ROOM_TO_WRITE):
            self.con.close()
            self.read_only = False
            self.con = self._open()
        if self.read_only:
            raise OSError(errno.ENOSPC, "the analytics view is read-only until the disk has room", self.path)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """For readers: one cursor per call (DuckDB cursors are not shared across threads)."""
        return self.con.cursor()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.write_lock:
            self._writable()
            cur = self.con.cursor()
            cur.begin()
            try:
                yield cur
            except BaseException:
                cur.rollback()
                raise
            cur.commit()

    def remember(self, key: Any, value: str, keep: int = 256) -> None:
        """Report results keyed by (report, query, position); old positions age out."""
        self.report_cache[key] = value
        while len(self.report_cache) > keep:
            self.report_cache.popitem(last=False)

    def close(self) -> None:
        self.con.close()


def open_for_writing(path: str) -> tuple[duckdb.DuckDBPyConnection, int]:
    """The schema made current, and the secrets an older version wrote masked (the file rewritten
    without them); returns the connection and how many rows were scrubbed."""
    con = duckdb.connect(path)
    try:
        con.begin()
        upgrade(DuckCursor(con))
        con.commit()
        scrubbed = analytics_secrets.scrub(con)
        if scrubbed and path != ":memory:":
            con = analytics_secrets.rewritten(con, path)
    except BaseException:
        con.close()
        raise
    return con, scrubbed


class AnalyticsProjection:
    name = "analytics"

    def __init__(
        self, db: AnalyticsDb, cache_bytes: int = HISTORY_CACHE_BYTES, after_commit: Sequence[Any] = ()
    ) -> None:
        """`after_commit`: called with the db after each committed batch (the analysts' snapshot)."""
        self.db = db
        self.cache: ByteBudgetCache[str, list[Fact]] = ByteBudgetCache(cache_bytes, history_bytes)
        self.policies, self.policy_names = load_policies(db)
        self.after_commit: list[Any] = list(after_commit)

    def position(self, source: str) -> int:
        return VIEW.position(DuckCursor(self.db.cursor()), source)

    def apply(self, records: Sequence[EventRecord], source: str) -> int:
        with collector.paused():
            return self.fold(records, source)

    def fold(self, records: Sequence[EventRecord], source: str) -> int:
        before = self.position(source)
        fresh = list(unseen(records, before))
        if not fresh:
            return 0
        occurred = [to_us(r.occurred_at) for r in fresh]
        recorded = [to_us(r.recorded_at) for r in fresh]
        events = events_table(fresh, occurred, recorded, [data_json(r.data) for r in fresh])
        names = dict(self.policy_names)
        by_ticket, new_policies = sort_out(fresh, occurred, recorded, names)
        policies = self.policies + [v for _, v, _, _ in new_policies]
        histories = self.histories(by_ticket, new_policies)
        tables = empty_tables()
        for ticket_id, history in histories.items():
            metrics = ticket_metrics(ticket_id, history, policies)
            if metrics is not None:
                ticket_rows(tables, metrics)
        policy_rows = Rows("sla_policies")
        for policy_id, version, when, position in new_policies:
            policy_row(policy_rows, policy_id, version, when, position)
        # a ticket opened in this batch has no rows yet: only the others need deleting
        stored = [t for t in histories if not opens(by_ticket.get(t))]
        since = min((f.occurred for t in stored for f in histories[t]), default=0)
        with self.db.transaction() as cur:
            advance(cur, source, before, fresh[-1].position, max(recorded))
            insert(cur, "events", events)
            write(cur, "sla_policies", policy_rows)
            replace_tickets(cur, stored, since, tables)
        self.policies, self.policy_names = policies, names
        self.remember(histories)
        for hook in self.after_commit:
            hook(fresh[-1].position)
        return len(fresh)

    def histories(
        self, by_ticket: dict[str, list[Fact]], new_policies: list["NewPolicy"]
    ) -> dict[str, list[Fact]]:
        """Each touched ticket's whole history (cache, else the fact table, plus this batch);
        a new policy version also touches every ticket opened since it takes effect."""
        wanted = set(by_ticket)
        if new_policies:
            since = min(v.effective_from for _, v, _, _ in new_policies)
            wanted |= opened_since(self.db, since)
        missing = [t for t in wanted if t not in self.cache and not opens(by_ticket.get(t))]
        stored = load_facts(self.db, missing)
        result: dict[str, list[Fact]] = {}
        for ticket_id in sorted(wanted):
            known = self.cache.find(ticket_id) or stored.get(ticket_id, [])
            result[ticket_id] = [*known, *by_ticket.get(ticket_id, [])]
        return result

    def remember(self, histories: dict[str, list[Fact]]) -> None:
        for ticket_id, history in histories.items():
            self.cache.put(ticket_id, history)

    def reset(self) -> None:
        with self.db.transaction() as cur:
            for table in (*TABLES, "tracking"):
                cur.execute(f"DELETE FROM {table}")
        self.cache.clear()
        self.db.report_cache.clear()
        self.policies, self.policy_names = [], {}


def history_bytes(history: list[Fact]) -> int:
    return FACT_BYTES * len(history)


def opens(batch: list[Fact] | None) -> bool:
    return bool(batch) and batch[0].type == EventType.TICKET_OPENED  # type: ignore[index]


def fact_of(record: EventRecord) -> Fact:
    """One record as metrics see it (apply() builds these inline for a whole batch)."""
    return Fact(
        record.position,
        record.version,
        record.type,
        to_us(record.occurred_at),
        to_us(record.recorded_at),
        record.actor,
        record.data,
    )


def advance(cur: duckdb.DuckDBPyConnection, source: str, before: int, after: int, recorded: int) -> None:
    """Moves the tracked position; the record time kept is the greatest seen, for as-of views."""
    tracked = DuckCursor(cur)
    VIEW.advance(tracked, source, before, after)
    tracked.execute(
        "UPDATE tracking SET recorded_at = make_timestamptz(greatest(coalesce(epoch_us(recorded_at), 0), "
        "?::BIGINT)) WHERE source = ?",
        (recorded, source),
    )


def write(cur: duckdb.DuckDBPyConnection, table: str, rows: Rows) -> None:
    if len(rows):
        insert(cur, table, rows.arrow())


def insert(cur: duckdb.DuckDBPyConnection, table: str, batch: pa.Table) -> None:
    cur.from_arrow(batch).insert_into(table)


def replace_tickets(
    cur: duckdb.DuckDBPyConnection, stored: list[str], since: int, tables: dict[str, Rows]
) -> None:
    """Deletes the rows of the tickets that had some (`stored`; every row of theirs has its
    TIME_COLUMNS value at or after `since`) and inserts every touched ticket's new rows."""
    if stored:
        touched = pa.table({"ticket_id": pa.array(stored, pa.string())})  # noqa: F841
        for table in TICKET_TABLES:
            cur.execute(
                f"DELETE FROM {table} WHERE {TIME_COLUMNS[table]} >= make_timestamptz(?::BIGINT) "
                "AND ticket_id IN (SELECT ticket_id FROM touched)",
                [since],
            )
    for table in TICKET_TABLES:
        write(cur, table, tables[table])


def opened_since(db: AnalyticsDb, since: int) -> set[str]:
    rows = db.cursor().execute(
        "SELECT ticket_id FROM tickets WHERE opened_at >= make_timestamptz(?::BIGINT)", [since]
    )
    return {r[0] for r in rows.fetchall()}


FACT_COLUMNS = (
    "aggregate_id, position, version, type, epoch_us(occurred_at), epoch_us(recorded_at), actor, data"
)


def load_facts(db: AnalyticsDb, ids: list[str], until: int | None = None) -> dict[str, list[Fact]]:
    """Ticket histories from the fact table, optionally only events recorded by `until`."""
    if not ids:
        return {}
    wanted = pa.table({"ticket_id": pa.array(sorted(ids), pa.string())})  # noqa: F841
    clause = "" if until is None else "AND recorded_at <= make_timestamptz(?::BIGINT)"
    rows = db.cursor().execute(
        f"SELECT {FACT_COLUMNS} FROM events WHERE aggregate_id IN (SELECT ticket_id FROM wanted) "
        f"{clause} ORDER BY position",
        [] if until is None else [until],
    )
    return facts_by_ticket(rows.fetchall())


def facts_by_ticket(rows: list[tuple[Any, ...]]) -> dict[str, list[Fact]]:
    result: dict[str, list[Fact]] = defaultdict(list)
    for tid, position, version, kind, occurred, recorded, actor, data in rows:
        result[tid].append(Fact(position, version, kind, occurred, recorded, actor, json.loads(data)))
    return result


def load_policies(db: AnalyticsDb, until: int | None = None) -> tuple[list[PolicyVersion], dict[str, str]]:
    """Policy versions from the fact table (optionally only those recorded by `until`)."""
    clause = "" if until is None else "AND recorded_at <= make_timestamptz(?::BIGINT)"
    rows = db.cursor().execute(
        "SELECT aggregate_id, version, type, data FROM events "
        f"WHERE type IN (?, ?) {clause} ORDER BY position",
        [*POLICY_TYPES] if until is None else [*POLICY_TYPES, until],
    )
    names: dict[str, str] = {}
    versions: list[PolicyVersion] = []
    for policy_id, version, _, data in rows.fetchall():
        values = json.loads(data)
        name = names.setdefault(policy_id, values.get("name", ""))
        versions.append(policy_version(name, version, values))
    return versions, names


NewPolicy = tuple[str, PolicyVersion, int, int]
"""(policy id, the version, recorded at, log position)."""


def sort_out(
    fresh: Sequence[EventRecord], occurred: Sequence[int], recorded: Sequence[int], names: dict[str, str]
) -> tuple[dict[str, list[Fact]], list[NewPolicy]]:
    """A batch's ticket events, as facts per ticket, and its new SLA policy versions; every other
    event is only kept in the `events` table. `names` learns the names of new policies."""
    by_ticket: dict[str, list[Fact]] = defaultdict(list)
    new_policies: list[NewPolicy] = []
    for record, at, rec in zip(fresh, occurred, recorded, strict=True):
        match record.aggregate_type:
            case "Ticket":
                by_ticket[record.aggregate_id].append(
                    Fact(record.position, record.version, record.type, at, rec, record.actor, record.data)
                )
            case "SlaPolicy" if record.type in POLICY_TYPES:
                name = names.setdefault(record.aggregate_id, record.data.get("name", ""))
                version = policy_version(name, record.version, dict(record.data))
                new_policies.append((record.aggregate_id, version, rec, record.position))
            case _:
                pass  # kept in `events` only: no metric reads it
    return by_ticket, new_policies
