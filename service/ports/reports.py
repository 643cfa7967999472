"""Reports in the formats people open them in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Spreadsheets(Protocol):
    def workbook(self, sheet: str, rows: Sequence[Sequence[object]]) -> bytes:
        """An Excel workbook (.xlsx) of one sheet named `sheet`: the first row is the header
        (bold, frozen), Money in pounds with a £ format, other numbers as numbers, None as
        an empty cell, and everything else as text that is never run as a formula."""
        ...
