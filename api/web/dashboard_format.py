"""Figures as a reader of each language writes them: `1,234.5` in English, `1 234,5` in Russian;
percentages to 0.1 and durations in words (DESIGN.md: rounded for display only, never in JSON)."""

from datetime import datetime, time

from api.web.formatting import MONTHS, format_duration, local_time
from domain.calendar import from_us

NARROW_SPACE = "\u202f"


def number(value: float | None, language: str, digits: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if language == "ru":
        text = text.replace(",", NARROW_SPACE).replace(".", ",")
    return text.replace("-", "−")


def percent(value: float | None, language: str) -> str:
    return "—" if value is None else f"{number(value, language, 1)} %"


def duration(seconds: float | None, language: str) -> str:
    return "—" if seconds is None else format_duration(seconds, language)


def shown(value: float | None, kind: str, language: str) -> str:
    """A card's or a cell's figure: a count, a percentage or a duration."""
    if kind == "percent":
        return percent(value, language)
    if kind == "duration":
        return duration(value, language)
    return number(value, language)


def negligible(delta: float, kind: str) -> bool:
    """Too small to show: a change that rounds to nothing reads as no change, not as a fall."""
    return round(abs(delta), 1 if kind == "percent" else 0) == 0


def change(delta: float | None, kind: str, language: str) -> str:
    """The change against the previous period, signed: `+12`, `−3 min 5 s`, `+1,5 p.p.`."""
    if delta is None:
        return ""
    size = abs(delta)
    sign = "±" if negligible(delta, kind) else ("+" if delta > 0 else "−")
    if kind == "percent":
        unit = " п. п." if language == "ru" else " pp"
        return f"{sign}{number(size, language, 1)}{unit}"
    if kind == "duration":
        return f"{sign}{format_duration(size, language)}"
    return f"{sign}{number(size, language)}"


def period_label(start: int, end: int, tz: str, language: str) -> str:
    """`1 Nov 2026 – 30 Nov 2026`: the first and the last day of [start, end) in `tz`. A bound
    that is not a local midnight shows its time, `31 Oct 2026 – 2 Nov 2026 10:17`, as the span a
    running period is compared with ends."""
    first, after = local_time(from_us(start), tz), local_time(from_us(end), tz)
    timed = first.time() != time() or after.time() != time()
    last = after if timed else local_time(from_us(end - 1), tz)

    def day(at: datetime) -> str:
        text = f"{at.day} {MONTHS[language][at.month - 1]} {at.year}"
        return f"{text} {at:%H:%M}" if timed else text

    if first.date() == last.date() and not timed:
        return day(first)
    return f"{day(first)} – {day(last)}"
