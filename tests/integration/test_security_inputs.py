"""Hostile and careless input through the API: what overflows is a 422 with a sentence, never a 500,
and what looks the same on screen (composed or decomposed, full width, zero-width) is one value."""

import asyncio
import json
from typing import Any

import pytest

from tests.fixtures.payloads import WIDGET_KEY, admin_token
from tests.integration.test_search_api import Api, api

__all__ = ["api"]

EXTREMES = [
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "1969-12-31T23:59:59Z",
    "3000-01-01T00:00Z",
]
REPORTS = ["summary", "operators", "daily", "breakdown", "hourly", "export.xlsx"]
WINDOW = {"from": "2026-03-01T00:00:00Z", "to": "2026-03-31T00:00:00Z"}


def call(api: Api, who: str, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
    api.runtime.runner.catch_up()
    return api.client.request(method, f"/api/v1{path}", headers={**api.auth(who), **(headers or {})}, **kw)


def assert_refused(response: Any, status: int = 422) -> None:
    """Refused with the error model: a code and a human sentence."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert len(body["detail"]) > 20 and " " in body["detail"]


def open_ticket(api: Api, handle: str = "77", name: str = "Ольга", channel: str = "telegram") -> str:
    body = {"channel": channel, "customer": {"name": name, "handle": handle}, "text": "Где заказ?"}
    return str(api.post("bot", "/tickets", body)["id"])


def customer_of(api: Api, ticket_id: str) -> str:
    return str(api.get("anna", f"/tickets/{ticket_id}").json()["customer"]["id"])


def add_widget(api: Api) -> None:
    body = {"name": "widget", "kind": "widget", "settings": {"public_key": WIDGET_KEY}}
    headers = {"Authorization": f"Bearer {admin_token(api.runtime)}"}
    assert api.client.post("/api/v1/channels", json=body, headers=headers).status_code == 201


def tag(api: Api, ticket_id: str, *tags: str) -> Any:
    return api.post("anna", f"/tickets/{ticket_id}/tags", {"add": list(tags)})


# Overflows and values that cannot be represented


@pytest.mark.parametrize("moment", EXTREMES)
def test_a_year_9999_occurred_at_with_an_extreme_offset_is_a_422_not_a_500(api: Api, moment: str) -> None:
    body = {"channel": "telegram", "customer": {"handle": "77"}, "text": "hi", "occurred_at": moment}
    response = call(api, "bot", "POST", "/tickets", json=body)
    assert_refused(response)
    assert "outside the range served" in response.json()["detail"]


@pytest.mark.parametrize("moment", EXTREMES[:2])
@pytest.mark.parametrize("report", REPORTS)
def test_an_extreme_report_window_is_a_422_not_a_500(api: Api, report: str, moment: str) -> None:
    extra = {"by": "tag"} if report == "breakdown" else {}
    for params in ({**WINDOW, "from": moment}, {**WINDOW, "to": moment}, {**WINDOW, "as_of": moment}):
        assert_refused(call(api, "sveta", "GET", f"/reports/{report}", params={**params, **extra}))


@pytest.mark.parametrize("moment", EXTREMES[:2])
@pytest.mark.parametrize("path", ["/search", "/reports/mentions", "/reports/snippets"])
def test_an_extreme_search_or_usage_window_is_a_422_not_a_500(api: Api, path: str, moment: str) -> None:
    for name in ("from", "to"):
        assert_refused(call(api, "sveta", "GET", path, params={name: moment}))


@pytest.mark.parametrize("moment", EXTREMES[:2])
def test_an_extreme_as_of_on_a_ticket_is_a_422_not_a_500(api: Api, moment: str) -> None:
    ticket_id = open_ticket(api)
    assert_refused(call(api, "anna", "GET", f"/tickets/{ticket_id}", params={"as_of": moment}))


@pytest.mark.parametrize("moment", EXTREMES[:2])
def test_an_sla_policy_effective_from_year_one_is_a_422_not_a_500(api: Api, moment: str) -> None:
    body = {"targets_minutes": {"first_response": 60}, "effective_from": moment}
    assert_refused(call(api, "sveta", "PUT", "/sla-policies/standard", json=body))


def test_a_report_window_at_the_edge_of_the_range_is_answered(api: Api) -> None:
    window = {"from": "2999-01-01T00:00:00Z", "to": "2999-12-31T23:59:59+00:00"}
    assert call(
        api, "sveta", "GET", "/reports/daily", params={**window, "tz": "Pacific/Kiritimati"}
    ).is_success
    assert call(api, "sveta", "GET", "/reports/hourly", params=window).is_success


async def raw_post(api: Api, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, Any]:
    """A request with header bytes as a real HTTP server passes them (Latin-1); the test client
    would re-encode "²" as UTF-8, which no longer looks like a digit."""
    sent: list[dict[str, Any]] = []
    request = iter([{"type": "http.request", "body": body, "more_body": False}])
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": f"/api/v1{path}", "raw_path": f"/api/v1{path}".encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1), "server": ("testserver", 80),
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return next(request, {"type": "http.disconnect"})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await api.client.app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


@pytest.mark.parametrize("value", ["²", "¹²", "9" * 25, str(2**62 + 1), "9" * 5000, "-1", "", "1.0"])
def test_a_superscript_or_huge_if_match_is_a_400_not_a_500(api: Api, value: str) -> None:
    """Header bytes arrive as Latin-1: "²" and "¹" pass str.isdigit() and then fail int()."""
    ticket_id = open_ticket(api)
    token = api.auth("anna")["Authorization"].encode()
    headers = [(b"authorization", token), (b"if-match", value.encode("latin-1"))]
    status, body = asyncio.run(raw_post(api, f"/tickets/{ticket_id}/notes", headers, b'{"text": "x"}'))
    assert (status, body["error"]) == (400, "invalid_if_match"), body
    assert "version number" in body["detail"]


def test_an_if_match_of_the_current_version_still_works(api: Api) -> None:
    ticket_id = open_ticket(api)
    response = call(
        api, "anna", "POST", f"/tickets/{ticket_id}/notes", {"If-Match": 'W/"1"'}, json={"text": "x"}
    )
    assert response.json()["version"] == 2


@pytest.mark.parametrize("name", ["tag", "channel", "status"])
def test_a_thousand_tag_filters_are_refused_not_a_500(api: Api, name: str) -> None:
    values = [f"t{i}" for i in range(1000)] if name != "status" else ["open"] * 1000
    for path in ("/tickets", "/search"):
        response = call(api, "anna", "GET", path, params={name: values})
        assert_refused(response)
        assert "100" in response.json()["detail"]


def test_a_thousand_kind_filters_on_search_are_refused_not_a_500(api: Api) -> None:
    assert_refused(call(api, "anna", "GET", "/search", params={"kind": ["message"] * 1000}))


def test_a_hundred_tag_filters_are_still_answered(api: Api) -> None:
    open_ticket(api)
    values = [f"t{i}" for i in range(100)]
    assert call(api, "anna", "GET", "/tickets", params={"tag": values}).json()["count"] == 0
    assert call(api, "anna", "GET", "/search", params={"tag": values}).json()["count"] == 0


def test_a_huge_integer_in_a_json_body_is_a_422_not_a_500(api: Api) -> None:
    body = {"targets_minutes": {"first_response": 10**400}, "rank": -(10**30)}
    assert_refused(call(api, "sveta", "PUT", "/sla-policies/standard", json=body))
    for params in ({"limit": 10**30}, {"offset": 2**63}, {"min_position": 10**40}):
        assert_refused(call(api, "anna", "GET", "/tickets", params=params))


def test_a_widget_message_sent_in_year_one_with_an_extreme_offset_is_not_a_500(api: Api) -> None:
    add_widget(api)
    body = {"visitor_id": "v-1", "message_id": "m1", "text": "hi", "sent_at": EXTREMES[0]}
    response = api.client.post(
        "/api/v1/ingest/widget/widget", json=body, headers={"X-Widget-Key": WIDGET_KEY}
    )
    assert response.status_code < 500, response.text


# Unicode: one spelling per tag, handle and search word; names hide nothing


def test_fullwidth_and_decomposed_tags_are_one_tag(api: Api) -> None:
    ticket_id = open_ticket(api)
    tag(api, ticket_id, "café", "cafe\u0301", "ＶＩＰ", "vip", "vi\u200bp", " VIP\u202e ")
    assert api.get("anna", f"/tickets/{ticket_id}").json()["tags"] == ["café", "vip"]
    for spelling in ("CAFÉ", "cafe\u0301", "ｃａｆé"):
        assert api.get("anna", "/tickets", tag=spelling).json()["count"] == 1, spelling
        assert api.get("anna", "/search", tag=spelling).json()["count"] == 1, spelling
    removed = api.post("anna", f"/tickets/{ticket_id}/tags", {"remove": ["Ｖ\u200dIP"]})
    assert removed["version"] == 3
    assert api.get("anna", f"/tickets/{ticket_id}").json()["tags"] == ["café"]


def test_a_tag_filter_on_reports_agrees_with_the_stored_tag(api: Api) -> None:
    ticket_id = open_ticket(api)
    tag(api, ticket_id, "ＶＩＰ")
    window = {"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"}
    summaries = [
        api.get("sveta", "/reports/summary", **window, tag=t).json() for t in ("vip", "Ｖip", "v\u200bip")
    ]
    assert summaries[0] == summaries[1] == summaries[2]
    assert [s["tickets_received"] for s in summaries] == [1, 1, 1]
    assert api.get("sveta", "/reports/summary", **window, tag="vips").json()["tickets_received"] == 0


def test_a_tag_of_only_invisible_characters_is_refused(api: Api) -> None:
    ticket_id = open_ticket(api)
    response = call(api, "anna", "POST", f"/tickets/{ticket_id}/tags", json={"add": ["\u200b\u202e"]})
    assert_refused(response)


@pytest.mark.parametrize(
    "other", ["ANN@EXAMPLE.COM", "ａｎｎ@example.com", "ann\u200b@example.com", " Ann@Example.com "]
)
def test_a_handle_in_another_case_reaches_the_same_customer(api: Api, other: str) -> None:
    first = customer_of(api, open_ticket(api, "Ann@Example.com", "Ann", "email"))
    assert customer_of(api, open_ticket(api, other, "Ann", "email")) == first


def test_a_telegram_username_in_another_case_or_width_reaches_the_same_customer(api: Api) -> None:
    first = customer_of(api, open_ticket(api, "AnnSmith"))
    for other in ("annsmith", "ＡｎｎＳｍｉｔｈ", "Ann\u2060Smith"):
        assert customer_of(api, open_ticket(api, other)) == first
    assert api.get("anna", f"/customers/{first}").json()["identities"] == ["telegram:annsmith"]


def test_a_customer_registered_before_handles_were_normalised_is_still_found(api: Api) -> None:
    """Registered as "telegram:AnnSmith" (its record id derived from that): later messages from
    that handle reach the same record, not a new one."""
    from application.command import Context
    from domain.customer import Customer

    helpdesk = api.runtime.helpdesk
    legacy = Customer.register("Ann", "telegram:AnnSmith", helpdesk.stamp(None, Context("bot")))
    helpdesk.save(legacy)
    assert customer_of(api, open_ticket(api, "AnnSmith")) == str(legacy.id)
    response = call(api, "anna", "POST", f"/customers/{customer_of(api, open_ticket(api, 'x1'))}/identities",
                    json={"channel": "telegram", "handle": "AnnSmith"})  # fmt: skip
    assert (response.status_code, response.json()["error"]) == (409, "identity_taken")


def test_numeric_handles_are_unchanged(api: Api) -> None:
    ticket_id = open_ticket(api, "123456789")
    customer = api.get("anna", f"/customers/{customer_of(api, ticket_id)}").json()
    assert customer["identities"] == ["telegram:123456789"]


def test_search_finds_fullwidth_decomposed_and_zero_width_spellings(api: Api) -> None:
    body = {
        "channel": "telegram",
        "customer": {"handle": "77"},
        "text": "Ｐａｙｍｅｎｔ fa\u200biled at the cafe\u0301",
    }
    api.post("bot", "/tickets", body)
    for query in ("payment", "PAYMENT", "failed", "café", "ＣＡＦÉ", "pay\u200bment"):
        assert api.get("anna", "/search", q=query).json()["count"] == 1, query


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\u200f", "\ufeff"])
def test_a_customer_name_with_a_bidi_override_or_zero_width_character_is_refused(api: Api, char: str) -> None:
    body = {"channel": "telegram", "customer": {"name": f"Ann{char}Smith", "handle": "77"}, "text": "hi"}
    response = call(api, "bot", "POST", "/tickets", json=body)
    assert_refused(response)
    assert f"U+{ord(char):04X}" in response.json()["detail"]


def test_a_user_name_with_a_bidi_override_is_refused(api: Api) -> None:
    from domain.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match="U\\+202E"):
        api.runtime.helpdesk.register_user("anna\u202egpj.exe", "operator")


def test_a_name_from_a_provider_with_a_bidi_override_is_kept_without_it(api: Api) -> None:
    add_widget(api)
    body = {"visitor_id": "v-1", "name": "Ann\u202eSmith\u200b", "message_id": "m1", "text": "hi"}
    response = api.client.post(
        "/api/v1/ingest/widget/widget", json=body, headers={"X-Widget-Key": WIDGET_KEY}
    )
    assert response.status_code == 200, response.text
    ticket_id = response.json()["messages"][0]["ticket_id"]
    assert api.get("anna", f"/tickets/{ticket_id}").json()["customer"]["name"] == "AnnSmith"
