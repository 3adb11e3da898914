"""VK names from `users.get` through the channel's api_base (a local stub here): asked once per
user and remembered within bounds, never with the token in a URL or a log line."""

import json
import logging
from typing import Any
from urllib.parse import parse_qs

import pytest

from domain.channel import Channel
from ingest.kinds.vk import VkAdapter
from ingest.kinds.vk_names import RETRY_AFTER, UserNames
from tests.fixtures.payloads import VK_SECRET, Recorder, recording_server
from tests.support import stamp

TOKEN = "vk1.a.SEKRET-names-token"
PEOPLE = [
    {"id": 51230001, "first_name": "Ирина", "last_name": "Котова", "can_access_closed": True},
    {"id": 51230023, "first_name": "Ольга", "last_name": "Смирнова", "can_access_closed": True},
]


class Now:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def channel(api_base: str, **extra: str) -> Channel:
    settings = {"confirmation": "c", "secret": VK_SECRET, "group_id": "218765432", "access_token": TOKEN}
    settings |= {"api_base": api_base, "user_names": "users.get", **extra}
    return Channel.add("vk-support", "vk", None, settings, stamp())


def adapter(size: int = 100) -> tuple[VkAdapter, Now]:
    kind, now = VkAdapter(), Now()
    kind.user_names = UserNames(size=size, clock=now)
    return kind, now


def event(peer: int, sender: int, number: int) -> bytes:
    message = {"date": 1772441000, "from_id": sender, "peer_id": peer, "conversation_message_id": number}
    body = {"type": "message_new", "group_id": 218765432, "secret": VK_SECRET, "event_id": f"e{number}"}
    return json.dumps(body | {"object": {"message": message | {"text": "Здравствуйте"}}}).encode()


def parsed(kind: VkAdapter, config: Channel, peer: int, sender: int, number: int = 1) -> Any:
    return kind.named(config, kind.parse(config, event(peer, sender, number)).messages)[0]


def asked(provider: Recorder) -> list[dict[str, list[str]]]:
    return [parse_qs(r.body.decode()) for r in provider.requests]


def test_the_customer_and_a_chats_writer_are_named_and_each_user_is_asked_for_once() -> None:
    kind, _ = adapter()
    with recording_server() as provider:
        provider.default = (200, {"response": PEOPLE})
        config = channel(provider.url)
        dialog = parsed(kind, config, 51230001, 51230001)
        writer = parsed(kind, config, 2000000003, 51230023, 2)
        again = parsed(kind, config, 51230001, 51230001, 3)
    assert (dialog.name, dialog.author) == ("Ирина Котова", None)
    assert writer.author is not None and (writer.name, writer.author.name) == ("Ольга Смирнова",) * 2
    assert again.name == "Ирина Котова"
    assert [r.path for r in provider.requests] == ["/users.get", "/users.get"]
    assert [q["user_ids"] for q in asked(provider)] == [["51230001"], ["51230023"]]
    assert all(
        TOKEN not in r.path and q["access_token"] == [TOKEN]
        for r, q in zip(provider.requests, asked(provider), strict=True)
    )


def test_the_cache_is_bounded_and_forgets_the_least_recently_used_first() -> None:
    kind, _ = adapter(size=2)
    with recording_server() as provider:
        provider.default = (200, {"response": [*PEOPLE, {"id": 3, "first_name": "Пётр", "last_name": ""}]})
        config = channel(provider.url)
        for sender in (51230001, 51230023, 51230001, 3, 51230001, 51230023):
            parsed(kind, config, sender, sender)
    assert [q["user_ids"][0] for q in asked(provider)] == ["51230001", "51230023", "3", "51230023"]


def test_a_failed_lookup_leaves_names_empty_logs_no_token_and_waits_before_asking_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    kind, now = adapter()
    refusal = {"error": {"error_code": 5, "error_msg": f"User authorization failed: invalid token {TOKEN}"}}
    with recording_server() as provider, caplog.at_level(logging.WARNING):
        provider.default = (200, refusal)
        config = channel(provider.url)
        first = parsed(kind, config, 51230001, 51230001)
        soon = parsed(kind, config, 51230001, 51230001, 2)
        now.seconds += RETRY_AFTER
        provider.default = (200, {"response": PEOPLE})
        later = parsed(kind, config, 51230001, 51230001, 3)
    assert (first.name, soon.name, later.name) == ("", "", "Ирина Котова")
    assert len(provider.requests) == 2
    assert "vk users.get for channel vk-support failed: 200 5 User authorization failed" in caplog.text
    assert TOKEN not in caplog.text


def test_an_unreachable_api_costs_one_short_timeout_and_the_message_is_still_taken() -> None:
    kind, _ = adapter()
    config = channel("http://127.0.0.1:9")  # nothing listens there
    assert parsed(kind, config, 2000000003, 51230023).author.name == ""


def test_without_the_setting_or_a_token_vk_is_never_asked() -> None:
    kind, _ = adapter()
    with recording_server() as provider:
        provider.default = (200, {"response": PEOPLE})
        for config in (channel(provider.url, user_names=""), channel(provider.url, access_token="")):
            assert parsed(kind, config, 51230001, 51230001).name == ""
    assert provider.requests == []
