"""The hourly report's figures in pictures and words, in the viewer's language.

The 168 hours of `GET /api/v1/reports/hourly` become two heatmaps (messages per hour; Erlang C
agents needed) and the shift view (projections/shifts.py) becomes bars and a table. Every hour of
the period links to the tickets behind it, the dashboard's list for `arrivals:<weekday>:<hour>` with the
same filters. Nothing here reads a clock or the view: the same report gives the same bytes.
"""

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from markupsafe import Markup

from api.web.catalogue import translate
from api.web.charts.heatmap import Cell, HeatmapText, heatmap
from api.web.charts.shift_bars import Bar, BarsText, Series, grouped_bars
from api.web.formatting import MONTHS, format_duration
from api.web.staffing_form import Asked
from domain.calendar import from_us
from projections.shifts import WEEKDAYS, Shift, ShiftNeed, ShiftWeek, Slot, shift_weeks

DRILL_DOWN = "/dashboard/tickets"
Hours = Mapping[Slot, Mapping[str, Any]]


def hours_of(report: Mapping[str, Any]) -> dict[Slot, Mapping[str, Any]]:
    return {(row["weekday"], row["hour"]): row for row in report["data"]}


def decimal(value: float, language: str, places: int = 1) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".") if places else f"{value:.0f}"
    return text.replace(".", ",") if language == "ru" else text


def on_cell(value: float, language: str) -> str:
    """Short enough for a cell: one decimal below 10, whole numbers from there."""
    return decimal(value, language, 1 if value < 10 else 0)


def percent(part: float, whole: float, language: str) -> str:
    return f"{decimal(part / whole * 100 if whole else 0.0, language)} %"


def drill_down(asked: Asked, weekday: int, hour: int) -> str:
    params = {"figure": f"arrivals:{weekday}:{hour}", **asked.filters}
    return f"{DRILL_DOWN}?{urlencode(params, safe=':')}"


def hour_span(hour: int) -> str:
    return f"{hour:02d}:00–{hour + 1:02d}:00"


def shift_name(shift: Shift) -> str:
    return shift.label.replace("-", "–")


def heat_text(language: str, tz: str, what: str) -> HeatmapText:
    t = partial(translate, language)
    return HeatmapText(
        label=t(f"staffing.{what}_label", tz=tz),
        weekdays=[t(f"staffing.weekday_{day}") for day in WEEKDAYS],
        hour_axis=t("staffing.hour_axis", tz=tz),
        legend=t(f"staffing.{what}_legend"),
        outside=t("staffing.outside"),
        number=partial(decimal, language=language),
    )


def arrivals_map(hours: Hours, asked: Asked, language: str) -> Markup:
    """Messages per hour on average (messages ÷ how often the hour occurred in the period)."""
    cells = []
    for (day, hour), row in sorted(hours.items()):
        rate, occurred = row["arrivals_per_hour"], row["occurrences"]
        cells.append(
            Cell(
                day,
                hour,
                rate if occurred else None,
                on_cell(rate, language) if rate else "",
                cell_title(language, row, "staffing.cell_arrivals"),
                drill_down(asked, day, hour) if occurred else None,
            )
        )
    return heatmap(cells, heat_text(language, asked.query.tz, "arrivals"))


def agents_map(hours: Hours, asked: Asked, language: str) -> Markup:
    """Agents Erlang C needs in each hour for the answer target."""
    cells = [
        Cell(
            day,
            hour,
            float(row["agents"]) if row["occurrences"] else None,
            str(row["agents"]) if row["agents"] else "",
            cell_title(language, row, "staffing.cell_agents"),
            drill_down(asked, day, hour) if row["occurrences"] else None,
        )
        for (day, hour), row in sorted(hours.items())
    ]
    return heatmap(cells, heat_text(language, asked.query.tz, "agents"), whole=True)


