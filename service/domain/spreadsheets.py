"""Tables for people who use spreadsheets: CSV that is safe to open."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Money:
    """A sum of money in a table: pounds and pence as plain text in CSV ("1234.50"), a number
    in pounds with a £ format in a workbook."""

    pence: int

    @property
    def pounds(self) -> Decimal:
        return Decimal(self.pence) / 100

    def __str__(self) -> str:
        sign = "-" if self.pence < 0 else ""
        return f"{sign}{abs(self.pence) // 100}.{abs(self.pence) % 100:02d}"


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def safe_cell(value: object) -> str:
    """A spreadsheet runs a cell starting = + - @ (or tab, CR) as a formula: quote it."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def as_csv(rows: Iterable[Sequence[object]]) -> str:
    """The rows (the first being the header) as CSV with CRLF line ends, every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
