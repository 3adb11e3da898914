"""The demo team: who signs in, with which role, who works which shift, and how well.

The passwords are fixed and published (README "Demo"): `demo-only-<name>`, so that the README's
walk-through and its screenshots can be followed as written. They are demo-only by their very
text, and the demo serves on 127.0.0.1 unless told otherwise.
"""

from dataclasses import dataclass

from domain.values import Role

DAY, NIGHT = "day", "night"
SHIFTS = {DAY: (9, 20), NIGHT: (20, 9)}
"""Local hours [start, end) of each shift in the team's time zone: 09:00-20:00 and 20:00-09:00."""
PASSWORD_PREFIX = "demo-only-"


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    role: str
    shift: str | None = None
    """DAY or NIGHT for those who answer tickets; None for everyone else."""
    days_off: tuple[int, ...] = ()
    """Weekdays (0 = Monday) the member does not work."""
    pace: float = 1.0
    """Multiplies the member's response times: below 1 is quicker than the team."""
    liked: float = 0.85
    """The share of the member's rated answers that customers like."""

    @property
    def password(self) -> str:
        return PASSWORD_PREFIX + self.name


OPERATORS = (
    Member("anna", Role.OPERATOR, DAY, (5, 6), 0.8, 0.93),
    Member("boris", Role.OPERATOR, DAY, (5, 6), 1.1, 0.84),
    Member("vera", Role.OPERATOR, DAY, (6, 0), 0.9, 0.9),
    Member("gleb", Role.OPERATOR, DAY, (0, 1), 1.4, 0.72),
    Member("dina", Role.OPERATOR, DAY, (1, 2), 1.0, 0.88),
    Member("egor", Role.OPERATOR, DAY, (2, 3), 1.2, 0.8),
    Member("masha", Role.OPERATOR, DAY, (3, 4), 0.9, 0.9),
    Member("ilya", Role.OPERATOR, DAY, (4, 5), 1.0, 0.86),
    Member("kirill", Role.OPERATOR, NIGHT, (5, 6), 1.1, 0.85),
    Member("lena", Role.OPERATOR, NIGHT, (0, 1), 0.9, 0.91),
    Member("oleg", Role.OPERATOR, NIGHT, (2, 3), 1.3, 0.78),
    Member("nina", Role.OPERATOR, NIGHT, (4, 5), 1.0, 0.87),
)
"""Twelve operators, four of them on nights; masha also moderates mentions."""
SUPERVISOR = Member("sveta", Role.SUPERVISOR)
MODERATOR = "masha"
ADMIN = Member("admin", Role.ADMIN)
AUDITOR = Member("audrey", Role.AUDITOR)
QA_REVIEWER = "kira"


def team() -> tuple[Member, ...]:
    """Everyone who signs in; the QA reviewer only where this deskstream has the QA role."""
    qa = getattr(Role, "QA", None)
    reviewer = (Member(QA_REVIEWER, qa),) if qa is not None else ()
    return (ADMIN, SUPERVISOR, *OPERATORS, *reviewer, AUDITOR)


def on_shift(shift: str, weekday: int) -> tuple[Member, ...]:
    """The operators of a shift who work on that weekday (a night belongs to the day it starts)."""
    return tuple(m for m in OPERATORS if m.shift == shift and weekday not in m.days_off)


def shift_at(local_hour: int) -> str:
    start, end = SHIFTS[DAY]
    return DAY if start <= local_hour < end else NIGHT
