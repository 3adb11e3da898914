"""The report filters as the dashboard's pages take them in their query string (CONTRACTS.md):
`from`/`to` (ISO instants, or local dates: `to` a date is that whole day), else `preset=` (today,
yesterday, this_week, last_week, this_month, last_month), and operator, channel, type, tag,
clock, tz. Presets count from the analytics view's as-of instant, not the wall clock, so the
same events give the same page. A value that cannot be read is named with the field it came in,
for the page to say so beside it, and the default period stands in for it meanwhile.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from api.routes.reports import MAX_WINDOW_DAYS
from domain.calendar import check_zone, from_us, to_us, zone
from domain.errors import InvalidValueError
from domain.text_forms import identifier
from domain.values import TicketType
from projections.reports import CLOCKS, ReportQuery

FILTER_KEYS = ("from", "to", "preset", "operator", "channel", "type", "tag", "clock", "tz")
PRESETS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month")
DEFAULT_PRESET = "last_month"


@dataclass(frozen=True, slots=True)
class PageFilters:
    query: ReportQuery
    given: dict[str, str]
    """The filters as the URL gave them (blank ones left out), to carry on to every link."""
    problems: dict[str, str]
    """Field → catalogue key of what is wrong with it."""

    def link(self, path: str, **extra: str) -> str:
        return f"{path}?{urlencode({**self.given, **extra})}"


def page_filters(params: Mapping[str, str], default_tz: str, as_of: int) -> PageFilters:
    given = {k: params[k].strip() for k in FILTER_KEYS if params.get(k, "").strip()}
    problems: dict[str, str] = {}
    tz = checked_zone(given.get("tz", default_tz), problems)
    clock = given.get("clock", "business")
    if clock not in CLOCKS:
        problems["clock"], clock = "policy.bad_clock", "business"
    kind = given.get("type")
    if kind is not None and kind not in {t.value for t in TicketType}:
        problems["type"], kind = "policy.bad_type", None
    start, end = period(given, tz, as_of, problems)
    query = ReportQuery(
        start=start,
        end=end,
        operator=given.get("operator"),
        channel=given.get("channel"),
        type=kind,
        tag=identifier(given["tag"]) if given.get("tag") else None,
        clock=clock,
        tz=tz,
    )
    return PageFilters(query, given, problems)


def checked_zone(tz: str, problems: dict[str, str]) -> str:
    try:
        check_zone(tz)
    except InvalidValueError:
        problems["tz"] = "policy.bad_tz"
        return "UTC"
    return tz


def period(given: dict[str, str], tz: str, as_of: int, problems: dict[str, str]) -> tuple[int, int]:
    if "from" in given or "to" in given:
        start = instant(given.get("from", ""), tz, end=False)
        end = instant(given.get("to", ""), tz, end=True)
        if start is None:
            problems["from"] = "policy.bad_from"
        if end is None:
            problems["to"] = "policy.bad_to"
        if start is not None and end is not None:
            if end <= start:
                problems["to"] = "policy.to_before_from"
            elif end - start > MAX_WINDOW_DAYS * 86_400_000_000:
                problems["to"] = "policy.too_long"
            else:
                return start, end
    elif given.get("preset", DEFAULT_PRESET) not in PRESETS:
        problems["preset"] = "policy.bad_preset"
    name = given.get("preset", DEFAULT_PRESET)
    return preset_window(name if name in PRESETS else DEFAULT_PRESET, tz, as_of)


def instant(text: str, tz: str, end: bool) -> int | None:
    """An ISO instant, a local date and time, or a local date (as `to`, the end of that day)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return midnight(day + timedelta(days=1) if end else day, tz)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return to_us(moment if moment.tzinfo else moment.replace(tzinfo=zone(tz)))


def midnight(day: date, tz: str) -> int:
    return to_us(datetime.combine(day, time(), zone(tz)))


def preset_window(name: str, tz: str, as_of: int) -> tuple[int, int]:
    today = from_us(as_of).astimezone(zone(tz)).date()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    days = {
        "today": (today, today + timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (monday, monday + timedelta(days=7)),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (first, following),
        "last_month": (previous, first),
    }[name]
    return midnight(days[0], tz), midnight(days[1], tz)
