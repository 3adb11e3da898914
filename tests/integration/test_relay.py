"""The relay against a real broker (tansu): what it publishes, in what order, and after a restart."""

import dataclasses
import time
from collections import defaultdict
from pathlib import Path
from uuid import UUID

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from api.bootstrap import Runtime, build, build_relay
from api.settings import Settings
from application.command import Context
from projections.avro_records import decode, event_id, header, is_published
from projections.local_log import LocalLog
from projections.records import EventRecord, record_from_event
from relay.event_record import record_of
from relay.relay import Relay
from tests.integration.conftest import RuntimeFactory
from tests.support import Clock

SERVICE = Context("vk-bot")
ANNA = Context("anna")
CONSUME_TIMEOUT_S = 20.0


def relay_for(
    runtime: Runtime, bootstrap: str, topic: str, batch_size: int = 5000, helper_process: bool = False
) -> Relay:
    settings = dataclasses.replace(runtime.settings, kafka_bootstrap=bootstrap, kafka_topic=topic)
    relay, db = build_relay(settings, runtime.helpdesk, batch_size=batch_size, helper_process=helper_process)
    runtime.background.append(Closer(relay, db))
    return relay


@dataclasses.dataclass
class Closer:
    """Closes the relay with the runtime (Runtime.close stops its background services)."""

    relay: Relay
    db: object

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.relay.close()
        self.db.close()  # type: ignore[attr-defined]


