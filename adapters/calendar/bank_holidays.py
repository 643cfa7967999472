"""England and Wales bank holidays from the `holidays` package."""

from __future__ import annotations

from datetime import date

import holidays


class EnglandBankHolidays:
    def __init__(self) -> None:
        self._calendar = holidays.country_holidays("GB", subdiv="ENG")

    def holiday_name(self, day: date) -> str | None:
        name = self._calendar.get(day)
        return f"bank holiday: {name}" if name else None
