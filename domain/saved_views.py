"""Saved views: an operator's named filters of the queue ("my channel, unassigned"), kept per user.

One aggregate per user holds all of that user's views, so the inbox reads them with one load. A
view is a name and the filter's query string, exactly as the inbox puts it in its URL; the domain
checks only that both are plain and short, the page says which filters the string holds.
"""

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.errors import InvalidCommandError, InvalidValueError
from domain.event_base import StampedEvent, event_stamp
from domain.stamp import Stamp
from domain.text_forms import check_name

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/saved-views")
MAX_NAME = 60
MAX_QUERY = 1000
MAX_VIEWS = 50


class InvalidViewNameError(InvalidValueError):
    """A view's name is shown in the sidebar: something to read, on one line."""


class InvalidViewQueryError(InvalidValueError):
    """The filter is a URL's query string: printable, without a `?` or a fragment."""


class TooManyViewsError(InvalidCommandError):
    """A sidebar of more views than anyone can scan is a list nobody uses."""

    code = "too_many_views"


class SavedViews(CheapCopy, Aggregate):
    class Event(StampedEvent):
        """What every saved-view event records (domain.event_base)."""

    class SavedViewsStarted(Event, Aggregate.Created):
        user_name: str

        def update(self, views: "SavedViews") -> None:
            views.user_name = self.user_name
            views.views = {}

    class ViewSaved(Event):
        """Saving under a name that exists replaces that view's filter."""

        name: str
        query: str

        def update(self, views: "SavedViews") -> None:
            views.views[self.name] = self.query

    class ViewDeleted(Event):
        name: str

        def update(self, views: "SavedViews") -> None:
            views.views.pop(self.name, None)

    user_name: str
    views: dict[str, str]
    """Name → query string, in the order they were first saved."""

    def __init__(self) -> None:
        self.views = {}

    @staticmethod
    def create_id(user_name: str) -> UUID:
        return uuid5(NAMESPACE, user_name)

    @classmethod
    def start(cls, user_name: str, stamp: Stamp) -> "SavedViews":
        return cls._create(
            cls.SavedViewsStarted, id=cls.create_id(user_name), user_name=user_name, **event_stamp(stamp)
        )

    def save(self, name: str, query: str, stamp: Stamp) -> None:
        """Saving the same filter under the same name again records nothing: a form may be resent."""
        name = check_view_name(name)
        check_view_query(query)
        if self.views.get(name) == query:
            return
        if name not in self.views and len(self.views) >= MAX_VIEWS:
            raise TooManyViewsError(f"A user keeps at most {MAX_VIEWS} saved views; delete one first.")
        self.trigger_event(self.ViewSaved, name=name, query=query, **event_stamp(stamp))

    def delete(self, name: str, stamp: Stamp) -> None:
        """Deleting a view that is not there (deleted in another tab) changes nothing."""
        if name in self.views:
            self.trigger_event(self.ViewDeleted, name=name, **event_stamp(stamp))


def check_view_name(name: str) -> str:
    """The name as kept: without white space at either end."""
    clean = " ".join(name.split())
    check_name(clean, "A view's name")
    if not clean or len(clean) > MAX_NAME:
        raise InvalidViewNameError(f"A view's name has 1 to {MAX_NAME} characters.")
    return clean


def check_view_query(query: str) -> None:
    if len(query) > MAX_QUERY or not query.isprintable() or any(c in query for c in "?# "):
        raise InvalidViewQueryError(
            f"A view's filter is a query string of at most {MAX_QUERY} printable characters."
        )
