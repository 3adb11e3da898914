"""The dashboard's charts, drawn from the report API's answers in the reader's language.

Each chart is a pure function of the figures and the language: the same answers give the same
SVG bytes. Every bar and segment links to its drill-down figure (projections/drilldown.py) with
the page's filters, and says its figure in its tooltip.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup

from api.web import dashboard_links as links
from api.web.charts.axis import Key
from api.web.charts.bars import Bar, Series, columns
from api.web.charts.rows import Row, Segment, stacked_rows
from api.web.dashboard_data import Reports
from api.web.dashboard_format import number, percent
from api.web.formatting import MONTHS, UNITS
from api.web.report_filters import ReportFilter
from projections.report_members import METRICS, OUTCOMES
from projections.reports import BREAKDOWN_BY

Translate = Callable[..., str]


@dataclass(frozen=True)
class Charts:
    daily: Markup
    distribution: Markup
    sla: Markup
    csi: Markup
    breakdowns: dict[str, Markup]


def day_label(day: str, language: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day} {MONTHS[language][d.month - 1]}"


def daily_chart(f: ReportFilter, days: list[dict[str, Any]], t: Translate, language: str) -> Markup:
    labels = [day_label(d["day"], language) for d in days]
    series = [
        Series(
            Key(t(f"dashboard.series_{which}"), which),
            [
                Bar(
                    d[which],
                    t(f"dashboard.tip_{which}", day=label, n=number(d[which], language)),
                    links.drill(f, f"daily:{which}:{d['day']}"),
                )
                for d, label in zip(days, labels, strict=True)
            ],
        )
        for which in ("received", "resolved")
    ]
    return columns(
        t("dashboard.chart_daily"), labels, series, t("dashboard.unit_tickets"), t("dashboard.no_data")
    )


def bucket_label(lo: int, hi: int | None, language: str) -> str:
    """`< 15 min`, `15–30 min`, `1–4 h`, `> 24 h`."""
    unit = UNITS[language]
    if hi is None:
        return f"> {lo // 3600} {unit['h']}"
    if hi <= 3600:
        return f"< {hi // 60} {unit['min']}" if lo == 0 else f"{lo // 60}–{hi // 60} {unit['min']}"
    return f"{lo // 3600}–{hi // 3600} {unit['h']}"


def distribution_chart(f: ReportFilter, buckets: list[dict[str, Any]], t: Translate, language: str) -> Markup:
    labels = [bucket_label(b["lo_seconds"], b["hi_seconds"], language) for b in buckets]
    bars = [
        Bar(
            b["count"],
            t("dashboard.tip_frt", range=label, n=number(b["count"], language)),
            links.drill(f, b["figure"]),
        )
        for b, label in zip(buckets, labels, strict=True)
    ]
    series = [Series(Key(t("dashboard.series_first_responses"), "frt"), bars)]
    return columns(
        t("dashboard.chart_distribution"),
        labels,
        series,
        t("dashboard.unit_responses"),
        t("dashboard.no_data"),
    )


def sla_chart(f: ReportFilter, sla: dict[str, Any], t: Translate, language: str) -> Markup:
    rows = []
    for metric in METRICS:
        name = t(f"dashboard.metric_{metric}")
        segments = [
            Segment(
                sla[metric][outcome],
                outcome,
                t(
                    "dashboard.tip_sla",
                    metric=name,
                    outcome=t(f"dashboard.sla_{outcome}"),
                    n=number(sla[metric][outcome], language),
                ),
                links.drill(f, f"sla:{metric}:{outcome}"),
            )
            for outcome in OUTCOMES
        ]
        rows.append(Row(name, segments, percent(sla[metric]["achieved_pct"], language)))
    keys = [Key(t(f"dashboard.sla_{outcome}"), outcome) for outcome in OUTCOMES]
    return stacked_rows(
        t("dashboard.chart_sla"), rows, keys, t("dashboard.unit_tickets"), t("dashboard.no_data")
    )


def csi_chart(f: ReportFilter, operators: list[dict[str, Any]], t: Translate, language: str) -> Markup:
    rows = []
    for op in operators:
        csi, name = op["csi"], op["operator"]
        rated = csi["likes"] + csi["dislikes"]
        if not rated:
            continue
        segments = [
            Segment(
                csi[count] / rated * 100,
                score,
                t(f"dashboard.tip_{score}", name=name, n=number(csi[count], language)),
                links.drill(f, f"csi:{score}", operator=name),
            )
            for score, count in (("like", "likes"), ("dislike", "dislikes"))
        ]
        rows.append(Row(name, segments, percent(csi["csi_pct"], language)))
    keys = [Key(t("dashboard.csi_likes"), "like"), Key(t("dashboard.csi_dislikes"), "dislike")]
    return stacked_rows(
        t("dashboard.chart_csi"),
        rows,
        keys,
        t("dashboard.unit_percent"),
        t("dashboard.no_ratings"),
        percent=True,
    )


def breakdown_chart(
    f: ReportFilter, by: str, shares: list[dict[str, Any]], t: Translate, language: str
) -> Markup:
    rows = []
    for share in shares:
        key = share["key"]
        name = key if key is not None else t(f"dashboard.no_{by}")
        title = t("dashboard.tip_breakdown", value=name, n=number(share["received"], language))
        segment = Segment(share["received"], "share", title, links.drill(f, f"breakdown:{by}:{key or ''}"))
        rows.append(Row(name, [segment], number(share["received"], language)))
    keys = [Key(t("dashboard.series_received"), "share")]
    return stacked_rows(
        t(f"dashboard.chart_by_{by}"), rows, keys, t("dashboard.unit_tickets"), t("dashboard.no_data")
    )


def charts(f: ReportFilter, reports: Reports, t: Translate, language: str) -> Charts:
    return Charts(
        daily=daily_chart(f, reports.daily, t, language),
        distribution=distribution_chart(f, reports.distribution, t, language),
        sla=sla_chart(f, reports.summary["sla"], t, language),
        csi=csi_chart(f, reports.operators, t, language),
        breakdowns={by: breakdown_chart(f, by, reports.breakdowns[by], t, language) for by in BREAKDOWN_BY},
    )
