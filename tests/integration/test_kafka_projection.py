"""Projections fed from Kafka equal projections fed from the local log, duplicates or not."""

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import Runtime
from application.command import Context
from domain.errors import DomainError
from projections.kafka_source import KafkaFeed, OffsetHints, source_name
from projections.queue import CustomerRow, TicketRow
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueStore
from projections.sql import open_database
from tests.fixtures.kafka import create_topic
from tests.integration.conftest import RuntimeFactory
from tests.integration.test_relay import life_of_a_ticket, published, relay_for
from tests.support import Clock, sqlite_runtime

Snapshot = tuple[dict[str, TicketRow], dict[str, CustomerRow]]


def snapshot(store: QueueStore) -> Snapshot:
    tickets = [r[0] for r in store.db.fetchall("SELECT ticket_id FROM queue_tickets")]
    customers = [r[0] for r in store.db.fetchall("SELECT customer_id FROM queue_customers")]
    return store.tickets(tickets), store.customers(customers)


def embedded(runtime: Runtime) -> Snapshot:
    runtime.runner.catch_up()
    return snapshot(runtime.queue)


@contextmanager
def kafka_queue(path: Path, bootstrap: str, topic: str) -> Iterator[tuple[KafkaFeed, QueueStore]]:
    db = open_database(path)
    store = QueueStore(db)
    feed = KafkaFeed(bootstrap, topic, [QueueProjection(store)], batch_size=50, hints=OffsetHints(db))
    try:
        yield feed, store
    finally:
        feed.close()
        db.close()


def test_kafka_fed_queue_equals_the_embedded_one_though_every_message_came_twice(
    make_runtime: RuntimeFactory, clock: Clock, kafka_bootstrap: str, kafka_topic: str, tmp_path: Path
) -> None:
    runtime = make_runtime()
    for handle in ("a", "b", "c"):
        life_of_a_ticket(runtime, clock, handle)
    relay = relay_for(runtime, kafka_bootstrap, kafka_topic, batch_size=10)
    relay.catch_up()
    relay.close()
    relay.position.save(0)  # as if it crashed before ever saving: everything is sent again
    relay.stats.position = 0
    relay.catch_up()

    with kafka_queue(tmp_path / "k.sqlite", kafka_bootstrap, kafka_topic) as (feed, store):
        log = runtime.helpdesk.recorder.select_notifications(0, 10_000)
        sent = [n for n in log if "users" not in n.topic]
        assert feed.catch_up() == 2 * len(sent)
        assert snapshot(store) == embedded(runtime)
        tracked = store.positions()
        assert set(tracked) == {source_name(kafka_topic, p) for p in (0, 1)}

        feed.rebuild()
        assert snapshot(store) == embedded(runtime)


def test_a_restarted_projector_applies_only_what_is_new(
    make_runtime: RuntimeFactory, clock: Clock, kafka_bootstrap: str, kafka_topic: str, tmp_path: Path
) -> None:
    runtime = make_runtime()
    life_of_a_ticket(runtime, clock, "a")
    relay = relay_for(runtime, kafka_bootstrap, kafka_topic)
    relay.catch_up()
    with kafka_queue(tmp_path / "k.sqlite", kafka_bootstrap, kafka_topic) as (feed, _):
        feed.catch_up()
    before = len(published(runtime))
    life_of_a_ticket(runtime, clock, "b")
    relay.catch_up()
    with kafka_queue(tmp_path / "k.sqlite", kafka_bootstrap, kafka_topic) as (feed, store):
        assert feed.catch_up() == len(published(runtime)) - before, "a restart must not re-read the topic"
        assert snapshot(store) == embedded(runtime)
    with kafka_queue(tmp_path / "k.sqlite", kafka_bootstrap, kafka_topic) as (feed, store):
        store.reset()  # a view reset behind the projector's back is fed from offset 0 again
        feed.seek()
        feed.catch_up()
        assert snapshot(store) == embedded(runtime)


HANDLES = ["ann", "bob", "cid"]
commands = st.lists(
    st.one_of(
        st.tuples(st.just("open"), st.sampled_from(HANDLES)),
        st.tuples(st.just("message"), st.integers(0, 5)),
        st.tuples(st.just("reply"), st.integers(0, 5)),
        st.tuples(st.just("note"), st.integers(0, 5)),
        st.tuples(
            st.just("tags"), st.integers(0, 5), st.sampled_from(["vip", "bug", "refund"]), st.booleans()
        ),
        st.tuples(st.just("assign"), st.integers(0, 5), st.sampled_from(["anna", "boris"])),
        st.tuples(st.just("priority"), st.integers(0, 5), st.sampled_from(["low", "high", "urgent"])),
        st.tuples(
            st.just("pause"), st.integers(0, 5), st.sampled_from(["waiting_customer", "waiting_department"])
        ),
        st.tuples(st.just("resume"), st.integers(0, 5)),
        st.tuples(st.just("resolve"), st.integers(0, 5), st.sampled_from(["solved", "spam"])),
        st.tuples(st.just("reopen"), st.integers(0, 5)),
        st.tuples(st.just("rate"), st.integers(0, 5), st.sampled_from(["like", "dislike"])),
        st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=30,
)


def run(runtime: Runtime, clock: Clock, script: list[tuple[Any, ...]]) -> None:
    h, ctx, tickets = runtime.helpdesk, Context("anna"), []
    actions = {
        "message": lambda a: lambda t, s: t.receive_message("more", None, s),
        "reply": lambda a: lambda t, s: t.reply("ok", s),
        "note": lambda a: lambda t, s: t.add_note("hm", s),
        "tags": lambda a: lambda t, s: t.change_tags([a[2]] if a[3] else [], [] if a[3] else [a[2]], s),
        "assign": lambda a: lambda t, s: t.assign(a[2], None, s),
        "priority": lambda a: lambda t, s: t.set_priority(a[2], s),
        "pause": lambda a: lambda t, s: t.pause(a[2], "cards", s),
        "resume": lambda a: lambda t, s: t.resume(s),
        "resolve": lambda a: lambda t, s: t.resolve(a[2], s),
        "reopen": lambda a: lambda t, s: t.reopen(s),
        "rate": lambda a: lambda t, s: t.rate(a[2], None, s),
    }
    for step in script:
        clock.advance(seconds=30)
        try:
            if step[0] == "open":
                tickets.append(h.open_ticket("email", step[1], step[1], None, "hi", None, ctx).id)
            elif not tickets:
                continue
            elif step[0] == "merge":
                h.merge(tickets[step[1] % len(tickets)], tickets[step[2] % len(tickets)], ctx, None)
            else:
                h.change(tickets[step[1] % len(tickets)], ctx, None, actions[step[0]](step))
        except DomainError:
            pass


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=commands)
def test_any_command_sequence_gives_the_same_queue_from_kafka_as_from_the_log(
    kafka_bootstrap: str, script: list[tuple[Any, ...]]
) -> None:
    topic = f"deskstream-prop-{uuid.uuid4().hex[:12]}"
    create_topic(kafka_bootstrap, topic, partitions=3)
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        runtime = sqlite_runtime(Path(tmp) / "data", clock)
        try:
            run(runtime, clock, script)
            relay_for(runtime, kafka_bootstrap, topic, batch_size=4).catch_up()
            with kafka_queue(Path(tmp) / "k.sqlite", kafka_bootstrap, topic) as (feed, store):
                feed.catch_up()
                assert snapshot(store) == embedded(runtime)
        finally:
            runtime.close()
