"""Dates, times and durations as a person in Moscow or London reads them, in ru or en.

Pages show times in the viewer's time zone (the team's, from DESKSTREAM_TIME_ZONE, until a
user chooses another) and durations in words. Nothing here reads the clock: `now` is passed in,
so that the same instant renders the same text in a test.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}
UNITS = {
    "en": {"d": "d", "h": "h", "min": "min", "s": "s"},
    "ru": {"d": "д", "h": "ч", "min": "мин", "s": "с"},
}


def local_time(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


def format_time(at: datetime | None, language: str, zone: str, now: datetime | None = None) -> str:
    """`14:05` today, `3 Dec 14:05` this year, `3 Dec 2025 14:05` before."""
    if at is None:
        return ""
    local = local_time(at, zone)
    clock = local.strftime("%H:%M")
    today = local_time(now, zone).date() if now else None
    if today == local.date():
        return clock
    day = f"{local.day} {MONTHS[language][local.month - 1]}"
    if today is None or today.year != local.year:
        day += f" {local.year}"
    return f"{day} {clock}"


def format_duration(seconds: float | None, language: str) -> str:
    """Two units at most, largest first: `2 d 4 h`, `35 min`, `40 s`; negative reads the same."""
    if seconds is None:
        return ""
    left = int(abs(seconds))
    unit = UNITS[language]
    parts: list[str] = []
    for size, name in ((86400, "d"), (3600, "h"), (60, "min"), (1, "s")):
        if left >= size or (name == "s" and not parts):
            parts.append(f"{left // size} {unit[name]}")
            left %= size
        if len(parts) == 2:
            break
    return " ".join(parts[:2] if parts[0].endswith(unit["d"]) or len(parts) < 2 else parts)
