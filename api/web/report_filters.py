"""The report filters as a page's URL holds them, checked as the report API checks them.

    /dashboard?preset=last_month&operator=anna&channel=support-tg&type=problem&tag=vip&clock=calendar

The period is a preset (today, yesterday, this or last week, this or last month) in the viewer's
time zone (`tz`, default the viewer's own), or `from` and `to`: local dates (`to` included, as a
date picker means it) or ISO instants (`to` excluded, as the API takes them), read by
api/web/period.py. The rest are the API's own filters. A wrong value is named next to its field,
by catalogue key. Links to the API, the drill-down and the other report pages carry
`api_query()`: the same filters with the period as the instants it resolved to, so every page
reads exactly the window this one showed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from api.web import period
from domain.calendar import to_us
from domain.text_forms import MAX_TAG, identifier
from domain.values import TicketType
from projections.report_members import CLOCKS, ReportQuery

PRESETS = (*period.PRESETS, period.CUSTOM)
DEFAULT_PRESET = "this_month"
TYPES = tuple(t.value for t in TicketType)
MAX_TEXT = 200


@dataclass(frozen=True)
class ReportFilter:
    preset: str = DEFAULT_PRESET
    start: datetime | None = None
    """The period's start (UTC), None when the period given is wrong."""
    end: datetime | None = None
    given_from: str = ""
    """`from` and `to` as typed (custom periods), to be shown and linked back as they were."""
    given_to: str = ""
    operator: str = ""
    channel: str = ""
    type: str = ""
    tag: str = ""
    clock: str = "business"
    tz: str = "UTC"
    as_of: datetime | None = None
    now: datetime | None = None
    """The desk's clock the preset was read at: a running period is compared up to it."""
    errors: dict[str, str] = field(default_factory=dict)
    """Field → catalogue key of what is wrong with it."""

    def query(self) -> ReportQuery | None:
        """The report API's query for this filter; None while a field is wrong."""
        if self.errors or self.start is None or self.end is None:
            return None
        return ReportQuery(
            start=to_us(self.start),
            end=to_us(self.end),
            as_of=to_us(self.as_of) if self.as_of else None,
            operator=self.operator or None,
            channel=self.channel or None,
            type=self.type or None,
            tag=identifier(self.tag) if self.tag else None,
            clock=self.clock,
            tz=self.tz,
        )

    def narrowing(self) -> ReportQuery:
        """The filters alone (no period), for figures of the desk as it is now."""
        return ReportQuery(
            start=0,
            end=0,
            operator=self.operator or None,
            channel=self.channel or None,
            type=self.type or None,
            tag=identifier(self.tag) if self.tag else None,
        )

    def previous(self) -> ReportQuery | None:
        """The period of equal length just before this one, with the same filters; while this one
        runs, as much of it as has passed of this one (until `as_of`, if given, else `now`)."""
        q = self.query()
        if q is None or self.start is None or self.end is None:
            return None
        start, end = period.Window(self.start, self.end).previous(self.as_of or self.now).us
        return replace(q, start=start, end=end)

    def filters(self, **changes: str) -> list[tuple[str, str]]:
        """operator, channel, type, tag (those set), clock and tz, with `changes` applied."""
        values = {
            "operator": self.operator,
            "channel": self.channel,
            "type": self.type,
            "tag": self.tag,
            "clock": self.clock,
            "tz": self.tz,
            **changes,
        }
        pairs = [(k, v) for k, v in values.items() if v]
        if self.as_of is not None:
            pairs.append(("as_of", self.as_of.isoformat()))
        return pairs

    def api_query(self, **changes: str) -> str:
        """The API's query string: the period as instants (`to` excluded), then the filters."""
        span = [] if self.start is None or self.end is None else [
            ("from", self.start.isoformat()), ("to", self.end.isoformat())
        ]  # fmt: skip
        return urlencode([*span, *self.filters(**changes)])

    def page_query(self, **changes: str) -> str:
        """This page's own query string: the preset (or the dates typed), then the filters."""
        if self.preset == period.CUSTOM:
            span = [("from", self.given_from), ("to", self.given_to)]
        else:
            span = [("preset", self.preset)]
        return urlencode([*span, *self.filters(**changes)])

    @property
    def local_from(self) -> str:
        """The first day of the period in `tz`, for the date field."""
        return "" if self.start is None else self.start.astimezone(ZoneInfo(self.tz)).date().isoformat()

    @property
    def local_to(self) -> str:
        """The last day the period covers in `tz` (its end is the midnight after it)."""
        if self.start is None or self.end is None:
            return ""
        last = self.end - timedelta(microseconds=1)
        return last.astimezone(ZoneInfo(self.tz)).date().isoformat()


def parse(params: Mapping[str, str], zone: str, now: datetime) -> ReportFilter:
    """The filter of a page's URL; `zone` is the viewer's, `now` the desk's clock."""
    errors: dict[str, str] = {}

    def text(key: str) -> str:
        value = " ".join(str(params.get(key, "")).split())
        if len(value) > MAX_TEXT or not value.isprintable():
            errors[key] = "dashboard.bad_text"
            return ""
        return value

    def choice(key: str, allowed: tuple[str, ...], default: str) -> str:
        value = text(key) or default
        if value not in allowed:
            errors[key] = f"dashboard.bad_{key}"
            return default
        return value

    try:
        tz = period.team_zone(text("tz"), zone)
    except period.PeriodError:
        errors["tz"], tz = "dashboard.bad_tz", zone
    tag = text("tag")
    if tag and not 0 < len(identifier(tag)) <= MAX_TAG:
        errors["tag"], tag = "dashboard.bad_tag", ""
    given_from, given_to = text("from"), text("to")
    preset = choice("preset", PRESETS, period.CUSTOM if given_from or given_to else DEFAULT_PRESET)
    start, end = window(preset, given_from, given_to, tz, now, errors)
    return ReportFilter(
        preset=preset,
        start=start,
        end=end,
        given_from=given_from,
        given_to=given_to,
        operator=text("operator"),
        channel=text("channel"),
        type=choice("type", ("", *TYPES), ""),
        tag=tag,
        clock=choice("clock", CLOCKS, "business"),
        tz=tz,
        as_of=as_of(text("as_of"), tz, errors) if params.get("as_of") else None,
        now=now,
        errors=errors,
    )


def window(
    preset: str, given_from: str, given_to: str, tz: str, now: datetime, errors: dict[str, str]
) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC for a preset, or for the dates or instants typed; None, None if wrong."""
    try:
        found = period.read_period(preset, given_from, given_to, tz, now)
    except period.PeriodError as wrong:
        errors.update({name: f"dashboard.{code}" for name, code in wrong.problems.items()})
        return None, None
    return found.start, found.end


def as_of(value: str, tz: str, errors: dict[str, str]) -> datetime | None:
    try:
        return period.instant(value, tz)
    except ValueError:
        errors["as_of"] = "dashboard.bad_date"
        return None
