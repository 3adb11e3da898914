"""The inbound SMTP server (aiosmtpd): mail for a configured channel address becomes a message.

RCPT TO is checked against the e-mail channels' addresses (550 for anything else), so the server
is never an open relay; DATA runs the same intake path as the webhooks, off the event loop.

As the delivering server, it writes the envelope sender on top of the mail as `Return-Path:`
(RFC 5321 §4.4): the adapter answers it when From: is missing or unusable, and knows a null sender
(`<>`, a bounce) by it. It then keeps the mail byte for byte (`ingest/mail/raw_store.py`) before
intake reads it, so whatever intake makes of it, the original can be read again.
"""

import asyncio
import json
import logging
from datetime import datetime
from typing import Any

from aiosmtpd.controller import Controller

from ingest.kinds.email import KIND, message_key
from ingest.runtime import IngestRuntime
from ingest.service import Outcome

log = logging.getLogger(__name__)
TRY_AGAIN = "451 4.3.0 Temporary failure, please retry"


class IntakeHandler:
    def __init__(self, ingest: IngestRuntime) -> None:
        self.ingest = ingest

    def addresses(self) -> dict[str, str]:
        rows = self.ingest.db.fetchall("SELECT name, settings FROM ingest_channels WHERE kind = ?", (KIND,))
        return {json.loads(settings).get("address", "").lower(): name for name, settings in rows}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.lower() not in self.addresses():
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        body = stamped(envelope.mail_from, envelope.original_content or envelope.content)
        known = self.addresses()
        names = {known[a.lower()] for a in envelope.rcpt_tos if a.lower() in known}
        loop = asyncio.get_running_loop()
        for name in sorted(names):
            try:
                outcome = await loop.run_in_executor(None, self.take, name, body)
            except Exception:  # aiosmtpd would answer 500, and the sender would bounce the mail for good
                log.exception("SMTP intake failed for channel %s", name)
                return TRY_AGAIN
            if outcome.status >= 500:
                return TRY_AGAIN
        return "250 Message accepted"

    def take(self, name: str, body: bytes) -> Outcome:
        """Keeps the raw mail, then runs intake on it (a 5xx outcome makes the sender retry)."""
        now: datetime = self.ingest.service.helpdesk.clock()
        self.ingest.raw_mail.keep(name, message_key(body), body, now)
        return self.ingest.service.receive(KIND, name, body, {})


def stamped(mail_from: str | None, content: bytes | str) -> bytes:
    """The mail with `Return-Path: <envelope sender>` on top (`<>` for the null sender)."""
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")
    sender = "".join(c for c in (mail_from or "") if c not in "<>\r\n").strip()
    return b"Return-Path: <" + sender.encode("utf-8") + b">\r\n" + data


def smtp_controller(ingest: IngestRuntime, host: str, port: int) -> Controller:
    return Controller(IntakeHandler(ingest), hostname=host, port=port, data_size_limit=25_000_000)
