"""Snippets in replies, the snippet report and knowledge-base articles, over HTTP."""

from tests.integration.test_search_api import Api, api, open_ticket

__all__ = ["api"]


def test_the_operator_finds_the_old_conversation_replies_by_snippet_and_the_supervisor_sees_it(
    api: Api,
) -> None:
    old = open_ticket(api, "Списали деньги дважды за подписку, верните платёж 🙏")
    open_ticket(api, "Как поменять тариф?")
    [hit] = api.get("anna", "/search", q="платежи").json()["data"]
    assert hit["ticket"]["id"] == old
    assert "<mark>платёж</mark>" in hit["fragments"][0]["html"]

    body = (
        "Здравствуйте, {{customer_name}}! Деньги вернём за 3 дня. Заявка {{ticket_number}}, {{operator_name}}"
    )
    api.post("anna", "/snippets", {"shortcut": "refund", "title": "Возврат", "body": body})
    preview = api.get("anna", "/snippets/refund/preview", ticket=old).json()["text"]
    assert preview == f"Здравствуйте, Ольга! Деньги вернём за 3 дня. Заявка {old[:8]}, anna"
    api.post("anna", f"/tickets/{old}/replies", {"snippet": "refund"})
    edited = "{{customer_name}}, вернём за 3 дня, простите!"
    api.post("anna", f"/tickets/{old}/replies", {"snippet": "refund", "text": edited})
    other = open_ticket(api, "Ещё вопрос")
    api.post("anna", f"/tickets/{other}/replies", {"text": "Ответ без шаблона"})

    events = api.get("sveta", f"/tickets/{old}/events").json()["data"]
    replies = [e["data"] for e in events if e["type"] == "ReplySent"]
    assert replies[0]["text"].startswith("Здравствуйте, Ольга!")
    assert replies[1]["text"] == "Ольга, вернём за 3 дня, простите!"
    assert replies[0]["snippet"] == replies[1]["snippet"] is not None

    report = api.get("sveta", "/reports/snippets", **{"from": "2026-03-01T00:00:00Z"}).json()["data"]
    assert [(r["shortcut"], r["uses"], r["tickets"]) for r in report] == [("refund", 2, 1)]
    assert api.get("sveta", "/reports/snippets", **{"from": "2026-04-01T00:00:00Z"}).json()["data"] == []
    assert api.get("anna", "/reports/snippets").status_code == 403


def test_a_snippet_with_an_unknown_placeholder_or_an_archived_one_is_refused(api: Api) -> None:
    response = api.client.post(
        "/api/v1/snippets",
        json={"shortcut": "x", "title": "X", "body": "{{password}}"},
        headers=api.auth("anna"),
    )
    assert (response.status_code, response.json()["error"]) == (422, "unknown_placeholder")
    api.post("anna", "/snippets", {"shortcut": "old", "title": "Old", "body": "Hi"})
    api.post("anna", "/snippets/old/archive", None)
    ticket = open_ticket(api, "Hello")
    reply = api.client.post(
        f"/api/v1/tickets/{ticket}/replies", json={"snippet": "old"}, headers=api.auth("anna")
    )
    assert reply.status_code == 409
    assert api.get("anna", "/snippets").json()["count"] == 0


def test_articles_have_versions_word_form_search_and_stay_internal(api: Api) -> None:
    public = {"title": "Как разблокировать карту", "body": "Позвоните в банк. **Карты** разблокируют за час.",
              "tags": ["cards"], "visibility": "public"}  # fmt: skip
    internal = {"title": "Лимиты по картам", "body": "Внутренний регламент: лимиты карт", "category": "risk"}
    article_id = api.post("anna", "/kb/articles", public)["id"]
    api.post("anna", "/kb/articles", internal)
    api.client.put(f"/api/v1/kb/articles/{article_id}", json={**public, "title": "Разблокировка карты"},
                   headers=api.auth("anna"))  # fmt: skip

    staff = api.get("anna", "/kb/articles", q="картой").json()
    assert staff["count"] == 2
    assert staff["data"][0]["title"] in ("Разблокировка карты", "Лимиты по картам")
    assert api.get("bot", "/kb/articles", q="картой").status_code == 403
    internal_id = api.get("anna", "/kb/articles", q="регламент").json()["data"][0]["id"]
    assert api.get("bot", f"/kb/articles/{internal_id}").status_code == 403

    first = api.get("anna", f"/kb/articles/{article_id}", version=1).json()
    assert (first["title"], first["latest_version"]) == ("Как разблокировать карту", 2)
    assert api.get("anna", "/kb/articles", tag="cards").json()["count"] == 1

    ticket = open_ticket(api, "Карта заблокирована")
    api.post("anna", f"/tickets/{ticket}/replies", {"article": article_id})
    reply = api.client.post(
        f"/api/v1/tickets/{ticket}/replies", json={"article": internal_id}, headers=api.auth("anna")
    )
    assert (reply.status_code, reply.json()["error"]) == (422, "internal_article")
    [hit] = api.get("anna", "/search", q="час", kind="reply").json()["data"]
    assert hit["article"] == article_id
