"""Fakes of ports that cannot be real in a test: the clock and the bank-holiday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from service.domain.bank_holidays import Region


class FrozenClock:
    def __init__(self, now: datetime = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class FixedHolidays:
    """The same bank holidays in every region, unless `regions` gives a region its own."""

    def __init__(
        self,
        days: dict[date, str] | None = None,
        regions: dict[Region, dict[date, str]] | None = None,
    ) -> None:
        self.days = days or {}
        self.regions = regions or {}

    def holiday_name(self, day: date, region: Region) -> str | None:
        return self.regions.get(region, self.days).get(day)
