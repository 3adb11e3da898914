"""The answers of the read routes, as the OpenAPI describes them (full-stack-fastapi-template's
`XPublic` / `XsPublic {data, count}`).

Each model lists the keys in the order the route builds them, so the JSON a client gets is the
same bytes as when the routes returned plain dicts; `extra="forbid"` turns a key a route adds
without declaring it into a failing test instead of a silently dropped field. Rows read from a
view stay `dict[str, Any]` (their columns are the view's, documented with it).
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Row = dict[str, Any]
POSITION = "Log position the view(s) answering had reached"


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RowsPublic(Public):
    data: list[Row]
    count: int


class CustomersPublic(RowsPublic):
    position: int = Field(description=POSITION)


class NotePublic(Public):
    text: str
    actor: str
    occurred_at: str


class CustomerPublic(Public):
    id: str
    name: str
    identities: list[str] = Field(description="<kind>:<handle>, one per channel kind")
    registered_at: str
    merged_into: str | None
    survivor_id: str
    merged_from: list[str]
    tickets: RowsPublic
    notes: list[NotePublic]


class CustomerHistoryPublic(Public):
    customer_id: str
    data: list[Row]
    count: int


class ArticlesPublic(RowsPublic):
    position: int = Field(description=POSITION)


class ArticlePublic(Public):
    id: str
    version: int
    latest_version: int
    title: str
    body: str
    category: str | None
    tags: list[str]
    visibility: str
    updated_at: str


class SearchPublic(RowsPublic):
    count_exact: bool = Field(description="false when count is the ranking window's bound")
    position: int = Field(description=POSITION)


class MentionsPublic(RowsPublic):
    position: int = Field(description=POSITION)


class MentionReportPublic(RowsPublic):
    total: int


class SlaPoliciesPublic(RowsPublic):
    pass


class SnippetsPublic(RowsPublic):
    placeholders: dict[str, str] = Field(description="Placeholder name → what it is filled with")


class SnippetPreviewPublic(Public):
    id: str
    shortcut: str
    text: str


class SnippetUsagePublic(RowsPublic):
    position: int = Field(description=POSITION)


class TicketCustomerPublic(Public):
    id: str
    name: str
    recorded_id: str


class AuthorPublic(Public):
    handle: str = Field(description="The writer's id at the provider")
    name: str = Field(description="The writer's name as the provider gave it; empty when it did not")


class ConversationItemPublic(Public):
    kind: str
    text: str
    actor: str
    occurred_at: str
    author: AuthorPublic | None = Field(
        default=None,
        description="Who wrote a customer message in a group conversation (a VK chat, a Telegram "
        "group); null where the ticket's customer wrote it, and for replies and notes",
    )


class TicketPublic(Public):
    id: str
    version: int
    channel: str
    customer: TicketCustomerPublic
    subject: str | None
    status: str
    assignee: str | None
    tags: list[str]
    type: str | None
    priority: str | None
    resolution: str | None
    opened_at: str
    waiting_since: str | None
    merged_into: str | None
    merged_from: list[str]
    conversation: list[ConversationItemPublic]


class DeadLettersPublic(RowsPublic):
    pass


class RawMailsPublic(RowsPublic):
    pass
