"""The normal forms of tags, handles and search words: what looks alike is one value, and it stays so."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValueError
from domain.event_base import event_stamp
from domain.text_forms import check_name, fold, identifier, visible
from domain.ticket import Ticket
from tests.support import new_ticket, stamp

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
HIDDEN_SAMPLES = ZERO_WIDTH + BIDI
texts = st.text(st.characters(codec="utf-8"), max_size=40)
spiced = st.lists(st.one_of(texts, st.sampled_from(list(HIDDEN_SAMPLES))), max_size=6).map("".join)


@given(spiced)
def test_an_identifier_is_already_in_normal_form(text: str) -> None:
    once = identifier(text)
    assert identifier(once) == once


@given(spiced)
def test_no_format_or_control_character_survives_in_an_identifier(text: str) -> None:
    assert not [c for c in identifier(text) if unicodedata.category(c) in ("Cf", "Cc")]


@given(spiced)
def test_folded_prose_is_stable_and_keeps_no_hidden_characters(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert not [c for c in once if unicodedata.category(c) == "Cf"]


@given(texts)
def test_composed_and_decomposed_spellings_are_one_identifier(text: str) -> None:
    forms = {unicodedata.normalize(form, text) for form in ("NFC", "NFD", "NFKC", "NFKD")}
    assert len({identifier(form) for form in forms}) == 1


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30))
def test_full_width_and_upper_case_ascii_are_the_plain_identifier(text: str) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in text)
    assert identifier(full_width) == identifier(text.upper()) == " ".join(text.lower().split())


@given(texts, st.sampled_from(list(HIDDEN_SAMPLES)))
def test_a_zero_width_or_bidi_character_changes_nothing(text: str, hidden: str) -> None:
    middle = len(text) // 2
    assert identifier(text[:middle] + hidden + text[middle:]) == identifier(text)


@given(texts)
def test_lower_casing_first_changes_no_fold(text: str) -> None:
    """The search index keys its cache by the lower-cased piece, then folds it; queries fold whole."""
    assert fold(text.lower()) == fold(text)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("café", "café"),
        ("cafe\u0301", "café"),
        ("ＶＩＰ", "vip"),
        ("vi\u200bp", "vip"),
        ("  VIP\u202e  ", "vip"),
        ("Straße", "strasse"),
        ("Ann@Example.COM", "ann@example.com"),
        ("123456789", "123456789"),
        ("１２３", "123"),
        ("billing\u00a0 issue", "billing issue"),
    ],
)
def test_what_people_type_and_its_one_spelling(typed: str, normal: str) -> None:
    assert identifier(typed) == normal


@pytest.mark.parametrize("char", list(HIDDEN_SAMPLES))
def test_a_name_hiding_a_zero_width_or_bidi_character_is_refused(char: str) -> None:
    with pytest.raises(InvalidValueError, match=f"U\\+{ord(char):04X} at position 4"):
        check_name(f"Ann{char}Smith")


def test_a_plain_name_in_any_script_passes_as_typed() -> None:
    for name in ("Мария Иванова", "José Ñúñez", "山田 太郎", "Ann-Marie O'Neil 🙂", "محمد"):
        check_name(name)
        assert visible(name) == name


def test_a_providers_name_is_kept_without_its_hidden_characters() -> None:
    assert visible("Ann\u202eSmith\u200b") == "AnnSmith"
    assert visible("line one\nline two\t") == "line one\nline two\t"


def test_a_tag_stored_before_tags_were_normalised_is_matched_by_its_normal_form() -> None:
    ticket = new_ticket()
    ticket.trigger_event(Ticket.TagsChanged, added=["ｖｉｐ", "café"], removed=[], **event_stamp(stamp(1)))
    ticket.change_tags(["VIP", "cafe\u0301"], [], stamp(2))
    assert ticket.version == 2  # both already there: nothing recorded
    ticket.change_tags([], ["ＶＩＰ"], stamp(3))
    assert ticket.tags == ("café",)
