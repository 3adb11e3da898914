"""The outbox: sends operators' replies through their channel, with retries and backoff.

Jobs come from the ingest projection (a ReplySent on a ticket of a configured channel whose kind's
replies are not pulled by its client: `registry.queues_replies`) and are settled by events: the
sender records ReplyDelivered or ReplyDeliveryFailed on the ticket, with request id
`delivery:<reply version>`, before marking the job. A kind that sends no replies (mentions), or one
this deskstream does not know, gets ReplyDeliveryFailed with the reason: never silence. A crash
between sending and recording sends once more at worst (VK drops it by random_id; others may show
it twice). A reply sent while the disk is too full to record it is remembered, not sent again: the
record is retried until there is room.
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from application.command import Context
from application.helpdesk import Helpdesk
from domain.channel import Channel
from domain.event_types import EventType
from ingest import registry
from ingest.contract import DeliveryError, ReplyAddress
from ingest.outbox_jobs import Job, OutboxJobs
from ingest.secret_mask import without_secrets
from ingest.service import ACTOR
from projections.disk_space import is_disk_full
from projections.failures import Failures

log = logging.getLogger(__name__)
MESSAGE_EVENTS = (EventType.TICKET_OPENED, EventType.CUSTOMER_MESSAGE_RECEIVED)


class Outbox:
    def __init__(
        self,
        helpdesk: Helpdesk,
        store: OutboxJobs,
        max_attempts: int = 8,
        first_delay: timedelta = timedelta(seconds=5),
        max_delay: timedelta = timedelta(minutes=30),
        idle_seconds: float = 0.2,
        *,
        after_delivery: Callable[[str, str | None], None] = lambda channel, provider_id: None,
        failures: Failures | None = None,
    ) -> None:
        self.helpdesk, self.store = helpdesk, store
        self.max_attempts, self.first_delay, self.max_delay = max_attempts, first_delay, max_delay
        self.idle_seconds = idle_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        # Status reports that beat the delivery record wait as dead letters until this runs.
        self.after_delivery = after_delivery
        self.sent: dict[str, str | None] = {}
        """Jobs sent whose delivery could not be recorded yet (a full disk): provider message id."""
        self.failures = failures if failures is not None else Failures()

    def run_once(self) -> int:
        """Tries every due job once; returns how many it tried."""
        jobs = self.store.due_jobs(self.helpdesk.clock())
        for job in jobs:
            try:
                self.deliver(job)
            except Exception as exc:
                if is_disk_full(exc):
                    raise  # nothing can be recorded now; the pass waits for room
                log.exception("outbox job %s failed unexpectedly", job.job_id)
                self.retry_later(job, "internal error; see the log")
        return len(jobs)

    def deliver(self, job: Job) -> None:
        ticket = self.helpdesk.ticket(UUID(job.ticket_id))
        key = f"delivery:{job.reply_version}"
        if key in ticket.request_versions:
            self.store.settle(job, "delivered", provider_message_id=ticket.deliveries.get(job.reply_version))
            self.sent.pop(job.job_id, None)
            return
        config = self.helpdesk.channel(job.channel)
        if config is None:
            self.fail(job, "The channel is no longer configured.", job.attempts)
            return
        unsendable = registry.why_unsendable(config.kind)
        if unsendable is not None:
            self.fail(job, unsendable, job.attempts)
            return
        events = self.helpdesk.history(ticket.id)
        reply = next(e for e in events if e.originator_version == job.reply_version)
        external_ids = [e.external_id for e in events if type(e).__name__ in MESSAGE_EVENTS and e.external_id]
        identities = self.helpdesk.customer(ticket.customer_id).identities
        handle = next((i.split(":", 1)[1] for i in identities if i.startswith(f"{config.kind}:")), "")
        address = ReplyAddress(str(ticket.id), config.name, ticket.subject, external_ids, handle)
        if job.job_id not in self.sent:
            try:
                self.sent[job.job_id] = send(config, address, reply.text, f"{ticket.id}:{job.reply_version}")
            except DeliveryError as exc:
                attempts, reason = job.attempts + 1, without_secrets(config.settings, str(exc))
                if exc.permanent or attempts >= self.max_attempts:
                    self.fail(job, reason, attempts)
                else:
                    self.retry_later(job, reason, attempts)
                return
        provider_id = self.sent[job.job_id]
        ctx = Context(ACTOR, None, key)
        self.helpdesk.record_delivery(ticket.id, job.reply_version, provider_id, ctx)
        self.store.settle(job, "delivered", provider_message_id=provider_id)
        del self.sent[job.job_id]
        if registry.reports_statuses(config.kind):
            try:
                self.after_delivery(job.channel, provider_id)
            except Exception:
                log.exception("status reports waiting for %s stay in the dead-letter store", provider_id)

    def fail(self, job: Job, error: str, attempts: int) -> None:
        ctx = Context(ACTOR, None, f"delivery:{job.reply_version}")
        self.helpdesk.record_delivery_failure(
            UUID(job.ticket_id), job.reply_version, error, max(attempts, 1), ctx
        )
        self.store.settle(job, "failed", error)

    def retry_later(self, job: Job, error: str, attempts: int | None = None) -> None:
        attempts = job.attempts + 1 if attempts is None else attempts
        delay = min(self.first_delay * 2 ** (attempts - 1), self.max_delay)
        self.store.reschedule(job, attempts, self.helpdesk.clock() + delay, error)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="outbox", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:
                self.failures.failed("the outbox", exc)
                self._stop.wait(1.0)
            else:
                self.failures.recovered("the outbox")
            self._wake.wait(self.idle_seconds)
            self._wake.clear()


def send(config: Channel, address: ReplyAddress, text: str, reply_key: str) -> str | None:
    return registry.kind_of(config.kind).send(config, address, text, reply_key)
