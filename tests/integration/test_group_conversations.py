"""A VK multi-user chat is one ticket with many writers: each message says who wrote it on the
ticket page, in its history (page, API, CLI), and the customer it opened for has a name."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from domain.conversation import Conversation
from tests.fixtures.payloads import VK_SECRET
from tests.integration.history_story import Desk, Reader, api_events, served
from tests.support import Clock

CHAT = 2000000003
OLGA = {"id": 51230023, "first_name": "Ольга", "last_name": "Смирнова"}
PETR = {"id": 51230024, "first_name": "Пётр", "last_name": "Ильин"}


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> Iterator[Desk]:
    with served(tmp_path, clock) as started:
        _, _, users = started
        settings = {"confirmation": "c0nf", "secret": VK_SECRET, "group_id": "218765432"}
        added = users["root"].post("/channels", {"name": "vk-chats", "kind": "vk", "settings": settings})
        assert added.status_code == 201, added.text
        yield started


def said(desk: Desk, peer: int, number: int, person: dict[str, Any], text: str) -> str:
    """One message_new as VK delivers it, with the writer's profile beside it; the ticket's id."""
    message = {"date": 1772441000 + number, "from_id": person["id"], "peer_id": peer, "text": text}
    body = {"type": "message_new", "group_id": 218765432, "event_id": f"ev{number}", "secret": VK_SECRET}
    event = body | {
        "object": {"message": message | {"conversation_message_id": number}, "profiles": [person]}
    }
    answer = desk[1].post("/api/v1/ingest/vk/vk-chats", content=json.dumps(event, ensure_ascii=False))
    assert answer.status_code == 200 and answer.text == "ok", answer.text
    desk[0].runner.catch_up()
    found = desk[0].helpdesk.find(Conversation.create_id("vk-chats", f"dialog:{peer}"))
    return str(found.tickets[-1])


def test_each_message_of_a_chat_names_its_writer_wherever_the_ticket_is_read(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, client, users = desk
    ticket_id = said(desk, CHAT, 1, OLGA, "У всех в офисе не проходят платежи по QR?")
    assert said(desk, CHAT, 2, PETR, "У меня тоже, с утра") == ticket_id

    ticket = users["anna"].get(f"/tickets/{ticket_id}").json()
    assert ticket["customer"]["name"] == "Ольга Смирнова"
    assert [(m["text"], m["author"]) for m in ticket["conversation"]] == [
        ("У всех в офисе не проходят платежи по QR?", {"handle": "51230023", "name": "Ольга Смирнова"}),
        ("У меня тоже, с утра", {"handle": "51230024", "name": "Пётр Ильин"}),
    ]
    assert [e["data"]["author"]["name"] for e in api_events(users, ticket_id)] == [
        "Ольга Смирнова",
        "Пётр Ильин",
    ]

    page = Reader(client, "anna").page(f"/tickets/{ticket_id}")
    writers = re.findall(r'<span class="author" title="(\d+)">([^<]+)</span>', page)
    assert writers == [("51230023", "Ольга Смирнова"), ("51230024", "Пётр Ильин")]

    history = Reader(client, "audrey").page(f"/tickets/{ticket_id}/history")
    told = re.findall(r"<dt[^>]*>Written by</dt>\s*<dd[^>]*>([^<]+)</dd>", history)
    assert told == ["Ольга Смирнова (51230023)", "Пётр Ильин (51230024)"]

    capsys.readouterr()
    assert main(["--data", str(tmp_path / "data"), "ticket", "history", ticket_id]) == 0
    printed = capsys.readouterr().out
    assert "author='Ольга Смирнова (51230023)'" in printed and "author='Пётр Ильин (51230024)'" in printed


def test_a_one_to_one_dialog_records_no_author_and_its_customer_is_named_from_the_profile(desk: Desk) -> None:
    _, _, users = desk
    ticket_id = said(desk, PETR["id"], 1, PETR, "Как сменить тариф?")
    ticket = users["anna"].get(f"/tickets/{ticket_id}").json()
    assert ticket["customer"]["name"] == "Пётр Ильин"
    assert [m["author"] for m in ticket["conversation"]] == [None]
    assert api_events(users, ticket_id)[0]["data"]["author"] is None
