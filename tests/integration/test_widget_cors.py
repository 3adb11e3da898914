"""The widget runs on the product's own site: its two routes answer a browser from another origin
(preflight and `Access-Control-Allow-Origin`), as the channel's `allowed_origins` says, and nothing
else in the API does."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime, build
from api.settings import Settings
from tests.integration.api_client import As, sign_up
from tests.support import Clock

KEY = "pk_shop_0123"
VISITOR = "3f9c0a7e-5b2d-4c18-a6e1-visitor"
SHOP = "https://shop.example"
MAX_BODY = 4_000
PREFLIGHT_HEADERS = "content-type,x-widget-key,x-widget-visitor-signature"


@pytest.fixture
def site(tmp_path: Path, clock: Clock) -> Iterator["Site"]:
    runtime = build(Settings(data_dir=tmp_path / "data", max_body_bytes=MAX_BODY), clock=clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield Site(runtime, client, sign_up(runtime, client)["root"])


class Site:
    """A browser on some origin talking to the desk's widget routes, and the desk's admin."""

    def __init__(self, runtime: Runtime, client: TestClient, root: As) -> None:
        self.runtime, self.client = runtime, client
        self.channel(root, "open", "widget", {"public_key": KEY})
        listed = {"public_key": KEY, "allowed_origins": "https://shop.example, HTTPS://M.Shop.Example/"}
        self.channel(root, "shop", "widget", listed)
        self.channel(root, "tg", "telegram", {"secret_token": "tg-secret"})

    def channel(self, root: As, name: str, kind: str, settings: dict[str, str]) -> None:
        response = root.post("/channels", {"name": name, "kind": kind, "settings": settings})
        assert response.status_code == 201, response.text

    def preflight(self, path: str, origin: str = SHOP, method: str = "POST") -> Any:
        headers = {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": PREFLIGHT_HEADERS,
        }
        return self.client.options(f"/api/v1/ingest/widget/{path}", headers=headers)

    def write(self, channel: str, origin: str | None = SHOP, text: str = "Where is my order?") -> Any:
        body = {"visitor_id": VISITOR, "message_id": "m-1", "text": text}
        headers = {"X-Widget-Key": KEY, **({"Origin": origin} if origin else {})}
        return self.client.post(f"/api/v1/ingest/widget/{channel}", json=body, headers=headers)

    def pull(self, channel: str, origin: str | None = SHOP) -> Any:
        headers = {"X-Widget-Key": KEY, **({"Origin": origin} if origin else {})}
        params = {"visitor_id": VISITOR}
        return self.client.get(f"/api/v1/ingest/widget/{channel}/messages", params=params, headers=headers)

    def stored(self) -> int:
        return int(self.runtime.helpdesk.recorder.max_notification_id() or 0)


def allow_origin(response: Any) -> str | None:
    value = response.headers.get("access-control-allow-origin")
    return str(value) if value is not None else None


def test_without_allowed_origins_any_site_may_embed_the_widget(site: Site) -> None:
    for path, method in (("open", "POST"), ("open/messages", "GET")):
        answer = site.preflight(path, "https://anything.example", method)
        assert answer.status_code == 204, answer.text
        assert allow_origin(answer) == "*"
        assert set(answer.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST"}
        allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
        assert allowed >= {"content-type", "x-widget-key", "x-widget-visitor-signature"}
    written = site.write("open", "https://anything.example")
    assert written.status_code == 200 and allow_origin(written) == "*"
    pulled = site.pull("open", "https://anything.example")
    assert pulled.status_code == 200 and allow_origin(pulled) == "*"
    assert [item["text"] for item in pulled.json()["data"]] == ["Where is my order?"]


def test_with_allowed_origins_only_those_sites_get_an_answer_they_can_read(site: Site) -> None:
    for origin in (SHOP, "https://m.shop.example"):
        answer = site.preflight("shop", origin)
        assert (answer.status_code, allow_origin(answer)) == (204, origin)
        assert answer.headers["vary"] == "Origin"
    refused = site.preflight("shop/messages", "https://evil.example", "GET")
    assert (refused.status_code, refused.json()["error"]) == (403, "origin_not_allowed")
    assert allow_origin(refused) is None
    assert site.preflight("shop", "https://shop.example.evil.example").status_code == 403

    written = site.write("shop", SHOP)
    assert written.status_code == 200 and allow_origin(written) == SHOP
    elsewhere = site.pull("shop", "https://evil.example")
    assert elsewhere.status_code == 200  # a script outside a browser reads it anyway: the key is public
    assert allow_origin(elsewhere) is None  # a browser on another site does not


def test_unknown_channels_and_other_kinds_answer_no_preflight(site: Site) -> None:
    for path in ("nope", "tg", "tg/messages"):
        answer = site.preflight(path)
        assert (answer.status_code, answer.json()["error"]) == (404, "channel_not_found")
        assert allow_origin(answer) is None
    telegram = site.client.options(
        "/api/v1/ingest/telegram/tg", headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"}
    )
    assert telegram.status_code == 405 and allow_origin(telegram) is None


def test_the_rest_of_the_api_stays_closed_to_other_sites(site: Site) -> None:
    tickets = site.client.get("/api/v1/tickets", headers={"Origin": SHOP})
    assert tickets.status_code == 401 and allow_origin(tickets) is None
    page = site.client.get("/signin", headers={"Origin": SHOP})
    assert page.status_code == 200 and allow_origin(page) is None
    beside = site.client.options(
        "/api/v1/ingest/widget/open/other", headers={"Origin": SHOP, "Access-Control-Request-Method": "GET"}
    )
    assert allow_origin(beside) is None


def test_servers_without_an_origin_get_no_cors_headers(site: Site) -> None:
    written = site.write("shop", origin=None)
    assert written.status_code == 200
    assert allow_origin(written) is None and "vary" not in written.headers


def test_the_body_size_limit_still_holds_and_the_widget_can_read_why(site: Site) -> None:
    before = site.stored()
    too_big = site.write("open", SHOP, text="x" * MAX_BODY)
    assert (too_big.status_code, too_big.json()["error"]) == (413, "payload_too_large")
    assert allow_origin(too_big) == "*"
    declared = site.client.request(
        "GET",
        "/api/v1/ingest/widget/shop/messages",
        params={"visitor_id": VISITOR},
        headers={"X-Widget-Key": KEY, "Origin": SHOP},
        content=b"x" * (MAX_BODY + 1),
    )
    assert (declared.status_code, declared.json()["error"]) == (413, "payload_too_large")
    assert allow_origin(declared) == SHOP
    assert site.stored() == before
    assert site.runtime.ingest is not None and site.runtime.ingest.dead_letters.list(None, 10, 0)[1] == 0
