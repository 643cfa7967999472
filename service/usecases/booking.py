"""Facilitators book rooms (single or recurring) and cancel sessions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.bookings import (
    BookingChanges,
    BookingRequest,
    BookingSeries,
    Session,
    SessionLine,
    SessionStatus,
    closed_reason,
    ensure_no_clash,
    ensure_room_holds,
    new_series,
    placed,
)
from service.domain.directory import Room, Venue
from service.domain.errors import (
    AlreadyCancelled,
    BookingClash,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from service.domain.money import format_pounds
from service.domain.timeslots import LONDON, Interval, london_slot, spoken_date
from service.domain.users import Role, User
from service.ports.bookings import SlotTaken
from service.ports.unit_of_work import (
    WithAudit,
    WithBookings,
    WithInvoices,
    WithOutbox,
    WithPurchaseOrders,
    WithRooms,
    WithTrusts,
    WithUsers,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.directory import get_room, get_venue
from service.usecases.purchasing import PurchaseOrderStatement, draw_on, statement
from service.usecases.venue_invitations import invite_venue, tell_venue_cancelled


class BookingStores(
    WithTrusts,
    WithOutbox,
    WithVenues,
    WithRooms,
    WithBookings,
    WithPurchaseOrders,
    WithInvoices,
    WithUsers,
    WithAudit,
    Protocol,
):
    """The stores the booking use cases use: nothing else is in reach."""


@dataclass(frozen=True)
class BookingPlan:
    """What a booking would be: its sessions, skipped dates, cost, and the PO it draws on."""

    series: BookingSeries
    room: Room
    venue: Venue
    purchase_order: PurchaseOrderStatement | None  # as it stands before this booking

    @property
    def po_remaining_after_pence(self) -> int | None:
        po = self.purchase_order
        return None if po is None else po.remaining_pence - self.series.committed_on(po.po.id or 0)


def plan_booking(
    ctx: Context, uow: BookingStores, actor: User, request: BookingRequest
) -> BookingPlan:
    """Everything `book` checks (clashes, closures, the PO's venue, dates and value), with
    nothing stored: what the person confirms on the "check your answers" page."""
    with uow:
        return _planned(ctx, uow, actor, request)


def book(ctx: Context, uow: BookingStores, actor: User, request: BookingRequest) -> BookingSeries:
    with uow:
        plan = _planned(ctx, uow, actor, request)
        try:
            series = uow.bookings.add(plan.series)
        except SlotTaken:
            # Someone booked between our check and our insert: name what they booked.
            ensure_no_clash(plan.series.sessions, _booked_around(uow, plan.series))
            raise BookingClash("The room was booked by someone else at the same moment.") from None
        assert series.id is not None
        uow.audit.record(
            AuditEvent(
                ctx.clock.now(),
                actor.label,
                "booked",
                "booking",
                series.id,
                {"sessions": len(series.sessions), "skipped": len(series.skipped)},
            )
        )
        invite_venue(ctx, uow, series)
        uow.commit()
    return series


def _planned(ctx: Context, uow: BookingStores, actor: User, request: BookingRequest) -> BookingPlan:
    actor.require(Role.FACILITATOR, Role.ADMIN)
    if not actor.may_manage_booking_of(request.facilitator_id):
        raise PermissionDenied("Facilitators book for themselves only.")
    facilitator = uow.users.get(request.facilitator_id)
    if facilitator is None or facilitator.role is not Role.FACILITATOR:
        raise RuleViolation(f"User {request.facilitator_id} is not a facilitator.")
    # One booking of a room at a time: on PostgreSQL, two overlapping inserts racing at
    # the exclusion constraint can each wait for the other (a deadlock, not a clash).
    room = get_room(uow, request.room_id, for_update=True)
    venue = get_venue(uow, room.venue_id)
    request = replace(request, trust_id=facilitator.trust_id)
    series = new_series(request, room, venue, ctx.holidays.holiday_name, ctx.clock.now())
    ensure_no_clash(series.sessions, _booked_around(uow, series))
    po = None
    if request.purchase_order_id is not None:
        po = statement(uow, request.purchase_order_id)
        draw_on(uow, po.po.id or 0, series.sessions, series.trust_id, venue.id or 0, "This booking")
    return BookingPlan(series, room, venue, po)


def _booked_around(uow: BookingStores, series: BookingSeries) -> list[Session]:
    span = Interval(series.sessions[0].occupied.start, series.sessions[-1].occupied.end)
    return uow.bookings.booked_overlapping([series.room_id], span)


def cover_with_purchase_order(
    ctx: Context,
    uow: BookingStores,
    actor: User,
    series_id: int,
    po_id: int,
    from_date: date | None = None,
) -> BookingSeries:
    """Put a booking's sessions on a PO (finance often raises the PO after the booking, and
    a new one each financial year). Without `from_date`, the sessions no PO covers yet; with
    it, every session from that date not yet invoiced, moved from any PO it was on. Either
    way, only up to the PO's end date: later sessions wait for the next one."""
    actor.require(Role.FINANCE, Role.ADMIN, Role.FACILITATOR)
    with uow:
        series = uow.bookings.get(series_id)
        if series is None or not _may_see(actor, series):
            raise NotFound(f"There is no booking {series_id}.")
        candidates = series.to_cover(po_id, from_date, uow.invoices.charged_session_ids())
        venue_id = get_room(uow, series.room_id).venue_id
        moved = draw_on(uow, po_id, candidates, series.trust_id, venue_id, "These sessions")
        if moved:
            uow.bookings.set_purchase_order([s.id or 0 for s in moved], po_id)
            uow.audit.record(
                AuditEvent(
                    ctx.clock.now(),
                    actor.label,
                    "po_attached",
                    "booking",
                    series_id,
                    {"purchase_order": po_id, "from": moved[0].local_date.isoformat()},
                )
            )
        uow.commit()
    return series


