"""The Excel export: Summary, Operators and Tickets sheets, laid out for a person to read."""

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.calendar import from_us
from projections.reports import METRICS, TICKET_COLUMNS

DURATION = "[h]:mm:ss"
HEADER = Font(bold=True, color="FFFFFF")
FILL = PatternFill("solid", fgColor="305496")


def workbook(summary: dict[str, Any], operators: list[dict[str, Any]], tickets: Sequence[tuple[Any, ...]],
             title: str) -> bytes:  # fmt: skip
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Summary"
    summary_sheet(sheet, summary, title)
    table(book.create_sheet("Operators"), operator_header(), [operator_row(o) for o in operators])
    table(book.create_sheet("Tickets"), list(TICKET_COLUMNS), [ticket_row(t) for t in tickets])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def summary_sheet(sheet: Worksheet, s: dict[str, Any], title: str) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
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


def ticket_row(t: tuple[Any, ...]) -> list[Any]:
    row = list(t)
    for i in (9, 10, 11):
        row[i] = None if row[i] is None else from_us(row[i]).replace(tzinfo=None)
    for i in (12, 13, 14, 15, 16):
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
        sheet.column_dimensions[letter].width = 38 if name == "ticket" else max(12, min(len(name) + 2, 24))
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions


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
