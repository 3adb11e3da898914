"""The event store and the queue view, on SQLite and on PostgreSQL alike."""

import threading
from uuid import UUID

import pytest

from api.bootstrap import Runtime
from application.command import Context
from domain.errors import TicketNotFoundError, VersionConflictError
from projections.local_log import LocalLog
from projections.queue_store import QueueFilter
from projections.records import record_from_event
from tests.integration.conftest import RuntimeFactory
from tests.support import Clock

SERVICE = Context("vk-bot")
ANNA = Context("anna")


def open_ticket(runtime: Runtime, handle: str = "id1", text: str = "Card blocked", **kw: str) -> UUID:
    return runtime.helpdesk.open_ticket("vk", "Ivan", handle, None, text, kw.get("external_id"), SERVICE).id


def queue(runtime: Runtime, **filters: object) -> list[dict[str, object]]:
    runtime.runner.catch_up()
    rows, count = runtime.queue.query(QueueFilter(**filters), limit=100, offset=0)  # type: ignore[arg-type]
    assert count == len(rows)
    return rows


def test_everything_survives_a_restart(make_runtime: RuntimeFactory, clock: Clock) -> None:
    first = make_runtime()
    ticket_id = open_ticket(first)
    clock.advance(minutes=3)
    first.helpdesk.change(ticket_id, ANNA, None, lambda t, s: t.reply("Unblocked", s))
    first.helpdesk.change(ticket_id, ANNA, None, lambda t, s: t.resolve("solved", s))
    before = queue(first, status=["resolved"])
    first.close()

    second = make_runtime()
    ticket = second.helpdesk.ticket(ticket_id)
    assert (ticket.status, ticket.resolution, ticket.version) == ("resolved", "solved", 3)
    assert queue(second, status=["resolved"]) == before


def test_a_provider_message_id_opens_one_ticket_however_often_it_is_delivered(
    runtime: Runtime,
) -> None:
    first = runtime.helpdesk.open_ticket("vk", "Ivan", "id1", None, "Hi", "msg-77", SERVICE)
    again = runtime.helpdesk.open_ticket("vk", "Ivan", "id1", None, "Hi", "msg-77", SERVICE)
    assert again == first
    assert len(runtime.helpdesk.history(first.id)) == 1
    assert [row["id"] for row in queue(runtime)] == [str(first.id)]


def test_a_retried_command_returns_the_first_result_and_appends_nothing(runtime: Runtime) -> None:
    ticket_id = open_ticket(runtime)
    keyed = Context("anna", request_id="key-1")
    first = runtime.helpdesk.change(ticket_id, keyed, None, lambda t, s: t.reply("Hello", s))
    runtime.helpdesk.change(ticket_id, ANNA, None, lambda t, s: t.add_note("later", s))
    retry = runtime.helpdesk.change(ticket_id, keyed, None, lambda t, s: t.reply("Hello", s))
    assert retry == first
    assert runtime.helpdesk.ticket(ticket_id).version == 3


def test_a_stale_if_match_is_a_conflict_and_changes_nothing(runtime: Runtime) -> None:
    ticket_id = open_ticket(runtime)
    runtime.helpdesk.change(ticket_id, ANNA, 1, lambda t, s: t.add_note("first", s))
    with pytest.raises(VersionConflictError, match="version 2, not 1"):
        runtime.helpdesk.change(ticket_id, ANNA, 1, lambda t, s: t.add_note("second", s))
    assert runtime.helpdesk.ticket(ticket_id).version == 2


def test_concurrent_writers_without_if_match_all_land(runtime: Runtime) -> None:
    ticket_id = open_ticket(runtime)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(5):
                note = f"{n}-{i}"
                runtime.helpdesk.change(ticket_id, ANNA, None, lambda t, s, text=note: t.add_note(text, s))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert runtime.helpdesk.ticket(ticket_id).version == 21
    positions = runtime.helpdesk.positions(ticket_id)
    assert sorted(positions) == list(range(1, 22))
    assert [positions[v] for v in sorted(positions)] == sorted(positions.values())


