"""Random command sequences against the real store: rules hold, replay equals live, rebuild equals live.

Customer records are merged too (chains included): the queue must list each customer's tickets
under the record that survived, live and rebuilt alike."""

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule

from application import customers as library
from application.command import Context
from application.tickets import TicketAction
from domain.customer import Customer, identity
from domain.errors import DomainError
from domain.ticket import Ticket
from projections.local_log import LocalLog
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueFilter, QueueStore
from projections.records import record_from_event
from projections.runner import Runner
from projections.sql import open_database
from tests.support import Clock, sqlite_runtime

EVERY_STATUS = QueueFilter(status=("open", "paused", "resolved", "merged"))
OPERATORS = st.sampled_from(["anna", "oleg"])
HANDLES = st.sampled_from(["id1", "id2", "id3"])
CHANNELS = st.sampled_from(["vk", "tg"])


class Model:
    """What a supervisor expects of one ticket, kept independently of the aggregate."""

    def __init__(self) -> None:
        self.status = "open"
        self.resolutions = 0
        self.ratings = 0
        self.waiting = True

    def allows(self, command: str) -> bool:
        workable = self.status in ("open", "paused")
        return {
            "reply": workable,
            "note": workable,
            "assign": workable,
            "pause": self.status == "open",
            "resume": self.status == "paused",
            "resolve": workable,
            "reopen": self.status == "resolved",
            "rate": self.status == "resolved" and self.ratings < self.resolutions,
            "message": self.status != "merged",
        }[command]

    def apply(self, command: str) -> None:
        if command == "reply":
            self.waiting = False
        elif command == "message":
            self.status, self.waiting = "open", True
        elif command == "pause":
            self.status = "paused"
        elif command in ("resume", "reopen"):
            self.status = "open"
        elif command == "resolve":
            self.status, self.waiting = "resolved", False
            self.resolutions += 1
        elif command == "rate":
            self.ratings += 1


