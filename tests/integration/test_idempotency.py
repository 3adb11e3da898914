"""Idempotency-Key on every command: a retry gets the first answer, a reused key is refused.

Each case below is one POST/PUT route that creates or changes something, with a first request and
another one (another body, or the same route on another record) that is valid on its own.
"""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import hash_token, new_token
from api.bootstrap import Runtime
from application.command import Context
from application.mentions import capture_mention
from domain.idempotency import RequestKey
from tests.fixtures.postgres import _create_database, _drop_database, with_dbname
from tests.integration.api_client import As, sign_up
from tests.integration.conftest import RuntimeFactory
from tests.support import T0, Clock, postgres_runtime, sqlite_runtime

Users = dict[str, As]
Call = tuple[str, Any]
"""(path under /api/v1, JSON body or None)"""

NOT_KEYED = {
    "POST /ingest/telegram/{channel}": "provider webhooks are idempotent by the provider's message id",
    "POST /ingest/whatsapp/{channel}": "provider webhooks are idempotent by the provider's message id",
    "POST /ingest/vk/{channel}": "provider webhooks are idempotent by the provider's message id",
    "POST /ingest/widget/{channel}": "the widget sends its own message_id with every message",
    "POST /ingest/mentions/{channel}": "a mention is captured once per the tool's id for it",
    "POST /ingest/dead-letters/{letter_id}/retry": "intake files a retried letter once per message id",
    "POST /qa/reviews": "keyed; its retry is tested in test_qa_reviews_api.py, beside a drawn month's sample",
}


class Desk:
    """The served API, its runtime, and records to act on, made the way users make them.

    One desk serves every case of a backend (a served runtime takes a second to start), so each
    case makes its own records and uses its own keys."""

    def __init__(self, users: Users, runtime: Runtime) -> None:
        self.users = users
        self.client: TestClient = users["anna"].client
        self.runtime = runtime
        self.count = 0

    def unique(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count}"

    def send(self, user: str, method: str, call: Call, key: str | None = None) -> Any:
        path, body = call
        headers = self.users[user].headers({"Idempotency-Key": key} if key else None)
        return self.client.request(method, f"/api/v1{path}", json=body, headers=headers)

    def do(self, user: str, method: str, call: Call) -> dict[str, Any]:
        response = self.send(user, method, call)
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    def head(self) -> int:
        return self.runtime.helpdesk.recorder.max_notification_id() or 0

    def ticket(self, *then: Call) -> str:
        opened = self.do(
            "vk-bot",
            "POST",
            ("/tickets", {"channel": "vk", "customer": {"name": "Ivan", "handle": self.unique("id")},
                          "text": "My card is blocked"}),
        )  # fmt: skip
        for path, body in then:
            self.do("anna", "POST", (f"/tickets/{opened['id']}{path}", body))
        return str(opened["id"])

    def customer(self) -> str:
        ticket = self.ticket()
        return str(self.do("anna", "GET", (f"/tickets/{ticket}", None))["customer"]["id"])

    def article(self) -> str:
        return str(self.do("anna", "POST", ("/kb/articles", {"title": "Cards", "body": "Call us."}))["id"])

    def snippet(self) -> str:
        shortcut = self.unique("hi")
        self.do("anna", "POST", ("/snippets", {"shortcut": shortcut, "title": "Hi", "body": "Hello!"}))
        return shortcut

    def mention(self, *then: Call) -> str:
        name = self.unique("m")
        fields = {"source": "maps", "url": f"https://maps.example/{name}", "author": "Olga",
                  "text": "Slow service", "published_at": T0, "rating": 2.0, "place": None}  # fmt: skip
        found = capture_mention(self.runtime.helpdesk, "reviews", name, fields, Context("bot"))
        for path, body in then:
            self.do("anna", "POST", (f"/mentions/{found.id}{path}", body))
        return str(found.id)

    def twin(self, user: str) -> str:
        """Another user with the same role: the same key from them is their own."""
        name = f"{user}-twin"
        if name not in self.users:
            role = self.runtime.helpdesk.user(user).role
            token = new_token()
            self.runtime.helpdesk.register_user(name, role)
            self.runtime.helpdesk.issue_token(hash_token(token), name)
            self.users[name] = As(self.client, token)
        return name