def consume_all(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    """Every message in the topic, read with assign() to the fetch high watermark."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        messages: list[ConsumerRecord] = []
        deadline = time.monotonic() + CONSUME_TIMEOUT_S
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                messages.extend(batch)
            highs = [consumer.highwater(tp) for tp in tps]
            if all(h is not None and consumer.position(tp) >= h for tp, h in zip(tps, highs, strict=True)):
                return messages
        raise TimeoutError(f"{topic} was not read to its end in {CONSUME_TIMEOUT_S} s")
    finally:
        consumer.close()


def life_of_a_ticket(runtime: Runtime, clock: Clock, handle: str = "id1") -> UUID:
    """Every published event type at least once, plus internal ones that must stay inside."""
    h = runtime.helpdesk
    ticket = h.open_ticket("vk", "Ivan", handle, "Card", "My card is blocked", f"m-{handle}", SERVICE).id
    other = h.open_ticket("vk", "Ivan", handle, None, "Also this", f"m2-{handle}", SERVICE).id
    steps = [
        lambda t, s: t.receive_message("Hello?", None, s),
        lambda t, s: t.reply("Looking", s),
        lambda t, s: t.add_note("internal", s),
        lambda t, s: t.change_tags(["vip", "card"], [], s),
        lambda t, s: t.change_tags([], ["card"], s),
        lambda t, s: t.set_type("problem", s),
        lambda t, s: t.set_priority("high", s),
        lambda t, s: t.assign("anna", "yours", s),
        lambda t, s: t.pause("waiting_department", "cards", s),
        lambda t, s: t.resume(s),
        lambda t, s: t.pause("waiting_customer", None, s),
        lambda t, s: t.receive_message("Here it is", "m3", s),
        lambda t, s: t.resolve("solved", s),
        lambda t, s: t.rate("like", "thanks", s),
        lambda t, s: t.reopen(s),
    ]
    for step in steps:
        clock.advance(minutes=1)
        h.change(ticket, ANNA, None, step)
    h.merge(other, ticket, ANNA, None)
    customer = h.ticket(ticket).customer_id
    h.add_customer_note(customer, "prefers phone", ANNA)
    person = h.customer(customer)
    person.link_identity("email:ivan@example.com", h.stamp(None, ANNA))
    h.save(person)
    h.register_user(f"boris-{handle}", "operator")
    h.issue_token(f"hash-{handle}", f"boris-{handle}")
    return ticket


def published(runtime: Runtime) -> list[EventRecord]:
    records = LocalLog(runtime.helpdesk).read(0, 100_000)
    return [r for r in records if is_published(r.aggregate_type)]


def test_the_relay_publishes_each_event_as_the_local_log_reads_it(
    make_runtime: RuntimeFactory, clock: Clock, kafka_bootstrap: str, kafka_topic: str
) -> None:
    runtime = make_runtime()
    life_of_a_ticket(runtime, clock)
    relay_for(runtime, kafka_bootstrap, kafka_topic, batch_size=7, helper_process=True).catch_up()

    messages = consume_all(kafka_bootstrap, kafka_topic)
    expected = published(runtime)
    assert sorted((decode(m.value) for m in messages), key=lambda r: r.position) == expected
    assert {r.type for r in expected} >= {"TicketOpened", "Rated", "MergeReceived", "IdentityLinked"}
    by_partition: dict[int, list[EventRecord]] = defaultdict(list)
    for m in messages:
        record = decode(m.value)
        assert m.key == record.aggregate_id.encode()
        assert header(m.headers, "event_type") == f"{record.aggregate_type}.{record.type}".encode()
        assert header(m.headers, "event_id") == event_id(record.aggregate_id, record.version).encode()
        assert header(m.headers, "schema_fingerprint") == m.value[2:10].hex().encode()
        by_partition[m.partition].append(record)
    for records in by_partition.values():
        positions = [r.position for r in records]
        assert positions == sorted(positions), "a partition must carry log order"


def test_a_restarted_relay_goes_on_from_its_saved_position(
    make_runtime: RuntimeFactory, clock: Clock, kafka_bootstrap: str, kafka_topic: str
) -> None:
    runtime = make_runtime()
    life_of_a_ticket(runtime, clock, "a")
    first = relay_for(runtime, kafka_bootstrap, kafka_topic)
    first.catch_up()
    first.close()
    life_of_a_ticket(runtime, clock, "b")
    assert relay_for(runtime, kafka_bootstrap, kafka_topic).catch_up() > 0

    positions = [decode(m.value).position for m in consume_all(kafka_bootstrap, kafka_topic)]
    assert sorted(positions) == [r.position for r in published(runtime)]


def test_relay_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {"DESKSTREAM_DATA": str(tmp_path), "DESKSTREAM_KAFKA_BOOTSTRAP": "127.0.0.1:9"}
    settings = Settings.from_env(env)
    assert (settings.kafka_bootstrap, settings.kafka_topic) == ("127.0.0.1:9", "deskstream.ticket-events")
    assert settings.relay_target == tmp_path / "relay.sqlite"
    assert Settings.from_env({**env, "DESKSTREAM_KAFKA_TOPIC": "x"}).kafka_topic == "x"


def test_serve_runs_the_relay_in_process_when_a_broker_is_configured(
    tmp_path: Path, clock: Clock, kafka_bootstrap: str, kafka_topic: str
) -> None:
    settings = Settings(data_dir=tmp_path, run_projections=False, kafka_bootstrap=kafka_bootstrap)
    runtime = build(dataclasses.replace(settings, kafka_topic=kafka_topic), clock=clock)
    runtime.start()
    try:
        life_of_a_ticket(runtime, clock)
        expected = published(runtime)
        deadline = time.monotonic() + CONSUME_TIMEOUT_S
        while len(consume_all(kafka_bootstrap, kafka_topic)) < len(expected):
            assert time.monotonic() < deadline, "the in-process relay did not publish"
            time.sleep(0.2)
    finally:
        runtime.close()
    assert sorted(decode(m.value).position for m in consume_all(kafka_bootstrap, kafka_topic)) == [
        r.position for r in expected
    ]


def test_the_relays_fast_record_equals_the_usual_one(make_runtime: RuntimeFactory, clock: Clock) -> None:
    runtime = make_runtime()
    life_of_a_ticket(runtime, clock)
    app = runtime.helpdesk
    for n in app.recorder.select_notifications(start=0, limit=1000, inclusive_of_start=False):
        event = app.mapper.to_domain_event(n)
        assert record_of(n.id, event) == record_from_event(n.id, event)
