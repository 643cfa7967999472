"""Which dates count as bank holidays, and when a booking skips them: pure rules, no I/O."""

from datetime import UTC, date, datetime, time

import pytest

from service.domain.bank_holidays import Region, as_published, bank_holiday_rule
from service.domain.bookings import BookingRequest, new_series
from service.domain.directory import Closure, Room, VatTreatment, Venue
from service.domain.errors import RuleViolation
from service.domain.recurrence import Frequency, Recurrence
from tests.fakes import FixedHolidays

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
ROOM = Room(1, "Hall", 20, True, 2500, VatTreatment.EXEMPT, id=7)


def venue(**changes: object) -> Venue:
    fields: dict[str, object] = {
        "name": "Hall",
        "address": "1 Row",
        "postcode": "BS1 1AA",
        "contact_email": "h@example.org",
        "remittance_email": "m@example.org",
        "id": 1,
        **changes,
    }
    return Venue(**fields)  # type: ignore[arg-type]


def test_a_holiday_on_a_saturday_counts_on_the_monday_and_not_the_saturday() -> None:
    published = as_published(
        {date(2026, 12, 25): "Christmas Day", date(2026, 12, 26): "Boxing Day"}
    )
    assert published == {
        date(2026, 12, 25): "Christmas Day",  # a Friday
        date(2026, 12, 28): "Boxing Day (substitute day)",  # Monday
    }


def test_christmas_on_a_saturday_and_boxing_day_on_the_sunday_move_to_monday_and_tuesday() -> None:
    published = as_published(
        {date(2027, 12, 25): "Christmas Day", date(2027, 12, 26): "Boxing Day"}
    )
    assert published == {
        date(2027, 12, 27): "Christmas Day (substitute day)",
        date(2027, 12, 28): "Boxing Day (substitute day)",
    }


def test_a_substitute_skips_a_weekday_that_is_already_a_bank_holiday() -> None:
    # Scotland 2023: New Year's Day a Sunday, 2 January a Monday (a bank holiday itself).
    published = as_published({date(2023, 1, 1): "New Year's Day", date(2023, 1, 2): "2 January"})
    assert published == {
        date(2023, 1, 2): "2 January",
        date(2023, 1, 3): "New Year's Day (substitute day)",
    }


def test_weekday_holidays_are_kept_as_they_are() -> None:
    days = {date(2027, 3, 17): "Saint Patrick's Day", date(2027, 7, 12): "Battle of the Boyne"}
    assert as_published(days) == days


def lookup(day: date, region: Region) -> str | None:
    holidays = {
        Region.ENGLAND_AND_WALES: {date(2027, 8, 30): "Late Summer Bank Holiday"},
        Region.SCOTLAND: {date(2027, 8, 2): "Summer Bank Holiday"},
        Region.NORTHERN_IRELAND: {date(2027, 7, 12): "Battle of the Boyne"},
    }
    return holidays[region].get(day)


def test_the_rule_asks_for_the_venues_region_and_names_the_holiday() -> None:
    scottish = bank_holiday_rule(Region.SCOTLAND, False, lookup)
    assert scottish(date(2027, 8, 2)) == "bank holiday: Summer Bank Holiday"
    assert scottish(date(2027, 8, 30)) is None
    english = bank_holiday_rule(Region.ENGLAND_AND_WALES, False, lookup)
    assert english(date(2027, 8, 30)) == "bank holiday: Late Summer Bank Holiday"
    assert english(date(2027, 8, 2)) is None


def test_a_venue_open_on_bank_holidays_skips_none_and_a_kept_date_is_not_skipped() -> None:
    assert bank_holiday_rule(Region.SCOTLAND, True, lookup)(date(2027, 8, 2)) is None
    kept = bank_holiday_rule(Region.SCOTLAND, False, lookup, keep={date(2027, 8, 2)})
    assert kept(date(2027, 8, 2)) is None


def request(first: date, count: int, keep: set[date] | None = None) -> BookingRequest:
    return BookingRequest(
        room_id=7,
        facilitator_id=3,
        group_label="Monday group",
        recurrence=Recurrence(first, Frequency.WEEKLY, count=count),
        start_time=time(13),
        end_time=time(16),
        keep_bank_holidays=frozenset(keep or ()),
    )


HOLIDAYS = FixedHolidays(
    regions={
        Region.ENGLAND_AND_WALES: {date(2027, 8, 30): "Late Summer Bank Holiday"},
        Region.SCOTLAND: {date(2027, 8, 2): "Summer Bank Holiday"},
    }
)


def test_a_series_skips_the_bank_holidays_of_its_venues_region_only() -> None:
    scottish = venue(region=Region.SCOTLAND)
    series = new_series(request(date(2027, 7, 26), 2), ROOM, scottish, HOLIDAYS.holiday_name, NOW)
    assert [s.local_date for s in series.sessions] == [date(2027, 7, 26), date(2027, 8, 9)]
    assert [(s.day, s.reason) for s in series.skipped] == [
        (date(2027, 8, 2), "bank holiday: Summer Bank Holiday")
    ]
    english = new_series(request(date(2027, 7, 26), 2), ROOM, venue(), HOLIDAYS.holiday_name, NOW)
    assert [s.local_date for s in english.sessions] == [date(2027, 7, 26), date(2027, 8, 2)]
    assert english.skipped == []


def test_a_venue_open_on_bank_holidays_books_them() -> None:
    open_venue = venue(region=Region.SCOTLAND, open_on_bank_holidays=True)
    series = new_series(request(date(2027, 8, 2), 1), ROOM, open_venue, HOLIDAYS.holiday_name, NOW)
    assert [s.local_date for s in series.sessions] == [date(2027, 8, 2)] and not series.skipped


def test_a_kept_bank_holiday_is_booked_and_the_others_are_still_skipped() -> None:
    holidays = FixedHolidays({date(2027, 8, 2): "Summer", date(2027, 8, 9): "Made up"})
    keep = {date(2027, 8, 9)}
    series = new_series(
        request(date(2027, 8, 2), 2, keep), ROOM, venue(), holidays.holiday_name, NOW
    )
    assert [s.local_date for s in series.sessions] == [date(2027, 8, 9), date(2027, 8, 16)]
    assert [s.day for s in series.skipped] == [date(2027, 8, 2)]


def test_keeping_a_date_the_series_does_not_fall_on_is_refused_naming_it() -> None:
    with pytest.raises(RuleViolation) as refused:
        new_series(
            request(date(2027, 8, 2), 2, {date(2027, 8, 3)}),
            ROOM,
            venue(),
            HOLIDAYS.holiday_name,
            NOW,
        )
    assert refused.value.message == (
        "Only this booking's own dates can be kept on a bank holiday, and it doesn't fall on "
        "Tuesday 3 August 2027."
    )
    assert refused.value.details == {"field": "keep_bank_holidays", "dates": ["2027-08-03"]}


def test_a_closure_wins_over_a_kept_bank_holiday() -> None:
    closed = venue(closures=[Closure(date(2027, 8, 30), "Flooded")])
    keep = {date(2027, 8, 30)}
    series = new_series(
        request(date(2027, 8, 23), 2, keep), ROOM, closed, HOLIDAYS.holiday_name, NOW
    )
    assert [s.local_date for s in series.sessions] == [date(2027, 8, 23), date(2027, 9, 6)]
    assert [(s.day, s.reason) for s in series.skipped] == [
        (date(2027, 8, 30), "venue closed: Flooded")
    ]
