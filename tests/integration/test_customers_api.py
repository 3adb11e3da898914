"""Customers across channels: name search, linked identities, merge, full history."""

from tests.integration.test_search_api import Api, api

__all__ = ["api"]


def open_ticket(api: Api, channel: str, handle: str, name: str, text: str) -> str:
    body = {"channel": channel, "customer": {"name": name, "handle": handle}, "text": text}
    return str(api.post("bot", "/tickets", body)["id"])


def customer_of(api: Api, ticket_id: str) -> str:
    return str(api.get("anna", f"/tickets/{ticket_id}").json()["customer"]["id"])


def test_find_customers_by_name_prefix_or_handle(api: Api) -> None:
    open_ticket(api, "vk", "id100", "Иван Петров", "Привет")
    open_ticket(api, "email", "Ann@Example.com", "Ann Smith", "Hello 👋")
    assert [c["name"] for c in api.get("anna", "/customers", q="Петрова").json()["data"]] == ["Иван Петров"]
    assert [c["name"] for c in api.get("anna", "/customers", q="пет").json()["data"]] == ["Иван Петров"]
    assert [c["name"] for c in api.get("anna", "/customers", q="ann@example").json()["data"]] == ["Ann Smith"]
    assert api.get("anna", "/customers").json()["count"] == 2


def test_a_linked_identity_brings_new_tickets_to_the_same_customer(api: Api) -> None:
    first = open_ticket(api, "telegram", "555", "Ольга", "Не приходит код")
    olga = customer_of(api, first)
    api.post("anna", f"/customers/{olga}/identities", {"channel": "vk", "handle": "olga.vk"})
    second = open_ticket(api, "vk", "olga.vk", "Ольга В.", "Код так и не пришёл 😤")
    assert customer_of(api, second) == olga  # the ticket itself names her, not the alias record
    api.post("anna", f"/customers/{olga}/notes", {"text": "Клиентка тревожная"})

    history = api.get("anna", f"/customers/{olga}/history").json()
    assert history["count"] == 2
    assert [t["channel"] for t in history["data"]] == ["telegram", "vk"]
    [found] = api.get("anna", "/customers", q="ольга").json()["data"]
    assert found["identities"] == ["telegram:555", "vk:olga.vk"]
    assert {
        h["ticket"]["channel"] for h in api.get("anna", "/search", q="коды", customer=olga).json()["data"]
    } == {
        "telegram",
        "vk",
    }
    taken = open_ticket(api, "email", "o@x.ru", "Ольга", "Hi")
    response = api.client.post(
        f"/api/v1/customers/{olga}/identities",
        json={"channel": "email", "handle": "o@x.ru"},
        headers=api.auth("anna"),
    )
    assert (response.status_code, response.json()["error"]) == (409, "identity_taken")
    assert taken


def test_merging_two_customers_moves_tickets_history_and_search(api: Api) -> None:
    a = customer_of(api, open_ticket(api, "vk", "1", "Пётр Иванов", "Где заказ?"))
    b = customer_of(api, open_ticket(api, "telegram", "2", "Петя", "Заказ не пришёл"))
    note = open_ticket(api, "telegram", "2", "Петя", "Отмените заказ")
    api.post("anna", f"/tickets/{note}/notes", {"text": "Заказ отменён вручную"})
    api.post("anna", f"/customers/{b}/merge", {"into": a})

    assert api.get("anna", f"/customers/{a}/history").json()["count"] == 3
    assert api.get("anna", f"/customers/{b}/history").json()["customer_id"] == a
    assert [c["id"] for c in api.get("anna", "/customers", q="петя").json()["data"]] == [a]
    by_name = api.get("anna", "/search", q="Иванов заказы").json()
    assert by_name["count"] == 4
    assert api.get("bot", f"/customers/{a}/history").status_code == 403
    again = api.client.post(f"/api/v1/customers/{b}/merge", json={"into": a}, headers=api.auth("anna"))
    assert again.status_code == 409
    later = open_ticket(api, "telegram", "2", "Петя", "И ещё вопрос")
    assert customer_of(api, later) == a
    assert later in [t["id"] for t in api.get("anna", f"/customers/{a}").json()["tickets"]["data"]]
