"""The event log outlives the code: what was stored before a refactoring reads back the same.

tests/fixtures/stored_events.json was written by the code before issue 13 moved the shared event
base out of the aggregates; these tests read it with today's code.
"""

import importlib
import json
import pkgutil
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, StoredEvent

import domain
from application.helpdesk import Helpdesk
from tests.fixtures.stored_events import FIXTURE, T0, from_json, stored_events

NOT_EVENTS = {"Event", "Created"}


@pytest.fixture(scope="module")
def mapper() -> Mapper[UUID]:
    return Helpdesk({}, clock=lambda: T0, positions=lambda recorder, aggregate_id: {}).mapper


def old_log() -> list[StoredEvent]:
    return from_json(json.loads(FIXTURE.read_text()))


def test_events_stored_before_the_redesign_decode_and_encode_to_the_same_bytes(mapper: Mapper[UUID]) -> None:
    for stored in old_log():
        event = mapper.to_domain_event(stored)
        assert type(event).__qualname__ == stored.topic.partition(":")[2]
        again = mapper.to_stored_event(event)
        assert (again.topic, again.state) == (stored.topic, stored.state), stored.topic


def test_the_same_commands_store_the_same_bytes_as_before_the_redesign() -> None:
    before = [(e.originator_id, e.originator_version, e.topic, e.state) for e in old_log()]
    now = [(e.originator_id, e.originator_version, e.topic, e.state) for e in stored_events()]
    assert now == before


def aggregate_classes() -> set[type[Aggregate]]:
    modules = [importlib.import_module(f"domain.{m.name}") for m in pkgutil.iter_modules(domain.__path__)]
    return {
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Aggregate) and value.__module__ == module.__name__
    }


def test_every_kind_of_event_the_domain_records_has_a_stored_sample() -> None:
    """So a change to the stored form of any event class is caught by the two tests above."""
    events = {
        f"{owner.__module__}:{value.__qualname__}"
        for owner in aggregate_classes()
        for name, value in vars(owner).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event) and name not in NOT_EVENTS
    }
    assert events == {stored.topic for stored in old_log()}
