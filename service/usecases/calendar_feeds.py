"""iCalendar feeds of a facilitator's sessions and of a room's sessions."""

from __future__ import annotations

from service.domain.bookings import BookingSeries, SessionStatus
from service.domain.calendar import CalendarEntry
from service.domain.errors import NotFound
from service.domain.users import Role, User
from service.ports import UnitOfWork
from service.usecases.context import Context
from service.usecases.directory import get_room, get_venue


def facilitator_feed(ctx: Context, actor: User, facilitator_id: int) -> bytes:
    """A facilitator's own groups, named by their group labels."""
    if actor.role is Role.FACILITATOR and actor.id != facilitator_id:
        raise NotFound(f"There is no calendar for facilitator {facilitator_id}.")
    with ctx.new_uow() as uow:
        series = uow.bookings.find(facilitator_id=facilitator_id)
        return ctx.calendar.feed(
            f"Roomhire sessions of facilitator {facilitator_id}",
            [entry for s in series for entry in _entries(uow, s, s.group_label)],
        )


def room_feed(ctx: Context, room_id: int) -> bytes:
    """Everything booked in a room, described neutrally: this feed may be shared with the venue."""
    with ctx.new_uow() as uow:
        room = get_room(uow, room_id)
        series = [s for s in uow.bookings.find() if s.room_id == room_id]
        return ctx.calendar.feed(
            f"Roomhire bookings of {room.name}",
            [entry for s in series for entry in _entries(uow, s, f"Booked ({s.description})")],
        )


def _entries(uow: UnitOfWork, series: BookingSeries, summary: str) -> list[CalendarEntry]:
    room = get_room(uow, series.room_id)
    venue = get_venue(uow, room.venue_id)
    return [
        CalendarEntry(
            uid=f"roomhire-session-{session.id}",
            summary=summary,
            location=f"{room.name}, {venue.name}, {venue.address}, {venue.postcode}",
            start=session.slot.start,
            end=session.slot.end,
            cancelled=session.status is not SessionStatus.BOOKED,
            stamp=session.cancelled_at or series.created_at,
        )
        for session in series.sessions
    ]
