"""SLA policies: response and resolution targets, an optional business calendar, and which
tickets they govern. Every change is a new version, effective from a time; the version in force
when a ticket opened governs that ticket for good.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.calendar import BusinessCalendar, from_us, to_us
from domain.errors import InvalidCommandError, InvalidValueError, NotFoundError
from domain.event_base import StampedEvent, event_stamp
from domain.stamp import Stamp
from domain.values import Priority, TicketType

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/sla-policy")
METRICS = ("first_response", "next_response", "resolution")
MAX_TARGET_MINUTES = 366 * 24 * 60
VERSION_FIELDS = ("targets", "calendar", "applies_to", "rank", "effective_from")


class PolicyTimeTravelError(InvalidCommandError):
    """A version taking effect before its predecessor would rewrite which tickets it governed."""

    code = "policy_effective_before_previous"


class PolicyNotFoundError(NotFoundError):
    code = "sla_policy_not_found"


class InvalidPolicyNameError(InvalidValueError):
    """Policy names go into URLs and reports, so they are short and plain."""


class UnknownMetricError(InvalidValueError):
    """A target for a metric the SLA does not measure would never be judged."""


class NoTargetError(InvalidValueError):
    """A policy without any target would govern tickets and judge nothing."""


class TargetOutOfRangeError(InvalidValueError):
    """A target of zero minutes or of more than a year is a typing error."""


class UnknownScopeError(InvalidValueError):
    """`applies_to` names a key, type or priority no ticket can have: it would match nothing."""


class InvalidCalendarError(InvalidValueError):
    """A business calendar with other parts than tz, weekly and holidays."""


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """What a version says; `targets` are minutes per metric (None: no target for it)."""

    targets: dict[str, int | None]
    calendar: dict[str, Any] | None
    applies_to: dict[str, list[str]]
    rank: int

    @classmethod
    def build(
        cls,
        targets: dict[str, int | None],
        calendar: dict[str, Any] | None,
        applies_to: dict[str, list[str]],
        rank: int,
    ) -> "PolicySpec":
        check_targets(targets)
        if calendar is not None:
            calendar = parse_calendar(calendar).as_json()
        return cls(
            targets={m: targets.get(m) for m in METRICS},
            calendar=calendar,
            applies_to=check_applies_to(applies_to),
            rank=rank,
        )


class SlaPolicy(Aggregate):
    class Event(StampedEvent):
        """Every version event records a whole spec."""

    class SlaPolicyDefined(Event, Aggregate.Created):
        name: str
        targets: dict[str, int | None]
        calendar: dict[str, Any] | None
        applies_to: dict[str, list[str]]
        rank: int
        effective_from: datetime

        def update(self, policy: "SlaPolicy") -> None:
            policy.name = self.name
            policy.versions = [version_of(self, self.name, 1)]

    class SlaPolicyChanged(Event):
        targets: dict[str, int | None]
        calendar: dict[str, Any] | None
        applies_to: dict[str, list[str]]
        rank: int
        effective_from: datetime

        def update(self, policy: "SlaPolicy") -> None:
            policy.versions = [*policy.versions, version_of(self, policy.name, len(policy.versions) + 1)]

    name: str
    versions: list["PolicyVersion"]

    def __init__(self) -> None:
        self.versions = []

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(NAMESPACE, name)

    @classmethod
    def define(cls, name: str, spec: PolicySpec, effective_from: datetime, stamp: Stamp) -> "SlaPolicy":
        check_policy_name(name)
        return cls._create(
            cls.SlaPolicyDefined,
            id=cls.create_id(name),
            name=name,
            **spec_fields(spec),
            effective_from=effective_from,
            **event_stamp(stamp),
        )

    def change(self, spec: PolicySpec, effective_from: datetime, stamp: Stamp) -> None:
        """A change identical to the current version is not recorded: PUT may be retried."""
        current = self.versions[-1]
        if current.spec == spec and current.effective_from == to_us(effective_from):
            return
        self.check_effective_after(effective_from)
        self.trigger_event(
            self.SlaPolicyChanged, **spec_fields(spec), effective_from=effective_from, **event_stamp(stamp)
        )

    def check_effective_after(self, effective_from: datetime) -> None:
        if to_us(effective_from) < self.versions[-1].effective_from:
            raise PolicyTimeTravelError(
                "A new version cannot take effect before the version it replaces "
                f"({self.versions[-1].effective_from_iso})."
            )


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One version as the metrics use it; built from events or from projected event records."""

    name: str
    version: int
    effective_from: int
    spec: PolicySpec

    @property
    def effective_from_iso(self) -> str:
        return from_us(self.effective_from).isoformat()

    @property
    def business_calendar(self) -> BusinessCalendar | None:
        return None if self.spec.calendar is None else calendar_from_json(self.spec.calendar)

    def target_us(self, metric: str) -> int | None:
        minutes = self.spec.targets.get(metric)
        return None if minutes is None else minutes * 60_000_000

    def matches(self, channel: str, ticket_type: str | None, priority: str) -> bool:
        wanted = self.spec.applies_to
        return (
            (not wanted["channels"] or channel in wanted["channels"])
            and (not wanted["types"] or ticket_type in wanted["types"])
            and (not wanted["priorities"] or priority in wanted["priorities"])
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from_iso,
            "targets_minutes": dict(self.spec.targets),
            "calendar": self.spec.calendar,
            "applies_to": self.spec.applies_to,
            "rank": self.spec.rank,
        }