@dataclass(frozen=True)
class Case:
    route: str
    """Method and path template, as the app declares it."""
    user: str
    calls: Callable[[Desk], tuple[Call, Call]]
    """The first request and another one, both valid against what they prepared."""

    @property
    def method(self) -> str:
        return self.route.split(" ", 1)[0]


PAUSE = ("/pause", {"reason": "waiting_customer"})
RESOLVE = ("/resolve", {"resolution": "solved"})


def on_ticket(path: str, body: Any, other: Any, *before: Call) -> Callable[[Desk], tuple[Call, Call]]:
    """The same route on one ticket with two bodies; with `other` None, on two tickets."""

    def calls(desk: Desk) -> tuple[Call, Call]:
        first = desk.ticket(*before)
        second = first if other is not None else desk.ticket(*before)
        return (f"/tickets/{first}{path}", body), (f"/tickets/{second}{path}", other or body)

    return calls


def opening(desk: Desk) -> tuple[Call, Call]:
    body = {"channel": "vk", "customer": {"name": "Olga", "handle": desk.unique("olga")}, "text": "Hello"}
    return ("/tickets", body), ("/tickets", {**body, "text": "Hello again"})


def merging(desk: Desk) -> tuple[Call, Call]:
    target = desk.ticket()
    return (f"/tickets/{desk.ticket()}/merge", {"into": target}), (
        f"/tickets/{desk.ticket()}/merge",
        {"into": target},
    )


def customer_note(desk: Desk) -> tuple[Call, Call]:
    customer = desk.customer()
    path = f"/customers/{customer}/notes"
    return (path, {"text": "Anxious client"}), (path, {"text": "Calm client"})


def identity(desk: Desk) -> tuple[Call, Call]:
    path = f"/customers/{desk.customer()}/identities"
    return (path, {"channel": "telegram", "handle": desk.unique("olga")}), (
        path,
        {"channel": "telegram", "handle": desk.unique("ivan")},
    )


def customer_merge(desk: Desk) -> tuple[Call, Call]:
    target = desk.customer()
    return (f"/customers/{desk.customer()}/merge", {"into": target}), (
        f"/customers/{desk.customer()}/merge",
        {"into": target},
    )


def new_article(desk: Desk) -> tuple[Call, Call]:
    path = "/kb/articles"
    return (path, {"title": "Cards", "body": "Call us."}), (path, {"title": "Loans", "body": "Write to us."})


def article_revision(desk: Desk) -> tuple[Call, Call]:
    path = f"/kb/articles/{desk.article()}"
    return (path, {"title": "Cards", "body": "Call us at once."}), (path, {"title": "Cards", "body": "Wait."})


def new_snippet(desk: Desk) -> tuple[Call, Call]:
    return ("/snippets", {"shortcut": desk.unique("hi"), "title": "Hi", "body": "Hello!"}), (
        "/snippets",
        {"shortcut": desk.unique("bye"), "title": "Bye", "body": "Goodbye!"},
    )


def snippet_edit(desk: Desk) -> tuple[Call, Call]:
    path = f"/snippets/{desk.snippet()}"
    return (path, {"title": "Hi", "body": "Hello there!"}), (path, {"title": "Hi", "body": "Hey!"})


def snippet_archive(desk: Desk) -> tuple[Call, Call]:
    return (f"/snippets/{desk.snippet()}/archive", None), (f"/snippets/{desk.snippet()}/archive", None)


def sla_policy(desk: Desk) -> tuple[Call, Call]:
    path = f"/sla-policies/{desk.unique('standard')}"
    first, then = {"targets_minutes": {"first_response": 60}}, {"targets_minutes": {"first_response": 30}}
    return (path, first), (path, then)


def qa_checklist(desk: Desk) -> tuple[Call, Call]:
    first = {"criteria": ["greeting", "accuracy"], "max_score": 2}
    return ("/qa/checklist", first), ("/qa/checklist", {"criteria": ["tone"], "max_score": 5})


def new_channel(desk: Desk) -> tuple[Call, Call]:
    body = {"name": desk.unique("tg"), "kind": "telegram", "settings": {"secret_token": "s3cret"}}
    return ("/channels", body), ("/channels", {**body, "name": desk.unique("tg")})


def triage(desk: Desk) -> tuple[Call, Call]:
    return (f"/mentions/{desk.mention()}/triage", {"decision": "marketing", "category": "service"}), (
        f"/mentions/{desk.mention()}/triage",
        {"decision": "ignore"},
    )


