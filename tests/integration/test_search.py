"""The archive search projection over a real event store: word forms, ranking, filters, replay."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import Runtime
from application.command import Context
from application.customers import merge_customers
from projections import search_queries
from projections.search_queries import SearchQuery, search
from tests.support import T0, Clock, sqlite_runtime

BOT = Context("vk-bot")
ANNA = Context("anna")


@pytest.fixture
def runtime(tmp_path: Path, clock: Clock) -> Iterator[Runtime]:
    built = sqlite_runtime(tmp_path / "data", clock)
    yield built
    built.close()


def open_ticket(
    runtime: Runtime, text: str, name: str = "Иван Петров", handle: str = "id1", **kw: Any
) -> UUID:
    channel = kw.get("channel", "vk")
    return runtime.helpdesk.open_ticket(channel, name, handle, kw.get("subject"), text, None, BOT).id


def act(runtime: Runtime, ticket_id: UUID, action: Any) -> None:
    runtime.helpdesk.change(ticket_id, ANNA, None, action)


def find(runtime: Runtime, text: str = "", **kw: Any) -> list[dict[str, Any]]:
    runtime.runner.catch_up()
    hits, count, exact = search(runtime.search, SearchQuery(text=text, limit=100, **kw))
    assert (count, exact) == (len(hits), True)
    return hits


def texts(hits: list[dict[str, Any]]) -> list[str]:
    return [" … ".join(f["text"] for f in h["fragments"]) for h in hits]


def test_a_word_form_that_never_appears_finds_the_conversation(runtime: Runtime) -> None:
    ticket_id = open_ticket(runtime, "Здравствуйте! Моя карта заблокирована 😡")
    open_ticket(runtime, "Payments do not go through", handle="id2")
    [hit] = find(runtime, "картой")
    assert hit["ticket"]["id"] == str(ticket_id)
    assert hit["fragments"][0]["html"] == "Здравствуйте! Моя <mark>карта</mark> заблокирована 😡"
    assert texts(find(runtime, "payment")) == ["Payments do not go through"]


def test_every_word_must_match_and_more_matches_rank_higher(runtime: Runtime) -> None:
    open_ticket(runtime, "Не проходит оплата картой", handle="a")
    open_ticket(runtime, "Оплата картой не проходит, карта новая, карту выпустили вчера", handle="b")
    open_ticket(runtime, "Оплата по счёту", handle="c")
    assert len(find(runtime, "оплата карта")) == 2
    assert texts(find(runtime, "карты"))[0].startswith("Оплата картой не проходит")


def test_replies_notes_and_customer_names_are_searchable(runtime: Runtime) -> None:
    ticket_id = open_ticket(runtime, "Не работает приложение", name="Мария Сидорова")
    act(runtime, ticket_id, lambda t, s: t.reply("Переустановите приложение, пожалуйста", s))
    act(runtime, ticket_id, lambda t, s: t.add_note("Клиентка тревожится, отвечать быстро", s))
    assert {h["kind"] for h in find(runtime, "приложения")} == {"message", "reply"}
    assert find(runtime, "тревожится") == []
    [note] = find(runtime, "тревожится", include_notes=True)
    assert note["kind"] == "note"
    by_name = find(runtime, "Сидоровой")
    assert {h["kind"] for h in by_name} == {"message", "reply"}
    assert by_name[0]["customer"]["highlights"] == [[6, 14]]


def test_filters_combine_with_and(runtime: Runtime, clock: Clock) -> None:
    first = open_ticket(runtime, "Карта не работает", handle="a", channel="vk")
    clock.advance(days=2)
    second = open_ticket(runtime, "Карта потерялась", handle="b", channel="telegram")
    act(runtime, second, lambda t, s: t.change_tags(["Card", "vip"], [], s))
    act(runtime, first, lambda t, s: t.resolve("solved", s))
    customer = runtime.helpdesk.ticket(second).customer_id

    def ids(**kw: Any) -> set[str]:
        return {h["ticket"]["id"] for h in find(runtime, "карта", **kw)}

    assert ids() == {str(first), str(second)}
    assert ids(channels=["telegram"]) == {str(second)}
    assert ids(tags=["card", "vip"]) == {str(second)}
    assert ids(tags=["card", "other"]) == set()
    assert ids(statuses=["resolved"]) == {str(first)}
    assert ids(customer_id=str(customer)) == {str(second)}
    assert ids(since=T0.replace(day=3)) == {str(second)}
    assert ids(until=T0.replace(day=3)) == {str(first)}


@pytest.mark.parametrize("join_limit", [0, 10_000])
def test_channel_and_tag_filters_agree_as_terms_and_as_lookups(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, join_limit: int
) -> None:
    monkeypatch.setattr(search_queries, "JOIN_LIMIT", join_limit)
    for i, (channel, tags) in enumerate([("vk", ["card"]), ("telegram", ["card", "vip"]), ("vk", [])]):
        ticket_id = open_ticket(
            runtime, "Карта не работает, карту заблокировали", handle=f"h{i}", channel=channel
        )
        act(runtime, ticket_id, lambda t, s, tags=tags: t.change_tags(tags, [], s))
    runtime.runner.catch_up()
    query = SearchQuery(text="карта", channels=["vk", "telegram"], tags=["card"])
    found = search(runtime.search, query)
    assert sorted(h["ticket"]["channel"] for h in found.hits) == ["telegram", "vk"]
    monkeypatch.setattr(search_queries, "JOIN_LIMIT", 10_000 - join_limit)
    assert search(runtime.search, query) == found


def test_an_empty_query_lists_the_filtered_messages_newest_first(runtime: Runtime, clock: Clock) -> None:
    open_ticket(runtime, "первое", handle="a")
    clock.advance(minutes=1)
    open_ticket(runtime, "второе", handle="b")
    assert texts(find(runtime)) == ["второе", "первое"]


def test_pages_do_not_overlap(runtime: Runtime) -> None:
    for i in range(7):
        open_ticket(runtime, f"заказ номер {i}", handle=f"h{i}")
    runtime.runner.catch_up()
    pages = [search(runtime.search, SearchQuery(text="заказы", limit=3, offset=o)) for o in (0, 3, 6)]
    ids = [h["id"] for found in pages for h in found.hits]
    assert len(ids) == len(set(ids)) == 7
    assert {(found.count, found.count_exact) for found in pages} == {(7, True)}


def test_results_after_a_rebuild_are_identical_to_live(runtime: Runtime, clock: Clock) -> None:
    for i, text in enumerate(["Карта заблокирована", "Картой не оплатить 💳", "Payment failed, карта"]):
        ticket_id = open_ticket(runtime, text, name=f"Клиент {i}", handle=f"h{i}")
        clock.advance(minutes=5)
        act(runtime, ticket_id, lambda t, s: t.reply("Проверим вашу карту", s))
        act(runtime, ticket_id, lambda t, s: t.add_note("карта VIP", s))
        act(runtime, ticket_id, lambda t, s: t.change_tags(["card"], [], s))
    queries = [
        SearchQuery(text="карты", include_notes=True),
        SearchQuery(text="клиента", tags=["card"]),
        SearchQuery(text="payments карта"),
    ]
    runtime.runner.catch_up()
    live = [search(runtime.search, q) for q in queries]
    runtime.runner.rebuild()
    assert [search(runtime.search, q) for q in queries] == live


def test_filters_follow_tag_changes_and_merges_made_in_later_batches(
    runtime: Runtime, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tags and the customer are index terms of each message: a change in a later batch must
    # rewrite the ticket's earlier messages, and a rebuild (everything in one batch) must agree.
    first = open_ticket(runtime, "Карта не работает", name="Анна", handle="a")
    second = open_ticket(runtime, "Карта потерялась", name="Борис", handle="b")
    act(runtime, first, lambda t, s: t.reply("Проверим карту", s))
    runtime.runner.catch_up()
    act(runtime, first, lambda t, s: t.change_tags(["vip", "card"], [], s))
    runtime.runner.catch_up()
    act(runtime, first, lambda t, s: t.change_tags([], ["vip"], s))
    act(runtime, second, lambda t, s: t.change_tags(["vip"], [], s))
    runtime.runner.catch_up()
    anna = runtime.helpdesk.ticket(first).customer_id
    boris = runtime.helpdesk.ticket(second).customer_id
    merge_customers(runtime.helpdesk, boris, anna, ANNA)

    def ids(**kw: Any) -> list[str]:
        return sorted(h["ticket"]["id"] for h in find(runtime, "карты", **kw))

    assert ids(tags=["card"]) == [str(first), str(first)]
    assert ids(tags=["vip"]) == [str(second)]
    assert ids(tags=["vip", "card"]) == []
    monkeypatch.setattr(search_queries, "JOIN_LIMIT", 0)  # channel and tag as index terms
    assert ids(channels=["vk"], tags=["card"]) == [str(first), str(first)]
    assert ids(channels=["telegram", "vk"], tags=["vip"]) == [str(second)]
    assert ids(channels=["telegram"], tags=["card"]) == []
    assert ids(customer_id=str(anna)) == sorted([str(first), str(first), str(second)])
    assert ids(customer_id=str(boris)) == sorted([str(first), str(first), str(second)])
    queries = [SearchQuery(text="карта", tags=["card"]), SearchQuery(text="карта", customer_id=str(anna))]
    live = [search(runtime.search, q) for q in queries]
    runtime.runner.rebuild()
    assert [search(runtime.search, q) for q in queries] == live
