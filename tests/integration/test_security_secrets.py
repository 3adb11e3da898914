"""Issue 12, items 1 and 8: channel secrets never leave the store, ids of one aggregate type are
no other's, data files are private, and each role reads only what it needs (asked first)."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import duckdb
import httpx2
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime, view_file
from ingest.dead_letters import DeadLetters
from projections.avro_records import decode
from projections.duckdb_snapshot import SNAPSHOT_NAME, take_snapshot
from relay.reader import read_batch
from schemas import PUBLISHED, catalogue
from tests.e2e.server import deskstream, served
from tests.fixtures.payloads import dumps, payload
from tests.integration.api_client import USERS, As, sign_up
from tests.integration.planted_secrets import (
    ARTICLE,
    EVERY_SECRET,
    SECRETS,
    VIEW_FILES,
    add_secret_channels,
    caught_up,
    dead_letters_with_secrets,
    every_get,
    leaks,
    modes,
    open_ticket,
    other_ids,
    plant_old_secrets,
    runtime_of,
    table_leaks,
)
from tests.support import Clock, sqlite_runtime


@pytest.fixture
def desk(users: dict[str, As]) -> dict[str, As]:
    """The served API with a channel of every kind, each holding distinctive secrets."""
    add_secret_channels(users["root"])
    return users


def test_an_operator_cannot_read_a_channels_bot_token_through_the_events_route(desk: dict[str, As]) -> None:
    open_ticket(desk)
    for kind, aggregate_id in other_ids(desk).items():
        for who in ("anna", "sveta", "audrey", "root"):
            for path in (f"/tickets/{aggregate_id}/events", f"/tickets/{aggregate_id}"):
                response = desk[who].get(path)
                assert response.status_code == 404, (kind, who, path, response.text)
                assert response.json()["error"] == "ticket_not_found"
                assert leaks(response.content) == []


def test_a_ticket_as_of_on_another_aggregates_id_is_a_404_not_a_500(desk: dict[str, As]) -> None:
    ticket = open_ticket(desk)
    customer = desk["anna"].get(f"/tickets/{ticket}").json()["customer"]["id"]
    for aggregate_id in [*other_ids(desk).values(), customer]:
        response = desk["anna"].get(f"/tickets/{aggregate_id}", as_of="2030-01-01T00:00:00Z")
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "ticket_not_found"


def test_per_aggregate_routes_refuse_an_id_of_another_type(desk: dict[str, As]) -> None:
    ticket = open_ticket(desk)
    channel = other_ids(desk)["channel"]
    anna = desk["anna"]
    wrong = {
        f"/customers/{ticket}": "customer_not_found",
        f"/customers/{channel}": "customer_not_found",
        f"/customers/{channel}/history": "customer_not_found",
        f"/kb/articles/{ticket}": "article_not_found",
        f"/kb/articles/{channel}": "article_not_found",
        f"/snippets/{channel}/preview?ticket={ticket}": "snippet_not_found",
    }
    for path, error in wrong.items():
        response = anna.client.get(f"/api/v1{path}", headers=anna.headers())
        assert (response.status_code, response.json()["error"]) == (404, error), path
    for path in (f"/customers/{channel}/notes", f"/customers/{ticket}/notes"):
        response = anna.post(path, {"text": "x"})
        assert (response.status_code, response.json()["error"]) == (404, "customer_not_found"), path
    for path in (f"/mentions/{channel}/triage", f"/mentions/{ticket}/triage"):
        response = anna.post(path, {"decision": "ignore"})
        assert (response.status_code, response.json()["error"]) == (404, "mention_not_found"), path
    commands = {
        (f"/tickets/{channel}/notes", "post"): ({"text": "x"}, "ticket_not_found"),
        (f"/tickets/{ticket}/merge", "post"): ({"into": str(channel)}, "ticket_not_found"),
        (f"/customers/{channel}/merge", "post"): ({"into": ticket}, "customer_not_found"),
        (f"/kb/articles/{channel}", "put"): (ARTICLE, "article_not_found"),
        (f"/snippets/{ticket}", "put"): ({"title": "x", "body": "y"}, "snippet_not_found"),
    }
    for (path, method), (body, error) in commands.items():
        response = anna.client.request(method, f"/api/v1{path}", json=body, headers=anna.headers())
        assert (response.status_code, response.json()["error"]) == (404, error), (path, response.text)


def test_no_role_reads_a_channel_secret_from_any_get_route(desk: dict[str, As]) -> None:
    dead_letters_with_secrets(desk)
    requests = every_get(desk)
    caught_up(runtime_of(desk["anna"]))
    paths = desk["anna"].client.app.openapi()["paths"]  # type: ignore[attr-defined]
    app_routes = {p.removeprefix("/api/v1") for p, ops in paths.items() if "get" in ops and p != "/health"}
    assert app_routes == {template for template, *_ in requests}, "a GET route is not scanned"
    for who in USERS:
        user = desk[who]
        for _, path, query, extra in requests:
            response = user.client.get(f"/api/v1{path}", params=query, headers=user.headers(extra))
            assert response.status_code < 500, (who, path, response.text)
            assert leaks(response.content) == [], (who, path)
    letters = desk["root"].get("/ingest/dead-letters").json()["data"]
    assert len(letters) == 2


def test_the_analysts_duckdb_events_table_and_snapshot_hold_no_channel_secret(desk: dict[str, As]) -> None:
    runtime = runtime_of(desk["root"])
    open_ticket(desk)
    caught_up(runtime)
    assert runtime.analytics is not None
    con = runtime.analytics.cursor()
    types = {row[0] for row in con.execute("SELECT DISTINCT aggregate_type FROM events").fetchall()}
    assert "Channel" in types
    assert table_leaks(con) == []
    snapshot = view_file(runtime.settings, SNAPSHOT_NAME)
    take_snapshot(runtime.analytics, snapshot)
    with duckdb.connect(str(snapshot), read_only=True) as copy:
        assert table_leaks(copy) == []
    views = [p for p in runtime.settings.data_dir.glob("*.sqlite*") if not p.name.startswith("events.")]
    assert runtime.settings.postgres_url or {p.name for p in views} >= {"ingest.sqlite", "search.sqlite"}
    for view in views:
        assert leaks(view.read_bytes()) == [], view.name


@pytest.fixture
def old_data(tmp_path: Path, clock: Clock) -> Iterator[Path]:
    data = tmp_path / "data"
    runtime = sqlite_runtime(data, clock, run_projections=True)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        add_secret_channels(sign_up(runtime, client)["root"])
        caught_up(runtime)
    plant_old_secrets(data)
    (data / SNAPSHOT_NAME).unlink(missing_ok=True)
    old = duckdb.connect(str(data / "analytics.duckdb"))
    old.execute(f"ATTACH '{data / SNAPSHOT_NAME}' AS snap")
    old.execute(f'COPY FROM DATABASE "{old.execute("SELECT current_database()").fetchone()[0]}" TO snap')  # type: ignore[index]
    old.close()
    with duckdb.connect(str(data / SNAPSHOT_NAME), read_only=True) as snap:
        assert table_leaks(snap), "the old snapshot should hold the planted secrets"
    yield data


def test_a_duckdb_file_and_snapshot_written_before_the_fix_lose_their_secrets_on_start(
    old_data: Path, clock: Clock
) -> None:
    runtime = sqlite_runtime(old_data, clock)
    assert runtime.analytics is not None and runtime.analytics.scrubbed == len(SECRETS)
    assert table_leaks(runtime.analytics.cursor()) == []
    runtime.close()
    for name in ("analytics.duckdb", SNAPSHOT_NAME):
        raw = (old_data / name).read_bytes()
        assert [s for s in EVERY_SECRET if s.encode() in raw] == [], name
        with duckdb.connect(str(old_data / name), read_only=True) as con:
            assert table_leaks(con) == [], name
            assert con.execute("SELECT count(*) FROM events WHERE aggregate_type = 'Channel'").fetchone() == (
                len(SECRETS),
            )


def test_a_dead_letter_keeps_no_secret_and_its_retry_still_works(desk: dict[str, As]) -> None:
    dead_letters_with_secrets(desk)
    runtime = runtime_of(desk["root"])
    assert runtime.ingest is not None
    letters, _ = runtime.ingest.dead_letters.list(None, 10, 0)
    for letter in letters:
        assert leaks(json.dumps(letter.headers).encode() + letter.body) == [], letter.kind
    root = desk["root"]
    by_kind = {letter.kind: letter.id for letter in letters}
    fixed = json.dumps(payload("telegram_message_ru.json"))
    retried = root.post(f"/ingest/dead-letters/{by_kind['telegram']}/retry", {"body": fixed})
    assert retried.status_code == 200, retried.text
    assert retried.json()["messages"][0]["outcome"] == "opened"
    again = root.post(f"/ingest/dead-letters/{by_kind['vk']}/retry")
    assert (again.status_code, again.json()["status"]) == (200, "ignored")
    secret_again = json.dumps({**payload("vk_group_join.json"), "secret": SECRETS["vk"]["secret"]})
    assert root.post(f"/ingest/dead-letters/{by_kind['vk']}/retry", {"body": secret_again}).status_code == 200
    kept = runtime.ingest.dead_letters.get(by_kind["vk"])
    assert kept is not None and leaks(kept.body) == []


def test_dead_letters_kept_by_an_earlier_version_lose_their_secrets_on_start(runtime: Runtime) -> None:
    assert runtime.ingest is not None
    db = runtime.ingest.db
    secret_header = json.dumps({"x-telegram-bot-api-secret-token": SECRETS["telegram"]["secret_token"]})
    vk_body = dumps({**payload("vk_group_join.json"), "secret": SECRETS["vk"]["secret"]})
    ids = (uuid4().hex, uuid4().hex)
    old = ((ids[0], "telegram", secret_header, b"[1]"), (ids[1], "vk", "{}", vk_body))
    with db.transaction() as cur:
        for letter_id, kind, headers, body in old:
            cur.execute(
                "INSERT INTO dead_letters (id, channel, kind, received_at, reason, headers, body, status, "
                "retries) VALUES (?, 'c', ?, '2026-03-02T09:00:00+00:00', 'old', ?, ?, 'new', 0)",
                (letter_id, kind, headers, body),
            )
    DeadLetters(db)
    kept = [runtime.ingest.dead_letters.get(letter_id) for letter_id in ids]
    for letter in kept:
        assert letter is not None and leaks(json.dumps(letter.headers).encode() + letter.body) == []
    assert kept[1] is not None and json.loads(kept[1].body)["type"] == "group_join"


def test_channel_user_and_token_events_never_reach_the_kafka_topic(desk: dict[str, As]) -> None:
    open_ticket(desk)
    helpdesk = runtime_of(desk["root"]).helpdesk
    _, read, messages = read_batch(helpdesk, 0, 10_000, catalogue())
    assert read > len(messages) > 0
    for _, value, _ in messages:
        assert decode(value).aggregate_type in PUBLISHED
        assert leaks(value) == []
    assert not {"Channel", "User", "ApiToken"} & set(PUBLISHED)


def test_data_files_are_private_after_a_real_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "left-by-an-old-version.txt").write_text("x")
    (data / "left-by-an-old-version.txt").chmod(0o644)
    token = deskstream(data, "token", "create", "--name", "vk-bot", "--role", "service").strip()
    with served(data) as base:
        body = {"channel": "vk", "customer": {"name": "Ivan", "handle": "id1"}, "text": "Card blocked"}
        headers = {"Authorization": f"Bearer {token}"}
        opened = httpx2.post(f"{base}/api/v1/tickets", json=body, headers=headers, timeout=10)
        assert opened.status_code == 201, opened.text
        time.sleep(1.5)
        running = modes(data)
    after = modes(data)
    for seen in (running, after):
        assert set(seen) >= VIEW_FILES
        wrong = {name: oct(mode) for name, mode in seen.items() if mode & 0o077}
        assert wrong == {}, wrong
    assert running["."] == 0o700


def test_a_service_token_cannot_read_the_queue_customers_search_or_the_knowledge_base(
    desk: dict[str, As],
) -> None:
    ticket = open_ticket(desk)
    anna, bot = desk["anna"], desk["vk-bot"]
    anna.post(f"/tickets/{ticket}/notes", {"text": "internal"})
    customer = anna.get(f"/tickets/{ticket}").json()["customer"]["id"]
    article = anna.post("/kb/articles", ARTICLE).json()["id"]
    for path, query in (
        ("/tickets", {}),
        ("/customers", {"q": "iv"}),
        (f"/customers/{customer}", {}),
        (f"/customers/{customer}/history", {}),
        ("/search", {"q": "card"}),
        ("/kb/articles", {}),
        (f"/kb/articles/{article}", {}),
        (f"/tickets/{ticket}/events", {}),
        ("/snippets", {}),
        ("/mentions", {}),
        ("/channels", {}),
    ):
        response = bot.get(path, **query)
        assert (response.status_code, response.json()["error"]) == (403, "forbidden"), path
    conversation = bot.get(f"/tickets/{ticket}").json()["conversation"]
    assert [m["kind"] for m in conversation] == ["message"]


def test_an_auditor_learns_nothing_about_user_names_from_assign(desk: dict[str, As]) -> None:
    ticket = open_ticket(desk)
    audrey = desk["audrey"]
    answers = [
        audrey.post(f"/tickets/{ticket}/assign", {"assignee": name}) for name in ("anna", "nobody-like-this")
    ]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json() == answers[1].json()
    bad_policy = {"targets_minutes": {"first_response": 60}, "calendar": {"tz": "Not/AZone", "weekly": {}}}
    response = audrey.client.put("/api/v1/sla-policies/p", json=bad_policy, headers=audrey.headers())
    assert response.status_code == 403
