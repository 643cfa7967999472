"""Invoicing rules by the calendar: a month is invoiced once it has ended in London time (one
booking and month, one invoice), and the tax point follows HMRC's 14-day rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from service.domain.bookings import BookingRequest, BookingSeries, new_series
from service.domain.invoicing import due_drafts, tax_point
from service.domain.recurrence import Frequency, Recurrence
from service.domain.timeslots import london_instant
from tests.unit.builders import ROOM, VENUE


def series_ending_on_the_31st() -> BookingSeries:
    request = BookingRequest(
        room_id=1,
        facilitator_id=1,
        group_label="Wednesday group",
        recurrence=Recurrence(date(2027, 3, 3), Frequency.WEEKLY, count=5),  # 3..31 March
        start_time=time(13),
        end_time=time(16),
    )
    series = new_series(request, ROOM, VENUE, lambda *_: None, datetime(2027, 2, 1, tzinfo=UTC))
    for n, session in enumerate(series.sessions, start=1):
        session.id = n
    return series


def drafts_at(now: datetime, through: date) -> list[list[date]]:
    series = series_ending_on_the_31st()
    return [[s.local_date for s in d.sessions] for d in due_drafts(series, set(), through, now)]


def test_a_run_on_the_last_morning_of_the_month_invoices_nothing_of_it() -> None:
    assert drafts_at(london_instant(date(2027, 3, 31), time(10)), date(2027, 3, 31)) == []


def test_a_run_after_the_last_session_but_before_midnight_waits_too() -> None:
    assert drafts_at(london_instant(date(2027, 3, 31), time(17)), date(2027, 3, 31)) == []


def test_once_the_month_has_ended_in_london_it_is_one_invoice() -> None:
    (march,) = drafts_at(london_instant(date(2027, 4, 1), time(0, 5)), date(2027, 3, 31))
    assert march == [date(2027, 3, d) for d in (3, 10, 17, 24, 31)]


def test_through_before_the_month_end_keeps_the_month_back() -> None:
    assert drafts_at(london_instant(date(2027, 4, 2), time(9)), date(2027, 3, 30)) == []


def test_the_tax_point_follows_hmrcs_14_day_rule() -> None:
    last = date(2027, 3, 31)
    assert tax_point(date(2027, 4, 14), last) == date(2027, 4, 14)  # 14 days: invoice date
    assert tax_point(date(2027, 4, 15), last) == last  # later: the last session's date
    assert tax_point(last, last) == last