def get_booking(ctx: Context, uow: BookingStores, actor: User, series_id: int) -> BookingSeries:
    with uow:
        series = uow.bookings.get(series_id)
    if series is None or not _may_see(actor, series):
        raise NotFound(f"There is no booking {series_id}.")
    return series


def list_bookings(
    ctx: Context,
    uow: BookingStores,
    actor: User,
    *,
    room_id: int | None = None,
    held: Interval | None = None,
) -> list[BookingSeries]:
    """Facilitators see their own; optionally only one room's, or only series with a
    session starting within `held`."""
    with uow:
        return uow.bookings.find(
            facilitator_id=own_bookings_only(actor), room_id=room_id, starting_within=held
        )


def own_bookings_only(actor: User) -> int | None:
    """The facilitator whose bookings `actor` may list: their own; None (all) for others."""
    return actor.id if actor.role is Role.FACILITATOR else None


@dataclass(frozen=True)
class Cancellation:
    """What cancelling would do, for the person to confirm: the sessions, and the ones the
    venue will still be paid for because they are inside its notice period."""

    series: BookingSeries
    sessions: list[Session]
    late: list[Session]
    notice_period_hours: int

    @property
    def still_charged_pence(self) -> int:
        return sum(s.charge.gross for s in self.late)

    @property
    def cancelled_message(self) -> str:
        """Once done, what was cancelled and what the venue will still be paid, and why."""
        done = f"Cancelled {_sessions(len(self.sessions))}"
        if not self.late:
            them = "it" if len(self.sessions) == 1 else "them"
            return f"{done}; nothing will be charged for {them}."
        which = "" if len(self.late) == len(self.sessions) else f" for {len(self.late)} of them"
        was = "it was" if len(self.late) == 1 else "they were"
        return (
            f"{done}; the venue will still be paid {format_pounds(self.still_charged_pence)}"
            f"{which} because {was} less than {self.notice_period_hours} hours away."
        )


def _sessions(count: int) -> str:
    return f"{count} session{'' if count == 1 else 's'}"


def preview_cancellation(
    ctx: Context, uow: BookingStores, actor: User, series_id: int, session_id: int | None
) -> Cancellation:
    """One session (`session_id`), or every future booked session of the booking."""
    now = ctx.clock.now()
    with uow:
        series = _manageable(uow, actor, series_id)
        venue = get_venue(uow, get_room(uow, series.room_id).venue_id)
    if session_id is None:
        sessions = _future(series, now, None)
    else:
        sessions = [s for s in series.sessions if s.id == session_id]
        if not sessions:
            raise NotFound(f"There is no session {session_id} in booking {series_id}.")
    late = [
        s for s in sessions if s.status is SessionStatus.BOOKED and s.late_to_cancel(now, venue)
    ]
    return Cancellation(series, sessions, late, venue.notice_period_hours)


@dataclass(frozen=True)
class SessionPage:
    lines: list[SessionLine]
    more_beyond: tuple[datetime, int] | None  # the last line's (start, id) if more follow


