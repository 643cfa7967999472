"""iCalendar feeds of a facilitator's sessions and of a room's sessions."""

from __future__ import annotations

from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.bookings import BookingSeries, SessionStatus
from service.domain.calendar import CalendarEntry
from service.domain.calendar_links import CalendarLink
from service.domain.errors import NotFound
from service.domain.secret_tokens import new_token, token_hash
from service.domain.users import Role, User
from service.ports.unit_of_work import (
    WithAudit,
    WithCalendarLinks,
    WithRooms,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.directory import get_room, get_venue
from service.usecases.secret_links import failed_lookup, refuse_if_limited


class CalendarStores(WithVenues, WithRooms, WithAudit, WithCalendarLinks, Protocol):
    """The stores the calendar feeds use cases use: nothing else is in reach."""


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


def new_calendar_address(ctx: Context, uow: CalendarStores, actor: User) -> str:
    """A secret address of the actor's own feed, for calendar apps; shown once. Any earlier
    address stops working at once."""
    assert actor.id is not None
    now, token = ctx.clock.now(), new_token()
    with uow:
        uow.calendar_links.revoke_all(actor.id, now)
        link = uow.calendar_links.add(CalendarLink(actor.id, token_hash(token), now))
        uow.audit.record(AuditEvent(now, actor.label, "created", "calendar_link", link.id or 0))
        uow.commit()
    return f"{ctx.public_url}/calendar/{token}.ics"


def has_calendar_address(ctx: Context, uow: CalendarStores, actor: User) -> bool:
    with uow:
        return uow.calendar_links.has_live(actor.id or 0)


def stop_calendar_address(ctx: Context, uow: CalendarStores, actor: User) -> None:
    assert actor.id is not None
    now = ctx.clock.now()
    with uow:
        uow.calendar_links.revoke_all(actor.id, now)
        uow.audit.record(AuditEvent(now, actor.label, "calendar_stopped", "user", actor.id))
        uow.commit()


def open_calendar(ctx: Context, token: str, client: str) -> bytes:
    """The feed behind a secret address, while its owner's account is active. Fails like a
    status link (same 404, same shared rate limit)."""
    now = ctx.clock.now()
    with ctx.new_reader() as reader:
        refuse_if_limited(reader, client, now)
        link = reader.calendar_links.by_hash(token_hash(token))
        owner = reader.users.get(link.user_id) if link else None
    if link is None or owner is None or not owner.active or not link.opens_with(token):
        failed_lookup(ctx, client, now)
    return facilitator_feed(ctx, owner, link.user_id)


def room_feed(ctx: Context, room_id: int) -> bytes:
    """Everything booked in a room, described neutrally: this feed may be shared with the venue."""
    with ctx.new_uow() as uow:
        room = get_room(uow, room_id)
        series = [s for s in uow.bookings.find() if s.room_id == room_id]
        return ctx.calendar.feed(
            f"Roomhire bookings of {room.name}",
            [entry for s in series for entry in _entries(uow, s, f"Booked ({s.description})")],
        )


def _entries(uow: CalendarStores, series: BookingSeries, summary: str) -> list[CalendarEntry]:
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
