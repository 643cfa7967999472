"""The bank-holiday adapter over the `holidays` package, against the dates GOV.UK publishes."""

from datetime import date, timedelta

import holidays
import pytest

from adapters.calendar.bank_holidays import UkBankHolidays
from service.domain.bank_holidays import Region

CALENDAR = UkBankHolidays()
E, S, N = Region.ENGLAND_AND_WALES, Region.SCOTLAND, Region.NORTHERN_IRELAND


def year(region: Region, number: int) -> dict[date, str]:
    days = (date(number, 1, 1) + timedelta(days=n) for n in range(366))
    named = {day: CALENDAR.holiday_name(day, region) for day in days if day.year == number}
    return {day: name for day, name in named.items() if name}


# https://www.gov.uk/bank-holidays (dates as published for each part of the UK)
PUBLISHED = {
    (E, 2026): [
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
        "2026-12-25", "2026-12-28",
    ],
    (E, 2027): [
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
        "2027-12-27", "2027-12-28",
    ],
    (N, 2026): [
        "2026-01-01", "2026-03-17", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
        "2026-07-13", "2026-08-31", "2026-12-25", "2026-12-28",
    ],
    (N, 2027): [
        "2027-01-01", "2027-03-17", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
        "2027-07-12", "2027-08-30", "2027-12-27", "2027-12-28",
    ],
    (S, 2027): [
        "2027-01-01", "2027-01-04", "2027-03-26", "2027-05-03", "2027-05-31", "2027-08-02",
        "2027-11-30", "2027-12-27", "2027-12-28",
    ],
}  # fmt: skip


@pytest.mark.parametrize(("region", "number"), list(PUBLISHED))
def test_the_bank_holidays_of_a_year_are_the_published_dates(region: Region, number: int) -> None:
    assert [d.isoformat() for d in year(region, number)] == PUBLISHED[(region, number)]


def test_scotland_2026_has_its_own_days_and_no_easter_monday() -> None:
    scotland = year(S, 2026)
    assert {
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 4, 3),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 3),  # the first Monday in August
        date(2026, 11, 30),  # St Andrew's Day, a Monday
        date(2026, 12, 25),
        date(2026, 12, 28),
    } <= set(scotland)
    assert date(2026, 4, 6) not in scotland and date(2026, 8, 31) not in scotland
    assert scotland[date(2026, 11, 30)] == "Saint Andrew's Day"


def test_a_weekend_holiday_counts_on_its_substitute_weekday_only_and_says_so() -> None:
    assert CALENDAR.holiday_name(date(2026, 12, 26), E) is None  # Boxing Day, a Saturday
    assert CALENDAR.holiday_name(date(2026, 12, 28), E) == "Boxing Day (substitute day)"
    assert CALENDAR.holiday_name(date(2027, 12, 25), E) is None
    assert CALENDAR.holiday_name(date(2027, 12, 26), E) is None
    assert CALENDAR.holiday_name(date(2027, 12, 27), E) == "Christmas Day (substitute day)"
    assert CALENDAR.holiday_name(date(2027, 1, 2), S) is None  # 2 January, a Saturday
    assert CALENDAR.holiday_name(date(2027, 1, 4), S) == "New Year Holiday (substitute day)"
    assert CALENDAR.holiday_name(date(2026, 7, 12), N) is None  # a Sunday
    assert CALENDAR.holiday_name(date(2026, 7, 13), N) == "Battle of the Boyne (substitute day)"


def test_one_off_bank_holidays_count_where_they_were_proclaimed() -> None:
    assert CALENDAR.holiday_name(date(2020, 5, 8), E) is not None  # VE Day: May's was moved
    assert CALENDAR.holiday_name(date(2020, 5, 4), E) is None
    assert CALENDAR.holiday_name(date(2022, 9, 19), S) is not None  # the Queen's funeral
    assert CALENDAR.holiday_name(date(2022, 12, 27), E) == "Christmas Day (substitute day)"
    assert CALENDAR.holiday_name(date(2022, 12, 26), E) == "Boxing Day"


@pytest.mark.parametrize("region", list(Region))
def test_no_weekend_day_counts_and_the_weekdays_match_the_packages_own_substitutes(
    region: Region,
) -> None:
    subdivision = {E: "ENG", S: "SCT", N: "NIR"}[region]
    for number in range(1990, 2051):
        ours = year(region, number)
        theirs = holidays.country_holidays("GB", subdiv=subdivision, years=number)
        assert all(day.weekday() < 5 for day in ours), number
        assert set(ours) == {day for day in theirs if day.weekday() < 5}, number