def my_sessions(
    ctx: Context,
    uow: BookingStores,
    actor: User,
    *,
    past: bool,
    beyond: tuple[datetime, int] | None = None,
    size: int = 50,
) -> SessionPage:
    """A person's sessions, a page at a time: those to come, soonest first, or (`past`) those
    held, latest first."""
    with uow:
        lines = uow.bookings.session_lines(
            actor.id or 0, now=ctx.clock.now(), past=past, beyond=beyond, limit=size + 1
        )
    last = lines[size - 1].session if len(lines) > size else None
    return SessionPage(lines[:size], (last.slot.start, last.id or 0) if last else None)


@dataclass(frozen=True)
class BookingDetails:
    series: BookingSeries
    room: Room
    venue: Venue
    po_numbers: dict[int, str]  # of the POs covering its sessions, by id


def booking_details(
    ctx: Context, uow: BookingStores, actor: User, series_id: int
) -> BookingDetails:
    with uow:
        series = get_booking(ctx, uow, actor, series_id)
        numbers = {}
        for po_id in series.purchase_order_ids:
            po = uow.purchase_orders.get(po_id)
            numbers[po_id] = po.number if po else ""
        return BookingDetails(series, *_place(uow, series.room_id), numbers)


def _place(uow: BookingStores, room_id: int) -> tuple[Room, Venue]:
    room = get_room(uow, room_id)
    return room, get_venue(uow, room.venue_id)


def cancel_one(ctx: Context, uow: BookingStores, actor: User, session_id: int) -> Cancellation:
    """Cancel one session; the answer says what the venue will still be paid for it."""
    with uow:
        session = uow.bookings.session(session_id)
        if session is None or session.series_id is None:
            raise NotFound(f"There is no session {session_id}.")
        series = _manageable(uow, actor, session.series_id)
        done = _cancel(ctx, uow, actor, series, [session])
        uow.commit()
    return done


def cancel_from(
    ctx: Context, uow: BookingStores, actor: User, series_id: int, from_date: date | None
) -> Cancellation:
    """Cancel every still-booked session from `from_date` (default: all future ones); the
    answer says what the venue will still be paid for them."""
    with uow:
        series = _manageable(uow, actor, series_id)
        rest = _future(series, ctx.clock.now(), from_date)
        if not rest:
            raise RuleViolation("No future booked sessions to cancel in this booking.")
        done = _cancel(ctx, uow, actor, series, rest)
        uow.commit()
    return done


def _future(series: BookingSeries, now: datetime, from_date: date | None) -> list[Session]:
    return [
        s
        for s in series.sessions
        if s.status is SessionStatus.BOOKED
        and s.slot.start > now
        and (from_date is None or s.local_date >= from_date)
    ]


def _cancel(
    ctx: Context, uow: BookingStores, actor: User, series: BookingSeries, sessions: list[Session]
) -> Cancellation:
    now = ctx.clock.now()
    venue = get_venue(uow, get_room(uow, series.room_id).venue_id)
    for session in sessions:
        session.cancel(now, venue)
        uow.bookings.update_session(session)
        assert session.id is not None
        uow.audit.record(
            AuditEvent(
                now,
                actor.label,
                session.status.value,
                "session",
                session.id,
                {"booking": series.id, "date": session.local_date.isoformat()},
            )
        )
    series.take_changes(sessions)
    tell_venue_cancelled(ctx, uow, series, sessions)
    late = [s for s in sessions if s.status is SessionStatus.LATE_CANCELLED]
    return Cancellation(series, sessions, late, venue.notice_period_hours)


def change_booking(
    ctx: Context, uow: BookingStores, actor: User, series_id: int, changes: BookingChanges
) -> BookingSeries:
    """Its label, invoice wording (for invoices not yet issued), cadence or the people it
    expects, checked as a new booking is; audited. Changing nothing changes nothing."""
    with uow:
        series = _manageable(uow, actor, series_id)
        rooms = {
            s.room_id: get_room(uow, s.room_id)
            for s in series.sessions
            if s.status is SessionStatus.BOOKED and s.slot.start > ctx.clock.now()
        }
        changed = series.change(changes, rooms.values())
        if changed:
            uow.bookings.save_details(series)
            uow.audit.record(
                AuditEvent(
                    ctx.clock.now(),
                    actor.label,
                    "booking_changed",
                    "booking",
                    series_id,
                    {"changed": changed},
                )
            )
            uow.commit()
    return series


