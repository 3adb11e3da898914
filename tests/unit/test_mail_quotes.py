"""The customer's own words of a reply: quoted history and signatures off (ingest/mail/quotes.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.mail.quotes import newlines, own_words, tidied


def test_line_ends_are_newlines_whatever_the_mail_carried() -> None:
    assert newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert tidied("one  \r\n\r\n\r\n\r\ntwo\r\n\r\n") == "one\n\ntwo"


def test_gmail_attribution_and_quoted_lines_come_off() -> None:
    text = (
        "Thanks, it works now.\n\n"
        "On Mon, 2 Mar 2026 at 10:00, Bank Support <support@bank.example> wrote:\n"
        "> We have refunded the payment.\n>\n> -- \n> Bank Support\n"
    )
    assert own_words(text) == "Thanks, it works now."


def test_an_attribution_wrapped_over_two_lines_is_still_one() -> None:
    attribution = "On Mon, 2 Mar 2026 at 10:00, A Very Long Support Team Name <support@\nbank.example> wrote:"
    text = f"Hi\n\n{attribution}\n> q"
    assert own_words(text) == "Hi"


def test_russian_attributions_come_off() -> None:
    mail_ru = (
        "Спасибо!\n\n2 марта 2026 г., в 10:00, Поддержка <support@bank.example> написал(а):\n> Вернули.\n"
    )
    thunderbird = "Получила.\n\n02.03.2026 10:00, Поддержка пишет:\n> Отправили карту.\n"
    yandex = 'Да.\n\n02.03.2026, 10:15, "Служба поддержки" <support@bank.example>:\n> Вам удобно завтра?\n'
    assert own_words(mail_ru) == "Спасибо!"
    assert own_words(thunderbird) == "Получила."
    assert own_words(yandex) == "Да."


def test_an_attribution_above_unquoted_history_cuts_the_rest_when_it_names_a_date() -> None:
    text = "Answer\n\nOn Sun, 1 Mar 2026 at 18:02, Support wrote:\nOld text without quote marks\n"
    assert own_words(text) == "Answer"
    russian = "Ответ\n\n01.03.2026 18:02, Поддержка написала:\nстарый текст\n"
    assert own_words(russian) == "Ответ"


def test_the_customers_own_sentence_ending_in_wrote_is_kept() -> None:
    text = "Here is what I wrote:\nthe card number is wrong\nВот что я написала:\nномер не тот"
    assert own_words(text) == text


def test_inline_answers_between_quotes_stay() -> None:
    text = "> What is the card number?\n1234\n> And the date?\nYesterday\n\n> Anything else?\nNo."
    assert own_words(text) == "1234\nYesterday\n\nNo."


def test_outlook_original_message_and_its_header_block_cut_the_rest() -> None:
    separator = "Please see below.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nOld text"
    russian = "Смотрите ниже.\n\n-----Исходное сообщение-----\nОт: Поддержка\n\nстарое"
    header_block = "Ok\n\nFrom: Support <s@bank.example>\nSent: Monday, March 2, 2026 10:00\nTo: me\n\nold"
    russian_block = "Хорошо\n\nОт: Поддержка <s@bank.example>\nОтправлено: 2 марта 2026 г. 10:00\n\nстарое"
    assert own_words(separator) == "Please see below."
    assert own_words(russian) == "Смотрите ниже."
    assert own_words(header_block) == "Ok"
    assert own_words(russian_block) == "Хорошо"


def test_a_from_line_that_is_no_header_block_is_kept() -> None:
    text = "From: my side all is fine\nbut the app still crashes"
    assert own_words(text) == text


def test_the_signature_after_the_delimiter_comes_off_also_when_the_space_was_trimmed() -> None:
    assert own_words("Please call me.\n\n-- \nOlga\n+7 900 000-00-00") == "Please call me."
    assert own_words("Please call me.\n--\nOlga") == "Please call me."
    assert own_words("Top-posted.\n-- \nOlga\n\nOn Mon, 2 Mar 2026, Support wrote:\n> old") == "Top-posted."


def test_a_dash_line_that_is_not_the_delimiter_is_text() -> None:
    text = "Total --- 100\n---\n-- not a signature"
    assert own_words(text) == text


def test_a_mail_that_is_only_a_quote_keeps_its_text() -> None:
    text = "> only quoted\n> nothing else"
    assert own_words(text) == text
    assert own_words("-- \nOlga") == "--\nOlga"  # only a signature: kept, trailing space off


@given(st.lists(st.text(alphabet="abc> -:\n", max_size=12), max_size=12))
def test_the_own_words_are_never_empty_for_a_text_with_words_and_never_longer(parts: list[str]) -> None:
    text = "\n".join(parts)
    words = own_words(text)
    if text.strip():
        assert words.strip()
    assert len(words) <= len(text)
    assert "\r" not in words


@pytest.mark.parametrize(
    "app",
    [
        "Sent from my iPhone",
        "Sent from my Samsung Galaxy smartphone.",
        "Get Outlook for Android",
        "Sent from Yahoo Mail on Android",
        "Отправлено с iPhone",
        "Отправлено из мобильной Почты Mail.ru",
        "Отправлено из Яндекс Почты для мобильных",
    ],
)
def test_a_mail_apps_own_last_line_comes_off(app: str) -> None:
    assert own_words(f"Карта снова работает, спасибо.\n\n{app}\n") == "Карта снова работает, спасибо."
    assert own_words(f"Thanks!\n{app}\n\nOn Mon, 2 Mar 2026, Bank <s@bank.example> wrote:\n> Hi") == "Thanks!"


@pytest.mark.parametrize(
    "text",
    [
        "I sent it yesterday.\nSent from my office, where the card works.",
        "Документы готовы.\nОтправлено с опозданием, извините.",
        "Sent from my iPhone\nbut the payment still fails.",
    ],
)
def test_the_customers_own_sentences_stay(text: str) -> None:
    assert own_words(text) == text


def test_a_mail_that_is_only_the_apps_line_is_kept_whole() -> None:
    assert own_words("Sent from my iPhone") == "Sent from my iPhone"
