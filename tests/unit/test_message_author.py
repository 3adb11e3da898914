"""A group conversation's messages say who wrote each: stored only when set, published in the
Avro contract, and told on the ticket page, the history table and by the CLI."""

import json
from uuid import uuid4

import pytest
from eventsourcing.persistence import Mapper

from api.views import author_label, conversation
from api.web.history_fields import fields
from api.web.history_times import Times
from api.web.ticket_timeline import timeline
from application.helpdesk import Helpdesk
from application.intake import Author
from domain.channel import Channel
from domain.errors import InvalidValueError
from domain.ticket import Ticket
from ingest.kinds.telegram import TelegramAdapter
from projections.avro_records import decode, encode
from projections.records import record_from_event
from tests.fixtures.payloads import TG_SECRET
from tests.support import T0, stamp

OLGA = {"handle": "51230023", "name": "Ольга Смирнова"}


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Helpdesk({}, clock=lambda: T0, positions=lambda recorder, aggregate_id: {}).mapper


def group_ticket() -> Ticket:
    ticket = Ticket.open(uuid4(), "vk", uuid4(), None, "Платежи не проходят", "msg:1", stamp(), author=OLGA)
    ticket.receive_message("У меня тоже", "msg:2", stamp(1), author={"handle": "51230024", "name": ""})
    ticket.receive_message("Спасибо", "msg:3", stamp(2))
    return ticket


def test_an_author_is_stored_only_when_set_and_reads_back_as_stored(mapper: Mapper) -> None:
    events = group_ticket().collect_events()
    stored = [mapper.to_stored_event(e) for e in events]
    assert [b'"author"' in s.state for s in stored] == [True, True, False]
    again = [mapper.to_domain_event(s) for s in stored]
    assert [e.author for e in again] == [OLGA, {"handle": "51230024", "name": ""}, None]
    assert [mapper.to_stored_event(e).state for e in again] == [s.state for s in stored]


def test_an_author_without_the_providers_id_is_refused_and_a_name_is_cleaned_not_refused() -> None:
    ticket = group_ticket()
    with pytest.raises(InvalidValueError, match="handle"):
        ticket.receive_message("Кто я?", "msg:4", stamp(3), author={"handle": " ", "name": "Аноним"})
    ticket.receive_message("Я", "msg:5", stamp(3), author={"handle": "7", "name": " Пётр\u200b Ильин "})
    assert ticket.collect_events()[-1].author == {"handle": "7", "name": "Пётр Ильин"}


def test_the_author_travels_over_kafka_and_old_consumers_read_the_message_without_it() -> None:
    for position, event in enumerate(group_ticket().collect_events(), start=1):
        record = record_from_event(position, event)
        assert decode(encode(record).value) == record


def test_the_api_the_page_and_the_history_table_name_the_writer() -> None:
    events = group_ticket().collect_events()
    said = conversation(events, include_notes=False)
    assert [m["author"] for m in said] == [OLGA, {"handle": "51230024", "name": ""}, None]
    items = timeline(events, {})
    assert [i.author for i in items] == [OLGA, {"handle": "51230024", "name": ""}, None]
    assert [author_label(i.author) for i in items] == ["Ольга Смирнова (51230023)", "51230024", ""]
    record = record_from_event(1, events[0])
    shown = {f.name: f.text for f in fields(record, "en", Times("en", "UTC"))}
    assert shown["author"] == "Ольга Смирнова (51230023)"
    assert "author" not in {f.name for f in fields(record_from_event(3, events[2]), "en", Times("en", "UTC"))}


def test_telegram_names_the_writer_in_a_group_or_supergroup_and_nobody_in_a_private_chat() -> None:
    config = Channel.add("tg", "telegram", None, {"secret_token": TG_SECRET}, stamp())

    def sent(chat_type: str, sender: dict[str, object]) -> Author | None:
        chat = {"id": -1001834567890 if chat_type != "private" else 7, "type": chat_type}
        message = {"message_id": 3, "from": sender, "chat": chat, "date": 1772441400, "text": "Счёт 118"}
        body = json.dumps({"update_id": 1, "message": message}).encode()
        return TelegramAdapter().parse(config, body).messages[0].author

    maria = {"id": 435671190, "first_name": "Мария", "last_name": "Иванова", "username": "maria_iv"}
    assert sent("supergroup", maria) == Author("435671190", "Мария Иванова")
    assert sent("group", {"id": 5, "username": "petr_k"}) == Author("5", "petr_k")
    assert sent("private", maria) is None
