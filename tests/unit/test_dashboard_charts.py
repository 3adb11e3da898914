"""The dashboard's charts: the same figures give the same SVG bytes; every chart has its axis,
unit and legend in the reader's language; every figure-bearing shape links to its drill-down."""

import re
from datetime import UTC, date, datetime, timedelta
from functools import partial

from hypothesis import given
from hypothesis import strategies as st

from api.web.catalogue import translate
from api.web.dashboard_charts import bucket_label, charts
from api.web.dashboard_data import Reports
from api.web.report_filters import parse
from projections.report_choices import Choices
from projections.report_distribution import BUCKETS, figure_name

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
FILTER = parse({"preset": "last_month", "operator": "anna"}, "Europe/Moscow", NOW)
FIRST_DAY = date(2026, 11, 1)
LINK = re.compile(r'<a href="([^"]+)">')


def sla(achieved: int, breached: int, pending: int) -> dict[str, object]:
    judged = achieved + breached
    pct = achieved / judged * 100 if judged else None
    return {"achieved": achieved, "breached": breached, "pending": pending, "achieved_pct": pct}


def reports(received: list[int], frt: list[int], likes: int = 8, dislikes: int = 2) -> Reports:
    days = [
        {"day": (FIRST_DAY + timedelta(days=i)).isoformat(), "received": n, "resolved": max(0, n - 1)}
        for i, n in enumerate(received)
    ]
    summary = {
        "sla": {"first_response": sla(9, 1, 2), "next_response": sla(4, 0, 0), "resolution": sla(7, 3, 1)},
    }
    operator = {"operator": "anna", "csi": {"likes": likes, "dislikes": dislikes, "csi_pct": 80.0}}
    buckets = [
        {"lo_seconds": lo, "hi_seconds": hi, "count": n, "figure": figure_name(lo, hi)}
        for (lo, hi), n in zip(BUCKETS, frt, strict=True)
    ]
    shares = {
        "type": [{"key": "problem", "received": 5}, {"key": None, "received": 2}],
        "tag": [{"key": "двойное списание", "received": 3}],
        "channel": [{"key": "support-tg", "received": 7}],
    }
    return Reports(summary, summary, [operator], days, shares, buckets, Choices([], [], []))


def drawn(r: Reports, language: str = "en") -> list[str]:
    made = charts(FILTER, r, partial(translate, language), language)
    return [
        str(made.daily),
        str(made.distribution),
        str(made.sla),
        str(made.csi),
        *map(str, made.breakdowns.values()),
    ]


@given(
    st.lists(st.integers(0, 500), min_size=1, max_size=31),
    st.lists(st.integers(0, 90), min_size=7, max_size=7),
)
def test_the_same_figures_draw_the_same_bytes(received: list[int], frt: list[int]) -> None:
    assert drawn(reports(received, frt)) == drawn(reports(list(received), list(frt)))


def test_each_chart_has_its_axis_unit_and_legend_in_the_readers_language() -> None:
    r = reports([3, 0, 12, 7], [1, 4, 2, 0, 0, 0, 1])
    daily, distribution, sla_chart, csi, by_type, by_tag, by_channel = drawn(r)
    assert 'aria-label="Received and resolved per day"' in daily and ">tickets</text>" in daily
    assert ">received</text>" in daily and ">resolved</text>" in daily  # the legend
    assert re.findall(r">\d+<", daily.split("</title>", 1)[1])[:4] == [">0<", ">5<", ">10<", ">15<"]
    assert (
        "&lt; 15 min" in distribution and "&gt; 24 h" in distribution and ">responses</text>" in distribution
    )
    assert ">achieved</text>" in sla_chart and ">90.0 %</text>" in sla_chart
    assert ">100</text>" in csi and "% of ratings" in csi
    assert ">no type</text>" in by_type and "двойное списание" in by_tag and "support-tg" in by_channel
    russian = drawn(r, "ru")
    assert 'aria-label="Поступило и решено по дням"' in russian[0] and ">обращения</text>" in russian[0]
    assert "&lt; 15 мин" in russian[1] and ">90,0 %</text>" in russian[2]


def test_every_figure_bearing_shape_links_to_the_tickets_behind_it() -> None:
    r = reports([3, 0, 12], [1, 4, 2, 0, 0, 0, 1])
    daily, distribution, sla_chart, csi, by_type, by_tag, by_channel = drawn(r)
    figures = lambda svg: [re.search(r"figure=([^&]+)", h).group(1) for h in LINK.findall(svg)]  # noqa: E731
    assert figures(daily) == [
        "daily:received:2026-11-01", "daily:resolved:2026-11-01", "daily:received:2026-11-02",
        "daily:resolved:2026-11-02", "daily:received:2026-11-03", "daily:resolved:2026-11-03",
    ]  # fmt: skip
    assert figures(distribution) == [figure_name(lo, hi) for lo, hi in BUCKETS]
    assert figures(sla_chart)[:3] == ["sla:first_response:achieved", "sla:first_response:breached",
                                      "sla:first_response:pending"]  # fmt: skip
    assert figures(csi) == ["csi:like", "csi:dislike"] and "operator=anna" in LINK.findall(csi)[0]
    assert figures(by_type) == ["breakdown:type:problem", "breakdown:type:"]
    assert figures(by_tag) == [
        "breakdown:tag:%D0%B4%D0%B2%D0%BE%D0%B9%D0%BD%D0%BE%D0%B5%20%D1%81%D0%BF%D0%B8%D1%81%D0%B0%D0%BD%D0%B8%D0%B5"
    ]
    for svg in (daily, distribution, sla_chart, csi, by_type, by_tag, by_channel):
        assert all("from=2026-10-31T21%3A00%3A00%2B00%3A00" in href for href in LINK.findall(svg))


def test_an_empty_period_says_so_instead_of_drawing_nothing() -> None:
    r = reports([0, 0, 0], [0] * 7, likes=0, dislikes=0)
    daily, distribution, _, csi, *_ = drawn(r)
    assert ">Nothing in this period</text>" in daily and ">Nothing in this period</text>" in distribution
    assert ">No ratings in this period</text>" in csi


def test_bucket_labels_read_as_a_person_writes_them() -> None:
    assert [bucket_label(lo, hi, "en") for lo, hi in BUCKETS] == [
        "< 15 min", "15–30 min", "30–60 min", "1–4 h", "4–8 h", "8–24 h", "> 24 h"
    ]  # fmt: skip
    assert bucket_label(3600, 14400, "ru") == "1–4 ч"
