"""Mail text in any charset it claims, or none: the fallback of ingest/mail/charsets.py, rule by rule."""

import base64

from hypothesis import given
from hypothesis import strategies as st

from ingest.mail.charsets import FALLBACK, candidates, codec, decode, header_text

RUSSIAN = "Здравствуйте! С карты дважды списали деньги за один заказ, прошу вернуть."
CZECH = "Dobrý den, platba kartou proběhla dvakrát. Prosím o vrácení peněz. Jiří Novák"


def surrogate_text(data: bytes) -> str:
    """A header value as the standard parser keeps raw 8-bit bytes: as surrogates."""
    return data.decode("ascii", "surrogateescape")


def test_the_declared_charset_comes_first_then_utf8_cp1251_koi8r_latin1() -> None:
    assert candidates("KOI8-R") == ["koi8-r", "utf-8", "cp1251", "iso8859-1"]
    assert candidates("iso-8859-2") == ["iso8859-2", "utf-8", "cp1251", "koi8-r", "iso8859-1"]
    assert candidates(None) == candidates("x-unknown") == ["utf-8", "cp1251", "koi8-r", "iso8859-1"]
    assert FALLBACK == ("utf-8", "cp1251", "koi8-r", "latin-1")


def test_names_python_does_not_know_or_that_are_no_text_encoding_count_as_undeclared() -> None:
    assert codec("x-unknown-8bit") is None
    assert codec("base64") is None and codec("rot13") is None
    assert codec('"windows-1251"') == "cp1251"
    assert codec("utf-8*ru") == "utf-8"  # RFC 2231 language suffix
    assert codec("") is None and codec(None) is None


def test_a_truthfully_declared_single_byte_charset_is_kept() -> None:
    assert decode(RUSSIAN.encode("koi8-r"), "koi8-r") == RUSSIAN
    assert decode(RUSSIAN.encode("cp1251"), "windows-1251") == RUSSIAN
    assert decode(CZECH.encode("iso-8859-2"), "iso-8859-2") == CZECH
    assert decode("Jiří Novák".encode("iso-8859-2"), "ISO-8859-2") == "Jiří Novák"
    assert decode("Grüße, Françoise à Paris".encode("latin-1"), "iso-8859-1") == "Grüße, Françoise à Paris"


def test_an_unknown_declared_charset_falls_back_and_reads_the_text() -> None:
    assert decode(RUSSIAN.encode("cp1251"), "x-cp1251-custom") == RUSSIAN
    assert decode(RUSSIAN.encode("koi8-r"), "x-unknown") == RUSSIAN


def test_a_missing_charset_with_8bit_cyrillic_is_read_by_the_detector() -> None:
    assert decode(RUSSIAN.encode("cp1251")) == RUSSIAN
    assert decode(RUSSIAN.encode("koi8-r")) == RUSSIAN
    assert decode("Привет".encode("koi8-r")) == "Привет"


def test_a_lying_charset_loses_to_a_candidate_that_reads_clearly_better() -> None:
    assert decode(RUSSIAN.encode("utf-8"), "koi8-r") == RUSSIAN
    assert decode(RUSSIAN.encode("cp1251"), "iso-8859-1") == RUSSIAN
    assert decode(RUSSIAN.encode("koi8-r"), "windows-1251") == RUSSIAN
    assert decode(RUSSIAN.encode("cp1251"), "iso-8859-2") == RUSSIAN


def test_declared_utf8_that_is_not_utf8_falls_back_without_replacement_characters() -> None:
    text = decode(RUSSIAN.encode("cp1251"), "utf-8")
    assert text == RUSSIAN and "\ufffd" not in text


def test_ascii_is_ascii_whatever_is_declared() -> None:
    assert decode(b"Hello", "x-unknown") == "Hello"
    assert decode(b"Hello", "utf-16") == "Hello"


@given(st.binary(max_size=300), st.sampled_from([None, "utf-8", "koi8-r", "x-unknown", "us-ascii"]))
def test_any_bytes_under_any_charset_become_text_with_nothing_replaced(
    data: bytes, declared: str | None
) -> None:
    text = decode(data, declared)
    text.encode("utf-8")  # no lone surrogates: the event log's JSON takes it
    if data.isascii():
        assert text == data.decode("ascii")
    assert "\ufffd" not in text or b"\xef\xbf\xbd" in data  # only a U+FFFD the sender wrote


@given(st.text(max_size=200))
def test_utf8_declared_as_utf8_reads_back_exactly(text: str) -> None:
    assert decode(text.encode("utf-8"), "utf-8") == text


def test_rfc2047_words_in_their_own_charsets_and_the_space_between_them_is_not_text() -> None:
    koi8 = base64.b64encode("Списали".encode("koi8-r")).decode()
    value = f"=?koi8-r?B?{koi8}?= =?utf-8?q?_=D0=B4=D0=B2=D0=B0=D0=B6=D0=B4=D1=8B?= (again)"
    assert header_text(value) == "Списали дважды (again)"


def test_a_character_split_between_two_encoded_words_is_joined_before_decoding() -> None:
    octets = "Вопрос".encode()
    first, second = base64.b64encode(octets[:3]).decode(), base64.b64encode(octets[3:]).decode()
    assert header_text(f"=?UTF-8?B?{first}?=\r\n =?utf-8?B?{second}?=") == "Вопрос"


def test_an_encoded_word_in_an_unknown_charset_is_decoded_by_the_fallback() -> None:
    word = base64.b64encode("Карта заблокирована".encode("cp1251")).decode()
    assert header_text(f"=?x-cp1251-custom?B?{word}?=") == "Карта заблокирована"


def test_raw_8bit_header_text_uses_the_hint_then_the_fallback() -> None:
    assert header_text(surrogate_text("Странный перевод".encode("cp1251"))) == "Странный перевод"
    assert header_text(surrogate_text("Jiří Novák".encode("iso-8859-2")), "iso-8859-2") == "Jiří Novák"
    assert header_text(surrogate_text("Привет".encode("koi8-r")), "koi8-r") == "Привет"


def test_an_unreadable_encoded_word_stays_as_it_was_written() -> None:
    assert header_text("=?utf-8?B?a?= tail") == "=?utf-8?B?a?= tail"


@given(st.text(max_size=120))
def test_any_header_value_becomes_storable_text(value: str) -> None:
    header_text(value).encode("utf-8")
