"""Bank holidays: which days they fall on in each part of the UK, and when a booking skips them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date, timedelta
from enum import StrEnum

from service.domain.recurrence import SkipRule


class Region(StrEnum):
    """The parts of the UK with their own bank holidays (GOV.UK publishes one list each)."""

    ENGLAND_AND_WALES = "england_and_wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


HolidayName = Callable[[date, Region], str | None]
"""The bank holiday's name on a day in a region, or None (the HolidayCalendar port)."""

SUBSTITUTE = " (substitute day)"


def as_published(holidays: Mapping[date, str]) -> dict[date, str]:
    """The bank holidays as GOV.UK publishes them, from the holidays' own dates (of one year).

    A holiday that falls on a Saturday or Sunday is not a bank holiday that day: the next
    weekday that is not already one is, as its substitute day. So Boxing Day on Saturday
    26 December gives Monday 28 December, and Christmas on a Saturday with Boxing Day on the
    Sunday gives Monday 27 and Tuesday 28 December."""
    published = {day: name for day, name in holidays.items() if day.weekday() < 5}
    for day in sorted(d for d in holidays if d.weekday() >= 5):
        substitute = day
        while substitute.weekday() >= 5 or substitute in published:
            substitute += timedelta(days=1)
        published[substitute] = holidays[day] + SUBSTITUTE
    return dict(sorted(published.items()))


def bank_holiday_rule(
    region: Region,
    open_on_bank_holidays: bool,
    holiday_name: HolidayName,
    keep: Collection[date] = (),
) -> SkipRule:
    """Why a date is skipped for a bank holiday at a venue ('bank holiday: Boxing Day'), or
    None: never at a venue that opens on bank holidays, nor on a date the booking keeps."""

    def reason(day: date) -> str | None:
        if open_on_bank_holidays or day in keep:
            return None
        name = holiday_name(day, region)
        return f"bank holiday: {name}" if name else None

    return reason
