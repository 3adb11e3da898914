"""Random and mutated payloads at every webhook: never a 5xx, never accepted with a bad signature."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.bootstrap import Runtime
from application.command import Context
from tests.fixtures.payloads import (
    MENTIONS_SECRET,
    TG_SECRET,
    VK_SECRET,
    WA_SECRET,
    WIDGET_KEY,
    add_channels,
    admin_token,
    hub_signature,
    payload,
    raw,
    recording_server,
    wa_statuses,
)
from tests.support import Clock, sqlite_runtime

SAMPLES = {
    "telegram": ["telegram_message_ru.json", "telegram_photo.json", "telegram_edited.json"],
    "whatsapp": [
        "whatsapp_text.json",
        "whatsapp_image.json",
        "whatsapp_status.json",
        "whatsapp_status_failed.json",
    ],
    "vk": ["vk_message_new.json", "vk_wall_reply_new.json", "vk_confirmation.json"],
    "widget": [],
    "mentions": ["mentions_review.json", "mentions_press.json"],
}
CHANNELS = {"telegram": "tg", "whatsapp": "wa", "vk": "vk", "widget": "widget", "mentions": "press"}
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
)


def mutate(value: Any, data: st.DataObject) -> Any:
    """Replaces, drops or retypes one field somewhere in a recorded payload."""
    if isinstance(value, dict) and value:
        key = data.draw(st.sampled_from(sorted(value)))
        action = data.draw(st.sampled_from(["drop", "replace", "recurse"]))
        copy = dict(value)
        if action == "drop":
            del copy[key]
        elif action == "replace":
            copy[key] = data.draw(json_values)
        else:
            copy[key] = mutate(copy[key], data)
        return copy
    if isinstance(value, list) and value:
        index = data.draw(st.integers(0, len(value) - 1))
        return [mutate(v, data) if i == index else v for i, v in enumerate(value)]
    return data.draw(json_values)


def sign(kind: str, body: bytes, good: bool) -> tuple[bytes, dict[str, str]]:
    secret = {
        "telegram": TG_SECRET,
        "whatsapp": WA_SECRET,
        "vk": VK_SECRET,
        "widget": WIDGET_KEY,
        "mentions": MENTIONS_SECRET,
    }[kind]
    secret = secret if good else secret + "x"
    if kind == "telegram":
        return body, {"X-Telegram-Bot-Api-Secret-Token": secret}
    if kind == "widget":
        return body, {"X-Widget-Key": secret}
    if kind in ("whatsapp", "mentions"):
        name = "X-Hub-Signature-256" if kind == "whatsapp" else "X-Signature-256"
        return body, {name: hub_signature(secret, body)}
    try:
        event = json.loads(body)
    except ValueError:
        return body, {}
    if isinstance(event, dict):
        event["secret"] = secret
        if not good and event.get("type") == "confirmation":
            event["type"] = "message_new"
        body = json.dumps(event).encode()
    return body, {}


FAILED_SAMPLE = payload("whatsapp_status_failed.json")["entry"][0]["changes"][0]["value"]["statuses"][0]


@contextmanager
def served(tmp_path: Path) -> Iterator[tuple[Runtime, TestClient, UUID]]:
    """Every kind of channel, and a WhatsApp reply the Cloud API accepted under the failed sample's
    wamid, so that mutated status reports reach the ticket, not only the dead letters."""
    runtime = sqlite_runtime(tmp_path / "data", Clock())
    with (
        recording_server() as provider,
        TestClient(create_app(runtime), raise_server_exceptions=False) as client,
    ):
        for name in ("anna", "oleg"):
            runtime.helpdesk.register_user(name, "operator")
        add_channels(client, admin_token(runtime), api_base=provider.url)
        ticket_id = UUID(whatsapp(client, raw("whatsapp_text.json")).json()["messages"][0]["ticket_id"])
        runtime.helpdesk.change(ticket_id, Context("oleg"), None, lambda t, s: t.reply("On its way", s))
        runtime.runner.catch_up()
        provider.script = [(200, {"messages": [{"id": FAILED_SAMPLE["id"]}]})]
        assert runtime.ingest is not None and runtime.ingest.outbox.run_once() == 1
        yield runtime, client, ticket_id


def whatsapp(client: TestClient, body: bytes) -> Any:
    headers = {"X-Hub-Signature-256": hub_signature(WA_SECRET, body)}
    return client.post("/api/v1/ingest/whatsapp/wa", content=body, headers=headers)


def test_fuzzed_webhooks(tmp_path: Path) -> None:
    with served(tmp_path) as (runtime, client, _):
        assert runtime.ingest is not None
        seen: dict[str, int] = {}

        @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
        @given(
            kind=st.sampled_from(sorted(CHANNELS)),
            good=st.booleans(),
            shape=st.sampled_from(["bytes", "json", "mutated"]),
            data=st.data(),
        )
        def run(kind: str, good: bool, shape: str, data: st.DataObject) -> None:
            if shape == "bytes":
                body = data.draw(st.binary(max_size=300))
            elif shape == "json" or not SAMPLES[kind]:
                body = json.dumps(data.draw(json_values)).encode()
            else:
                body = json.dumps(mutate(payload(data.draw(st.sampled_from(SAMPLES[kind]))), data)).encode()
            body, headers = sign(kind, body, good)
            events = runtime.helpdesk.recorder.max_notification_id()
            letters = runtime.ingest.dead_letters.list(None, 1, 0)[1]  # type: ignore[union-attr]
            response = client.post(f"/api/v1/ingest/{kind}/{CHANNELS[kind]}", content=body, headers=headers)
            assert response.status_code < 500, response.text
            seen[str(response.status_code)] = seen.get(str(response.status_code), 0) + 1
            if not good:
                assert response.status_code in (401, 403), (kind, response.status_code, body)
                assert runtime.helpdesk.recorder.max_notification_id() == events
                assert runtime.ingest.dead_letters.list(None, 1, 0)[1] == letters  # type: ignore[union-attr]

        run()
        assert seen.get("200", 0) > 0 and seen.get("400", 0) > 0 and seen.get("401", 0) > 0


def test_fuzzed_status_reports_on_a_sent_reply(tmp_path: Path) -> None:
    """One field of a report on our reply mutated: never a 5xx, and each status recorded at most once."""
    with served(tmp_path) as (runtime, client, ticket_id):

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(status=st.sampled_from(["sent", "delivered", "read", "failed", "deleted"]), data=st.data())
        def run(status: str, data: st.DataObject) -> None:
            report = FAILED_SAMPLE | {"status": status}
            if data.draw(st.booleans()):
                report = mutate(report, data)
            response = whatsapp(client, wa_statuses(report))
            assert response.status_code < 500, response.text

        run()
        history = runtime.helpdesk.history(ticket_id)
        statuses = [e.status for e in history if type(e).__name__ == "ReplyStatusReported"]
        assert statuses and len(statuses) == len(set(statuses))
