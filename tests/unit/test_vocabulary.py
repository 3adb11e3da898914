"""One vocabulary: event types are named once and match the published schemas, and the API's
allowed values come from the domain's enums instead of being restated."""

import ast
import re
from pathlib import Path

from eventsourcing.domain import Aggregate
from fastapi.responses import Response

from domain.article import Article
from domain.channel import Channel
from domain.conversation import Conversation
from domain.customer import Customer
from domain.event_types import EVENT_TYPES, UNPUBLISHED, EventType
from domain.idempotency import KeyedRequest
from domain.mention import Mention
from domain.qa_checklist import QaChecklist
from domain.qa_review import QaReview
from domain.qa_sample import QaSample
from domain.saved_views import SavedViews
from domain.sla_policy import SlaPolicy
from domain.snippet import Snippet
from domain.ticket import Ticket
from domain.users import ApiToken, User
from schemas import PUBLISHED, catalogue

ROOT = Path(__file__).resolve().parents[2]
AGGREGATES: tuple[type[Aggregate], ...] = (
    Ticket, Customer, SlaPolicy, Article, Snippet,
    Channel, Conversation, Mention, User, ApiToken, KeyedRequest, QaSample, SavedViews, QaReview,
    QaChecklist,
)  # fmt: skip
NOT_EVENTS = {"Event", "Created"}


def recorded_types(aggregate: type[Aggregate]) -> set[str]:
    return {
        name
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event) and name not in NOT_EVENTS
    }


def test_the_event_type_list_names_every_event_an_aggregate_records_and_nothing_else() -> None:
    recorded = set().union(*(recorded_types(a) for a in AGGREGATES))
    assert sorted(EVENT_TYPES) == sorted(recorded)
    assert len(EVENT_TYPES) == len(set(EVENT_TYPES)), "an event type is listed twice"


def test_every_published_event_type_has_a_schema_and_every_schema_an_event_type() -> None:
    unpublished = {name for names in UNPUBLISHED.values() for name in names}
    published = {(aggregate, name) for aggregate, name in catalogue().writers}
    assert {name for _, name in published} == set(EVENT_TYPES) - unpublished
    assert not unpublished & {name for _, name in published}


def test_the_unpublished_aggregates_are_named_and_none_of_them_is_published() -> None:
    named = {a.__name__ for a in AGGREGATES} - set(PUBLISHED)
    assert set(UNPUBLISHED) == named
    for aggregate in AGGREGATES:
        if aggregate.__name__ in UNPUBLISHED:
            assert set(UNPUBLISHED[aggregate.__name__]) == recorded_types(aggregate)


def test_an_event_type_compares_equal_to_the_name_stored_with_the_event() -> None:
    assert Ticket.TicketOpened.__name__ == EventType.TICKET_OPENED
    assert Customer.CustomerMergedInto.__name__ == EventType.CUSTOMER_MERGED_INTO


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def test_no_api_module_restates_a_vocabulary_in_a_literal() -> None:
    offenders = []
    for path in python_files("api"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Literal"
                and path.name != "choices.py"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"use api.choices.one_of(<the domain enum>): {offenders}"


EVENT_NAME = re.compile("[\"'](" + "|".join(EVENT_TYPES) + ")[\"']")


def test_no_projection_api_ingest_or_relay_module_spells_an_event_type_as_a_bare_string() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(1)}"
        for path in python_files("projections", "api", "ingest", "relay", "application")
        for match in EVENT_NAME.finditer(path.read_text())
    ]
    assert not offenders, f"use domain.event_types.EventType: {offenders}"


def test_every_route_that_answers_a_model_declares_one_the_openapi_can_describe() -> None:
    from fastapi.routing import APIRoute
    from pydantic import BaseModel

    from api.routes import (
        channels,
        customers,
        ingest,
        kb,
        mentions,
        qa,
        search,
        sla_policies,
        snippets,
        tickets,
    )

    undescribed = []
    for module in (channels, customers, ingest, kb, mentions, qa, search, sla_policies, snippets, tickets):
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            if route.endpoint.__annotations__.get("return") in (Response, "Response"):
                continue  # answers pre-serialised bytes or a provider's acknowledgement
            model = route.response_model
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                undescribed.append(f"{sorted(route.methods)} {route.path}")
    assert not undescribed, f"declare a response_model (api/public.py): {undescribed}"
