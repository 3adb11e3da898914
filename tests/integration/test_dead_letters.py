"""Dead letters are idempotent: a provider's retries of one payload are one letter that counts them,
on SQLite and PostgreSQL, and a store from before letters had keys is migrated in place."""

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from ingest.dead_letters import BASELINE, SCHEMA, DeadLetters
from tests.fixtures.payloads import (
    TG_SECRET,
    WA_SECRET,
    add_channels,
    admin_token,
    dumps,
    hub_signature,
    payload,
    raw,
    wa_status,
    wa_statuses,
)

UNREADABLE = b'{"update_id": 812399001, "message": {"message_id": "x"}}'


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as served:
        for name in ("anna", "oleg"):
            runtime.helpdesk.register_user(name, "operator")
        token = admin_token(runtime)
        add_channels(served, token)
        served.headers["Authorization"] = f"Bearer {token}"
        yield served


def telegram(client: TestClient, body: bytes) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
    return client.post("/api/v1/ingest/telegram/tg", content=body, headers=headers)


def letters(client: TestClient) -> list[dict[str, Any]]:
    return list(client.get("/api/v1/ingest/dead-letters").json()["data"])


def test_a_malformed_update_sent_three_times_is_one_letter_delivered_three_times(client: TestClient) -> None:
    answers = [telegram(client, UNREADABLE) for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert len({a.json()["dead_letter"] for a in answers}) == 1
    [letter] = letters(client)
    assert (letter["deliveries"], letter["retries"], letter["status"]) == (3, 0, "new")
    assert letter["reason"] == "message.chat must be an object."


def test_the_same_update_id_with_another_body_counts_on_the_first_letter(client: TestClient) -> None:
    """Telegram names an update by its update_id: the body that was kept stays, the reason is the
    latest delivery's."""
    telegram(client, UNREADABLE)
    other = json.loads(UNREADABLE) | {"message": "not an object"}
    assert telegram(client, dumps(other)).status_code == 400
    [letter] = letters(client)
    assert letter["deliveries"] == 2 and letter["body"] == UNREADABLE.decode()
    assert letter["reason"] == "message must be an object."


def test_an_admins_retry_is_not_a_delivery_and_a_fixed_letter_stays_fixed(client: TestClient) -> None:
    [letter_id] = {telegram(client, UNREADABLE).json()["dead_letter"] for _ in range(2)}
    fixed = client.post(
        f"/api/v1/ingest/dead-letters/{letter_id}/retry",
        json={"body": raw("telegram_message_ru.json").decode()},
    )
    assert fixed.status_code == 200, fixed.text
    assert telegram(client, UNREADABLE).status_code == 400  # the provider's late retry
    [letter] = letters(client)
    assert (letter["deliveries"], letter["retries"], letter["status"]) == (3, 1, "retried")


def test_payloads_without_an_id_are_known_by_their_body(client: TestClient) -> None:
    """A VK event kept as ignored, twice, is one letter; another body is another letter."""
    join = payload("vk_group_join.json")
    for body in (dumps(join), dumps(join), dumps(join | {"event_id": "other-event"})):
        assert client.post("/api/v1/ingest/vk/vk", content=body).text == "ok"
    assert sorted(d["deliveries"] for d in letters(client)) == [1, 2]


def test_whatsapp_retries_count_per_message_and_per_status_word(client: TestClient) -> None:
    wamid = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3QjVGRkY1RjI0QjA4MEVCQzAA"
    bodies = [wa_statuses(wa_status(wamid, s, 1772442001)) for s in ("sent", "sent", "delivered")]
    bodies += [raw("whatsapp_reaction.json")] * 2
    for body in bodies:
        headers = {"X-Hub-Signature-256": hub_signature(WA_SECRET, body)}
        assert client.post("/api/v1/ingest/whatsapp/wa", content=body, headers=headers).status_code == 200
    by_reason = {d["reason"].rsplit(" ", 1)[-1]: d["deliveries"] for d in letters(client)}
    assert by_reason == {"(sent)": 2, "(delivered)": 1, "reaction": 2}


def test_simultaneous_deliveries_of_one_payload_keep_one_letter(runtime: Runtime) -> None:
    assert runtime.ingest is not None
    store = runtime.ingest.dead_letters
    at = runtime.helpdesk.clock()

    def deliver(_: int) -> str:
        return store.add("tg", "telegram", "why", UNREADABLE, {}, at)

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(deliver, range(12)))
    [letter], count = store.list(None, 50, 0)
    assert ids == {letter.id} and count == 1 and letter.deliveries == 12


def test_a_store_from_before_letter_keys_is_migrated_in_place(runtime: Runtime) -> None:
    """Letters an earlier version kept once per retry stay (the oldest takes the key); their
    deliveries start at one, and the next retry counts on the oldest."""
    assert runtime.ingest is not None
    db = runtime.ingest.db
    with db.transaction() as cur:
        cur.execute("DROP TABLE dead_letters")
        cur.execute(f"DROP TABLE {SCHEMA.version_table}")
        for statement in BASELINE:
            cur.execute(statement)
        for n, body in enumerate((UNREADABLE, UNREADABLE, b"[1]")):
            cur.execute(
                "INSERT INTO dead_letters (id, channel, kind, received_at, reason, headers, body, status, "
                "retries) VALUES (?, 'tg', 'telegram', ?, 'old', '{}', ?, 'new', 0)",
                (f"old-{n}", f"2026-03-01T0{n}:00:00+00:00", body),
            )
    store = DeadLetters(db)
    with db.transaction() as cur:
        assert SCHEMA.upgrade(cur) == SCHEMA.version == 2
    kept, count = store.list(None, 50, 0)
    assert count == 3 and [(d.id, d.deliveries) for d in kept] == [("old-0", 1), ("old-1", 1), ("old-2", 1)]
    assert store.add("tg", "telegram", "again", UNREADABLE, {}, runtime.helpdesk.clock()) == "old-0"
    assert store.add("tg", "telegram", "again", b"[1]", {}, runtime.helpdesk.clock()) == "old-2"
    again = {d.id: (d.deliveries, d.reason) for d in store.list(None, 50, 0)[0]}
    assert again == {"old-0": (2, "again"), "old-1": (1, "old"), "old-2": (2, "again")}