def answered(desk: Desk) -> tuple[Call, Call]:
    reply = ("/triage", {"decision": "reply"})
    return (f"/mentions/{desk.mention(reply)}/answered", {"note": "Apologised"}), (
        f"/mentions/{desk.mention(reply)}/answered",
        {"note": "Apologised"},
    )


def on_ticket_route(path: str, user: str, body: Any, other: Any, *before: Call) -> Case:
    return Case(f"POST /tickets/{{ticket_id}}{path}", user, on_ticket(path, body, other, *before))


CASES = [
    Case("POST /tickets", "vk-bot", opening),
    on_ticket_route("/messages", "vk-bot", {"text": "Still"}, {"text": "Now"}),
    on_ticket_route("/replies", "anna", {"text": "Hello"}, {"text": "Bye"}),
    on_ticket_route("/notes", "anna", {"text": "VIP"}, {"text": "Not VIP"}),
    on_ticket_route("/assign", "sveta", {"assignee": "oleg"}, {"assignee": "anna"}),
    on_ticket_route("/tags", "anna", {"add": ["vip"]}, {"add": ["card"]}),
    on_ticket_route("/type", "anna", {"type": "question"}, {"type": "problem"}),
    on_ticket_route("/priority", "anna", {"priority": "high"}, {"priority": "low"}),
    on_ticket_route("/pause", "anna", PAUSE[1], None),
    on_ticket_route("/resume", "anna", None, None, PAUSE),
    on_ticket_route("/resolve", "anna", RESOLVE[1], None),
    on_ticket_route("/reopen", "anna", None, None, RESOLVE),
    on_ticket_route("/rating", "vk-bot", {"score": "like"}, None, RESOLVE),
    Case("POST /tickets/{ticket_id}/merge", "anna", merging),
    Case("POST /customers/{customer_id}/notes", "anna", customer_note),
    Case("POST /customers/{customer_id}/identities", "anna", identity),
    Case("POST /customers/{customer_id}/merge", "anna", customer_merge),
    Case("POST /kb/articles", "anna", new_article),
    Case("PUT /kb/articles/{article_id}", "anna", article_revision),
    Case("POST /snippets", "anna", new_snippet),
    Case("PUT /snippets/{ref}", "anna", snippet_edit),
    Case("POST /snippets/{ref}/archive", "anna", snippet_archive),
    Case("PUT /sla-policies/{name}", "sveta", sla_policy),
    Case("PUT /qa/checklist", "sveta", qa_checklist),
    Case("POST /channels", "root", new_channel),
    Case("POST /mentions/{mention_id}/triage", "anna", triage),
    Case("POST /mentions/{mention_id}/answered", "anna", answered),
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data = tmp_path_factory.mktemp("data")
    if request.param == "sqlite":
        runtime = sqlite_runtime(data, Clock(), run_projections=True)
    else:
        server = request.getfixturevalue("postgres_server_url")
        database = _create_database(server)
        request.addfinalizer(lambda: _drop_database(server, database))
        runtime = postgres_runtime(
            with_dbname(server, database), Clock(), run_projections=True, data_dir=data
        )
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield Desk(sign_up(runtime, client), runtime)


def new_key() -> str:
    return f"key-{uuid4()}"


def declared_commands(desk: Desk) -> set[str]:
    paths = desk.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in paths.items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }


def test_every_command_route_is_either_keyed_here_or_says_why_not(desk: Desk) -> None:
    assert declared_commands(desk) == {case.route for case in CASES} | set(NOT_KEYED)


@pytest.mark.parametrize("case", CASES, ids=[case.route for case in CASES])
def test_a_retried_command_gets_its_first_answer_and_appends_nothing(desk: Desk, case: Case) -> None:
    first, _ = case.calls(desk)
    key = new_key()
    answer = desk.send(case.user, case.method, first, key)
    assert answer.status_code in (200, 201), answer.text
    head = desk.head()
    again = desk.send(case.user, case.method, first, key)
    assert (again.status_code, again.json()) == (answer.status_code, answer.json())
    assert desk.head() == head


