"""The inbound SMTP server (aiosmtpd): mail for a configured channel address becomes a message.

RCPT TO is checked against the e-mail channels' addresses (550 for anything else), so the server
is never an open relay; DATA runs the same intake path as the webhooks, off the event loop.
"""

import asyncio
import json
from typing import Any

from aiosmtpd.controller import Controller

from ingest.kinds.email import KIND
from ingest.runtime import IngestRuntime


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
        body = envelope.original_content or envelope.content
        known = self.addresses()
        names = {known[a.lower()] for a in envelope.rcpt_tos if a.lower() in known}
        loop = asyncio.get_running_loop()
        for name in sorted(names):
            outcome = await loop.run_in_executor(None, self.ingest.service.receive, KIND, name, body, {})
            if outcome.status >= 500:
                return "451 4.3.0 Temporary failure, please retry"
        return "250 Message accepted"


def smtp_controller(ingest: IngestRuntime, host: str, port: int) -> Controller:
    return Controller(IntakeHandler(ingest), hostname=host, port=port, data_size_limit=25_000_000)
