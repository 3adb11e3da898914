"""Text analysis: word forms of Russian and English, mixed alphabets, emoji, highlighting."""

from hypothesis import given
from hypothesis import strategies as st

from projections.search_text import fragments, index_text, query_terms, terms


def same_terms(*words: str) -> bool:
    return len({tuple(terms(w)) for w in words}) == 1


def test_russian_word_forms_share_one_stem() -> None:
    assert same_terms("карта", "карты", "картой", "картами", "КАРТУ")
    assert same_terms("оплата", "оплаты", "оплатой")


def test_english_word_forms_share_one_stem() -> None:
    assert same_terms("payment", "payments", "Payments")
    assert same_terms("refund", "refunds", "refunded")


def test_yo_is_e() -> None:
    assert same_terms("ещё", "еще")


def test_a_russian_word_typed_with_latin_lookalikes_is_still_russian() -> None:
    assert terms("кapтa") == terms("карта")
    assert terms("pаymеnt") == terms("payment")


def test_a_word_in_two_alphabets_that_cannot_be_mended_is_split() -> None:
    assert terms("iPhoneом") == [*terms("iPhone"), *terms("ом")]


def test_emoji_and_punctuation_are_not_words() -> None:
    assert index_text("😡 карта!!! 💳").split() == index_text("карта").split()
    assert query_terms("🙂🙂") == []


def test_query_terms_are_distinct_and_in_order() -> None:
    assert query_terms("карты карта payment") == [*terms("карта"), *terms("payment")]


def test_highlights_mark_every_form_in_the_original_text() -> None:
    text = "Моя карта 💳 заблокирована, а картой я платил. Payments fail."
    [fragment] = fragments(text, query_terms("карты payment"))
    marked = [fragment.text[s:e] for s, e in fragment.highlights]
    assert marked == ["карта", "картой", "Payments"]
    assert "<mark>карта</mark> 💳" in fragment.html()


def test_highlight_html_is_escaped() -> None:
    [fragment] = fragments("<b>card</b> & card", query_terms("cards"))
    assert fragment.html() == "&lt;b&gt;<mark>card</mark>&lt;/b&gt; &amp; <mark>card</mark>"


def test_a_long_text_gives_separate_fragments_around_distant_matches() -> None:
    text = "карта " + "слово " * 100 + "картой " + "слово " * 100
    found = fragments(text, query_terms("карта"), width=80)
    assert len(found) == 2
    assert all(len(f.text) <= 100 for f in found)


@given(st.text(alphabet="карта payment😀 ,.ёЁ-\n", max_size=200), st.sampled_from(["карта", "payment", "ё"]))
def test_every_highlight_is_a_word_whose_stem_was_asked_for(text: str, query: str) -> None:
    stems = set(query_terms(query))
    for fragment in fragments(text, stems, limit=100):
        assert fragment.text in text
        for start, end in fragment.highlights:
            assert set(terms(fragment.text[start:end])) & stems


@given(st.text(alphabet="карта КАРТОЙ payMENTs ёЁ iPhoneом кapтa_ 2024 😀💳 ,.!-\n\t\u00a0", max_size=300))
def test_the_index_holds_exactly_the_terms_of_the_text(text: str) -> None:
    # index_text splits on white space and caches per piece; the words it finds must be those of
    # the regex scan that terms() (and highlighting) use.
    assert index_text(text).split() == terms(text)
    assert index_text(text).split() == terms(text)  # again, from the cache
