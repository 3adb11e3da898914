"""A drill-down figure in words, for the list's heading: "SLA first response: breached",
"First responses 15–30 min", "Tickets received on 3 Nov", "Messages on Monday, 09:00–10:00"."""

from collections.abc import Callable

from api.web.dashboard_charts import bucket_label, day_label
from projections.drilldown import Figure

Translate = Callable[..., str]
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
}


def title(figure: Figure, t: Translate, language: str) -> str:
    args = figure.args
    match figure.kind:
        case "frt":
            return t("dashboard.title_frt", range=bucket_label(args[0], args[1], language))
        case "sla":
            metric, outcome = args
            return t(
                "dashboard.title_sla",
                metric=t(f"dashboard.metric_{metric}"),
                outcome=t(f"dashboard.sla_{outcome}"),
            )
        case "csi":
            return t(f"dashboard.title_csi_{args[0]}")
        case "breakdown":
            by, key = args
            return t(
                "dashboard.title_breakdown", by=t(f"dashboard.by_{by}"), value=key or t(f"dashboard.no_{by}")
            )
        case "daily":
            which, day = args
            return t(f"dashboard.title_daily_{which}", day=day_label(day, language))
        case "arrivals":
            weekday, hour = args
            return t("dashboard.title_arrivals", day=WEEKDAYS[language][weekday - 1], hour=f"{hour:02d}:00")
        case _:
            return t(f"dashboard.title_{figure.kind}")


def at_label(figure: Figure) -> str | None:
    """Catalogue key of the column saying when each row entered the period; None where that is
    the opening, which the list shows anyway."""
    kind = figure.kind
    if kind in ("received", "sla", "breakdown") or (kind == "daily" and figure.args[0] == "received"):
        return None
    if kind == "daily":
        return "dashboard.at_resolved"
    if kind == "frt":
        return "dashboard.at_first_response"
    return f"dashboard.at_{kind}"
