from datetime import date

import pytest

from service.domain.errors import RuleViolation
from service.domain.recurrence import Frequency, Recurrence, plan

CHRISTMAS = {date(2026, 12, 22), date(2026, 12, 29)}  # two Tuesdays to skip


def closed(day: date) -> str | None:
    return "closed" if day in CHRISTMAS else None


def test_weekly_series_keeps_its_count_by_running_on_past_skipped_dates() -> None:
    days, skipped = plan(Recurrence(date(2026, 12, 8), Frequency.WEEKLY, count=6), closed)
    assert days == [
        date(2026, 12, 8),
        date(2026, 12, 15),
        date(2027, 1, 5),
        date(2027, 1, 12),
        date(2027, 1, 19),
        date(2027, 1, 26),
    ]
    assert [s.day for s in skipped] == sorted(CHRISTMAS)


def test_series_can_drop_skipped_dates_instead() -> None:
    r = Recurrence(date(2026, 12, 8), Frequency.WEEKLY, count=6, keep_count=False)
    days, skipped = plan(r, closed)
    assert len(days) == 4 and len(skipped) == 2 and days[-1] == date(2027, 1, 12)


def test_fortnightly_until_a_date_includes_that_date() -> None:
    days, _ = plan(
        Recurrence(date(2027, 1, 5), Frequency.FORTNIGHTLY, until=date(2027, 2, 16)), closed
    )
    assert days == [date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 2), date(2027, 2, 16)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frequency": Frequency.WEEKLY},
        {"frequency": Frequency.WEEKLY, "count": 3, "until": date(2027, 3, 1)},
        {"frequency": Frequency.WEEKLY, "count": 0},
        {"frequency": Frequency.WEEKLY, "until": date(2026, 1, 1)},
        {"frequency": Frequency.ONCE, "count": 2},
        {"frequency": Frequency.WEEKLY, "until": date(2030, 1, 1)},
    ],
)
def test_malformed_recurrences_are_refused(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(RuleViolation):
        Recurrence(date(2026, 12, 8), **kwargs)


def test_a_single_booking_on_a_closed_day_is_refused() -> None:
    with pytest.raises(RuleViolation, match="bank holiday or a venue closure"):
        plan(Recurrence(date(2026, 12, 22)), closed)
