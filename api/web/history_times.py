"""How the history pages write an instant: to the second in the viewer's zone for reading, and
the exact UTC instant beside it (a title on the page, printed in the export), since an auditor
compares instants that may lie a few microseconds apart. Nothing here reads the clock, so the
same events give the same text."""

from dataclasses import dataclass
from datetime import UTC, datetime

from api.web.formatting import MONTHS, local_time


@dataclass(frozen=True, slots=True)
class Times:
    language: str
    zone: str

    def local(self, at: datetime | None) -> str:
        """`2 Mar 2026 12:05:33` in the viewer's zone."""
        if at is None:
            return ""
        here = local_time(at, self.zone)
        return f"{here.day} {MONTHS[self.language][here.month - 1]} {here.year} {here:%H:%M:%S}"

    def utc(self, at: datetime | None) -> str:
        """`2026-03-02 09:05:33.400000 UTC`: the instant itself, to the microsecond."""
        if at is None:
            return ""
        return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f} UTC"

    def offset(self, at: datetime) -> str:
        """The zone's offset from UTC at that instant: `UTC+03:00`."""
        return f"UTC{offset_text(local_time(at, self.zone))}"

    def typed(self, at: datetime | None) -> str:
        """The instant as the as-of field shows it: local, without a zone, exact to the
        microsecond (trailing zeros dropped), so that sending the field back names the same
        instant: `2026-03-02 12:05:33.4`. Only in the hour a clock change repeats does it say
        its offset, which is then needed."""
        if at is None:
            return ""
        here = local_time(at, self.zone)
        text = here.strftime("%Y-%m-%d %H:%M:%S")
        if here.microsecond:
            text = f"{text}.{here.microsecond:06d}".rstrip("0")
        return text if names_one_instant(here) else text + offset_text(here)


def instant_param(at: datetime) -> str:
    """The instant as links carry it (`?as_of=`), and as the API reads it: UTC, microseconds."""
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def names_one_instant(here: datetime) -> bool:
    """Whether this wall time, read back in its zone without an offset (as the as-of field is),
    is this very instant: not so in the hour a clock change repeats."""
    again = here.replace(tzinfo=None, fold=0).replace(tzinfo=here.tzinfo)
    return again.astimezone(UTC) == here.astimezone(UTC)


def offset_text(here: datetime) -> str:
    """`+03:00`, `-00:44:30`: as ISO 8601 writes an offset, seconds only where there are some."""
    offset = here.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    sign, seconds = ("-" if seconds < 0 else "+"), abs(seconds)
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return f"{text}:{seconds % 60:02d}" if seconds % 60 else text