def test_the_queue_puts_the_longest_waiting_customer_first(runtime: Runtime, clock: Clock) -> None:
    oldest = open_ticket(runtime, "a")
    clock.advance(minutes=1)
    middle = open_ticket(runtime, "b")
    clock.advance(minutes=1)
    newest = open_ticket(runtime, "c")
    assert [r["id"] for r in queue(runtime)] == [str(oldest), str(middle), str(newest)]

    clock.advance(minutes=1)
    runtime.helpdesk.change(oldest, ANNA, None, lambda t, s: t.reply("On it", s))
    assert [r["id"] for r in queue(runtime)] == [str(middle), str(newest), str(oldest)]


def test_queue_filters(runtime: Runtime, clock: Clock) -> None:
    runtime.helpdesk.register_user("anna", "operator")
    card = open_ticket(runtime, "a")
    loan = open_ticket(runtime, "b")
    runtime.helpdesk.change(card, ANNA, None, lambda t, s: t.change_tags(["card", "vip"], [], s))
    runtime.helpdesk.change(card, ANNA, None, lambda t, s: t.assign("anna", "yours", s))
    runtime.helpdesk.change(loan, ANNA, None, lambda t, s: t.set_type("question", s))
    runtime.helpdesk.change(loan, ANNA, None, lambda t, s: t.pause("waiting_customer", None, s))

    def ids(**f: object) -> list[str]:
        return [str(r["id"]) for r in queue(runtime, **f)]

    assert ids(tag=["vip"]) == [str(card)]
    assert ids(tag=["vip", "card"]) == [str(card)]
    assert ids(assignee="anna") == [str(card)]
    assert ids(unassigned=True) == [str(loan)]
    assert ids(status=["paused"]) == [str(loan)]
    assert ids(type="question") == [str(loan)]
    assert ids(channel=["telegram"]) == []
    customer = str(runtime.helpdesk.ticket(card).customer_id)
    assert ids(customer_id=customer) == [str(card)]


def test_merged_tickets_leave_every_queue(runtime: Runtime) -> None:
    source, target = open_ticket(runtime, "a"), open_ticket(runtime, "b")
    runtime.helpdesk.merge(source, target, ANNA, None)
    assert [r["id"] for r in queue(runtime)] == [str(target)]
    assert [r["id"] for r in queue(runtime, status=["merged"])] == [str(source)]


def test_as_of_shows_the_ticket_as_it_was_recorded_then(runtime: Runtime, clock: Clock) -> None:
    opened_at = clock.now
    ticket_id = open_ticket(runtime)
    clock.advance(hours=1)
    runtime.helpdesk.change(ticket_id, ANNA, None, lambda t, s: t.resolve("solved", s))
    assert runtime.helpdesk.ticket_as_of(ticket_id, opened_at).status == "open"
    assert runtime.helpdesk.ticket_as_of(ticket_id, clock.now).status == "resolved"
    with pytest.raises(TicketNotFoundError):
        runtime.helpdesk.ticket_as_of(ticket_id, opened_at.replace(year=2020))


def test_rebuilding_the_queue_from_scratch_gives_the_same_rows(runtime: Runtime, clock: Clock) -> None:
    for handle in "abcde":
        ticket_id = open_ticket(runtime, handle)
        clock.advance(minutes=2)
        runtime.helpdesk.change(ticket_id, ANNA, None, lambda t, s: t.reply("Hi", s))
    live = queue(runtime, status=["open", "paused", "resolved", "merged"])
    runtime.runner.rebuild()
    assert queue(runtime, status=["open", "paused", "resolved", "merged"]) == live


def test_the_log_reads_events_exactly_as_the_library_rebuilds_them(runtime: Runtime, clock: Clock) -> None:
    ticket_id = open_ticket(runtime)
    clock.advance(minutes=1)
    runtime.helpdesk.change(ticket_id, ANNA, None, lambda t, s: t.change_tags(["card"], [], s))
    runtime.helpdesk.change(ticket_id, ANNA, None, lambda t, s: t.pause("waiting_customer", None, s))
    runtime.helpdesk.receive_message(ticket_id, "Here", "m-2", SERVICE)
    app = runtime.helpdesk
    notifications = app.recorder.select_notifications(start=0, limit=100, inclusive_of_start=False)
    slow = [record_from_event(n.id, app.mapper.to_domain_event(n)) for n in notifications]
    fast = LocalLog(app).read(0, 100)
    assert fast == slow
    assert [list(r.data) for r in fast] == [list(r.data) for r in slow]
    assert [r.type for r in fast][-3:] == ["Paused", "Resumed", "CustomerMessageReceived"]
