"""Whatever bytes arrive over SMTP, the e-mail kind answers with a message, an ignored mail or
Malformed: never another exception (a 400 with "unreadable payload" in the log) and never text the
event log cannot store. Real-shaped mails of the corpus, damaged at random."""

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.channel import Channel
from ingest import registry
from ingest.contract import Malformed
from tests.support import stamp

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "email"
MAILS = [path.read_bytes().replace(b"\n", b"\r\n") for path in sorted(CORPUS.glob("*.eml"))]
CHANNEL = Channel.add("mail", "email", None, {"address": "support@bank.example"}, stamp())


def damaged(data: st.DataObject) -> bytes:
    raw = bytearray(data.draw(st.sampled_from(MAILS)))
    for _ in range(data.draw(st.integers(0, 6))):
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        match data.draw(st.sampled_from(["flip", "cut", "insert", "drop_line"])):
            case "flip" if raw:
                raw[at] = data.draw(st.integers(0, 255))
            case "cut":
                del raw[at:]
            case "insert":
                raw[at:at] = data.draw(
                    st.sampled_from([b"=?", b"?=", b"\r\n", b"\xff\xfe", b"; charset=x", b"--"])
                )
            case _:
                end = raw.find(b"\r\n", at)
                del raw[at : end if end >= 0 else len(raw)]
    return bytes(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_damaged_mail_is_a_message_an_ignored_mail_or_malformed_and_always_storable(
    data: st.DataObject,
) -> None:
    raw = damaged(data)
    try:
        parsed = registry.kind_of("email").parse(CHANNEL, raw)
    except Malformed:
        return
    assert parsed.unsupported in (None, "ignored: bounce", "ignored: auto-submitted")
    for message in parsed.messages:
        fields = [message.handle, message.name, message.thread, message.external_id, message.text]
        json.dumps([*fields, message.subject, list(message.attachments)], ensure_ascii=False).encode("utf-8")
        assert message.text.strip() and "\r" not in message.text
        assert "@" in message.handle
