"""A venue closes for a day after sessions were booked on it: those sessions are cancelled by
the venue (never charged, not "late"), and each facilitator is told by email."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.bookings import Session
from service.domain.delivery import OutboxMessage, Recipient, closure_topic, message_id
from service.domain.directory import Closure, Venue
from service.domain.errors import Conflict
from service.domain.timeslots import london_days
from service.domain.users import Role, User
from service.ports.unit_of_work import (
    WithAudit,
    WithBookings,
    WithOutbox,
    WithRooms,
    WithTrusts,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.directory import get_venue
from service.usecases.venue_invitations import tell_venue_cancelled


class ClosureStores(
    WithTrusts, WithVenues, WithRooms, WithBookings, WithOutbox, WithAudit, Protocol
):
    """The stores the closures use cases use: nothing else is in reach."""


@dataclass(frozen=True)
class ClosureAdded:
    venue: Venue
    cancelled: list[Session]  # the booked sessions the closure called off


def add_closure(
    ctx: Context,
    uow: ClosureStores,
    actor: User,
    venue_id: int,
    closure: Closure,
    *,
    expected: Collection[int] | None = None,
) -> ClosureAdded:
    """Adding the same day again changes nothing. Sessions already started are left alone.
    `expected`: the ids of the sessions the person was shown it would cancel
    (closure_would_cancel); if it would cancel others now, nothing changes (Conflict)."""
    actor.require(Role.ADMIN)
    now = ctx.clock.now()
    with uow:
        venue = get_venue(uow, venue_id, for_update=True)
        if venue.closure_on(closure.day) is not None:
            return ClosureAdded(venue, [])
        rooms = [room.id or 0 for room in uow.rooms.find(venue_id=venue_id)]
        booked = _called_off(uow, rooms, closure.day, now)
        if expected is not None and sorted(s.id or 0 for s in booked) != sorted(expected):
            raise Conflict(
                f"The sessions booked at {venue.name} that day changed since you checked. "
                "Nothing was closed or cancelled."
            )
        uow.venues.add_closure(venue_id, closure)
        venue.closures.append(closure)
        detail = {"date": closure.day.isoformat(), "reason": closure.reason}
        uow.audit.record(AuditEvent(now, actor.label, "closure_added", "venue", venue_id, detail))
        cancelled = [s for s in booked if s.cancel_for_closure(now)]
        for session in cancelled:
            uow.bookings.update_session(session)
            uow.audit.record(
                AuditEvent(
                    now, actor.label, session.status.value, "session", session.id or 0, detail
                )
            )
        _tell_facilitators(ctx, uow, venue, closure, cancelled)
        for series_id in sorted({s.series_id or 0 for s in cancelled}):
            series = uow.bookings.get(series_id)
            assert series is not None
            mine = [s for s in cancelled if s.series_id == series_id]
            series.take_changes(mine)
            tell_venue_cancelled(ctx, uow, series, mine)
        uow.commit()
    return ClosureAdded(venue, cancelled)


@dataclass(frozen=True)
class WouldCancel:
    """A booked session a closure on its day would call off, as the person closing sees it."""

    session: Session
    room: str
    group_label: str
    facilitator_email: str | None  # None: the booking's facilitator no longer has an account


def closure_would_cancel(
    ctx: Context, uow: ClosureStores, actor: User, venue_id: int, day: date
) -> list[WouldCancel]:
    """What add_closure would cancel if it ran now, soonest first: to confirm before closing."""
    actor.require(Role.ADMIN)
    with uow:
        get_venue(uow, venue_id)
        rooms = {room.id or 0: room.name for room in uow.rooms.find(venue_id=venue_id)}
        sessions = _called_off(uow, list(rooms), day, ctx.clock.now())
        series_ids = sorted({s.series_id or 0 for s in sessions})
        emails = uow.bookings.facilitator_emails(series_ids)
        labels = {i: series.group_label for i in series_ids if (series := uow.bookings.get(i))}
        return [
            WouldCancel(
                s, rooms[s.room_id], labels.get(s.series_id or 0, ""), emails.get(s.series_id or 0)
            )
            for s in sorted(sessions, key=lambda s: (s.slot.start, s.id or 0))
        ]


def _called_off(uow: ClosureStores, room_ids: list[int], day: date, now: datetime) -> list[Session]:
    """The booked sessions of these rooms on the (London) day that have not started yet."""
    booked = uow.bookings.booked_overlapping(room_ids, london_days(day, day))
    return [s for s in booked if s.local_date == day and s.slot.start > now]


def _tell_facilitators(
    ctx: Context, uow: ClosureStores, venue: Venue, closure: Closure, sessions: list[Session]
) -> None:
    emails = uow.bookings.facilitator_emails([s.series_id or 0 for s in sessions])
    subject = ctx.emails.subject("closure_notice", venue=venue.name, day=closure.day)
    uow.outbox.add_all(
        [
            OutboxMessage(
                invoice_id=None,
                recipient=Recipient.CLOSURE_NOTICE,
                to=emails[s.series_id or 0],
                subject=subject[:300],
                message_id=message_id(venue.id or 0, f"closure-{s.id}", Recipient.CLOSURE_NOTICE),
                documents_sha256="",
                created_at=ctx.clock.now(),
                topic=closure_topic(s.id or 0),
            )
            for s in sessions
            if (s.series_id or 0) in emails
        ]
    )
