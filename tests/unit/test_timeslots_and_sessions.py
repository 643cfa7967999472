from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from service.domain.bookings import Session, SessionStatus, ensure_no_clash
from service.domain.directory import Venue, in_postcode_area, normalise_postcode
from service.domain.errors import AlreadyCancelled, BookingClash, RuleViolation
from service.domain.money import LineAmount
from service.domain.timeslots import LONDON, london_slot

VENUE = Venue("Hall", "1 Row", "BS1 1AA", "a@example.org", "b@example.org", notice_period_hours=48)


def session(day: date, start: time = time(13), end: time = time(16), buffer: int = 0) -> Session:
    slot = london_slot(day, start, end)
    margin = timedelta(minutes=buffer)
    occupied = slot.widened(margin, margin)
    return Session(1, slot, occupied, LineAmount(7500, Decimal(0), 0), series_id=7, id=70)


def test_a_1pm_group_is_1pm_in_london_either_side_of_the_clock_change() -> None:
    march = london_slot(date(2027, 3, 30), time(13), time(16))  # BST
    november = london_slot(date(2026, 11, 24), time(13), time(16))  # GMT
    assert march.start == datetime(2027, 3, 30, 12, tzinfo=UTC)
    assert november.start == datetime(2026, 11, 24, 13, tzinfo=UTC)
    assert (
        march.start.astimezone(LONDON).time()
        == november.start.astimezone(LONDON).time()
        == time(13)
    )


def test_a_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(RuleViolation, match="does not exist"):
        london_slot(date(2027, 3, 28), time(1, 30), time(3))


@pytest.mark.parametrize(("start", "end"), [(time(1, 30), time(3)), (time(0, 30), time(1, 15))])
def test_a_time_that_happens_twice_when_the_clocks_go_back_is_refused(
    start: time, end: time
) -> None:
    with pytest.raises(RuleViolation, match="happens twice on Sunday 31 October 2027"):
        london_slot(date(2027, 10, 31), start, end)


def test_times_either_side_of_the_repeated_hour_are_kept() -> None:
    slot = london_slot(date(2027, 10, 31), time(0, 30), time(2, 30))
    assert slot.start == datetime(2027, 10, 30, 23, 30, tzinfo=UTC)  # 00:30 BST
    assert slot.end == datetime(2027, 10, 31, 2, 30, tzinfo=UTC)  # 02:30 GMT: three hours


def test_buffers_make_back_to_back_bookings_clash() -> None:
    booked = session(date(2026, 12, 1), buffer=15)
    follow_on = session(date(2026, 12, 1), time(16), time(17), buffer=15)
    with pytest.raises(BookingClash) as caught:
        ensure_no_clash([follow_on], [booked])
    assert caught.value.details == {"date": "2026-12-01", "booking_id": 7, "session_id": 70}
    ensure_no_clash([session(date(2026, 12, 1), time(16, 30), time(17), buffer=15)], [booked])


def test_cancelled_sessions_do_not_clash() -> None:
    booked = session(date(2026, 12, 1))
    booked.status = SessionStatus.CANCELLED
    ensure_no_clash([session(date(2026, 12, 1))], [booked])


def test_cancelling_early_frees_and_stops_the_charge() -> None:
    s = session(date(2026, 12, 1))
    s.cancel(datetime(2026, 11, 20, 12, tzinfo=UTC), VENUE)
    assert s.status is SessionStatus.CANCELLED and not s.chargeable


def test_cancelling_inside_the_notice_period_stays_chargeable() -> None:
    s = session(date(2026, 12, 1))
    s.cancel(datetime(2026, 11, 30, 14, tzinfo=UTC), VENUE)  # 47 hours before
    assert s.status is SessionStatus.LATE_CANCELLED and s.chargeable
    with pytest.raises(AlreadyCancelled):
        s.cancel(datetime(2026, 11, 30, 15, tzinfo=UTC), VENUE)


def test_a_session_that_has_started_cannot_be_cancelled() -> None:
    with pytest.raises(RuleViolation, match="already started"):
        session(date(2026, 12, 1)).cancel(datetime(2026, 12, 1, 14, tzinfo=UTC), VENUE)


def test_postcodes_are_normalised_and_matched_by_area_or_district() -> None:
    assert normalise_postcode(" bs15  8xx") == "BS15 8XX"
    assert in_postcode_area("BS15 8XX", "bs") and in_postcode_area("BS15 8XX", "BS15")
    assert not in_postcode_area("BS15 8XX", "BS1")
    with pytest.raises(RuleViolation):
        normalise_postcode("not a postcode")
