"""The WhatsApp adapter reads status notifications (sent, delivered, read, failed) as Meta writes them."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.channel import Channel
from ingest.contract import DeliveryStatus, Malformed
from ingest.kinds.whatsapp import WhatsAppAdapter
from tests.fixtures.payloads import dumps, payload, raw, wa_status, wa_statuses
from tests.support import stamp

WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3QjVGRkY1RjI0QjA4MEVCQzAA"
SETTINGS = {"verify_token": "v", "app_secret": "a", "access_token": "t", "phone_number_id": "1"}
CHANNEL = Channel.add("wa", "whatsapp", None, SETTINGS, stamp())


def parse(body: bytes) -> Any:
    return WhatsAppAdapter().parse(CHANNEL, body)


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_sent_delivered_and_read_in_one_notification() -> None:
    body = wa_statuses(
        wa_status(WAMID, "sent", 1772442001),
        wa_status(WAMID, "delivered", 1772442003),
        wa_status(WAMID, "read", 1772442060),
    )
    parsed = parse(body)
    assert parsed.messages == [] and parsed.unsupported is None
    assert parsed.statuses == [
        DeliveryStatus(WAMID, "sent", at(1772442001)),
        DeliveryStatus(WAMID, "delivered", at(1772442003)),
        DeliveryStatus(WAMID, "read", at(1772442060)),
    ]


def test_a_failed_status_carries_metas_error_as_one_line() -> None:
    [failed] = parse(raw("whatsapp_status_failed.json")).statuses
    assert failed.status == "failed" and failed.occurred_at == at(1772442012)
    assert failed.error == (
        "131026 Message undeliverable: Unable to deliver message. "
        "The recipient's phone number is not a WhatsApp number."
    )


def test_errors_without_details_or_title_still_say_something() -> None:
    errors = [{"code": 131047, "message": "Re-engagement message"}, {"error_data": {"details": "Rate"}}]
    [failed] = parse(wa_statuses(wa_status(WAMID, "failed", 1772442012, errors=errors))).statuses
    assert failed.error == "131047 Re-engagement message; Rate"


def test_messages_and_statuses_of_one_notification_are_both_read() -> None:
    note = payload("whatsapp_text.json")
    note["entry"][0]["changes"][0]["value"]["statuses"] = [wa_status(WAMID, "delivered", 1772442003)]
    parsed = parse(dumps(note))
    assert [m.text for m in parsed.messages] == ["Hello! Where is my order #5521? 📦"]
    assert [s.status for s in parsed.statuses] == ["delivered"]


def test_a_status_word_we_do_not_record_is_unsupported_not_malformed() -> None:
    parsed = parse(wa_statuses(wa_status(WAMID, "deleted", 1772442003)))
    assert parsed.statuses == []
    assert parsed.unsupported == "ignored: status deleted"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": 7}, "statuses[].status must be a non-empty string."),
        ({"status": None}, "statuses[].status must be a non-empty string."),
        ({"id": 12345}, "statuses[].id must be a non-empty string."),
        ({"id": ""}, "statuses[].id must be a non-empty string."),
        ({"timestamp": "yesterday"}, "statuses[].timestamp must be an integer."),
        ({"timestamp": 10**20}, "statuses[].timestamp is not a valid time."),
        ({"errors": {"code": 1}}, "errors must be a list."),
        ({"errors": ["boom"]}, "errors[] must be an object."),
        ({"errors": [{"code": 1, "error_data": "x"}]}, "errors[].error_data must be an object."),
    ],
)
def test_a_malformed_status_is_refused_with_the_field_named(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(Malformed, match=re.escape(reason)):
        parse(wa_statuses(wa_status(WAMID, "failed", 1772442012) | change))


def test_statuses_that_are_not_a_list_of_objects_are_malformed() -> None:
    note = payload("whatsapp_status.json")
    note["entry"][0]["changes"][0]["value"]["statuses"] = {"id": WAMID}
    with pytest.raises(Malformed, match="statuses must be a list"):
        parse(dumps(note))
    with pytest.raises(Malformed, match=r"statuses\[\] must be an object"):
        parse(wa_statuses("delivered"))  # type: ignore[arg-type]
