"""SIGKILL the projector mid-batch, again and again: the queue view neither skips nor double-applies."""

import random
import signal
import time
from pathlib import Path
from uuid import UUID

from application.command import Context
from projections.local_log import LocalLog
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueFilter, QueueStore
from projections.runner import Runner
from projections.sql import open_database
from tests.e2e.server import deskstream, spawn
from tests.support import Clock, sqlite_runtime

TICKETS = 120
EVERY_STATUS = QueueFilter(status=("open", "paused", "resolved", "merged"))


def write_history(data: Path) -> int:
    """A busy day: tickets opened, answered, tagged, paused, resumed and resolved."""
    clock = Clock()
    runtime = sqlite_runtime(data, clock)
    bot, anna = Context("vk-bot"), Context("anna")
    change = runtime.helpdesk.change
    for n in range(TICKETS):
        ticket = runtime.helpdesk.open_ticket("vk", f"C{n}", f"id{n}", None, "Help", None, bot).id
        clock.advance(seconds=30)
        change(ticket, anna, None, lambda t, s: t.change_tags(["card"], [], s))
        change(ticket, anna, None, lambda t, s: t.reply("On it", s))
        change(ticket, anna, None, lambda t, s: t.pause("waiting_customer", None, s))
        runtime.helpdesk.receive_message(ticket, "Here", None, bot)
        change(ticket, anna, None, lambda t, s: t.add_note("checked", s))
        if n % 3:
            change(ticket, anna, None, lambda t, s: t.resolve("solved", s))
    head = runtime.runner.source.head()
    runtime.close()
    return head


def wait_for_progress(store: QueueStore, after: int, timeout: float = 20.0) -> None:
    """Kills land while the projector is working, not while it is still importing."""
    deadline = time.monotonic() + timeout
    while store.positions().get("log", 0) == after and time.monotonic() < deadline:
        time.sleep(0.005)


def test_killing_the_projector_at_random_moments_loses_and_repeats_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    head = write_history(data)
    queue_db = open_database(data / "queue.sqlite")
    store = QueueStore(queue_db)
    rng = random.Random(7)
    reached: list[int] = []
    while store.positions().get("log", 0) < head and len(reached) < 30:
        process = spawn(data, "project", "--batch-size", "20")
        wait_for_progress(store, after=store.positions().get("log", 0))
        time.sleep(rng.uniform(0, 0.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
        reached.append(store.positions().get("log", 0))
    deskstream(data, "project", "--once")

    rows, count = store.query(EVERY_STATUS, limit=1000, offset=0)
    assert count == TICKETS
    print(f"projector killed at positions {reached} of {head}")
    assert any(0 < p < head for p in reached), f"no kill landed mid-way: {reached} of {head}"
    with queue_db.transaction() as cur:
        counts = dict(cur.fetchall("SELECT ticket_id, event_count FROM queue_tickets"))
    runtime = sqlite_runtime(data, Clock())
    try:
        versions = {row["id"]: runtime.helpdesk.ticket(UUID(row["id"])).version for row in rows}
        fresh = QueueStore(open_database(tmp_path / "fresh.sqlite"))
        Runner(LocalLog(runtime.helpdesk), [QueueProjection(fresh)]).catch_up()
        assert counts == versions
        assert fresh.query(EVERY_STATUS, limit=1000, offset=0) == (rows, count)
    finally:
        runtime.close()
        queue_db.close()
