"""Fakes of ports that cannot be real in a test: the clock and the bank-holiday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


class FrozenClock:
    def __init__(self, now: datetime = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class FixedHolidays:
    def __init__(self, days: dict[date, str] | None = None) -> None:
        self.days = days or {}

    def holiday_name(self, day: date) -> str | None:
        name = self.days.get(day)
        return f"bank holiday: {name}" if name else None
