"""Booking series and their sessions: what is booked, what is cancelled, what stays chargeable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from enum import StrEnum

from service.domain.bank_holidays import HolidayName, bank_holiday_rule
from service.domain.directory import Room, Venue
from service.domain.errors import (
    AlreadyCancelled,
    BookingClash,
    Conflict,
    RoomTooSmall,
    RuleViolation,
)
from service.domain.labels import ensure_no_patient_data
from service.domain.money import LineAmount, charge, vat_rate
from service.domain.recurrence import Recurrence, Skipped, plan
from service.domain.timeslots import LONDON, Interval, london_slot, spoken_date

NEUTRAL_DESCRIPTION = "Room hire"


class InvoiceCadence(StrEnum):
    MONTHLY = "monthly"  # all sessions of a calendar month, in arrears
    PER_SESSION = "per_session"
    END_OF_SERIES = "end_of_series"


class SessionStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"  # inside the notice period: still paid for
    CANCELLED_BY_VENUE = "cancelled_by_venue"  # the venue closed that day: never charged


@dataclass
class Session:
    """One occurrence. `occupied` includes the room's set-up and clear-away buffers."""

    room_id: int
    slot: Interval
    occupied: Interval
    charge: LineAmount
    status: SessionStatus = SessionStatus.BOOKED
    cancelled_at: datetime | None = None
    series_id: int | None = None
    purchase_order_id: int | None = None  # no PO, no invoice: one may cover it later
    id: int | None = None
    # The room's price when booked, so the invoice can show the rate; None for sessions
    # booked before Roomhire kept it whose price could not be derived (see migration 0013).
    price_per_hour_pence: int | None = None
    # Where the series' rule put it, once it has been moved (another date, time or room):
    # what its venue's calendar knows the occurrence by.
    recurrence_start: datetime | None = None

    @property
    def occurrence(self) -> datetime:
        """The start the series' rule gave it: its RECURRENCE-ID in a calendar."""
        return self.recurrence_start or self.slot.start

    @property
    def local_date(self) -> date:
        return self.slot.start.astimezone(LONDON).date()

    @property
    def chargeable(self) -> bool:
        return self.status in (SessionStatus.BOOKED, SessionStatus.LATE_CANCELLED)

    @property
    def minutes(self) -> int:
        return int((self.slot.end - self.slot.start).total_seconds() // 60)

    def cancel(self, now: datetime, venue: Venue) -> None:
        """Late cancellations (inside the venue's notice period) stay chargeable."""
        if self.status is not SessionStatus.BOOKED:
            raise AlreadyCancelled(
                f"The session on {spoken_date(self.local_date)} is already cancelled."
            )
        if self.slot.start <= now:
            raise RuleViolation(
                f"The session on {spoken_date(self.local_date)} has already started."
            )
        late = self.late_to_cancel(now, venue)
        self.status = SessionStatus.LATE_CANCELLED if late else SessionStatus.CANCELLED
        self.cancelled_at = now

    def cancel_for_closure(self, now: datetime) -> bool:
        """The venue closed on the day: a booked session is cancelled by the venue (never
        charged, whenever it happens); True if this one was."""
        if self.status is not SessionStatus.BOOKED:
            return False
        self.status, self.cancelled_at = SessionStatus.CANCELLED_BY_VENUE, now
        return True

    def late_to_cancel(self, now: datetime, venue: Venue) -> bool:
        """Inside the venue's notice period: cancelling now still costs the session."""
        return self.slot.start - now < venue.notice_period

    def waive(self) -> None:
        """The venue agrees not to charge a late cancellation."""
        if self.status is not SessionStatus.LATE_CANCELLED:
            raise RuleViolation(
                f"Only a late cancellation can be waived; this session is {self.status.value}."
            )
        self.status = SessionStatus.CANCELLED


@dataclass(frozen=True)
class SessionLine:
    """A session as a list of someone's sessions shows it, with where and what it is."""

    session: Session
    group_label: str
    room: str
    venue: str


@dataclass
class BookingSeries:
    room_id: int
    facilitator_id: int
    group_label: str
    recurrence: Recurrence
    start_time: time
    end_time: time
    created_at: datetime
    invoice_description: str | None = None
    invoice_cadence: InvoiceCadence = InvoiceCadence.MONTHLY
    trust_id: int | None = None  # the facilitator's trust: it pays, so its POs must cover this
    expected_people: int | None = None  # None: not stated (bookings made before it was asked)
    sessions: list[Session] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    id: int | None = None

    @property
    def description(self) -> str:
        """What the invoice line says: neutral unless the booking chose a description."""
        return self.invoice_description or NEUTRAL_DESCRIPTION

    @property
    def committed_pence(self) -> int:
        """What the series will cost: every chargeable session, gross."""
        return sum(s.charge.gross for s in self.sessions if s.chargeable)

    def committed_on(self, po_id: int) -> int:
        """What the series' sessions on one PO will cost it, gross."""
        return sum(
            s.charge.gross for s in self.sessions if s.chargeable and s.purchase_order_id == po_id
        )

    def change(self, changes: BookingChanges, rooms: Iterable[Room]) -> list[str]:
        """Change its label, invoice wording, cadence or people expected (the rooms of its
        booked sessions must hold them); returns the names of what changed."""
        if changes.group_label is not None:
            ensure_no_patient_data("group label", changes.group_label)
        if changes.invoice_description:
            ensure_no_patient_data("invoice description", changes.invoice_description)
        if changes.expected_people is not None:
            for room in rooms:
                ensure_room_holds(room, changes.expected_people)
        changed = []
        for name, value in vars(changes).items():
            if name in changes.given and getattr(self, name) != value:
                setattr(self, name, value)
                changed.append(name)
        return changed

    def take_changes(self, changed: Iterable[Session]) -> None:
        """Sessions changed elsewhere (read on their own, then cancelled, say) replace the
        series' copies of them."""
        by_id = {s.id: s for s in changed}
        self.sessions = [by_id.get(s.id, s) for s in self.sessions]

    @property
    def purchase_order_ids(self) -> list[int]:
        """The POs covering its sessions, in the order of the sessions they cover."""
        return list(
            dict.fromkeys(s.purchase_order_id for s in self.sessions if s.purchase_order_id)
        )

    @property
    def needs_purchase_order_from(self) -> date | None:
        """The first chargeable session no PO covers: no PO, no invoice."""
        return next(
            (s.local_date for s in self.sessions if s.chargeable and s.purchase_order_id is None),
            None,
        )

    def to_cover(self, po_id: int, from_date: date | None, invoiced: set[int]) -> list[Session]:
        """The sessions a PO would take: without `from_date`, those no PO covers yet (and
        those it covers already); with it, every one from that date. Never one invoiced
        already: it stays on the PO its invoice quotes."""
        open_ = [s for s in self.sessions if s.id not in invoiced]
        if from_date is None:
            candidates = [s for s in open_ if s.purchase_order_id in (None, po_id)]
            if not candidates:
                raise Conflict(
                    f"Every session of booking {self.id} is already covered by another PO; "
                    "give from_date to move its sessions from that date to this PO."
                )
            return candidates
        candidates = [s for s in open_ if s.local_date >= from_date]
        if not candidates:
            raise RuleViolation(
                f"Booking {self.id} has no session from {spoken_date(from_date)} "
                "that isn't invoiced already.",
                field="from_date",
            )
        return candidates


@dataclass(frozen=True)
class BookingChanges:
    """What can change about a booking after it is made; only the fields `given` do (so an
    invoice description can be given as None: back to the neutral wording)."""

    given: frozenset[str]
    group_label: str | None = None
    invoice_description: str | None = None
    invoice_cadence: InvoiceCadence | None = None
    expected_people: int | None = None


@dataclass(frozen=True)
class BookingRequest:
    room_id: int
    facilitator_id: int
    group_label: str
    recurrence: Recurrence
    start_time: time
    end_time: time
    invoice_description: str | None = None
    purchase_order_id: int | None = None
    invoice_cadence: InvoiceCadence = InvoiceCadence.MONTHLY
    trust_id: int | None = None
    expected_people: int | None = None
    # Bank holidays the facilitator books on purpose: these dates are not skipped.
    keep_bank_holidays: frozenset[date] = frozenset()


# How the dates were chosen, and the PO (which covers sessions, checked by the caller): not
# kept on the series.
_PLANNING_ONLY = {"keep_bank_holidays", "purchase_order_id"}


def new_series(
    request: BookingRequest, room: Room, venue: Venue, holiday_name: HolidayName, now: datetime
) -> BookingSeries:
    """Plan a series' sessions; the caller checks them against the room's other bookings.
    Dates are skipped for the venue's closures and its region's bank holidays, unless it
    opens on bank holidays or the request keeps the date."""
    ensure_no_patient_data("group label", request.group_label)
    if request.invoice_description:
        ensure_no_patient_data("invoice description", request.invoice_description)
    if request.end_time <= request.start_time:
        raise RuleViolation("The session must end after it starts, on the same day.")
    ensure_room_holds(room, request.expected_people)

    def skip(day: date) -> str | None:
        return closed_reason(venue, day, holiday_name, request.keep_bank_holidays)

    days, skipped = plan(request.recurrence, skip)
    _ensure_kept_dates_in_series(request.keep_bank_holidays, days, skipped)
    sessions = [
        placed(room, venue, london_slot(day, request.start_time, request.end_time), now)
        for day in days
    ]
    requested = {
        f.name: getattr(request, f.name) for f in fields(request) if f.name not in _PLANNING_ONLY
    }
    return BookingSeries(**requested, created_at=now, sessions=sessions, skipped=skipped)


def closed_reason(
    venue: Venue, day: date, holiday_name: HolidayName, keep: frozenset[date] = frozenset()
) -> str | None:
    """Why nothing can be booked at the venue that day (a closure, a bank holiday of its
    region unless it opens on them or the day is kept), or None."""
    closure = venue.closure_on(day)
    if closure:
        return f"venue closed: {closure.reason}"
    return bank_holiday_rule(venue.region, venue.open_on_bank_holidays, holiday_name, keep)(day)


def placed(room: Room, venue: Venue, slot: Interval, now: datetime) -> Session:
    """A session of `room` at `slot`, priced as the room is now, its buffers around it."""
    if slot.start <= now:
        raise RuleViolation(f"The session on {spoken_date(slot.start)} would be in the past.")
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    price = charge(
        room.price_per_hour_pence,
        minutes,
        vat_rate(room.vat_treatment, venue.vat_number is not None),
    )
    return Session(
        room.id or 0,
        slot,
        slot.widened(room.setup, room.clearaway),
        price,
        price_per_hour_pence=room.price_per_hour_pence,
    )


def ensure_room_holds(room: Room, people: int | None) -> None:
    if people is not None and people > room.capacity:
        raise RoomTooSmall(
            f"{room.name} holds {room.capacity} people; this booking expects {people}.",
            field="expected_people",
            capacity=room.capacity,
        )


def _ensure_kept_dates_in_series(
    kept: Iterable[date], days: list[date], skipped: list[Skipped]
) -> None:
    """A kept bank holiday the series doesn't fall on is a mistake worth saying (a typo, or
    another weekday); one the venue is closed on stays skipped, listed with the closure."""
    seen = set(days) | {s.day for s in skipped}
    strays = sorted(set(kept) - seen)
    if strays:
        which = " and ".join(spoken_date(d) for d in strays)
        raise RuleViolation(
            f"Only this booking's own dates can be kept on a bank holiday, and it doesn't "
            f"fall on {which}.",
            field="keep_bank_holidays",
            dates=[d.isoformat() for d in strays],
        )


def ensure_no_clash(planned: Iterable[Session], booked: Iterable[Session]) -> None:
    """Raise naming the first clash between planned sessions and booked ones in the same room."""
    booked = [s for s in booked if s.status is SessionStatus.BOOKED]
    for new in planned:
        for old in booked:
            if old.room_id == new.room_id and old.occupied.overlaps(new.occupied):
                raise BookingClash(
                    f"The room is already booked on {spoken_date(new.local_date)} "
                    f"(booking {old.series_id}, "
                    f"{old.slot.start.astimezone(LONDON):%H:%M} to "
                    f"{old.slot.end.astimezone(LONDON):%H:%M}, buffers included).",
                    date=new.local_date.isoformat(),
                    booking_id=old.series_id,
                    session_id=old.id,
                )
