"""The outbound Subject is never folded right after "Subject:" (ingest/mail/subject.py)."""

import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from hypothesis import given
from hypothesis import strategies as st

from ingest.mail.subject import REPLY_POLICY

TOKEN = "[#0b7e1c9a-3f1d-4c2b-9a7e-2d5f8c1e4a6b]"
LONG_RUSSIAN = (
    f"Re: Очень длинная тема письма про двойное списание денег с карты и возврат средств на счёт {TOKEN}"
)
ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")


def wire(subject: str, utf8: bool = False, mail_policy: policy.Policy = REPLY_POLICY) -> bytes:
    """The mail's header block as smtplib sends it (CRLF; SMTPUTF8 for a non-ASCII address)."""
    mail = EmailMessage(policy=mail_policy)
    mail["From"] = "support@bank.example"
    mail["Subject"] = subject
    mail.set_content("x")
    return mail.as_bytes(policy=mail.policy.clone(utf8=utf8, linesep="\r\n")).split(b"\r\n\r\n")[0]


def subject_lines(block: bytes) -> list[str]:
    lines = block.decode("utf-8").split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Subject:"))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


def read_back(block: bytes) -> str:
    return str(message_from_bytes(block + b"\r\n\r\n", policy=policy.default)["Subject"])


def test_the_standard_library_folds_such_a_subject_after_the_colon_and_ours_does_not() -> None:
    subject = f"Re: Re: 2026 Здравствуйте 2026 {TOKEN}"
    assert subject_lines(wire(subject, utf8=True, mail_policy=policy.default))[0] == "Subject:"
    ours = subject_lines(wire(subject, utf8=True))
    assert ours[0].startswith("Subject: Re: Re: 2026 Здравствуйте")
    assert read_back(wire(subject, utf8=True)) == subject


def test_a_long_cyrillic_subject_starts_on_the_subject_line_and_reads_back_whole() -> None:
    for utf8 in (False, True):
        lines = subject_lines(wire(LONG_RUSSIAN, utf8=utf8))
        assert lines[0].startswith("Subject: Re: ") and len(lines[0]) > len("Subject: Re: ")
        assert all(len(line) <= 78 for line in lines)
        assert read_back(wire(LONG_RUSSIAN, utf8=utf8)) == LONG_RUSSIAN


def test_encoded_words_are_rfc2047_sized_and_ascii_words_stay_readable() -> None:
    lines = subject_lines(wire(LONG_RUSSIAN))
    words = [w for line in lines for w in ENCODED_WORD.findall(line)]
    assert words and all(len(w) <= 75 for w in words)
    assert lines[-1].endswith(TOKEN)
    assert "".join(lines).isascii()


def test_an_ascii_subject_just_over_the_line_is_folded_at_a_space_after_its_first_words() -> None:
    subject = f"Re: a@b.ru Fwd: a@b.ru RE: a@b.ru {TOKEN}"
    assert subject_lines(wire(subject, mail_policy=policy.default))[0] == "Subject:"
    assert subject_lines(wire(subject)) == ["Subject: Re: a@b.ru Fwd: a@b.ru RE: a@b.ru", f" {TOKEN}"]


def test_other_headers_are_folded_by_the_library_as_before() -> None:
    mail = EmailMessage(policy=REPLY_POLICY)
    mail["References"] = " ".join(f"<id-{n}@mail.example>" for n in range(8))
    assert mail.as_bytes(policy=mail.policy.clone(linesep="\r\n")) == mail.as_bytes(
        policy=policy.default.clone(linesep="\r\n")
    )


@given(
    st.lists(st.text(alphabet="abcXYZ:@[]#?-абвгдёЖЯ€😀", min_size=1, max_size=30), min_size=1, max_size=12),
    st.booleans(),
)
def test_any_subject_keeps_a_word_on_the_subject_line_and_reads_back_the_same(
    words: list[str], utf8: bool
) -> None:
    subject = " ".join(words)
    block = wire(subject, utf8=utf8)
    lines = subject_lines(block)
    assert lines[0] != "Subject:" and lines[0].startswith("Subject: ")
    assert read_back(block) == subject
    assert all(len(w) <= 75 for line in lines for w in ENCODED_WORD.findall(line)) or utf8
