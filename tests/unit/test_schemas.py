"""The published event contract: one schema per event, documented, compatible with what shipped."""

import dataclasses
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate

from domain.article import Article
from domain.customer import Customer
from domain.qa_review import QaReview
from domain.sla_policy import SlaPolicy
from domain.snippet import Snippet
from domain.ticket import Ticket
from projections.avro_records import EVENT_NAMESPACE, decode, encode, event_id
from projections.records import ENVELOPE_FIELDS, EventRecord
from schemas import CURRENT, PUBLISHED, RELEASED, Catalogue, UnknownSchemaError, catalogue, load_folder
from schemas.compat import problems

PUBLISHED_AGGREGATES: dict[str, type[Aggregate]] = {
    "Ticket": Ticket,
    "Customer": Customer,
    "SlaPolicy": SlaPolicy,
    "Article": Article,
    "Snippet": Snippet,
    "QaReview": QaReview,
}
"""Add an aggregate here (and to schemas.PUBLISHED) when its events go to Kafka."""


NOT_EVENTS = {"Event", "Created"}
"""The aggregate's event base class, and the `Created` class eventsourcing generates but we never use."""


def event_classes(aggregate: type[Aggregate]) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event) and name not in NOT_EVENTS
    }


def test_the_list_of_published_aggregates_is_the_schema_list() -> None:
    assert set(PUBLISHED_AGGREGATES) == set(PUBLISHED)


@pytest.mark.parametrize("aggregate", sorted(PUBLISHED_AGGREGATES))
def test_every_event_of_a_published_aggregate_has_a_schema_with_its_fields(aggregate: str) -> None:
    schemas = catalogue()
    for name, cls in event_classes(PUBLISHED_AGGREGATES[aggregate]).items():
        schema = schemas.writer(aggregate, name)  # raises, naming the missing file
        fields = {f.name for f in dataclasses.fields(cls)} - ENVELOPE_FIELDS
        avro = {f["name"] for f in schema.parsed["fields"]} - {"envelope"}
        assert avro == fields, f"{aggregate}.{name}: schema fields differ from the event's"


def test_no_schema_is_left_without_its_event() -> None:
    known = {(a, n) for a, cls in PUBLISHED_AGGREGATES.items() for n in event_classes(cls)}
    assert set(catalogue().writers) <= known


def test_internal_aggregates_are_not_published() -> None:
    assert not {"User", "ApiToken"} & set(PUBLISHED)


def test_every_record_and_field_is_documented_and_times_are_micros() -> None:
    for path in CURRENT.glob("*.avsc"):
        schema = json.loads(path.read_text())
        assert schema["doc"].strip(), path.name
        assert schema["namespace"].startswith("dev.deskstream"), path.name
        for field in schema["fields"]:
            assert field.get("doc", "").strip(), f"{path.name}: {field['name']} has no doc"
            if field["name"].endswith("_at"):
                assert field["type"] == {"type": "long", "logicalType": "timestamp-micros"}


def test_current_schemas_are_compatible_with_every_released_version() -> None:
    for folder in sorted(RELEASED.iterdir()):
        assert problems(folder, CURRENT) == [], folder.name


def mutated(tmp_path: Path, name: str, change) -> Path:
    folder = tmp_path / "current"
    shutil.copytree(CURRENT, folder)
    path = folder / f"{name}.avsc"
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema))
    return folder


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        ("dev.deskstream.ticket.Assigned", lambda s: s["fields"][1].update(name="owner"), "new data, old"),
        (
            "dev.deskstream.ticket.ReplySent",
            lambda s: s["fields"].append({"name": "html", "type": "string", "doc": "x"}),
            "without a default",
        ),
        ("dev.deskstream.ticket.Resolved", lambda s: s["fields"][1].update(type="long"), "old data, new"),
        ("dev.deskstream.Envelope", lambda s: s["fields"].pop(8), "new data, old"),
    ],
)
def test_an_incompatible_change_is_caught(tmp_path: Path, name: str, change, expected: str) -> None:
    found = problems(RELEASED / "v1", mutated(tmp_path, name, change))
    assert any(expected in p for p in found), found


