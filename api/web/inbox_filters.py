"""The inbox's filter as its URL holds it: parsed from a query string, checked, and written back.

The URL is the filter, so a filtered inbox can be bookmarked, sent to a colleague or saved as a
view: `/inbox?channel=support-tg&mine=1&page=2`. Values are checked as the API checks the same
filters of `GET /api/v1/tickets`; a wrong one is named next to its field, by catalogue key.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode

from domain.text_forms import MAX_TAG, identifier
from domain.values import Priority, Status, TicketType
from projections.queue_counts import ACTIVE
from projections.queue_store import QueueFilter

KEYS = ("status", "channel", "mine", "unassigned", "assignee", "tag", "type", "priority")
"""The filter's keys, in the order a canonical query string lists them."""
STATUSES = ("", *(s.value for s in Status), "all")
"""`""`: open and paused (the default); `all`: every ticket not merged away."""
TYPES = tuple(t.value for t in TicketType)
PRIORITIES = tuple(p.value for p in Priority)
LABELS = {
    "": "inbox.status_active",
    "all": "inbox.status_all",
    None: "inbox.sla_response",
    **{s.value: f"inbox.status_{s.value}" for s in Status},
    **{t: f"inbox.type_{t}" for t in TYPES},
    **{p: f"inbox.priority_{p}" for p in PRIORITIES},
    **{m: f"inbox.sla_{m}" for m in ("first_response", "next_response")},
}
"""The catalogue key of each value the inbox shows by name."""
MAX_VALUE = 200
MAX_PAGE = 10_000


@dataclass(frozen=True)
class InboxFilter:
    status: str = ""
    channel: str = ""
    mine: bool = False
    unassigned: bool = False
    assignee: str = ""
    tag: str = ""
    type: str = ""
    priority: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)
    """Field → catalogue key of what is wrong with it."""

    def queue_filter(self, viewer: str) -> QueueFilter:
        statuses = {"": ACTIVE, "all": ()}.get(self.status, (self.status,))
        return QueueFilter(
            status=statuses,
            channel=(self.channel,) if self.channel else (),
            assignee=viewer if self.mine else (self.assignee or None),
            unassigned=self.unassigned,
            tag=(identifier(self.tag),) if self.tag else (),
            type=self.type or None,
            priority=self.priority or None,
        )

    def query(self, **changes: object) -> str:
        """The canonical query string of this filter with `changes`; the page only past the first."""
        f = replace(self, **changes)  # type: ignore[arg-type]
        pairs = [(k, "1" if v is True else str(v)) for k in KEYS if (v := getattr(f, k))]
        if f.page > 1:
            pairs.append(("page", str(f.page)))
        return urlencode(pairs)

    def url(self, **changes: object) -> str:
        query = self.query(**changes)
        return f"/inbox?{query}" if query else "/inbox"

    @property
    def filters(self) -> str:
        """What a saved view keeps: the filter without the page."""
        return self.query(page=1)

    @property
    def plain(self) -> bool:
        """The default statuses and at most a channel: the sidebar's counts give its total."""
        narrowing = (
            self.status,
            self.mine,
            self.unassigned,
            self.assignee,
            self.tag,
            self.type,
            self.priority,
        )
        return not any(narrowing)


def parse(params: Mapping[str, str]) -> InboxFilter:
    """A filter from the URL's parameters (unknown ones are ignored, as bookmarks outlive keys)."""
    errors: dict[str, str] = {}

    def text(key: str) -> str:
        value = " ".join(str(params.get(key, "")).split())
        if len(value) > MAX_VALUE or not value.isprintable():
            errors[key] = "inbox.bad_text"
            return ""
        return value

    def choice(key: str, allowed: tuple[str, ...], error: str) -> str:
        value = text(key)
        if value not in allowed:
            errors[key] = error
            return ""
        return value

    tag = text("tag")
    if tag and not 0 < len(identifier(tag)) <= MAX_TAG:
        errors["tag"], tag = "inbox.bad_tag", ""
    return InboxFilter(
        status=choice("status", STATUSES, "inbox.bad_status"),
        channel=text("channel"),
        mine=flag(params.get("mine")),
        unassigned=flag(params.get("unassigned")),
        assignee=text("assignee"),
        tag=tag,
        type=choice("type", ("", *TYPES), "inbox.bad_type"),
        priority=choice("priority", ("", *PRIORITIES), "inbox.bad_priority"),
        page=page_number(params.get("page"), errors),
        errors=errors,
    )


def parse_query(query: str) -> InboxFilter:
    return parse(dict(parse_qsl(query.lstrip("?"), keep_blank_values=True)))


def flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on", "yes")


def page_number(value: str | None, errors: dict[str, str]) -> int:
    text = (value or "1").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE:
        errors["page"] = "inbox.bad_page"
        return 1
    return int(text)