@pytest.mark.parametrize("case", CASES, ids=[case.route for case in CASES])
def test_a_key_reused_for_another_request_is_refused_and_changes_nothing(desk: Desk, case: Case) -> None:
    first, other = case.calls(desk)
    key = new_key()
    assert desk.send(case.user, case.method, first, key).status_code in (200, 201)
    head = desk.head()
    reused = desk.send(case.user, case.method, other, key)
    assert reused.status_code == 422, reused.text
    assert reused.json()["error"] == "idempotency_key_reused"
    assert f"{key!r} was already used for another request" in reused.json()["detail"]
    assert desk.head() == head


@pytest.mark.parametrize("case", CASES, ids=[case.route for case in CASES])
def test_another_users_request_with_the_same_key_is_their_own(desk: Desk, case: Case) -> None:
    first, other = case.calls(desk)
    key = new_key()
    mine = desk.send(case.user, case.method, first, key)
    assert mine.status_code in (200, 201), mine.text
    head = desk.head()
    theirs = desk.send(desk.twin(case.user), case.method, other, key)
    assert theirs.status_code == mine.status_code, theirs.text
    assert theirs.json() != mine.json()
    assert desk.head() > head


def test_the_same_key_on_another_route_is_refused(desk: Desk) -> None:
    ticket, key = desk.ticket(), new_key()
    assert desk.send("anna", "POST", (f"/tickets/{ticket}/notes", {"text": "x"}), key).status_code == 200
    other_route = desk.send("anna", "POST", (f"/tickets/{ticket}/replies", {"text": "x"}), key)
    assert (other_route.status_code, other_route.json()["error"]) == (422, "idempotency_key_reused")
    assert f"(POST /api/v1/tickets/{ticket}/notes, with its own body)" in other_route.json()["detail"]


def test_a_retry_with_its_json_spaced_and_ordered_differently_is_the_same_request(desk: Desk) -> None:
    path = f"/api/v1/tickets/{desk.ticket()}/assign"
    headers = desk.users["sveta"].headers({"Idempotency-Key": new_key(), "Content-Type": "application/json"})
    first = desk.client.post(path, content='{"assignee":"oleg","comment":"VIP"}', headers=headers)
    again = desk.client.post(path, content='{ "comment": "VIP",\n "assignee": "oleg" }', headers=headers)
    assert first.status_code == 200
    assert (again.status_code, again.json()) == (first.status_code, first.json())


def concurrently(send: Callable[[], Any], times: int = 6) -> list[Any]:
    answers: list[Any] = []
    threads = [threading.Thread(target=lambda: answers.append(send())) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_concurrent_retries_of_one_request_apply_it_once(desk: Desk) -> None:
    ticket, key = desk.ticket(), new_key()
    answers = concurrently(
        lambda: desk.send("anna", "POST", (f"/tickets/{ticket}/notes", {"text": "once"}), key)
    )
    assert {(a.status_code, str(a.json())) for a in answers} == {(200, str(answers[0].json()))}
    events = desk.do("anna", "GET", (f"/tickets/{ticket}/events", None))["data"]
    assert [e["type"] for e in events].count("NoteAdded") == 1


def test_concurrent_retries_of_one_creation_all_get_the_created_record(desk: Desk) -> None:
    body, key = {"shortcut": desk.unique("hi"), "title": "Hi", "body": "Hello!"}, new_key()
    answers = concurrently(lambda: desk.send("anna", "POST", ("/snippets", body), key))
    assert {(a.status_code, str(a.json())) for a in answers} == {(201, str(answers[0].json()))}


def test_a_retry_after_a_restart_gets_the_first_answer(make_runtime: RuntimeFactory) -> None:
    """The record is in the event log, saved with the change: nothing else has to survive."""
    first_run = make_runtime()
    key = RequestKey("anna", "k-1", "fingerprint", "POST /api/v1/customers/…/notes")
    ctx = Context("anna", key=key)
    ticket = first_run.helpdesk.open_ticket("vk", "Ivan", "id1", None, "Hi", None, Context("bot"))
    customer = first_run.helpdesk.ticket(ticket.id).customer_id
    first = first_run.helpdesk.once(ctx, lambda c: first_run.helpdesk.add_customer_note(customer, "VIP", c))
    first_run.close()

    second_run = make_runtime()
    head = second_run.helpdesk.recorder.max_notification_id()
    again = second_run.helpdesk.once(ctx, lambda c: second_run.helpdesk.add_customer_note(customer, "VIP", c))
    assert again == first
    assert second_run.helpdesk.recorder.max_notification_id() == head
