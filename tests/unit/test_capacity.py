"""A booking states how many people it expects; a room that holds fewer is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from service.domain.bookings import BookingRequest, new_series
from service.domain.errors import RoomTooSmall
from service.domain.recurrence import Frequency, Recurrence
from tests.fakes import FixedHolidays
from tests.unit.builders import ROOM, VENUE

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def planned(people: int | None) -> list[date]:
    request = BookingRequest(
        room_id=ROOM.id or 0,
        facilitator_id=3,
        group_label="Tuesday group",
        recurrence=Recurrence(date(2026, 12, 1), Frequency.WEEKLY, count=2),
        start_time=time(13),
        end_time=time(16),
        expected_people=people,
    )
    series = new_series(request, ROOM, VENUE, FixedHolidays().holiday_name, NOW)
    assert series.expected_people == people
    return [s.local_date for s in series.sessions]


@pytest.mark.parametrize("people", [None, 1, 20])
def test_a_room_that_holds_them_is_booked(people: int | None) -> None:
    assert planned(people) == [date(2026, 12, 1), date(2026, 12, 8)]


def test_one_more_than_the_room_holds_is_refused_naming_both() -> None:
    with pytest.raises(RoomTooSmall) as refused:
        planned(21)
    assert refused.value.message == "Main hall holds 20 people; this booking expects 21."
    assert refused.value.details == {"field": "expected_people", "capacity": 20}
    assert refused.value.code == "room_too_small"
