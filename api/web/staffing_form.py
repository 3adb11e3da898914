"""What the staffing page's address asks for, checked as the hourly report checks it.

The page takes the report API's names (`from`, `to`, `tz`, `operator`, `channel`, `type`, `tag`,
`aht_seconds`, `target_seconds`, `service_level`) with the API's bounds, plus the dashboard's
`preset` and the team's `shifts`. A named preset decides the period; without one, `from` and `to`
do, each a day in `tz` (`to` included whole, as on the search page) or an ISO instant with its
offset (`to` excluded, as in the API), read by api/web/period.py. `tz` is the viewer's zone
unless the address names another. A preset still running ends at the coming full hour: the hourly
report divides each hour's messages by how often that hour occurred, and hours still to come have
not. What is wrong comes back per field, in
the viewer's language, beside what was typed, and nothing is counted.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.choices import one_of
from api.models import FilterValue
from api.routes.reports import MAX_WINDOW_DAYS
from api.web import period
from domain.calendar import from_us, to_us
from domain.text_forms import identifier
from domain.values import TicketType
from projections.reports import ReportQuery
from projections.shifts import MAX_TEXT, Shift, ShiftsError, parse_shifts

PRESETS = ("this_week", "last_week", "this_month", "last_month")
CUSTOM = period.CUSTOM
DEFAULT_PRESET = "last_month"
FIELDS = (
    "preset", "from", "to", "tz", "operator", "channel", "type", "tag",
    "aht_seconds", "target_seconds", "service_level", "shifts",
)  # fmt: skip
Problem = tuple[str, dict[str, Any]]
"""A catalogue key and its placeholders: what is wrong with one field."""
WORDING: dict[str, Problem] = {
    "missing_date": ("staffing.missing_day", {}),
    "bad_date": ("staffing.bad_moment", {}),
    "bad_order": ("staffing.period_backwards", {}),
    "too_long": ("staffing.period_too_long", {"days": MAX_WINDOW_DAYS}),
}
"""This page's words for what api/web/period.py finds wrong with a period."""
Seconds = Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)]
Share = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]


class StaffingForm(BaseModel):
    """`GET /api/v1/reports/hourly`'s parameters as the page's form sends them."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    preset: one_of(PRESETS, (CUSTOM,)) | None = None
    start: str = Field(default="", alias="from", max_length=64)
    to: str = Field(default="", max_length=64)
    tz: str = Field(default="", max_length=64)
    operator: FilterValue = ""
    channel: FilterValue = ""
    type: one_of(TicketType) | None = None
    tag: FilterValue = ""
    aht_seconds: Seconds = 300.0
    target_seconds: Seconds = 3600.0
    service_level: Share = 0.8
    shifts: str = Field(default="", max_length=MAX_TEXT)


@dataclass(frozen=True, slots=True)
class Asked:
    query: ReportQuery
    preset: str
    aht: float
    target: float
    level: float
    shifts: tuple[Shift, ...]
    shifts_text: str

    @property
    def filters(self) -> dict[str, str]:
        """The report API's names for this query, as a link to another page carries them."""
        q = self.query
        given = {
            "from": from_us(q.start).isoformat(),
            "to": from_us(q.end).isoformat(),
            "tz": q.tz,
            "operator": q.operator,
            "channel": q.channel,
            "type": q.type,
            "tag": q.tag,
        }
        return {name: value for name, value in given.items() if value}


def read(
    params: Mapping[str, str], zone: str, now: datetime, team_shifts: str
) -> tuple[dict[str, str], Asked | None, dict[str, Problem]]:
    """(what was typed, the query it asks for or None, what is wrong per field)."""
    typed = {name: params.get(name, "").strip() for name in FIELDS}
    form, errors = valid(typed)
    if form is None:
        return typed, None, errors
    shifts_text = form.shifts or team_shifts
    shifts = shifts_of(shifts_text, errors)
    try:
        tz = period.team_zone(form.tz, zone)
    except period.PeriodError:
        errors["tz"] = ("staffing.bad_zone", {"tz": form.tz or zone})
        return typed, None, errors
    preset = chosen_preset(typed)
    window = custom_window(form, tz, errors) if preset == CUSTOM else preset_window(preset, tz, now)
    if errors or window is None or shifts is None:
        return typed, None, errors
    query = ReportQuery(
        start=to_us(window[0]),
        end=to_us(window[1]),
        operator=form.operator or None,
        channel=form.channel or None,
        type=form.type,
        tag=identifier(form.tag) or None,
        tz=tz,
    )
    asked = Asked(
        query, preset, form.aht_seconds, form.target_seconds, form.service_level, shifts, shifts_text
    )
    return typed, asked, errors


def valid(typed: dict[str, str]) -> tuple[StaffingForm | None, dict[str, Problem]]:
    try:
        return StaffingForm.model_validate({k: v for k, v in typed.items() if v != ""}), {}
    except ValidationError as exc:
        return None, {str(p["loc"][0]): problem(p) for p in exc.errors()}


def problem(p: Any) -> Problem:
    """The API's limit, said in the viewer's language."""
    kind, ctx = p["type"], p.get("ctx") or {}
    if kind == "greater_than":
        return "staffing.more_than", {"limit": f"{ctx['gt']:g}"}
    if kind == "less_than_equal":
        return "staffing.at_most", {"limit": f"{ctx['le']:g}"}
    if kind == "less_than":
        return "staffing.less_than", {"limit": f"{ctx['lt']:g}"}
    if kind in ("float_parsing", "finite_number", "float_type"):
        return "staffing.not_a_number", {}
    if kind == "string_too_long":
        return "staffing.too_long", {"max": ctx["max_length"]}
    return "staffing.not_a_choice", {}


def shifts_of(text: str, errors: dict[str, Problem]) -> tuple[Shift, ...] | None:
    try:
        return parse_shifts(text)
    except ShiftsError as exc:
        errors["shifts"] = (f"staffing.shifts_{exc.code}", exc.params)
        return None


def preset_window(preset: str, tz: str, now: datetime) -> tuple[datetime, datetime]:
    """The preset's days in `tz` (api/web/period.py); a running one ends at the coming hour."""
    window = period.preset_window(preset, tz, now)
    coming_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return window.start.astimezone(ZoneInfo(tz)), min(window.end, coming_hour)


def custom_window(
    form: StaffingForm, tz: str, errors: dict[str, Problem]
) -> tuple[datetime, datetime] | None:
    """The days or instants typed; an instant has its offset, as the hourly report wants it."""
    try:
        window = period.custom_window(form.start, form.to, tz, offset_required=True)
    except period.PeriodError as wrong:
        errors.update({name: WORDING[code] for name, code in wrong.problems.items()})
        return None
    return window.start, window.end


def chosen_preset(typed: Mapping[str, str]) -> str:
    """The preset named, else custom dates when some are given, else the default."""
    return typed["preset"] or (CUSTOM if typed["from"] or typed["to"] else DEFAULT_PRESET)


def shown_parameters(typed: Mapping[str, str], team_shifts: str) -> dict[str, str]:
    """The Erlang C parameters and shifts as the form shows them: as typed, else the defaults."""
    defaults = {
        name: f"{StaffingForm.model_fields[name].default:g}"
        for name in ("aht_seconds", "target_seconds", "service_level")
    }
    given = {name: typed[name] for name in (*defaults, "shifts") if typed[name]}
    return {**defaults, "shifts": team_shifts, **given}
