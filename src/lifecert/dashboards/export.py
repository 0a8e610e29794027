"""The dashboard's region table as CSV (UTF-8 with a BOM, so Excel shows Chinese) or XLSX."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from lifecert.core.csv_export import csv_bytes, neutralise
from lifecert.core.i18n import N_, gettext
from lifecert.dashboards.figures import FIGURE_LABELS, Counts, Figure
from lifecert.dashboards.service import Dashboard

COLUMNS = [
    N_("Region"),
    N_("Elderly"),
    *(FIGURE_LABELS[f] for f in Figure),
    N_("Certified this month"),
    N_("Overdue rate (%)"),
]


def table_rows(dashboard: Dashboard) -> list[list[object]]:
    """Header, one row per child region (or per community in scope), and the total."""

    def line(name: str, counts: Counts) -> list[object]:
        return [
            name,
            counts.elderly,
            *(counts.by_figure[f] for f in Figure),
            counts.certified_this_month,
            round(counts.overdue_rate * 100, 1),
        ]

    rows: list[list[object]] = [[gettext(c) for c in COLUMNS]]
    rows.extend(line(r.region.name, r.counts) for r in dashboard.children)
    area = dashboard.area.region.name if dashboard.area.region else gettext("My area")
    rows.append(line(gettext("Total: {area}", area=area), dashboard.totals))
    return rows


def to_csv(rows: list[list[object]]) -> bytes:
    return csv_bytes(rows)


def to_xlsx(rows: list[list[object]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31] or "dashboard"  # Excel's limit on sheet names
    for row in rows:
        sheet.append([neutralise(v) for v in row])  # openpyxl stores "=..." as a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
