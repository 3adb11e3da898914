"""The Excel export: Summary, Operators and Tickets sheets, laid out for a person to read.

The same query gives the same bytes. Nothing in the file comes from the clock: the document's
created and modified times (docProps/core.xml) and every zip entry's time are the view's as-of
time, which the events decide. Times are local in the query's `tz`, and the title names the
window in it, its end shown as the last day included (the `to` is exclusive).
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from domain.calendar import from_us, zone
from projections.export_sheet import EXPORT_COLUMNS
from projections.reports import METRICS, ReportQuery

DURATION = "[h]:mm:ss"
HEADER = Font(bold=True, color="FFFFFF")
FILL = PatternFill("solid", fgColor="305496")
ZIP_YEARS = (1980, 2107)
"""The years a zip entry's time can hold (MS-DOS dates)."""


@dataclass(frozen=True, slots=True)
class Heading:
    """What the export is of: the query, and the instant the view was judged at (epoch µs)."""

    query: ReportQuery
    as_of: int

    def local(self, us: int) -> datetime:
        return from_us(us).astimezone(zone(self.query.tz))

    def span(self) -> tuple[datetime, datetime, bool]:
        """(local start, local end, whole days); for whole days the end is the last day included."""
        start, end = self.local(self.query.start), self.local(self.query.end)
        if start.time() == end.time() == day_time(0):
            return start, max(start, end - timedelta(days=1)), True
        return start, end, False

    @property
    def window(self) -> str:
        """ "2026-11-01 – 2026-11-30" for whole local days, else both instants, the end exclusive."""
        start, end, whole_days = self.span()
        if whole_days:
            return start.date().isoformat() if end == start else f"{start.date()} – {end.date()}"
        return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} (exclusive)"

    @property
    def title(self) -> str:
        as_of = self.local(self.as_of)
        return f"deskstream {self.window}, {self.query.tz} (as of {as_of:%Y-%m-%d %H:%M:%S})"

    @property
    def filters(self) -> str:
        q = self.query
        chosen = [("operator", q.operator), ("channel", q.channel), ("type", q.type), ("tag", q.tag)]
        named = [f"{name} {value}" for name, value in chosen if value is not None]
        return "; ".join([*named, f"clock {q.clock}", f"times in {q.tz}"])

    @property
    def file_name(self) -> str:
        start, end, whole_days = self.span()
        shown = "%Y-%m-%d" if whole_days else "%Y-%m-%dT%H%M"
        return f"deskstream-{start.strftime(shown)}-to-{end.strftime(shown)}.xlsx"


def workbook(
    summary: dict[str, Any],
    operators: list[dict[str, Any]],
    tickets: Sequence[tuple[Any, ...]],
    heading: Heading,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Summary"
    summary_sheet(sheet, summary, heading)
    table(book.create_sheet("Operators"), operator_header(), [operator_row(o) for o in operators])
    rows = [ticket_row(t, heading) for t in tickets]
    table(book.create_sheet("Tickets"), list(EXPORT_COLUMNS), rows)
    out = io.BytesIO()
    book.save(out)
    return stamped(out.getvalue(), book.properties, from_us(heading.as_of))


def stamped(content: bytes, properties: DocumentProperties, as_of: datetime) -> bytes:
    """The saved workbook again, with the as-of time wherever openpyxl and zipfile put the clock's."""
    moment = as_of.astimezone(UTC).replace(tzinfo=None)
    properties.created = properties.modified = moment
    core = tostring(properties.to_tree())
    year = min(max(moment.year, ZIP_YEARS[0]), ZIP_YEARS[1])
    entry_time = (year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    out = io.BytesIO()
    with ZipFile(io.BytesIO(content)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = ZipInfo(info.filename, date_time=entry_time)
            entry.compress_type, entry.external_attr = ZIP_DEFLATED, info.external_attr
            target.writestr(entry, core if info.filename == ARC_CORE else source.read(info))
    return out.getvalue()


def summary_sheet(sheet: Worksheet, s: dict[str, Any], heading: Heading) -> None:
    sheet.append([heading.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([heading.filters])
    sheet.append([])
    rows: list[tuple[str, Any, str | None]] = [
        ("Tickets received", s["tickets_received"], None),
        ("Tickets resolved", s["tickets_resolved"], None),
    ]
    for metric in METRICS:
        stats, label = s[metric], metric.replace("_", " ").capitalize()
        rows += [
            (f"{label}: samples", stats["count"], None),
            (f"{label}: average", days(stats["avg_seconds"]), DURATION),
            (f"{label}: median", days(stats["median_seconds"]), DURATION),
            (f"{label}: 90th percentile", days(stats["p90_seconds"]), DURATION),
        ]
    for metric in METRICS:
        sla, label = s["sla"][metric], metric.replace("_", " ")
        rows += [
            (f"SLA {label}: achieved / breached / pending",
             f"{sla['achieved']} / {sla['breached']} / {sla['pending']}", None),
            (f"SLA {label}: achieved %", pct(sla["achieved_pct"]), "0.0%"),
        ]  # fmt: skip
    rows.append(("CSI (likes / ratings)", pct(s["csi"]["csi_pct"]), "0.0%"))
    for label, value, fmt in rows:
        sheet.append([label, value])
        if fmt:
            sheet.cell(sheet.max_row, 2).number_format = fmt
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 18


def operator_header() -> list[str]:
    head = ["operator", "tickets_assigned", "tickets_received", "tickets_resolved"]
    for metric in METRICS:
        head += [f"{metric}_count", f"{metric}_avg", f"{metric}_median", f"{metric}_p90"]
    head += [f"sla_{m}_pct" for m in METRICS]
    return [*head, "likes", "dislikes", "csi_pct"]


def operator_row(o: dict[str, Any]) -> list[Any]:
    row: list[Any] = [o["operator"], o["tickets_assigned"], o["tickets_received"], o["tickets_resolved"]]
    for metric in METRICS:
        s = o[metric]
        row += [s["count"], days(s["avg_seconds"]), days(s["median_seconds"]), days(s["p90_seconds"])]
    row += [pct(o["sla"][m]["achieved_pct"]) for m in METRICS]
    return [*row, o["csi"]["likes"], o["csi"]["dislikes"], pct(o["csi"]["csi_pct"])]


def ticket_row(t: tuple[Any, ...], heading: Heading) -> list[Any]:
    """Instants (epoch µs) as local wall times in `tz`, durations (s) as days for Excel's formats."""
    row = list(t)
    for i, name in enumerate(EXPORT_COLUMNS):
        if row[i] is None:
            continue
        if name.endswith("_at"):
            row[i] = heading.local(row[i]).replace(tzinfo=None)
        elif name.endswith("_s"):
            row[i] = days(row[i])
    return row


def table(sheet: Worksheet, header: list[str], rows: list[list[Any]]) -> None:
    sheet.append([h.replace("_", " ") for h in header])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER, FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(header, start=1):
        fmt = column_format(name)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column_width(name)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions


def column_width(name: str) -> int:
    if name in ("ticket", "customer_id", "subject"):
        return 38
    return 24 if name == "customer" else max(12, min(len(name) + 2, 24))


def column_format(name: str) -> str | None:
    if name.endswith(("_avg", "_median", "_p90", "_s")):
        return DURATION
    if name.endswith("_pct"):
        return "0.0%"
    if name.endswith("_at"):
        return "yyyy-mm-dd hh:mm"
    return None


def days(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 86_400


def pct(value: float | None) -> float | None:
    return None if value is None else value / 100
