"""Request and response bodies: `…In` is what a client sends, `…Public` what it gets back."""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from api.choices import one_of
from domain.article import Visibility
from domain.errors import InvalidValueError
from domain.text_forms import check_name
from domain.values import PauseReason, Priority, Resolution, Score, TicketType

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
RANGE = f"from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} (UTC)"
MAX_FILTER_VALUES = 100


def representable(value: datetime) -> datetime:
    """In UTC, and inside a range every date computation (windows, days, business hours) can
    reach without overflowing: "0001-01-01T00:00:00+23:59" is a day before the first one."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise PydanticCustomError(
            "time_out_of_range",
            "The time {value} is outside the range served, {range}.",
            {"value": value.isoformat(), "range": RANGE},
        )
    return utc


Instant = Annotated[
    AwareDatetime,
    AfterValidator(representable),
    Field(description=f"ISO 8601 with a time zone, {RANGE}"),
]
FilterValue = Annotated[str, Field(max_length=200)]


def filter_values(description: str | None = None, alias: str | None = None) -> Any:
    """A repeatable query filter (`tag=a&tag=b`), at most MAX_FILTER_VALUES values."""
    return Query(max_length=MAX_FILTER_VALUES, description=description, alias=alias)


def plain_name(value: str) -> str:
    try:
        check_name(value, "A customer's name")
    except InvalidValueError as exc:
        raise PydanticCustomError("invisible_character", str(exc)) from None
    return value


Text = Field(min_length=1, max_length=100_000)
ChannelName = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$", description="e.g. vk, telegram, email")
ShortText = Field(default=None, max_length=2000)


class CommandIn(BaseModel):
    """`occurred_at` and `actor` are for service and admin tokens only (adapters, imports)."""

    model_config = ConfigDict(extra="forbid")
    occurred_at: Instant | None = Field(default=None, description="When it happened (service/admin)")
    actor: str | None = Field(default=None, max_length=64, description="Act as this user (service/admin)")


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, AfterValidator(plain_name)] = Field(default="", max_length=200)
    handle: str = Field(min_length=1, max_length=320, description="The customer's id on the channel")


class TicketOpenIn(CommandIn):
    channel: str = ChannelName
    customer: CustomerIn
    subject: str | None = Field(default=None, max_length=500)
    text: str = Text
    external_id: str | None = Field(default=None, max_length=200, description="Provider message id")


class MessageIn(CommandIn):
    text: str = Text
    external_id: str | None = Field(default=None, max_length=200)


class TextIn(CommandIn):
    text: str = Text


class AssignIn(CommandIn):
    assignee: str = Field(min_length=1, max_length=64)
    comment: str | None = ShortText


class TagsIn(CommandIn):
    add: list[str] = Field(default_factory=list, max_length=50)
    remove: list[str] = Field(default_factory=list, max_length=50)


class TypeIn(CommandIn):
    type: one_of(TicketType)


class PriorityIn(CommandIn):
    priority: one_of(Priority)


class PauseIn(CommandIn):
    reason: one_of(PauseReason)
    department: str | None = Field(default=None, max_length=200)


class ResolveIn(CommandIn):
    resolution: one_of(Resolution)


class RatingIn(CommandIn):
    score: one_of(Score)
    comment: str | None = ShortText


class MergeIn(CommandIn):
    into: UUID


class CommandPublic(BaseModel):
    id: UUID
    version: int
    position: int


class EventPublic(BaseModel):
    position: int
    version: int
    type: str
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    actor: str
    data: dict[str, Any]


class EventsPublic(BaseModel):
    data: list[EventPublic]
    count: int


class TicketsPublic(BaseModel):
    data: list[dict[str, Any]]
    count: int
    position: int = Field(description="Log position the queue view had reached")


class ReplyIn(CommandIn):
    """Plain text, or a snippet (placeholders filled; `text` is then the operator's edit of it),
    or a public knowledge-base article."""

    text: str | None = Field(default=None, min_length=1, max_length=100_000)
    snippet: str | None = Field(default=None, max_length=64, description="Snippet shortcut or id")
    article: UUID | None = Field(default=None, description="Knowledge-base article the reply uses")


class SnippetIn(CommandIn):
    shortcut: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000, description="Text with {{customer_name}} etc.")
    category: str | None = Field(default=None, max_length=100)


class SnippetEditIn(CommandIn):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    category: str | None = Field(default=None, max_length=100)


class ArticleIn(CommandIn):
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=100_000, description="Markdown")
    category: str | None = Field(default=None, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=50)
    visibility: one_of(Visibility) = "internal"


class IdentityIn(CommandIn):
    channel: str = ChannelName
    handle: str = Field(min_length=1, max_length=320)


class CustomerMergeIn(CommandIn):
    into: UUID = Field(description="The customer record that remains")
