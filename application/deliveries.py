"""What became of a reply sent through a channel, recorded on its ticket (by the outbox and intake).

The request id names the reply (`delivery:<version>`, `status:<version>:<status>`), so recording
the same outcome twice appends nothing.
"""

from datetime import datetime
from uuid import UUID

from application.command import CommandResult, Context
from application.desk import Desk
from application.tickets import change


def record_delivery(
    desk: Desk, ticket_id: UUID, reply_version: int, provider_message_id: str | None, ctx: Context
) -> CommandResult:
    """The provider took the reply; its id for the message lets later status reports find it."""
    return change(
        desk, ticket_id, ctx, None, lambda t, s: t.record_delivery(reply_version, provider_message_id, s)
    )


def record_delivery_failure(
    desk: Desk, ticket_id: UUID, reply_version: int, error: str, attempts: int, ctx: Context
) -> CommandResult:
    """The reply could not be sent (or never can be, on this kind): the reason, never silence."""
    return change(
        desk,
        ticket_id,
        ctx,
        None,
        lambda t, s: t.record_delivery_failure(reply_version, error, attempts, s),
    )


def report_reply_status(
    desk: Desk,
    ticket_id: UUID,
    reply_version: int,
    provider_message_id: str,
    status: str,
    status_at: datetime,
    error: str | None,
    ctx: Context,
) -> CommandResult:
    """The provider's report on a reply it took: delivered, read, failed."""
    return change(
        desk,
        ticket_id,
        ctx,
        None,
        lambda t, s: t.report_reply_status(reply_version, provider_message_id, status, status_at, error, s),
    )
