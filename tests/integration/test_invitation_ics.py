"""Calendar invitations as iTIP messages, read back by an independent RFC 5545 parser
(vobject, which expands the rule with dateutil): the dates a venue's calendar shows are the
sessions booked, at their London times on either side of the clocks changing; one UID, the
SEQUENCE given, and a CANCEL naming the occurrences called off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from adapters.calendar.ics import IcsWriter
from service.domain.bookings import BookingSeries, SessionStatus
from service.domain.recurrence import Frequency, Recurrence, Skipped
from service.domain.timeslots import london_instant
from service.domain.venue_invitations import booked, cancelled
from tests.unit.builders import ROOM, VENUE, a_session

ROOMS = {ROOM.id or 0: ROOM}

vobject = pytest.importorskip("vobject")
NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)
# Fortnightly Tuesdays over both clock changes of 2027 (28 March, 31 October); 27 April a
# bank holiday skipped in this made-up venue's calendar, and one made up at the end.
DAYS = [date(2027, 3, 16), date(2027, 3, 30), date(2027, 4, 13), date(2027, 5, 11)]
AUTUMN = [date(2027, 10, 19), date(2027, 11, 2)]


def series(days: list[date]) -> BookingSeries:
    return BookingSeries(
        room_id=ROOM.id or 0,
        facilitator_id=3,
        group_label="Tuesday group",
        recurrence=Recurrence(days[0], Frequency.FORTNIGHTLY, count=len(days)),
        start_time=time(13),
        end_time=time(16),
        created_at=NOW,
        sessions=[a_session(day, id=n, series_id=7) for n, day in enumerate(days, start=1)],
        skipped=[Skipped(date(2027, 4, 27), "bank holiday: made up")],
        id=7,
    )


def parsed(ics: bytes) -> Any:
    return vobject.readOne(ics.decode())


def occurrences(event: Any) -> list[datetime]:
    return [d.astimezone(UTC) for d in event.getrruleset(addRDate=True)]


@pytest.mark.parametrize("days", [DAYS, AUTUMN])
def test_the_calendar_shows_exactly_the_sessions_booked(days: list[date]) -> None:
    s = series(days)
    s.sessions[1].status = SessionStatus.CANCELLED
    notice = booked(s, ROOMS, VENUE, "Trust", organizer="r@x.org", sequence=4, now=NOW)
    calendar = parsed(IcsWriter().invitation(notice.invitation))
    assert calendar.method.value == "REQUEST"
    (event,) = calendar.vevent_list
    assert (event.uid.value, event.sequence.value) == ("roomhire-booking-7", "4")
    wanted = [london_instant(d, time(13)) for n, d in enumerate(days) if n != 1]
    assert occurrences(event) == wanted
    assert event.dtend.value - event.dtstart.value == london_instant(
        days[0], time(16)
    ) - london_instant(days[0], time(13))
    assert event.organizer.value == "mailto:r@x.org"
    assert event.attendee.value == f"mailto:{VENUE.contact_email}"


def test_a_cancel_names_each_occurrence_called_off_by_its_recurrence_id() -> None:
    s = series(DAYS)
    for session in s.sessions[2:]:
        session.status = SessionStatus.CANCELLED
    off = s.sessions[2:]
    notice = cancelled(s, ROOMS, VENUE, "Trust", off, organizer="r@x.org", sequence=5, now=NOW)
    calendar = parsed(IcsWriter().invitation(notice.invitation))
    assert calendar.method.value == "CANCEL"
    events = calendar.vevent_list
    assert {e.uid.value for e in events} == {"roomhire-booking-7"}
    assert [e.recurrence_id.value.astimezone(UTC) for e in events] == [
        london_instant(d, time(13)) for d in DAYS[2:]
    ]
    assert {e.sequence.value for e in events} == {"5"} and {e.status.value for e in events} == {
        "CANCELLED"
    }


def test_cancelling_what_is_left_cancels_the_whole_event() -> None:
    s = series(DAYS)
    for session in s.sessions:
        session.status = SessionStatus.CANCELLED
    notice = cancelled(
        s, ROOMS, VENUE, "Trust", s.sessions, organizer="r@x.org", sequence=1, now=NOW
    )
    (event,) = parsed(IcsWriter().invitation(notice.invitation)).vevent_list
    assert event.status.value == "CANCELLED" and not hasattr(event, "recurrence_id")
    assert event.uid.value == "roomhire-booking-7"
