"""The queue follows customer merges: filters, ticket rows and customer pages name the survivor."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from tests.integration.api_client import As, sign_up
from tests.integration.conftest import RuntimeFactory

EVERY_STATUS = ["open", "paused", "resolved", "merged"]


@dataclass
class Desk:
    """A served API whose projections move only when a test reads (or rebuilds) them."""

    runtime: Runtime
    users: dict[str, As]

    def open(self, channel: str, handle: str, name: str, text: str = "Где заказ?") -> str:
        body = {"channel": channel, "customer": {"name": name, "handle": handle}, "text": text}
        return str(ok(self.users["vk-bot"].post("/tickets", body), 201)["id"])

    def merge(self, source: str, into: str) -> None:
        ok(self.users["sveta"].post(f"/customers/{source}/merge", {"into": into}))

    def get(self, path: str, **params: Any) -> Any:
        self.runtime.runner.catch_up()
        return ok(self.users["anna"].get(path, **params))

    def queue_of(self, customer: str) -> dict[str, dict[str, Any]]:
        """The customer's ticket rows by ticket id, every status."""
        return {
            row["id"]: row for row in self.get("/tickets", customer=customer, status=EVERY_STATUS)["data"]
        }

    def customer_of(self, ticket: str) -> str:
        return str(self.get(f"/tickets/{ticket}")["customer"]["recorded_id"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def desk(runtime: Runtime) -> Iterator[Desk]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield Desk(runtime, sign_up(runtime, client))


def test_the_survivor_lists_both_records_tickets_and_the_merged_id_resolves_to_it(desk: Desk) -> None:
    a1 = desk.open("vk", "1", "Пётр Иванов")
    b1 = desk.open("telegram", "2", "Петя", "Заказ не пришёл")
    b2 = desk.open("telegram", "2", "Петя", "Отмените заказ")
    a, b = desk.customer_of(a1), desk.customer_of(b1)
    assert set(desk.queue_of(a)) == {a1} and set(desk.queue_of(b)) == {b1, b2}

    desk.merge(b, a)

    survivor = desk.queue_of(a)
    assert set(survivor) == {a1, b1, b2}
    assert desk.queue_of(b) == survivor
    assert survivor[b1]["customer"] == {"id": a, "name": "Пётр Иванов", "recorded_id": b}
    assert survivor[a1]["customer"] == {"id": a, "name": "Пётр Иванов", "recorded_id": a}
    assert desk.get(f"/tickets/{b2}")["customer"] == {"id": a, "name": "Пётр Иванов", "recorded_id": b}
    everyone = desk.get("/tickets")["data"]
    assert {row["customer"]["id"] for row in everyone} == {a}


def test_customer_pages_agree_with_the_queue(desk: Desk) -> None:
    a1 = desk.open("vk", "1", "Пётр Иванов")
    b1 = desk.open("telegram", "2", "Петя")
    a, b = desk.customer_of(a1), desk.customer_of(b1)
    desk.merge(b, a)
    later = desk.open("telegram", "2", "Петя", "И ещё вопрос")

    survivor, merged = desk.get(f"/customers/{a}"), desk.get(f"/customers/{b}")
    assert (survivor["merged_into"], survivor["survivor_id"], survivor["merged_from"]) == (None, a, [b])
    assert (merged["merged_into"], merged["survivor_id"], merged["merged_from"]) == (a, a, [])
    assert {t["id"] for t in survivor["tickets"]["data"]} == {a1, b1, later}
    assert merged["tickets"] == survivor["tickets"]
    assert survivor["identities"] == ["vk:1", "telegram:2"]
    assert merged["name"] == "Петя"  # the record asked for, as it was registered


def test_a_chain_of_merges_reaches_the_last_survivor(desk: Desk) -> None:
    a1 = desk.open("vk", "1", "Анна")
    b1 = desk.open("telegram", "2", "Аня")
    c1 = desk.open("email", "anna@example.com", "Anna K.")
    a, b, c = (desk.customer_of(t) for t in (a1, b1, c1))
    desk.merge(a, b)
    assert set(desk.queue_of(b)) == {a1, b1}
    desk.merge(b, c)

    survivor = desk.queue_of(c)
    assert set(survivor) == {a1, b1, c1}
    assert desk.queue_of(a) == desk.queue_of(b) == survivor
    assert {t: row["customer"]["id"] for t, row in survivor.items()} == {a1: c, b1: c, c1: c}
    assert survivor[a1]["customer"] == {"id": c, "name": "Anna K.", "recorded_id": a}
    assert desk.get(f"/tickets/{a1}")["customer"] == {"id": c, "name": "Anna K.", "recorded_id": a}
    assert desk.get(f"/customers/{c}")["merged_from"] == sorted([a, b])
    assert desk.get(f"/customers/{a}")["survivor_id"] == c


def test_a_chain_formed_within_one_batch_moves_the_earlier_records_too(desk: Desk) -> None:
    tickets = [desk.open("vk", str(n), f"Клиент {n}") for n in range(4)]
    ids = [desk.customer_of(t) for t in tickets]
    desk.merge(ids[0], ids[1])
    desk.runtime.runner.catch_up()
    desk.merge(ids[1], ids[2])  # ids[0] was merged into ids[1] in an earlier batch
    desk.merge(ids[2], ids[3])  # and this batch carries the two merges together
    assert set(desk.queue_of(ids[3])) == set(tickets)
    assert all(row["customer"]["id"] == ids[3] for row in desk.queue_of(ids[0]).values())


def test_a_rebuilt_queue_answers_exactly_as_the_live_one(desk: Desk) -> None:
    a1 = desk.open("vk", "1", "Пётр")
    b1 = desk.open("telegram", "2", "Петя")
    c1 = desk.open("email", "p@example.com", "P. Ivanov")
    other = desk.open("vk", "9", "Ольга")
    a, b, c = (desk.customer_of(t) for t in (a1, b1, c1))
    ok(
        desk.users["anna"].post(
            f"/customers/{a}/identities", {"channel": "whatsapp", "handle": "79990001122"}
        )
    )
    desk.merge(b, a)
    ok(desk.users["anna"].post(f"/tickets/{b1}/replies", {"text": "Проверяю"}))
    desk.merge(a, c)
    desk.open("whatsapp", "79990001122", "Пётр", "Это снова я")
    assert other

    def answers() -> list[Any]:
        pages = [desk.get("/tickets", status=EVERY_STATUS)]
        pages += [desk.get("/tickets", customer=x, status=EVERY_STATUS) for x in (a, b, c)]
        pages += [desk.get(f"/customers/{x}") for x in (a, b, c)]
        return [{k: v for k, v in page.items() if k != "position"} for page in pages]

    live = answers()
    assert live[3]["count"] == 4
    desk.runtime.runner.rebuild()
    assert answers() == live


def test_a_view_made_before_merges_were_recorded_is_replayed_on_start(make_runtime: RuntimeFactory) -> None:
    first = make_runtime()
    with TestClient(create_app(first), raise_server_exceptions=False) as client:
        desk = Desk(first, sign_up(first, client))
        a1, b1 = desk.open("vk", "1", "Пётр"), desk.open("telegram", "2", "Петя")
        a, b = desk.customer_of(a1), desk.customer_of(b1)
        desk.merge(b, a)
        live = desk.queue_of(a)
        with first.queue_db.transaction() as cur:  # the tables as deskstream had them before version 2
            for table in ("queue_schema", "queue_customers"):
                cur.execute(f"DROP TABLE {table}")
            cur.execute(
                "CREATE TABLE queue_customers (customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, "
                "identities TEXT NOT NULL, version BIGINT NOT NULL, position BIGINT NOT NULL)"
            )

    restarted = make_runtime()
    with TestClient(create_app(restarted), raise_server_exceptions=False) as client:
        desk = Desk(restarted, sign_up(restarted, client))
        assert desk.queue_of(a) == live
        assert set(live) == {a1, b1}