@dataclass(frozen=True)
class Move:
    """Where a session goes: what is None stays as it is."""

    day: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    room_id: int | None = None


@dataclass(frozen=True)
class Moved:
    series: BookingSeries
    session: Session  # where it is now
    late_cancelled: Session | None  # inside the notice period: the old one, still charged


def move_session(
    ctx: Context, uow: BookingStores, actor: User, session_id: int, move: Move
) -> Moved:
    """Move one session to another date, time or room of its venue, with the checks of a new
    booking (clash, closure, bank holiday, the room's size, its PO's dates and value). Outside
    the venue's notice period it moves; inside, it is a late cancellation (still charged,
    unless finance waives it) and a new session is booked in its place."""
    now = ctx.clock.now()
    with uow:
        old = uow.bookings.session(session_id)
        if old is None or old.series_id is None:
            raise NotFound(f"There is no session {session_id}.")
        series = _manageable(uow, actor, old.series_id)
        if old.status is not SessionStatus.BOOKED:
            raise AlreadyCancelled(
                f"The session on {spoken_date(old.local_date)} is cancelled: book a new one."
            )
        if old.slot.start <= now:
            raise RuleViolation(f"The session on {spoken_date(old.local_date)} has started.")
        before = get_room(uow, old.room_id)
        room = get_room(uow, move.room_id or old.room_id, for_update=True)
        venue = get_venue(uow, room.venue_id)
        if room.venue_id != before.venue_id:
            raise RuleViolation(
                "A session moves to another room of its own venue only: book the other venue "
                "and cancel this session.",
                field="room_id",
            )
        ensure_room_holds(room, series.expected_people)
        day = move.day or old.local_date
        start = move.start_time or old.slot.start.astimezone(LONDON).time()
        end = move.end_time or old.slot.end.astimezone(LONDON).time()
        if end <= start:
            raise RuleViolation("The session must end after it starts, on the same day.")
        closed = closed_reason(venue, day, ctx.holidays.holiday_name)
        if closed:
            raise RuleViolation(f"{spoken_date(day)} can't be booked: {closed}.", field="date")
        new = placed(room, venue, london_slot(day, start, end), now)
        others = [s for s in uow.bookings.booked_overlapping([room.id or 0], new.occupied)]
        ensure_no_clash([new], [s for s in others if s.id != old.id])
        late = old.late_to_cancel(now, venue)
        new = replace(
            new,
            purchase_order_id=old.purchase_order_id,
            recurrence_start=old.occurrence,
            series_id=old.series_id,
            id=None if late else old.id,
        )
        if old.purchase_order_id is not None:
            po = uow.purchase_orders.get(old.purchase_order_id, for_update=True)
            assert po is not None
            po.ensure_covers([day], venue.id or 0, series.trust_id)
            extra = new.charge.gross - (0 if late else old.charge.gross)
            po.ensure_room_for(uow.bookings.committed_pence(po.id or 0), extra, "This move")
        try:
            if late:
                old.cancel(now, venue)
                uow.bookings.update_session(old)
                new = uow.bookings.add_session(series.id or 0, new)
            else:
                uow.bookings.move_session(new)
        except SlotTaken:
            raise BookingClash("The room was booked by someone else at the same moment.") from None
        uow.audit.record(
            AuditEvent(
                now,
                actor.label,
                "session_moved",
                "session",
                new.id or 0,
                {
                    "booking": series.id,
                    "from": old.slot.start.isoformat(),
                    "to": new.slot.start.isoformat(),
                    "room": room.id,
                    "late_cancelled": old.id if late else None,
                },
            )
        )
        series.take_changes([old] if late else [new])
        if late:
            series.sessions = sorted([*series.sessions, new], key=lambda s: s.slot.start)
        invite_venue(ctx, uow, series)
        uow.commit()
    return Moved(series, new, old if late else None)


def _manageable(uow: BookingStores, actor: User, series_id: int) -> BookingSeries:
    series = uow.bookings.get(series_id)
    if series is None or not _may_see(actor, series):
        raise NotFound(f"There is no booking {series_id}.")
    if not actor.may_manage_booking_of(series.facilitator_id):
        raise PermissionDenied("Only the booking's facilitator or an admin can cancel it.")
    return series


def _may_see(actor: User, series: BookingSeries) -> bool:
    return actor.role is not Role.FACILITATOR or actor.id == series.facilitator_id
