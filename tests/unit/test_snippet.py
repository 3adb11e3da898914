"""Snippets, placeholders and articles in the domain: guards and rendering."""

import pytest

from domain.article import Article
from domain.customer import Customer, CustomerMergeError
from domain.errors import InvalidValueError
from domain.placeholders import UnknownPlaceholderError, render
from domain.snippet import Snippet, SnippetArchivedError
from tests.support import stamp


def test_placeholders_are_filled_and_unknown_ones_refused() -> None:
    body = "Здравствуйте, {{ customer_first_name }}! Заявка №{{ticket_number}}. {{operator_name}}"
    values = {"customer_first_name": "Ольга", "ticket_number": "1a2b3c4d", "operator_name": "Анна"}
    assert render(body, values) == "Здравствуйте, Ольга! Заявка №1a2b3c4d. Анна"
    with pytest.raises(UnknownPlaceholderError, match="customer_phone"):
        Snippet.create("hello", "Hello", "Hi {{customer_phone}}", None, stamp())


def test_a_snippet_keeps_its_versions_and_refuses_edits_once_archived() -> None:
    snippet = Snippet.create("card-blocked", "Card", "Hello {{customer_name}}", "cards", stamp())
    snippet.edit("Card", "Hello {{customer_name}}", "cards", stamp(1))
    assert snippet.version == 1
    snippet.edit("Card blocked", "Hello {{customer_name}}!", "cards", stamp(2))
    snippet.archive(stamp(3))
    assert snippet.version == 3
    with pytest.raises(SnippetArchivedError):
        snippet.edit("x", "y", None, stamp(4))
    with pytest.raises(InvalidValueError):
        Snippet.create("Bad Shortcut", "t", "b", None, stamp())


def test_an_article_gets_a_version_only_when_it_changes() -> None:
    content = {"title": "Блокировка карты", "body": "# Что делать", "tags": ["Card"], "visibility": "public"}
    article = Article.write(Snippet.create_id("x"), content, stamp())
    article.revise(dict(content), stamp(1))
    assert (article.version, article.tags, article.public) == (1, ("card",), True)
    article.revise({**content, "visibility": "internal"}, stamp(2))
    assert (article.version, article.public) == (2, False)
    with pytest.raises(InvalidValueError):
        article.revise({**content, "visibility": "secret"}, stamp(3))


def test_customers_merge_once_and_the_target_takes_the_identities() -> None:
    ann = Customer.register("Ann", "vk:1", stamp())
    anna = Customer.register("Anna", "telegram:2", stamp())
    ann.merge_into(anna, stamp(1))
    assert anna.identities == ("telegram:2", "vk:1")
    assert ann.merged_into == anna.id
    with pytest.raises(CustomerMergeError):
        ann.merge_into(anna, stamp(2))
    with pytest.raises(CustomerMergeError):
        anna.merge_into(anna, stamp(2))
