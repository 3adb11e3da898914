"""What a placeholder leaves out is kept: the provider's object rides on the message as an attachment,
unchanged through the event log and the Kafka wire; and each provider's retries are known by its own id."""

import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from domain.channel import Channel
from ingest.kinds.telegram import TelegramAdapter
from ingest.kinds.whatsapp import WhatsAppAdapter
from projections.avro_records import decode, encode
from projections.records import EventRecord
from tests.fixtures.payloads import dumps, payload, raw, wa_status, wa_statuses
from tests.support import stamp

TELEGRAM = Channel.add("tg", "telegram", None, {"secret_token": "s"}, stamp())
WHATSAPP = Channel.add("wa", "whatsapp", None, {"verify_token": "v", "app_secret": "a"}, stamp())
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3QjVGRkY1RjI0QjA4MEVCQzAA"


def corpus(kind: str, name: str) -> bytes:
    return (CORPUS / kind / f"{name}.json").read_bytes()


def test_a_location_keeps_telegrams_object_and_crosses_the_kafka_wire_unchanged() -> None:
    [message] = TelegramAdapter().parse(TELEGRAM, corpus("telegram", "location")).messages
    [kept] = message.attachments
    sent = json.loads(corpus("telegram", "location"))["message"]["location"]
    assert kept["kind"] == "location" and json.loads(kept["payload"]) == sent
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    data = {
        "channel": "tg",
        "customer_id": str(uuid4()),
        "subject": None,
        "text": message.text,
        "external_id": message.external_id,
        "attachments": list(message.attachments),
    }
    record = EventRecord(7, str(uuid4()), "Ticket", 1, "TicketOpened", at, at, "ingest", data)
    assert decode(encode(record).value) == record


def test_a_whatsapp_order_keeps_the_cart_and_names_its_catalogue() -> None:
    [message] = WhatsAppAdapter().parse(WHATSAPP, corpus("whatsapp", "order")).messages
    [cart] = message.attachments
    items = json.loads(cart["payload"])["product_items"]
    assert (cart["kind"], cart["id"]) == ("order", "194836987003835")
    assert [(i["product_retailer_id"], i["quantity"]) for i in items] == [
        ("sku-card-holder", 2),
        ("sku-sticker-pack", 1),
    ]


def test_telegram_knows_a_retry_by_its_update_id_whatever_the_body() -> None:
    adapter = TelegramAdapter()
    assert adapter.dead_letter_key(raw("telegram_photo.json")) == "update:812346002"
    assert adapter.dead_letter_key(b'{"update_id": 7, "message": 1}') == "update:7"
    assert [adapter.dead_letter_key(b) for b in (b"{not json", b"[1]", b'{"update_id": true}')] == [None] * 3


def test_whatsapp_knows_a_retry_by_its_message_ids_and_status_words() -> None:
    adapter = WhatsAppAdapter()
    message_id = payload("whatsapp_text.json")["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert adapter.dead_letter_key(raw("whatsapp_text.json")) == f"message:{message_id}"
    sent, read = (wa_statuses(wa_status(WAMID, s, 1772442001)) for s in ("sent", "read"))
    assert adapter.dead_letter_key(sent) == f"status:{WAMID}:sent" != adapter.dead_letter_key(read)
    many = wa_statuses(*(wa_status(f"{WAMID}{n}", "delivered", 1772442001) for n in range(20)))
    assert str(adapter.dead_letter_key(many)).startswith("ids-sha256:")
    assert adapter.dead_letter_key(dumps({"object": "whatsapp_business_account", "entry": 3})) is None
