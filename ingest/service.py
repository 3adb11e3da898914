"""Hands a verified payload to its adapter and the intake use case; nothing accepted is lost.

Outcomes: a forged request is refused and recorded nowhere; a malformed body from an
authenticated sender is a 4xx plus a dead letter; an authenticated update we do not handle is a
200 (so the provider stops retrying) plus a dead letter; a message becomes a ticket event, and so
does a status report on a reply we sent (one on a message we did not send: 200 and a dead letter).
"""

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from uuid import UUID

from application.command import CommandResult, Context
from application.helpdesk import Helpdesk
from application.intake import IntakeResult
from domain.channel import Channel
from domain.errors import DomainError
from ingest import registry
from ingest.channel_kind import ChannelKind
from ingest.contract import BadSignature, DeliveryStatus, Malformed, MentionIn, Parsed
from ingest.dead_letters import DeadLetters
from ingest.outbox_jobs import OutboxJobs
from projections.disk_space import is_disk_full

log = logging.getLogger(__name__)
ACTOR = "ingest"


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    text: str | None = None  # a plain-text answer some providers expect ("ok", a challenge)


REPORT_LEAD = timedelta(days=1)
"""How long before its delivery record a status report may have been kept as a dead letter."""
CHANNEL_TTL_SECONDS = 5.0
"""A changed secret or owner takes effect within this time on every API process."""


class UnknownChannel(LookupError):
    pass