def version_of(event: Any, name: str, number: int) -> PolicyVersion:
    return policy_version(name, number, {f: getattr(event, f) for f in VERSION_FIELDS})


def policy_version(name: str, number: int, data: dict[str, Any]) -> PolicyVersion:
    spec = PolicySpec(
        targets=dict(data["targets"]),
        calendar=data["calendar"],
        applies_to={k: list(v) for k, v in data["applies_to"].items()},
        rank=int(data["rank"]),
    )
    effective = data["effective_from"]
    if isinstance(effective, str):
        effective = datetime.fromisoformat(effective)
    return PolicyVersion(name, number, to_us(effective), spec)


_CALENDARS: dict[str, BusinessCalendar] = {}


def calendar_from_json(data: dict[str, Any]) -> BusinessCalendar:
    """Calendars are cached by content, so their day tables are computed once per process."""
    key = repr(sorted(data.items()))
    found = _CALENDARS.get(key)
    if found is None:
        found = _CALENDARS[key] = parse_calendar(data)
    return found


def parse_calendar(data: dict[str, Any]) -> BusinessCalendar:
    if set(data) - {"tz", "weekly", "holidays"} or "tz" not in data:
        raise InvalidCalendarError("A calendar has tz, weekly and holidays.")
    return BusinessCalendar.build(data["tz"], data.get("weekly") or {}, data.get("holidays") or [])


def spec_fields(spec: PolicySpec) -> dict[str, Any]:
    return {
        "targets": spec.targets,
        "calendar": spec.calendar,
        "applies_to": spec.applies_to,
        "rank": spec.rank,
    }


def check_policy_name(name: str) -> None:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise InvalidPolicyNameError(f"A policy name has 1 to 64 letters, digits or . _ - ; got {name!r}.")


def check_targets(targets: dict[str, int | None]) -> None:
    unknown = set(targets) - set(METRICS)
    if unknown:
        raise UnknownMetricError(f"Targets are {', '.join(METRICS)}; got {', '.join(sorted(unknown))}.")
    if all(targets.get(m) is None for m in METRICS):
        raise NoTargetError("A policy needs at least one target.")
    for metric, value in targets.items():
        if value is not None and not 0 < value <= MAX_TARGET_MINUTES:
            raise TargetOutOfRangeError(f"The {metric} target must be 1 to {MAX_TARGET_MINUTES} minutes.")


def check_applies_to(applies_to: dict[str, list[str]]) -> dict[str, list[str]]:
    unknown = set(applies_to) - {"channels", "types", "priorities"}
    if unknown:
        raise UnknownScopeError("applies_to has channels, types and priorities.")
    allowed = {"types": {t.value for t in TicketType}, "priorities": {p.value for p in Priority}}
    for key, values in allowed.items():
        wrong = set(applies_to.get(key, [])) - values
        if wrong:
            raise UnknownScopeError(f"Unknown {key}: {', '.join(sorted(wrong))}.")
    return {k: sorted(set(applies_to.get(k, []))) for k in ("channels", "types", "priorities")}


def in_force(
    versions: list[PolicyVersion], channel: str, ticket_type: str | None, priority: str, opened_us: int
) -> PolicyVersion | None:
    """The policy governing a ticket: per policy, the version in force at opening (latest
    effective_from not after it); among those that match the ticket, the lowest rank, then name."""
    by_name: dict[str, PolicyVersion] = {}
    for v in versions:
        if v.effective_from <= opened_us:
            best = by_name.get(v.name)
            if best is None or (v.effective_from, v.version) > (best.effective_from, best.version):
                by_name[v.name] = v
    candidates = [v for v in by_name.values() if v.matches(channel, ticket_type, priority)]
    return min(candidates, key=lambda v: (v.spec.rank, v.name), default=None)
