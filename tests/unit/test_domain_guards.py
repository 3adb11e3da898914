"""Every rule of an aggregate is a named guard raising an error named for what went wrong, and
the API still answers each with the code and the sentence it gave before the errors had names."""

from collections.abc import Callable
from uuid import uuid4

import pytest

from domain.article import Article
from domain.customer import Customer, CustomerMergeIntoItselfError, EmptyHandleError, identity
from domain.errors import (
    DomainError,
    HiddenCharacterError,
    MergeIntoItselfError,
    MergeTargetMergedError,
    MergeTargetResolvedError,
    MissingAssigneeError,
    MissingDepartmentError,
    SourceAlreadyMergedError,
    TagAddedAndRemovedError,
    TextTooLongError,
    UnknownValueError,
)
from domain.mention import Mention, MissingCategoryError
from domain.qa_sample import QaSample, SampleSizeError
from domain.sla_policy import (
    InvalidCalendarError,
    InvalidPolicyNameError,
    NoTargetError,
    PolicySpec,
    SlaPolicy,
    TargetOutOfRangeError,
    UnknownMetricError,
    UnknownScopeError,
)
from domain.snippet import InvalidShortcutError, Snippet
from domain.text_forms import MAX_TEXT
from domain.ticket import Ticket
from domain.users import InvalidUserNameError, User
from tests.support import new_ticket, stamp


def refusal(command: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        command()
    return caught.value


def merged_pair() -> tuple[Ticket, Ticket]:
    source, target = new_ticket(), new_ticket()
    source.merge_into(target, stamp(1))
    return source, target


def resolved_ticket() -> Ticket:
    ticket = new_ticket()
    ticket.resolve("solved", stamp(1))
    return ticket


def test_a_ticket_merged_into_itself_is_an_invalid_merge_named_so() -> None:
    ticket = new_ticket()
    error = refusal(lambda: ticket.merge_into(ticket, stamp(1)))
    assert (type(error), error.code, str(error)) == (
        MergeIntoItselfError,
        "invalid_merge",
        "A ticket cannot be merged into itself.",
    )


def test_each_way_a_merge_goes_wrong_has_its_own_error_and_the_old_code() -> None:
    source, target = merged_pair()
    cases = [
        (lambda: source.merge_into(new_ticket(), stamp(2)), SourceAlreadyMergedError),
        (lambda: new_ticket().merge_into(source, stamp(2)), MergeTargetMergedError),
        (lambda: new_ticket().merge_into(resolved_ticket(), stamp(2)), MergeTargetResolvedError),
    ]
    for command, expected in cases:
        error = refusal(command)
        assert (type(error), error.code) == (expected, "invalid_merge")
    assert target.merged_from == (source.id,)


@pytest.mark.parametrize(
    ("command", "expected", "detail"),
    [
        (
            lambda t: t.pause("waiting_department", " ", stamp(1)),
            MissingDepartmentError,
            "Pausing to wait for a department needs the department.",
        ),
        (
            lambda t: t.assign("  ", None, stamp(1)),
            MissingAssigneeError,
            "The assignee must be a user's name.",
        ),
        (
            lambda t: t.change_tags(["vip"], ["VIP"], stamp(1)),
            TagAddedAndRemovedError,
            "A tag cannot be both added and removed in one request.",
        ),
        (
            lambda t: t.reply("x" * (MAX_TEXT + 1), stamp(1)),
            TextTooLongError,
            f"The text is longer than {MAX_TEXT} characters.",
        ),
        (
            lambda t: t.resolve("fixed", stamp(1)),
            UnknownValueError,
            "resolution must be one of solved, spam, no_reply_needed, duplicate; got 'fixed'.",
        ),
    ],
    ids=["department", "assignee", "tags", "text", "resolution"],
)
def test_a_ticket_command_with_a_bad_value_is_refused_with_the_old_code_and_sentence(
    command: Callable[[Ticket], None], expected: type[DomainError], detail: str
) -> None:
    ticket = new_ticket()
    error = refusal(lambda: command(ticket))
    assert (type(error), error.code, str(error)) == (expected, "invalid_value", detail)
    assert ticket.version == 1


def test_a_customer_merged_into_itself_keeps_the_customer_merge_code() -> None:
    customer = Customer.register("Ann", "telegram:1", stamp())
    error = refusal(lambda: customer.merge_into(customer, stamp(1)))
    assert (type(error), error.code) == (CustomerMergeIntoItselfError, "invalid_customer_merge")


def test_a_marketing_mention_without_a_category_is_refused_by_name() -> None:
    fields = {"source": "maps", "url": "u", "author": "a", "text": "t", "published_at": stamp().occurred_at}
    mention = Mention.capture("mentions", "p1", {**fields, "rating": None, "place": None}, stamp())
    error = refusal(lambda: mention.triage("marketing", " ", [], None, stamp(1)))
    assert (type(error), error.code) == (MissingCategoryError, "invalid_value")
    assert mention.decision is None


def test_a_snippet_shortcut_with_spaces_is_refused_by_name() -> None:
    error = refusal(lambda: Snippet.create("my hello", "Hello", "Hi", None, stamp()))
    assert (type(error), error.code) == (InvalidShortcutError, "invalid_value")


def test_an_article_without_a_title_is_refused_with_the_old_code() -> None:
    error = refusal(lambda: Article.write(uuid4(), {"title": " ", "body": "b"}, stamp()))
    assert (error.code, str(error)) == ("invalid_value", "An article title has 1 to 300 characters.")


def spec(targets: dict[str, int | None], applies_to: dict[str, list[str]] | None = None) -> PolicySpec:
    return PolicySpec.build(targets, None, applies_to or {}, 1)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (lambda: spec({"first_reply": 60}), UnknownMetricError),
        (lambda: spec({"first_response": None}), NoTargetError),
        (lambda: spec({"resolution": 0}), TargetOutOfRangeError),
        (lambda: spec({"resolution": 60}, {"teams": ["a"]}), UnknownScopeError),
        (lambda: spec({"resolution": 60}, {"priorities": ["asap"]}), UnknownScopeError),
        (
            lambda: PolicySpec.build({"resolution": 60}, {"tz": "UTC", "hours": {}}, {}, 1),
            InvalidCalendarError,
        ),
        (
            lambda: SlaPolicy.define("gold plan", spec({"resolution": 60}), stamp().occurred_at, stamp()),
            InvalidPolicyNameError,
        ),
        (lambda: QaSample.draw("2026-03", 0, [], 0, stamp()), SampleSizeError),
        (lambda: User.register("anna smith", "operator", stamp().occurred_at), InvalidUserNameError),
        (lambda: User.register("anna\u200b", "operator", stamp().occurred_at), HiddenCharacterError),
        (lambda: identity("telegram", " \u200b "), EmptyHandleError),
    ],
    ids=[
        "metric",
        "no-target",
        "target-range",
        "scope-key",
        "scope-value",
        "calendar",
        "policy-name",
        "sample-size",
        "user-name",
        "hidden-character",
        "handle",
    ],
)
def test_a_bad_value_for_a_policy_sample_user_or_handle_is_refused_by_name_with_the_old_code(
    command: Callable[[], object], expected: type[DomainError]
) -> None:
    error = refusal(command)
    assert (type(error), error.code) == (expected, "invalid_value")
