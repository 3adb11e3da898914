"""Mail that no person wrote: bounces and automatic answers, which must not become tickets.

A ticket opened by a bounce of our own reply would get a reply, which bounces again: a loop, and
the queue fills with mailer daemons. Such mail is kept as a dead letter instead ("ignored: bounce",
"ignored: auto-submitted"), where an admin can read it and retry it by hand.

- bounce: a `multipart/report; report-type=delivery-status` (RFC 3464) or any `message/delivery-status`
  part; an envelope sender or From whose local part is MAILER-DAEMON or postmaster; a null envelope
  sender (`Return-Path: <>`, RFC 5321 §4.5.5) on mail that does not say it is an automatic answer;
- auto-submitted: `Auto-Submitted:` other than `no` (RFC 3834 §5), `Precedence: bulk|junk|list`
  (RFC 3834 §3.1.8's older sign), `X-Autoreply` / `X-Autorespond`, or another `multipart/report`
  (a read receipt, RFC 8098).
"""

import re
from email.message import EmailMessage

BOUNCE = "ignored: bounce"
AUTO_SUBMITTED = "ignored: auto-submitted"
DAEMONS = frozenset({"mailer-daemon", "postmaster"})
BULK = frozenset({"bulk", "junk", "list"})
AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond")


def automatic(message: EmailMessage, envelope_sender: str | None, sender: str) -> str | None:
    """The dead letter's reason when nobody wrote the mail, else None. `envelope_sender`: the
    Return-Path our SMTP server recorded ("" for the null sender, None when it was not delivered
    here); `sender`: the From address as read."""
    if message.get_content_type() == "multipart/report":
        kind = str(message.get_param("report-type", "") or "").lower()
        return BOUNCE if kind == "delivery-status" else AUTO_SUBMITTED
    if any(part.get_content_type() == "message/delivery-status" for part in message.walk()):
        return BOUNCE
    if any(local_part(address) in DAEMONS for address in (envelope_sender or "", sender)):
        return BOUNCE
    said_automatic = auto_submitted(message)
    if envelope_sender == "" and not said_automatic:
        return BOUNCE
    return AUTO_SUBMITTED if said_automatic else None


def auto_submitted(message: EmailMessage) -> bool:
    value = re.split(r"[\s;(]", header(message, "Auto-Submitted").strip(), maxsplit=1)[0].lower()
    if value and value != "no":
        return True
    if header(message, "Precedence").strip().lower() in BULK:
        return True
    return any(header(message, name).strip() for name in AUTOREPLY_HEADERS)


def header(message: EmailMessage, name: str) -> str:
    """A plain header's raw value (these are ASCII words; no decoding wanted)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def local_part(address: str) -> str:
    return address.rsplit("@", 1)[0].strip().strip("<>").lower()
