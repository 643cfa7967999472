"""Excel workbooks with openpyxl: numbers people can add up, text that never runs."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from service.domain.spreadsheets import Money, looks_like_formula

POUNDS = '"£"#,##0.00'
PERCENT = "0.0"  # the figures are percentages already: 96.7, not 0.967
WIDEST = 60  # characters: a long venue name wraps no wider than this


class OpenpyxlSpreadsheets:
    def workbook(self, sheet: str, rows: Sequence[Sequence[object]]) -> bytes:
        book = Workbook()
        page = book.active
        assert page is not None
        page.title = sheet[:31]  # Excel's longest sheet name
        widths: dict[int, int] = {}
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = page.cell(row=r, column=c)
                shown = _write(cell, value)
                widths[c] = max(widths.get(c, 0), len(shown))
                if r == 1:
                    cell.font = Font(bold=True)
        page.freeze_panes = "A2"  # the header stays in view when scrolling
        for c, width in widths.items():
            page.column_dimensions[get_column_letter(c)].width = min(width + 2, WIDEST)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _write(cell: Cell, value: object) -> str:
    """Set the cell from a table's value; what it shows, for the column's width."""
    if value is None:
        return ""
    if isinstance(value, Money):
        cell.value, cell.number_format = value.pounds, POUNDS
        return f"£{value.pounds:,.2f}"
    if isinstance(value, Decimal):
        cell.value, cell.number_format = value, PERCENT
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float | date):
        # Text, always: openpyxl would store a string starting "=" as a formula. A shared
        # string is never run; the quote prefix keeps it text if someone edits the cell.
        text = str(value)
        cell.value = text
        cell.data_type = "s"
        cell.quotePrefix = looks_like_formula(text)
        return text
    cell.value = value
    return str(value)