def cell_title(language: str, row: Mapping[str, Any], key: str) -> str:
    day, hour = row["weekday"], row["hour"]
    where = {"day": translate(language, f"staffing.day_{day}"), "hours": hour_span(hour)}
    if not row["occurrences"]:
        return translate(language, "staffing.cell_outside", **where)
    return translate(
        language,
        key,
        **where,
        messages=row["messages"],
        occurrences=row["occurrences"],
        rate=decimal(row["arrivals_per_hour"], language, 2),
        agents=row["agents"],
        level=percent(row["service_level"], 1, language),
    )


def shift_view(hours: Hours, asked: Asked, language: str) -> dict[str, Any]:
    """The bars a manager shows upward, and the same figures as a table."""
    weeks = shift_weeks(
        asked.shifts,
        {slot: int(row["agents"]) for slot, row in hours.items()},
        {slot: int(row["messages"]) for slot, row in hours.items()},
    )
    total = sum(week.messages for week in weeks)
    t = partial(translate, language)
    series = [
        Series(
            legend(week, total, language), [Bar(day.agents, bar_title(language, day)) for day in week.days]
        )
        for week in weeks
    ]
    text = BarsText(
        label=t("staffing.shifts_label", tz=asked.query.tz),
        groups=[t(f"staffing.weekday_{day}") for day in WEEKDAYS],
        value_axis=t("staffing.shifts_axis"),
        note=note(asked, language),
    )
    return {
        "chart": grouped_bars(series, text),
        "rows": [shift_row(week, total, language) for week in weeks],
        "agent_hours": sum(week.agent_hours for week in weeks),
        "needed_hours": sum(week.needed_hours for week in weeks),
        "messages": total,
    }


def legend(week: ShiftWeek, total: int, language: str) -> str:
    return translate(
        language,
        "staffing.shift_legend",
        shift=shift_name(week.shift),
        share=percent(week.messages, total, language),
        agents=week.agents,
        agent_hours=week.agent_hours,
    )


def bar_title(language: str, day: ShiftNeed) -> str:
    t = partial(translate, language)
    peak = f"{t(f'staffing.weekday_{day.peak[0]}')} {day.peak[1]:02d}:00" if day.peak else "—"
    return t(
        "staffing.shift_bar",
        day=t(f"staffing.day_{day.weekday}"),
        shift=shift_name(day.shift),
        agents=day.agents,
        peak=peak,
        agent_hours=day.agent_hours,
        messages=day.messages,
    )


def shift_row(week: ShiftWeek, total: int, language: str) -> dict[str, Any]:
    return {
        "shift": shift_name(week.shift),
        "hours": week.shift.hours,
        "days": [day.agents for day in week.days],
        "agents": week.agents,
        "agent_hours": week.agent_hours,
        "needed_hours": week.needed_hours,
        "messages": week.messages,
        "share": percent(week.messages, total, language),
    }


def note(asked: Asked, language: str) -> str:
    return translate(
        language,
        "staffing.shifts_note",
        period=period_text(asked, language),
        tz=asked.query.tz,
        aht=format_duration(asked.aht, language),
        target=format_duration(asked.target, language),
        level=percent(asked.level, 1, language),
    )


def period_text(asked: Asked, language: str) -> str:
    """The period in `tz`: whole days as `1 Nov 2026 – 30 Nov 2026`, else with the times."""
    zone = ZoneInfo(asked.query.tz)
    start, end = from_us(asked.query.start).astimezone(zone), from_us(asked.query.end).astimezone(zone)
    if start.time() == end.time() == datetime.min.time():
        last = from_us(asked.query.end - 1).astimezone(zone)
        return f"{day_text(start, language)} – {day_text(last, language)}"
    return f"{day_text(start, language)} {start:%H:%M} – {day_text(end, language)} {end:%H:%M}"


def day_text(at: datetime, language: str) -> str:
    return f"{at.day} {MONTHS[language][at.month - 1]} {at.year}"
