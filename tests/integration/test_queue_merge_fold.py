"""The queue's merge fold, property-tested: any valid sequence of customer merges, cut into any
batches or fed partition by partition as from Kafka, gives the rows a one-batch rebuild gives,
and each customer's tickets are those of every record with the same survivor."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import example, given, settings
from hypothesis import strategies as st

from projections.queue_projection import QueueProjection
from projections.queue_store import QueueFilter, QueueStore
from projections.records import EventRecord
from projections.sql import SqliteDatabase

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVERY_STATUS = QueueFilter(status=("open", "paused", "resolved", "merged"))


class Log:
    """Events as the log would hold them, with the merge rules of the Customer aggregate."""

    def __init__(self) -> None:
        self.records: list[EventRecord] = []
        self.versions: dict[str, int] = {}
        self.merged_into: dict[str, str | None] = {}
        self.ticket_owner: dict[str, str] = {}

    def add(self, aggregate_id: str, aggregate_type: str, type_: str, **data: Any) -> None:
        version = self.versions[aggregate_id] = self.versions.get(aggregate_id, 0) + 1
        at = T0 + timedelta(seconds=len(self.records))
        position = len(self.records) + 1
        self.records.append(
            EventRecord(position, aggregate_id, aggregate_type, version, type_, at, at, "anna", data)
        )

    def register(self, n: int) -> None:
        customer = str(UUID(int=n + 1))
        self.add(customer, "Customer", "CustomerRegistered", name=f"C{n}", identities=[f"vk:{n}"])
        self.merged_into[customer] = None

    def open(self, n: int) -> None:
        """Like `Helpdesk.customer_for`: a new ticket from a merged record goes to its survivor."""
        ticket = str(UUID(int=1000 + len(self.records)))
        customer = self.survivor(list(self.merged_into)[n % len(self.merged_into)])
        self.add(ticket, "Ticket", "TicketOpened", channel="vk", customer_id=customer, subject=None)
        self.ticket_owner[ticket] = customer

    def merge(self, source_n: int, target_n: int) -> None:
        """Between records not merged yet (the aggregate refuses others), so that chains form."""
        unmerged = [c for c, into in self.merged_into.items() if into is None]
        source, target = unmerged[source_n % len(unmerged)], unmerged[target_n % len(unmerged)]
        if source == target:
            return
        self.add(source, "Customer", "CustomerMergedInto", target_id=UUID(target))
        self.add(target, "Customer", "CustomerMergeReceived", source_id=UUID(source), identities=[])
        self.merged_into[source] = target

    def survivor(self, customer: str) -> str:
        while (into := self.merged_into[customer]) is not None:
            customer = into
        return customer


MERGE = st.tuples(st.just("merge"), st.integers(0, 7), st.integers(0, 7))
COMMAND = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 7), st.just(0)),
    MERGE,
    MERGE,  # twice as likely: chains need several merges
    st.tuples(st.just("register"), st.just(0), st.just(0)),
)
STEPS = st.lists(st.tuples(COMMAND, st.booleans()), max_size=40)
"""Commands, each followed by the end of a batch or not."""


Batches = list[tuple[str, list[EventRecord]]]
"""(source, records) in the order a projector is handed them."""


def in_log_order(records: list[EventRecord], cuts: list[int]) -> Batches:
    return [("log", records[a:b]) for a, b in zip([0, *cuts], [*cuts, len(records)], strict=True)]


def by_partition(records: list[EventRecord], homes: list[int], picks: list[int]) -> Batches:
    """As a Kafka-fed projector gets them: each aggregate in one of three partitions (the n-th to
    appear in partition n + `homes[n]`, modulo 3, so that neighbours mostly part), its events in
    log order; partitions taken two records at a time in the order `picks` says, then whatever is
    left, last partition first."""
    home: dict[str, int] = {}
    for record in records:
        n = len(home)
        home.setdefault(record.aggregate_id, (n + (homes[n % len(homes)] if homes else 0)) % 3)
    queues = [[r for r in records if home[r.aggregate_id] == n] for n in range(3)]
    batches: Batches = []
    for n in [*(p % 3 for p in picks), 2, 1, 0]:
        taken = queues[n] if len(batches) >= len(picks) else queues[n][:2]
        batches.append((f"p:{n}", taken))
        queues[n] = queues[n][len(taken) :]
    return [b for b in batches if b[1]]


def folded(batches: Batches, path: Path) -> QueueStore:
    store = QueueStore(SqliteDatabase(path))
    projection = QueueProjection(store)
    for source, records in batches:
        projection.apply(records, source)
    return store


def history(customers: int, steps: list[tuple[tuple[str, int, int], bool]]) -> tuple[Log, list[int]]:
    """The log the steps make, and the positions where a step ended a batch."""
    log = Log()
    for n in range(customers):
        log.register(n)
        log.open(n)
    cuts: list[int] = []
    for (command, a, b), cut in steps:
        if command == "open":
            log.open(a)
        elif command == "merge":
            log.merge(a, b)
        else:
            log.register(len(log.merged_into))
        if cut:
            cuts.append(len(log.records))
    return log, cuts


def check_same_and_as_the_log_says(live: QueueStore, rebuilt: QueueStore, log: Log) -> None:
    assert live.query(EVERY_STATUS, 1000, 0) == rebuilt.query(EVERY_STATUS, 1000, 0)
    for customer in log.merged_into:
        survivor = log.survivor(customer)
        by_customer = QueueFilter(status=EVERY_STATUS.status, customer_id=customer)
        rows, count = live.query(by_customer, 1000, 0)
        assert (rows, count) == rebuilt.query(by_customer, 1000, 0)
        owners = {t for t, owner in log.ticket_owner.items() if log.survivor(owner) == survivor}
        assert {row["id"] for row in rows} == owners
        assert all(row["customer"]["id"] == survivor for row in rows)
        assert live.customer(customer) == rebuilt.customer(customer)
        assert live.merged_from(customer) == sorted(
            c for c in log.merged_into if c != customer and log.survivor(c) == customer
        )
    for store in (live, rebuilt):
        store.db.close()


@settings(max_examples=200, deadline=None)
@given(customers=st.integers(2, 5), steps=STEPS)
def test_any_merges_in_any_batches_fold_as_one_rebuild(
    tmp_path_factory: Any, customers: int, steps: list[tuple[tuple[str, int, int], bool]]
) -> None:
    log, cuts = history(customers, steps)
    folder = tmp_path_factory.mktemp("fold")
    live = folded(in_log_order(log.records, cuts), folder / "live.sqlite")
    rebuilt = folded(in_log_order(log.records, []), folder / "all.sqlite")
    check_same_and_as_the_log_says(live, rebuilt, log)


@settings(max_examples=200, deadline=None)
@given(
    customers=st.integers(2, 5),
    steps=STEPS,
    homes=st.lists(st.integers(0, 2), max_size=12),
    picks=st.lists(st.integers(0, 2), max_size=60),
)
@example(customers=3, steps=[(("merge", 0, 1), False)] * 2, homes=[], picks=[])  # B into C, then A into B
def test_merges_fed_partition_by_partition_fold_as_the_log(
    tmp_path_factory: Any,
    customers: int,
    steps: list[tuple[tuple[str, int, int], bool]],
    homes: list[int],
    picks: list[int],
) -> None:
    """A later merge of the target may arrive first (B into C before A into B): A still ends at C."""
    log, _ = history(customers, steps)
    folder = tmp_path_factory.mktemp("partitions")
    live = folded(by_partition(log.records, homes, picks), folder / "kafka.sqlite")
    rebuilt = folded(in_log_order(log.records, []), folder / "log.sqlite")
    check_same_and_as_the_log_says(live, rebuilt, log)