def test_adding_an_optional_field_is_compatible(tmp_path: Path) -> None:
    field = {"name": "html", "type": ["null", "string"], "default": None, "doc": "HTML body, if any."}
    folder = mutated(tmp_path, "dev.deskstream.ticket.ReplySent", lambda s: s["fields"].append(field))
    assert problems(RELEASED / "v1", folder) == []
    assert len(load_folder(folder)) == len(load_folder(CURRENT))


def test_a_record_survives_the_wire_unchanged() -> None:
    at = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
    record = EventRecord(
        position=42,
        aggregate_id=str(uuid4()),
        aggregate_type="Ticket",
        version=3,
        type="TagsChanged",
        occurred_at=at,
        recorded_at=at + timedelta(seconds=1),
        actor="anna",
        data={"added": ["vip"], "removed": []},
    )
    message = encode(record, request_id="key-1")
    assert message.value[:2] == b"\xc3\x01"
    assert decode(message.value) == record
    headers = dict(message.headers)
    assert headers["event_type"] == b"Ticket.TagsChanged"
    assert headers["event_id"].decode() == event_id(record.aggregate_id, 3)
    assert bytes.fromhex(headers["schema_fingerprint"].decode()) == message.value[2:10]


def test_an_event_whose_fields_differ_from_its_schema_is_refused() -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    data = {"text": "hi", "html": "<p>hi</p>"}
    record = EventRecord(7, str(uuid4()), "Ticket", 2, "NoteAdded", at, at, "anna", data)
    with pytest.raises(UnknownSchemaError, match="html"):
        encode(record)


def test_event_ids_are_uuid5_of_aggregate_and_version() -> None:
    from uuid import uuid5

    aggregate_id = str(uuid4())
    assert event_id(aggregate_id, 7) == str(uuid5(EVENT_NAMESPACE, f"{aggregate_id}:7"))


def test_a_message_written_with_an_older_schema_is_read_with_todays_fields(tmp_path: Path) -> None:
    field = {"name": "html", "type": ["null", "string"], "default": None, "doc": "HTML body, if any."}
    current = mutated(tmp_path, "dev.deskstream.ticket.NoteAdded", lambda s: s["fields"].append(field))
    old, new = catalogue(), load_folder(current)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    record = EventRecord(7, str(uuid4()), "Ticket", 2, "NoteAdded", at, at, "anna", {"text": "hi"})
    today = Catalogue(
        {(s.aggregate_type, s.event_type): s for s in new.values()},
        {**old.by_fingerprint, **{s.fingerprint: s for s in new.values()}},
    )
    decoded = decode(encode(record, schemas=old).value, today)
    assert decoded.data == {"text": "hi", "html": None}


def test_a_status_report_with_the_providers_time_survives_the_wire() -> None:
    at = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
    data = {
        "reply_version": 3,
        "provider_message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3QjVGRkY1RjI0QjA4MEVCQzAA",
        "status": "failed",
        "status_at": datetime(2026, 3, 2, 9, 0, 12, tzinfo=UTC),
        "error": "131026 Message undeliverable",
    }
    record = EventRecord(42, str(uuid4()), "Ticket", 5, "ReplyStatusReported", at, at, "ingest", data)
    assert decode(encode(record).value) == record
    read = dataclasses.replace(record, position=43, version=6, data=data | {"status": "read", "error": None})
    assert decode(encode(read).value) == read


def test_a_qa_review_survives_the_wire_with_its_scores_and_verdict() -> None:
    from domain.qa_checklist import DEFAULT
    from domain.qa_sample import QaSample
    from projections.records import record_from_event
    from tests.support import stamp

    ticket = str(uuid4())
    sample = QaSample.draw("2026-03", 1, [(ticket, "anna")], 9, stamp())
    scores = {"greeting": 2, "accuracy": 1, "tone": 2, "resolution": 0}
    review = QaReview.record(
        sample, UUID(ticket), "anna", DEFAULT, scores, "Check twice", False, stamp(3, "quinn")
    )
    record = record_from_event(51, review.collect_events()[0])
    decoded = decode(encode(record).value)
    assert decoded == record
    assert decoded.data["scores"] == scores and decoded.data["passed"] is False
    assert dict(encode(record).headers)["event_type"] == b"QaReview.QaReviewRecorded"
