"""What a venue's calendar is told: the series as one event with its rule and the dates it
skips, each change a higher SEQUENCE, cancellations by occurrence or of the whole; never the
group's label."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from service.domain.bookings import BookingSeries, SessionStatus
from service.domain.recurrence import Frequency, Recurrence, Skipped
from service.domain.timeslots import london_instant
from service.domain.venue_invitations import (
    Method,
    Notice,
    Occurrence,
    booked,
    booking_uid,
    cancelled,
)
from tests.unit.builders import ROOM, VENUE, a_session

ROOMS = {ROOM.id or 0: ROOM}

NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)
LABEL = "Tuesday dual diagnosis group"
# Tuesdays across the clocks going forward (28 March 2027); 30 March skipped for a closure.
DAYS = [date(2027, 3, 16), date(2027, 3, 23), date(2027, 4, 6), date(2027, 4, 13)]


def series(frequency: Frequency = Frequency.WEEKLY) -> BookingSeries:
    sessions = [a_session(day, id=n, series_id=12) for n, day in enumerate(DAYS, start=1)]
    return BookingSeries(
        room_id=ROOM.id or 0,
        facilitator_id=3,
        group_label=LABEL,
        recurrence=Recurrence(DAYS[0], frequency, count=None if frequency is Frequency.ONCE else 4),
        start_time=time(13),
        end_time=time(16),
        created_at=NOW,
        trust_id=3,
        sessions=sessions,
        skipped=[Skipped(date(2027, 3, 30), "venue closed: roof")],
        id=12,
    )


def request(s: BookingSeries, sequence: int = 0) -> Notice:
    return booked(
        s, ROOMS, VENUE, "Severnvale MH Trust", organizer="r@x.org", sequence=sequence, now=NOW
    )


def test_a_new_series_is_one_weekly_event_without_the_dates_it_skips() -> None:
    notice = request(series())
    invite = notice.invitation
    assert (invite.method, invite.uid, invite.sequence) == (Method.REQUEST, booking_uid(12), 0)
    assert invite.first.start == london_instant(DAYS[0], time(13))  # 13:00 GMT
    assert invite.repeat == timedelta(weeks=1)
    assert invite.until == london_instant(DAYS[-1], time(13))  # 13:00 BST, 12:00 UTC
    assert invite.excluded == (london_instant(date(2027, 3, 30), time(13)),)
    assert invite.attendee == VENUE.contact_email and invite.organizer == "r@x.org"
    assert notice.subject == "New booking: Main hall, 4 sessions from Tuesday 16 March 2027"
    assert notice.lines[0] == "Severnvale MH Trust has booked a room at Hall through Roomhire."
    assert "Time: 1pm to 4pm" in notice.lines
    assert notice.topic == "roomhire-booking-12 #0"


def test_a_fortnightly_series_steps_two_weeks_and_a_single_booking_has_no_rule() -> None:
    fortnightly = series(Frequency.FORTNIGHTLY)
    fortnightly.sessions = [fortnightly.sessions[0], fortnightly.sessions[3]]  # 16 Mar, 13 Apr
    invite = request(fortnightly).invitation
    assert invite.repeat == timedelta(weeks=2)
    assert invite.excluded == (london_instant(date(2027, 3, 30), time(13)),)
    once = series(Frequency.ONCE)
    once.sessions = once.sessions[:1]
    single = request(once).invitation
    assert (single.repeat, single.until, single.excluded) == (None, None, ())


def test_a_change_is_the_next_sequence_and_a_cancelled_date_is_excluded() -> None:
    changed = series()
    changed.sessions[1].status = SessionStatus.CANCELLED
    notice = request(changed, sequence=3)
    assert notice.invitation.sequence == 3 and notice.subject.startswith("Booking changed:")
    assert notice.invitation.excluded == (
        london_instant(DAYS[1], time(13)),
        london_instant(date(2027, 3, 30), time(13)),
    )


def test_a_cancelled_session_cancels_that_occurrence_and_the_last_cancels_the_event() -> None:
    s = series()
    s.sessions[2].status = SessionStatus.LATE_CANCELLED
    one = cancelled(
        s,
        ROOMS,
        VENUE,
        "Severnvale MH Trust",
        [s.sessions[2]],
        organizer="r@x.org",
        sequence=1,
        now=NOW,
    )
    assert one.invitation.method is Method.CANCEL and one.invitation.uid == booking_uid(12)
    assert one.invitation.cancelled == (
        Occurrence(s.sessions[2].slot.start, s.sessions[2].slot, "Main hall, Hall, 1 Row, BS5 9XX"),
    )
    assert one.lines[-1] == "Cancelled: Tuesday 6 April 2027, 1pm to 4pm"
    for session in s.sessions:
        session.status = SessionStatus.CANCELLED
    rest = [s.sessions[0], s.sessions[1], s.sessions[3]]
    whole = cancelled(
        s, ROOMS, VENUE, "Severnvale MH Trust", rest, organizer="r@x.org", sequence=2, now=NOW
    )
    assert whole.invitation.cancelled == () and whole.invitation.sequence == 2
    assert whole.lines[-1] == "No session of this booking is left."
    assert whole.subject == "Cancelled: Main hall, 3 sessions from Tuesday 16 March 2027"


def test_the_group_label_is_never_in_what_the_venue_is_told() -> None:
    s = series()
    for notice in (
        request(s),
        cancelled(s, ROOMS, VENUE, "T", s.sessions[:1], organizer="r@x.org", sequence=1, now=NOW),
    ):
        told = [
            notice.subject,
            *notice.lines,
            notice.invitation.summary,
            notice.invitation.description,
            notice.invitation.location,
        ]
        assert not any("dual diagnosis" in text or LABEL in text for text in told)
