"""What a venue is told of its bookings, as calendar invitations (iTIP, RFC 5546) its own
calendar keeps itself up to date from: one event per booking series, its UID never changing
and its SEQUENCE rising with every change. A new or changed series is a REQUEST with the whole
series as it now stands (a weekly or fortnightly rule, the dates it doesn't meet excluded); a
cancelled session is a CANCEL of that occurrence, and a series with nothing left booked a
CANCEL of the whole event. Never the group's label: a venue sees room hire, not the group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from service.domain.bookings import BookingSeries, Session, SessionStatus
from service.domain.directory import Room, Venue
from service.domain.recurrence import Frequency
from service.domain.timeslots import LONDON, Interval, london_slot, spoken_date, time_range, when


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of the series, known by where the rule put it (`recurrence_id`), and
    where it is: moved elsewhere, or called off."""

    recurrence_id: datetime
    slot: Interval
    location: str


@dataclass(frozen=True)
class Invitation:
    """One iTIP message about one booking series. For a REQUEST, `first` is the series'
    first date on its rule, `repeat` the rule's step (None: once), `until` the start of the
    last occurrence booked, `excluded` the starts of dates on the rule not booked and `moved`
    the occurrences booked elsewhere than the rule says; for a CANCEL, `cancelled` the
    occurrences called off, or empty for the whole."""

    method: Method
    uid: str
    sequence: int
    summary: str
    location: str
    description: str
    organizer: str
    attendee: str
    stamp: datetime
    first: Interval
    repeat: timedelta | None = None
    until: datetime | None = None
    excluded: tuple[datetime, ...] = ()
    moved: tuple[Occurrence, ...] = ()
    cancelled: tuple[Occurrence, ...] = ()


@dataclass(frozen=True)
class Notice:
    """The invitation and the words of the email it goes in."""

    invitation: Invitation
    subject: str
    lines: tuple[str, ...]  # what happened in a sentence, then the details a line each

    @property
    def topic(self) -> str:
        """One email per change of a series: its UID and sequence."""
        return f"{self.invitation.uid} #{self.invitation.sequence}"


def booking_uid(series_id: int) -> str:
    return f"roomhire-booking-{series_id}"


def booked(
    series: BookingSeries,
    rooms: Mapping[int, Room],
    venue: Venue,
    trust: str,
    *,
    organizer: str,
    sequence: int,
    now: datetime,
) -> Notice:
    """The series as it now stands, for a new booking (sequence 0) or a change: the rule,
    the dates on it not booked excluded, the sessions moved as occurrences of their own."""
    sessions = [s for s in series.sessions if s.status is SessionStatus.BOOKED]
    assert sessions, "a series with nothing booked is cancelled, not requested"
    room = rooms[series.room_id]
    frequency = series.recurrence.frequency
    repeat = None if frequency is Frequency.ONCE else frequency.step
    first_day = min(s.occurrence for s in series.sessions).astimezone(LONDON).date()
    first = london_slot(first_day, series.start_time, series.end_time)
    moved = [s for s in sessions if s.recurrence_start is not None] if repeat else []
    held = {s.occurrence for s in sessions}
    last = max(held)
    rule: list[datetime] = []
    day = first_day
    while (
        repeat is not None
        and (start := london_slot(day, series.start_time, series.end_time).start) <= last
    ):
        rule.append(start)
        day += repeat
    if repeat is None:  # a single booking: the one session, wherever it is now
        first, room = sessions[0].slot, rooms[sessions[0].room_id]
    invitation = Invitation(
        Method.REQUEST,
        booking_uid(series.id or 0),
        sequence,
        _summary(room),
        _location(room, venue),
        f"Booked through Roomhire for {trust} (booking {series.id}).",
        organizer,
        venue.contact_email,
        now,
        first,
        repeat,
        last if repeat else None,
        tuple(start for start in rule if start not in held),
        tuple(_occurrence(s, rooms[s.room_id], venue) for s in moved),
    )
    change = "New booking" if sequence == 0 else "Booking changed"
    dates = [spoken_date(s.slot.start) for s in sessions]
    return Notice(
        invitation,
        f"{change}: {room.name}, {_sessions(len(sessions))} from {dates[0]}",
        (
            f"{trust} has {'booked' if sequence == 0 else 'changed a booking of'} a room at "
            f"{venue.name} through Roomhire.",
            f"Room: {room.name}",
            f"Time: {time_range(series.start_time, series.end_time)}",
            f"Booked for: {trust}",
            f"{_sessions(len(sessions)).capitalize()}: {', '.join(dates)}",
            *(
                f"Moved: the session of {spoken_date(s.occurrence)} is on "
                f"{when(s.slot.start, s.slot.end)}, {rooms[s.room_id].name}"
                for s in moved
            ),
        ),
    )


def cancelled(
    series: BookingSeries,
    rooms: Mapping[int, Room],
    venue: Venue,
    trust: str,
    called_off: list[Session],
    *,
    organizer: str,
    sequence: int,
    now: datetime,
) -> Notice:
    """Sessions called off: those occurrences, or the whole series when none is left."""
    whole = not any(s.status is SessionStatus.BOOKED for s in series.sessions)
    room = rooms[series.room_id]
    first_day = min(s.occurrence for s in series.sessions).astimezone(LONDON).date()
    invitation = Invitation(
        Method.CANCEL,
        booking_uid(series.id or 0),
        sequence,
        _summary(room),
        _location(room, venue),
        f"Cancelled through Roomhire for {trust} (booking {series.id}).",
        organizer,
        venue.contact_email,
        now,
        london_slot(first_day, series.start_time, series.end_time),
        cancelled=()
        if whole
        else tuple(_occurrence(s, rooms[s.room_id], venue) for s in called_off),
    )
    times = [when(s.slot.start, s.slot.end) for s in called_off]
    return Notice(
        invitation,
        f"Cancelled: {room.name}, {_sessions(len(called_off))} from "
        f"{spoken_date(called_off[0].slot.start)}",
        (
            f"{trust} has cancelled {_sessions(len(called_off))} booked at {venue.name} through "
            "Roomhire.",
            f"Room: {room.name}",
            f"Booked for: {trust}",
            *(f"Cancelled: {t}" for t in times),
            *(("No session of this booking is left.",) if whole else ()),
        ),
    )


def _occurrence(session: Session, room: Room, venue: Venue) -> Occurrence:
    return Occurrence(session.occurrence, session.slot, _location(room, venue))


def _summary(room: Room) -> str:
    return f"Room hire: {room.name}"


def _location(room: Room, venue: Venue) -> str:
    return f"{room.name}, {venue.name}, {venue.address}, {venue.postcode}"


def _sessions(count: int) -> str:
    return f"{count} session{'' if count == 1 else 's'}"
