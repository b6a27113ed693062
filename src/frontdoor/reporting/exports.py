"""A dashboard as an XLSX workbook (a sheet of KPIs, then a sheet per table, formatted as
Excel tables, with native Excel charts where the page has a chart) or as CSV (every table in
one file, each under its title)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from frontdoor.reporting.dashboards import Dashboard, Table

# Excel's limit on a sheet name, and the characters it refuses in one.
SHEET_NAME_LIMIT = 31
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return "" if value is None else value


def dashboard_xlsx(dashboard: Dashboard) -> bytes:
    out = io.BytesIO()
    # Names come from configuration and imported files: text is written as text, never taken
    # for a formula or a link (a contact point called "=HYPERLINK(…)" stays words).
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    title = book.add_format({"bold": True, "font_size": 14})
    muted = book.add_format({"font_color": "#505a5f", "text_wrap": True})
    rag = {
        "green": book.add_format({"bg_color": "#cce2d8", "font_color": "#005a30"}),
        "amber": book.add_format({"bg_color": "#fff7bf", "font_color": "#594d00"}),
        "red": book.add_format({"bg_color": "#f4cdc6", "font_color": "#942514"}),
    }
    sheet = book.add_worksheet("KPIs")
    sheet.write(0, 0, f"{dashboard.title}: {dashboard.period}", title)
    sheet.write(1, 0, dashboard.filters, muted)
    rows = [
        [
            t.kpi.name,
            t.shown,
            _cell(t.measure.value),
            t.target_shown,
            t.rag.value.title() if t.rag else "",
            t.kpi.formula,
        ]
        for t in dashboard.tiles
    ]
    columns = ["KPI", "Figure", "Value", "Target", "Against target", "How it is worked out"]
    sheet.add_table(
        3,
        0,
        3 + len(rows),
        len(columns) - 1,
        {"data": rows, "columns": [{"header": c} for c in columns], "style": "Table Style Light 9"},
    )
    for i, tile in enumerate(dashboard.tiles, start=4):
        if tile.rag:
            sheet.write(i, 4, tile.rag.value.title(), rag[tile.rag.value])
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 4, 14)
    sheet.set_column(5, 5, 90)
    used: set[str] = {"KPIs"}
    for table in dashboard.tables:
        _table_sheet(book, table, used, title, muted)
    book.close()
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = title.translate(_NOT_IN_SHEET_NAMES)[:SHEET_NAME_LIMIT].strip()
    name, n = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def _table_sheet(book: Any, table: Table, used: set[str], title: Any, muted: Any) -> None:
    name = _sheet_name(table.title, used)
    sheet = book.add_worksheet(name)
    sheet.write(0, 0, table.title, title)
    if table.note:
        sheet.write(1, 0, table.note, muted)
    first_row = 3
    rows = [[_cell(v) for v in row] for row in table.rows]
    last_row = first_row + max(len(rows), 1)
    sheet.add_table(
        first_row,
        0,
        last_row,
        len(table.columns) - 1,
        {
            "data": rows,
            "columns": [{"header": c} for c in table.columns],
            "style": "Table Style Medium 2",
        },
    )
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, len(table.columns) - 1, 16)
    if not table.chart or not rows:
        return
    chart = book.add_chart(
        {"type": "column" if table.chart == "bar" else "line"}
        | ({"subtype": "stacked"} if table.stacked else {})
    )
    quoted = "'" + name.replace("'", "''") + "'"
    charted = len(table.charted_rows)
    for column in table.series or range(1, len(table.columns)):
        chart.add_series(
            {
                "name": f"={quoted}!{xl_rowcol_to_cell(first_row, column, True, True)}",
                "categories": [name, first_row + 1, 0, first_row + charted, 0],
                "values": [name, first_row + 1, column, first_row + charted, column],
            }
        )
    chart.set_title({"name": table.title})
    chart.set_size({"width": 900, "height": 420})
    sheet.insert_chart(last_row + 2, 0, chart)


# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """As _cell, with text that a spreadsheet would run as a formula kept as text."""
    value = _cell(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def dashboard_csv(dashboard: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_csv_cell(f"{dashboard.title}: {dashboard.period}"), _csv_cell(dashboard.filters)]
    )
    writer.writerow([])
    writer.writerow(["KPI", "Value", "Target", "Against target", "How it is worked out"])
    for tile in dashboard.tiles:
        writer.writerow(
            [
                tile.kpi.name,
                _cell(tile.measure.value),
                _cell(tile.target),
                tile.rag.value if tile.rag else "",
                tile.kpi.formula,
            ]
        )
    for table in dashboard.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows([[_csv_cell(v) for v in row] for row in table.rows])
    return out.getvalue()
