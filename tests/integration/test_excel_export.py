"""The Excel export as a supervisor downloads it: the same query gives the same file, the tickets
sheet says who wrote about what, and times are the team's, not UTC's."""

import time
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from zipfile import ZipFile

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from domain.calendar import to_us
from projections.analytics_view import open_view
from projections.export_sheet import ticket_sheet
from projections.reports import ReportQuery, tickets
from tests.integration.test_analytics_scenario import MONTH, Desk, desk, week

__all__ = ["desk"]
MOSCOW_MONTH = {"from": "2026-02-28T21:00:00Z", "to": "2026-03-31T21:00:00Z", "tz": "Europe/Moscow"}
"""March 2026 in Moscow (UTC+3): local midnight to local midnight."""


def download(d: Desk, **params: str) -> tuple[bytes, str]:
    d.runtime.runner.catch_up()
    response = d.client.get(
        "/api/v1/reports/export.xlsx", params={**MONTH, **params}, headers={"Authorization": "Bearer t-sue"}
    )
    assert response.status_code == 200, response.text
    return response.content, response.headers["content-disposition"]


def rows(content: bytes, sheet: str) -> list[dict[str, Any]]:
    found = load_workbook(BytesIO(content))[sheet]
    assert isinstance(found, Worksheet)
    header = [c.value for c in found[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in found.iter_rows(min_row=2)]


def test_two_downloads_a_second_apart_are_the_same_bytes(desk: Desk) -> None:
    week(desk)
    first, _ = download(desk)
    time.sleep(1.1)
    second, _ = download(desk)
    assert first == second


def test_the_files_own_times_are_the_as_of_time_of_the_report(desk: Desk) -> None:
    week(desk)
    content, _ = download(desk)
    as_of = datetime.fromisoformat(desk.report("summary")[0]["as_of"]).astimezone(UTC)
    with ZipFile(BytesIO(content)) as book:
        core = book.read("docProps/core.xml").decode()
        stamps = {info.date_time for info in book.infolist()}
    written = as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{written}</dcterms:created>' in core
    assert f'<dcterms:modified xsi:type="dcterms:W3CDTF">{written}</dcterms:modified>' in core
    zip_seconds = as_of.second - as_of.second % 2
    assert stamps == {(as_of.year, as_of.month, as_of.day, as_of.hour, as_of.minute, zip_seconds)}


def test_the_tickets_sheet_has_each_tickets_subject_and_customer(desk: Desk) -> None:
    week(desk)
    body = {
        "channel": "vk",
        "customer": {"name": "Ivan Petrov", "handle": "id100"},
        "subject": "Card blocked",
        "text": "Hello, my card was blocked",
    }
    opened = desk.at("2026-03-13T10:00").call("bot", "POST", "/tickets", body)["id"]
    customer = desk.call("sue", "GET", f"/tickets/{opened}")["customer"]["recorded_id"]
    content, _ = download(desk)
    tickets = rows(content, "Tickets")
    assert list(tickets[0])[:4] == ["ticket", "subject", "customer", "customer id"]
    ivan = next(t for t in tickets if t["ticket"] == opened)
    assert (ivan["subject"], ivan["customer"], ivan["customer id"]) == (
        "Card blocked",
        "Ivan Petrov",
        customer,
    )
    others = [t for t in tickets if t["ticket"] != opened]
    assert len(others) == 5 and all(t["customer"] for t in others)


def test_times_and_the_title_are_in_the_time_zone_asked_for(desk: Desk) -> None:
    t = week(desk)
    content, disposition = download(desk, **MOSCOW_MONTH)
    title = load_workbook(BytesIO(content))["Summary"]["A1"].value
    assert title.startswith("deskstream 2026-03-01 – 2026-03-31, Europe/Moscow (as of 2026-03-12 17:00:00)")
    assert 'filename="deskstream-2026-03-01-to-2026-03-31.xlsx"' in disposition
    a = next(r for r in rows(content, "Tickets") if r["ticket"] == t["A"])
    assert a["opened at"] == datetime(2026, 3, 6, 17, 30)  # opened 14:30 UTC
    assert a["first reply at"] == datetime(2026, 3, 10, 9, 20)  # answered 06:20 UTC
    utc, _ = download(desk)
    a_utc = next(r for r in rows(utc, "Tickets") if r["ticket"] == t["A"])
    assert a_utc["opened at"] == datetime(2026, 3, 6, 14, 30)


def test_a_window_not_on_local_midnights_shows_its_exclusive_end(desk: Desk) -> None:
    week(desk)
    window = {"from": "2026-03-10T06:00:00Z", "to": "2026-03-11T06:00:00Z", "tz": "Europe/Moscow"}
    content, disposition = download(desk, **window)
    title = load_workbook(BytesIO(content))["Summary"]["A1"].value
    assert title.startswith("deskstream 2026-03-10 09:00 to 2026-03-11 09:00 (exclusive), Europe/Moscow")
    assert 'filename="deskstream-2026-03-10T0900-to-2026-03-11T0900.xlsx"' in disposition


def test_the_sheets_rows_are_the_tickets_report_rows_with_subject_and_customer(desk: Desk) -> None:
    week(desk)
    desk.runtime.runner.catch_up()
    db = desk.runtime.analytics
    assert db is not None
    for q in (
        ReportQuery(to_us(datetime(2026, 3, 1, tzinfo=UTC)), to_us(datetime(2026, 4, 1, tzinfo=UTC))),
        ReportQuery(to_us(datetime(2026, 3, 10, tzinfo=UTC)), to_us(datetime(2026, 3, 12, tzinfo=UTC)),
                    operator="boris", clock="calendar", tz="Europe/Moscow"),
        ReportQuery(to_us(datetime(2026, 3, 1, tzinfo=UTC)), to_us(datetime(2026, 4, 1, tzinfo=UTC)),
                    as_of=to_us(datetime(2026, 3, 10, 8, 15, tzinfo=UTC))),
    ):  # fmt: skip
        with open_view(db, q.start, q.end, q.as_of) as view:
            sheet = ticket_sheet(view, db, q)
            expected = tickets(view, q)
        assert expected and [(row[0], *row[4:]) for row in sheet] == expected
