"""NHS financial years: 1 April to 31 March, named by both calendar years ("2026-27")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

APRIL = 4
EARLIEST, LATEST = 2000, 2099  # the years Roomhire's dates may be in (api.fields)


class NotAFinancialYear(ValueError):
    """Text that names no financial year Roomhire can report on; the message is for a person."""


@dataclass(frozen=True, order=True)
class FinancialYear:
    start: int  # the calendar year it begins in: 2026 for 1 April 2026 to 31 March 2027

    @classmethod
    def of(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= APRIL else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """ "2026" or "2026-27", as a person or a query string gives it."""
        start, dash, end = text.strip().partition("-")
        if start.isascii() and start.isdigit() and len(start) == 4:
            year = cls(int(start))
            if EARLIEST <= year.start <= LATEST and (not dash or end == year.label[5:]):
                return year
        raise NotAFinancialYear(
            f"Choose a financial year from {EARLIEST} to {LATEST}, such as 2026 (for 2026-27)."
        )

    @property
    def label(self) -> str:
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.start, APRIL, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, APRIL - 1, 31)

    @property
    def months(self) -> tuple[date, ...]:
        """The first day of each month, April to March."""
        return tuple(
            date(self.start + (month < APRIL), month, 1)
            for month in (*range(APRIL, 13), *range(1, APRIL))
        )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return self.label
