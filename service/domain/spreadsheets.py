"""Tables for people who use spreadsheets: CSV that is safe to open."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A spreadsheet runs a cell starting = + - @ (or tab, CR) as a formula: quote it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_csv(rows: Iterable[Sequence[object]]) -> str:
    """The rows (the first being the header) as CSV with CRLF line ends, every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
