"""Booking series and their sessions, and the calendars they are planned by and shown in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from service.domain.bank_holidays import Region
from service.domain.bookings import BookingSeries, Session, SessionLine
from service.domain.calendar import CalendarEntry
from service.domain.timeslots import Interval
from service.domain.venue_invitations import Invitation
from service.domain.venue_status import VenueBooking


class BookingRepository(Protocol):
    def add(self, series: BookingSeries) -> BookingSeries: ...
    def get(self, series_id: int) -> BookingSeries | None: ...
    def upcoming_at_venue(self, venue_id: int, after: datetime, limit: int) -> list[VenueBooking]:
        """Booked sessions in the venue's rooms starting after `after`, soonest first."""
        ...

    def save_details(self, series: BookingSeries) -> None:
        """Store its label, invoice description, cadence and people expected."""
        ...

    def next_calendar_sequence(self, series_id: int) -> int:
        """The SEQUENCE of the series' next calendar invitation (0, 1, 2, ...), taken: two
        changes at once never share one."""
        ...

    def find(
        self,
        *,
        facilitator_id: int | None = None,
        room_id: int | None = None,
        starting_within: Interval | None = None,
        purchase_order_id: int | None = None,
    ) -> list[BookingSeries]:
        """Series with at least one session starting within the interval, when given."""
        ...

    def session(self, session_id: int) -> Session | None: ...
    def session_lines(
        self,
        facilitator_id: int,
        *,
        now: datetime,
        past: bool,
        beyond: tuple[datetime, int] | None,
        limit: int,
    ) -> list[SessionLine]:
        """A facilitator's sessions to come (soonest first) or held (latest first), after
        (start, id) `beyond` in that order when given; at most `limit`."""
        ...

    def update_session(self, session: Session) -> None: ...
    def move_session(self, session: Session) -> None:
        """Store the session's new place, time and charge; SlotTaken if another booked
        session of the room overlaps it."""
        ...

    def add_session(self, series_id: int, session: Session) -> Session:
        """A session added to a series (a move inside the notice period); SlotTaken as above."""
        ...

    def booked_overlapping(self, room_ids: Sequence[int], span: Interval) -> list[Session]:
        """Booked (not cancelled) sessions whose occupied time overlaps `span`."""
        ...

    def set_purchase_order(self, session_ids: Sequence[int], purchase_order_id: int) -> None: ...
    def facilitator_emails(self, series_ids: Sequence[int]) -> dict[int, str]:
        """The active facilitator of each booking series, by series id."""
        ...

    def unsettled(self, now: datetime) -> list[BookingSeries]:
        """Series with a chargeable session that no PO covers, or that has ended by `now` and
        is charged on no invoice."""
        ...

    def committed_by_purchase_order(self, purchase_order_ids: Sequence[int]) -> dict[int, int]:
        """committed_pence of each PO, in one query."""
        ...

    def committed_pence(self, purchase_order_id: int) -> int:
        """Gross value of every chargeable session of the series the PO covers."""
        ...


class SlotTaken(Exception):
    """The database refused a session because its room is taken at that time."""


class HolidayCalendar(Protocol):
    def holiday_name(self, day: date, region: Region) -> str | None:
        """The name of the bank holiday on that day in that region, or None. Only the dates
        GOV.UK publishes count: a holiday on a weekend counts on its substitute weekday
        ("Boxing Day (substitute day)"), not on the weekend day (see domain.bank_holidays)."""
        ...


class CalendarWriter(Protocol):
    def feed(self, name: str, entries: Sequence[CalendarEntry]) -> bytes: ...
    def invitation(self, invite: Invitation) -> bytes:
        """The invitation as an iCalendar object to attach to an email."""
        ...