class TicketMachine(RuleBasedStateMachine):
    tickets = Bundle("tickets")

    @initialize()
    def start(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="deskstream-machine-"))
        self.clock = Clock()
        self.runtime = sqlite_runtime(self.dir / "data", self.clock)
        self.models: dict[UUID, Model] = {}
        self.merged_into: dict[UUID, UUID | None] = {}
        """Every customer record registered so far, and the record it was merged into."""

    def teardown(self) -> None:
        if hasattr(self, "runtime"):
            self.runtime.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    @rule(target=tickets, handle=HANDLES, channel=CHANNELS)
    def open(self, handle: str, channel: str) -> UUID:
        ticket_id = self.runtime.helpdesk.open_ticket(
            channel, "C", handle, None, "Help", None, Context("bot")
        ).id
        self.models[ticket_id] = Model()
        self.merged_into.setdefault(Customer.create_id(identity(channel, handle)), None)
        return ticket_id

    @precondition(lambda self: len(getattr(self, "merged_into", ())) >= 2)
    @rule(source=st.integers(min_value=0, max_value=5), into=st.integers(min_value=0, max_value=5))
    def merge_customers(self, source: int, into: int) -> None:
        """Mostly among records not merged yet, so that chains form; a merged one must be refused."""
        known = self.merged_into
        pool = [k for k, v in known.items() if v is None] if source % 3 else list(known)
        source_id, into_id = pool[source % len(pool)], pool[into % len(pool)]
        allowed = source_id != into_id and known[source_id] is None and known[into_id] is None
        if into % 2:
            self.runtime.runner.catch_up()  # so that chains also span batches
        try:
            library.merge_customers(self.runtime.helpdesk, source_id, into_id, Context("sveta"))
        except DomainError:
            assert not allowed
            return
        assert allowed
        known[source_id] = into_id

    def survivor(self, customer_id: UUID) -> UUID:
        while (into := self.merged_into.get(customer_id)) is not None:
            customer_id = into
        return customer_id

    @rule(minutes=st.integers(min_value=0, max_value=600))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule(ticket=tickets)
    def message(self, ticket: UUID) -> None:
        self.attempt(ticket, "message", lambda t, s: t.receive_message("More", None, s))

    @rule(ticket=tickets, who=OPERATORS)
    def reply(self, ticket: UUID, who: str) -> None:
        self.attempt(ticket, "reply", lambda t, s: t.reply("Answer", s), who)

    @rule(ticket=tickets)
    def note(self, ticket: UUID) -> None:
        self.attempt(ticket, "note", lambda t, s: t.add_note("Internal", s))

    @rule(ticket=tickets, who=OPERATORS)
    def assign(self, ticket: UUID, who: str) -> None:
        self.attempt(ticket, "assign", lambda t, s: t.assign(who, None, s))

    @rule(ticket=tickets, reason=st.sampled_from(["waiting_customer", "waiting_department"]))
    def pause(self, ticket: UUID, reason: str) -> None:
        self.attempt(ticket, "pause", lambda t, s: t.pause(reason, "Billing", s))

    @rule(ticket=tickets)
    def resume(self, ticket: UUID) -> None:
        self.attempt(ticket, "resume", lambda t, s: t.resume(s))

    @rule(ticket=tickets, resolution=st.sampled_from(["solved", "spam", "no_reply_needed", "duplicate"]))
    def resolve(self, ticket: UUID, resolution: str) -> None:
        self.attempt(ticket, "resolve", lambda t, s: t.resolve(resolution, s))

    @rule(ticket=tickets)
    def reopen(self, ticket: UUID) -> None:
        self.attempt(ticket, "reopen", lambda t, s: t.reopen(s))

    @rule(ticket=tickets, score=st.sampled_from(["like", "dislike"]))
    def rate(self, ticket: UUID, score: str) -> None:
        self.attempt(ticket, "rate", lambda t, s: t.rate(score, None, s))

    @rule(ticket=tickets, add=st.lists(st.sampled_from(["card", "vip", "bug"]), max_size=2))
    def tag(self, ticket: UUID, add: list[str]) -> None:
        if self.models[ticket].status != "merged":
            self.act(ticket, lambda t, s: t.change_tags(add, [], s))

    @rule(source=tickets, into=tickets)
    def merge(self, source: UUID, into: UUID) -> None:
        helpdesk, models = self.runtime.helpdesk, self.models
        allowed = (
            source != into and models[source].status != "merged" and models[into].status in ("open", "paused")
        )
        before = (helpdesk.ticket(source).version, helpdesk.ticket(into).version)
        try:
            helpdesk.merge(source, into, Context("anna"), None)
        except DomainError:
            assert not allowed
            assert (helpdesk.ticket(source).version, helpdesk.ticket(into).version) == before
            return
        assert allowed
        models[source].status = "merged"

    @precondition(lambda self: hasattr(self, "runtime"))
    @rule()
    def project(self) -> None:
        self.runtime.runner.step()

    def attempt(self, ticket: UUID, command: str, action: TicketAction, actor: str = "anna") -> None:
        """Allowed commands must land; refused ones must raise a domain error and append nothing."""
        model = self.models[ticket]
        version = self.runtime.helpdesk.ticket(ticket).version
        try:
            self.act(ticket, action, actor)
        except DomainError:
            assert not model.allows(command), f"{command} refused on a {model.status} ticket"
            assert self.runtime.helpdesk.ticket(ticket).version == version
            return
        assert model.allows(command), f"{command} accepted on a {model.status} ticket"
        model.apply(command)

    def act(self, ticket: UUID, action: TicketAction, actor: str = "anna") -> None:
        self.runtime.helpdesk.change(ticket, Context(actor), None, action)

    @invariant()
    def state_matches_the_model_and_its_own_history(self) -> None:
        if not hasattr(self, "runtime"):
            return
        for ticket_id, model in self.models.items():
            live = self.runtime.helpdesk.ticket(ticket_id)
            assert live.status == model.status
            assert live.ratings <= live.resolutions == model.resolutions
            assert (live.waiting_since is not None) == (model.waiting and model.status in ("open", "paused"))
            assert (live.pause_reason is not None) == (live.status == "paused")
            assert vars(replayed(self.runtime.helpdesk.history(ticket_id))) == vars(live)

    @precondition(lambda self: getattr(self, "models", None))
    @rule()
    def queue_rebuilt_from_scratch_equals_the_live_queue(self) -> None:
        runner = self.runtime.runner
        runner.catch_up()
        live = self.runtime.queue.query(EVERY_STATUS, limit=1000, offset=0)
        fresh_db = open_database(self.dir / f"fresh-{runner.position()}.sqlite")
        fresh = QueueStore(fresh_db)
        Runner(LocalLog(self.runtime.helpdesk), [QueueProjection(fresh)]).catch_up()
        assert fresh.query(EVERY_STATUS, limit=1000, offset=0) == live
        for customer_id in self.merged_into:
            by_customer = replace(EVERY_STATUS, customer_id=str(customer_id))
            rows, _ = self.runtime.queue.query(by_customer, limit=1000, offset=0)
            assert fresh.query(by_customer, limit=1000, offset=0) == (rows, len(rows))
            self.check_customer_rows(customer_id, rows)
        fresh_db.close()
        assert live[1] == len(self.models)
        records = LocalLog(self.runtime.helpdesk).read(0, 100_000)
        occurred = [r.occurred_at for r in records]
        assert occurred == sorted(occurred)
        app = self.runtime.helpdesk
        stored = app.recorder.select_notifications(start=0, limit=100_000)
        assert records == [record_from_event(n.id, app.mapper.to_domain_event(n)) for n in stored]

    def check_customer_rows(self, customer_id: UUID, rows: list[dict[str, Any]]) -> None:
        """The tickets of every record with the same survivor, each naming that survivor."""
        survivor = self.survivor(customer_id)
        recorded = {t: self.runtime.helpdesk.ticket(t).customer_id for t in self.models}
        expected = {str(t) for t, c in recorded.items() if self.survivor(c) == survivor}
        assert {row["id"] for row in rows} == expected
        assert {row["customer"]["id"] for row in rows} <= {str(survivor)}


def replayed(events: list[Any]) -> Ticket:
    ticket: Any = None
    for event in events:
        ticket = event.mutate(ticket)
    return ticket


TicketMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_ticket_rules_replay_and_rebuild = TicketMachine.TestCase
