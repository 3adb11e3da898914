"""The report filters as the dashboard's pages take them in their query string (CONTRACTS.md):
`from`/`to` (ISO instants, or local dates: `to` a date is that whole day), else `preset=` (today,
yesterday, this_week, last_week, this_month, last_month), and operator, channel, type, tag,
clock, tz, read as api/web/period.py reads them. Presets count from the analytics view's as-of
instant, not the wall clock, so the same events give the same page. A value that cannot be read
is named with the field it came in, for the page to say so beside it, and the default period
stands in for it meanwhile.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from api.web import period
from domain.calendar import from_us
from domain.text_forms import identifier
from domain.values import TicketType
from projections.reports import CLOCKS, ReportQuery

FILTER_KEYS = ("from", "to", "preset", "operator", "channel", "type", "tag", "clock", "tz")
PRESETS = period.PRESETS
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
    try:
        tz = period.team_zone(given.get("tz", ""), default_tz)
    except period.PeriodError:
        problems["tz"], tz = "policy.bad_tz", "UTC"
    clock = given.get("clock", "business")
    if clock not in CLOCKS:
        problems["clock"], clock = "policy.bad_clock", "business"
    kind = given.get("type")
    if kind is not None and kind not in {t.value for t in TicketType}:
        problems["type"], kind = "policy.bad_type", None
    start, end = window(given, tz, as_of, problems)
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


def window(given: dict[str, str], tz: str, as_of: int, problems: dict[str, str]) -> tuple[int, int]:
    if "from" in given or "to" in given:
        try:
            return period.custom_window(given.get("from", ""), given.get("to", ""), tz).us
        except period.PeriodError as wrong:
            problems.update({name: wording(name, code) for name, code in wrong.problems.items()})
    elif given.get("preset", DEFAULT_PRESET) not in PRESETS:
        problems["preset"] = "policy.bad_preset"
    name = given.get("preset", DEFAULT_PRESET)
    return period.preset_window(name if name in PRESETS else DEFAULT_PRESET, tz, from_us(as_of)).us


def wording(name: str, code: str) -> str:
    """This page's catalogue key for what api/web/period.py found wrong with a field."""
    fixed = {"bad_order": "policy.to_before_from", "too_long": "policy.too_long"}
    return fixed.get(code, f"policy.bad_{name}")
