"""The QA checklist: the criteria a review scores, and the scale, versioned as events.

Until a supervisor or an admin defines one, version 0 applies: greeting, accuracy, tone and
resolution, each scored 0 (not met), 1 (partly) or 2 (fully). Every change is a new version, and
a review records the version it was scored against (and the scale), so an old review still
reads as it was meant after the checklist changes.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError
from domain.event_base import StampedEvent, event_stamp
from domain.stamp import Stamp
from domain.text_forms import check_name, identifier

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/qa-checklist")
DEFAULT_CRITERIA = ("greeting", "accuracy", "tone", "resolution")
DEFAULT_MAX_SCORE = 2
MAX_CRITERIA = 12
CRITERION_LENGTH = 40
HIGHEST_SCALE = 10


@dataclass(frozen=True, slots=True)
class Checklist:
    """One version: each criterion is scored from 0 to `max_score`."""

    version: int
    criteria: tuple[str, ...]
    max_score: int
    changed_at: datetime | None = None
    changed_by: str | None = None


DEFAULT = Checklist(0, DEFAULT_CRITERIA, DEFAULT_MAX_SCORE)


class InvalidChecklistError(InvalidValueError):
    """A checklist needs a few distinct, short criteria and a scale a reviewer can use."""

    code = "invalid_checklist"


class QaChecklist(Aggregate):
    class Event(StampedEvent):
        """What every checklist event records (domain.event_base)."""

    class QaChecklistDefined(Event, Aggregate.Created):
        criteria: list[str]
        max_score: int

        def update(self, checklist: "QaChecklist") -> None:
            checklist.criteria, checklist.max_score = list(self.criteria), self.max_score
            checklist.changed_at, checklist.changed_by = self.occurred_at, self.actor

    class QaChecklistChanged(Event):
        criteria: list[str]
        max_score: int

        def update(self, checklist: "QaChecklist") -> None:
            checklist.criteria, checklist.max_score = list(self.criteria), self.max_score
            checklist.changed_at, checklist.changed_by = self.occurred_at, self.actor

    criteria: list[str]
    max_score: int
    changed_at: datetime
    changed_by: str

    def __init__(self) -> None:
        self.criteria = []

    @staticmethod
    def create_id() -> UUID:
        """The desk has one checklist."""
        return uuid5(NAMESPACE, "checklist")

    @classmethod
    def define(cls, criteria: list[str], max_score: int, stamp: Stamp) -> "QaChecklist":
        named = checked_criteria(criteria)
        check_scale(max_score)
        return cls._create(
            cls.QaChecklistDefined,
            id=cls.create_id(),
            criteria=named,
            max_score=max_score,
            **event_stamp(stamp),
        )

    def change(self, criteria: list[str], max_score: int, stamp: Stamp) -> None:
        """A new version, unless nothing changed."""
        named = checked_criteria(criteria)
        check_scale(max_score)
        if (named, max_score) != (self.criteria, self.max_score):
            self.trigger_event(
                self.QaChecklistChanged, criteria=named, max_score=max_score, **event_stamp(stamp)
            )

    @property
    def current(self) -> Checklist:
        return Checklist(self.version, tuple(self.criteria), self.max_score, self.changed_at, self.changed_by)


def checked_criteria(criteria: list[str]) -> list[str]:
    """The criteria as typed, trimmed; refused if empty, too many, too long or the same twice."""
    named = [c.strip() for c in criteria]
    if not 1 <= len(named) <= MAX_CRITERIA:
        raise InvalidChecklistError(f"A checklist has 1 to {MAX_CRITERIA} criteria; got {len(named)}.")
    for name in named:
        if not 1 <= len(name) <= CRITERION_LENGTH:
            raise InvalidChecklistError(f"A criterion is named in 1 to {CRITERION_LENGTH} characters.")
        check_name(name, "A criterion")
    if len({identifier(n) for n in named}) != len(named):
        raise InvalidChecklistError("Each criterion is named once (case and spacing aside).")
    return named


def check_scale(max_score: int) -> None:
    if not 1 <= max_score <= HIGHEST_SCALE:
        raise InvalidChecklistError(
            f"Scores run from 0 to a maximum of 1 to {HIGHEST_SCALE}; got {max_score}."
        )