class IngestService:
    def __init__(
        self,
        helpdesk: Helpdesk,
        dead_letters: DeadLetters,
        sent: OutboxJobs,
        wake: Callable[[], None],
    ) -> None:
        self.helpdesk = helpdesk
        self.dead_letters = dead_letters
        self.sent = sent  # where the provider's ids of delivered replies are looked up
        self.wake = wake
        self._channels: dict[str, tuple[float, Channel]] = {}

    def channel(self, name: str, kind: str) -> Channel:
        found = self.configured(name)
        if found is None or found.kind != kind:
            raise UnknownChannel(f"There is no {kind} channel named {name!r}.")
        return found

    def configured(self, name: str) -> Channel | None:
        """Remembered for a few seconds: every webhook call needs it, and it changes rarely."""
        now = time.monotonic()
        cached = self._channels.get(name)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = self.helpdesk.channel(name)
        if found is not None:
            self._channels[name] = (now + CHANNEL_TTL_SECONDS, found)
        return found

    def identity_kind(self, name: str) -> str:
        """The kind customer identities on this channel are named by (`telegram:<id>`), whatever entry
        point opens the ticket. A channel name that is not configured (an import, a bot that delivers
        its own replies) names the identities itself, as it always has."""
        found = self.configured(name)
        return found.kind if found is not None else name

    def receive(self, kind: str, name: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        try:
            config = self.channel(name, kind)
        except UnknownChannel as exc:
            return Outcome(404, {"error": "channel_not_found", "detail": str(exc)})
        adapter = registry.kind_of(kind)
        try:
            adapter.verify(config, body, headers)
        except BadSignature as exc:
            return Outcome(adapter.forged_status, {"error": "bad_signature", "detail": str(exc)})

        def dead(reason: str) -> str:
            return self.dead_letters.add(name, kind, reason, body, headers, self.helpdesk.clock())

        return self.process(config, adapter, body, dead)

    def process(
        self, config: Channel, adapter: ChannelKind, body: bytes, dead: Callable[[str], str]
    ) -> Outcome:
        try:
            parsed = adapter.parse(config, body)
            if parsed.mentions:
                return self.mentions(config, parsed.mentions)
        except Malformed as exc:
            return Outcome(
                400, {"error": "malformed_payload", "detail": str(exc), "dead_letter": dead(str(exc))}
            )
        except Exception as exc:
            log.exception("adapter %s failed", config.kind)
            reason = f"unreadable payload: {type(exc).__name__}: {exc}"
            return Outcome(400, {"error": "malformed_payload", "detail": reason, "dead_letter": dead(reason)})
        if parsed.answer is not None:
            return Outcome(200, text=parsed.answer)
        if parsed.unsupported:
            return Outcome(
                200, {"status": "ignored", "dead_letter": dead(parsed.unsupported)}, text=ok(config)
            )
        if parsed.messages:
            parsed = replace(parsed, messages=adapter.named(config, parsed.messages))
        return self.record(config, parsed, dead)

    def record(self, config: Channel, parsed: Parsed, dead: Callable[[str], str]) -> Outcome:
        """Messages, then status reports; the first failure answers for the whole notification, whose
        retry is harmless (both are idempotent)."""
        try:
            take_in = self.helpdesk.take_in
            results = [take_in(m, config.owner, hours(config), ACTOR) for m in parsed.messages]
            reports = [(s, self.report(config, s)) for s in parsed.statuses]
        except DomainError as exc:
            reason = f"{exc.code}: {exc}"
            return Outcome(422, {"error": exc.code, "detail": str(exc), "dead_letter": dead(reason)})
        except Exception as exc:
            if is_disk_full(exc):  # no dead letter fits either: the provider's retry is the copy
                detail = "The server's disk is full, so nothing was stored; send it again later."
                return Outcome(507, {"error": "insufficient_storage", "detail": detail})
            log.exception("intake failed on channel %s", config.name)
            reason = f"internal: {type(exc).__name__}: {exc}"
            return Outcome(503, {"error": "unavailable", "detail": reason, "dead_letter": dead(reason)})
        self.wake()
        body: dict[str, Any] = {"status": "ok", "messages": [message_public(r) for r in results]}
        if reports:
            body["statuses"] = [status_public(s, r) for s, r in reports if r is not None]
        unknown = [s for s, r in reports if r is None]
        if unknown:
            body["dead_letter"] = dead(not_ours(unknown))
            self.recheck(config, unknown, body["dead_letter"])
        return Outcome(200, body, text=ok(config))

    def recheck(self, config: Channel, unknown: list[DeliveryStatus], letter_id: str) -> None:
        """The outbox may have kept the id between our lookup and the letter; it retries the letters
        naming an id after keeping it, and this looks once more after writing one, so one of the two
        sees the other's write and the report is recorded without an admin."""
        if any(self.sent.sent_reply(config.name, s.provider_message_id) for s in unknown):
            self.retry(letter_id, None)

    def delivered(self, channel: str, provider_message_id: str | None) -> None:
        """Called by the outbox once it has kept a provider's id: reports that came first are recorded.
        They beat the delivery record by the time it takes to write it, so a day back is plenty."""
        if provider_message_id:
            since = self.helpdesk.clock() - REPORT_LEAD
            for letter_id in self.dead_letters.naming(channel, provider_message_id, since):
                self.retry(letter_id, None)

    def report(self, config: Channel, status: DeliveryStatus) -> CommandResult | None:
        """Records a provider's status report on the reply it names; None if we never sent that message.
        The request id makes the provider's retry of a report a no-op before the ticket is even asked."""
        found = self.sent.sent_reply(config.name, status.provider_message_id)
        if found is None:
            return None
        ticket_id, version = found
        ctx = Context(ACTOR, None, f"status:{version}:{status.status}")
        return self.helpdesk.report_reply_status(
            UUID(ticket_id),
            version,
            status.provider_message_id,
            status.status,
            status.occurred_at,
            status.error,
            ctx,
        )

    def mentions(self, config: Channel, items: list[MentionIn]) -> Outcome:
        ctx = Context(ACTOR)
        capture = self.helpdesk.capture_mention
        results = [capture(config.name, m.external_id, m.fields, ctx) for m in items]
        self.wake()
        data = [{"id": str(r.id), "position": r.position} for r in results]
        return Outcome(200, {"status": "ok", "mentions": data})

    def retry(self, letter_id: str, body: bytes | None) -> Outcome | None:
        """Runs a dead letter (or its corrected body) through the same path again, without a new letter."""
        letter = self.dead_letters.get(letter_id)
        if letter is None:
            return None
        payload = letter.body if body is None else body
        reasons: list[str] = []

        def dead(reason: str) -> str:
            reasons.append(reason)
            return letter_id

        try:
            config = self.channel(letter.channel, letter.kind)
        except UnknownChannel as exc:
            return Outcome(409, {"error": "channel_not_found", "detail": str(exc)})
        outcome = self.process(config, registry.kind_of(letter.kind), payload, dead)
        status = "new" if reasons and outcome.status >= 400 else ("ignored" if reasons else "retried")
        self.dead_letters.settle(letter_id, status, reasons[-1] if reasons else None, body)
        return outcome


def message_public(result: IntakeResult) -> dict[str, Any]:
    return {
        "ticket_id": str(result.ticket_id),
        "version": result.version,
        "position": result.position,
        "outcome": result.outcome,
    }


def status_public(status: DeliveryStatus, result: CommandResult) -> dict[str, Any]:
    return {
        "provider_message_id": status.provider_message_id,
        "status": status.status,
        "ticket_id": str(result.id),
        "version": result.version,
        "position": result.position,
    }


def not_ours(unknown: list[DeliveryStatus]) -> str:
    """The dead letter's reason: such reports are usually about messages sent from another tool."""
    listed = ", ".join(f"{s.provider_message_id} ({s.status})" for s in unknown)
    return f"status for a message deskstream did not send (another tool's?): {listed}"


def hours(config: Channel) -> float:
    return config.reopen_window.total_seconds() / 3600


def ok(config: Channel) -> str | None:
    """The plain text the kind's provider expects back (VK: "ok", or it retries), else None: JSON."""
    return registry.kind_of(config.kind).acknowledgement
