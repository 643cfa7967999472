"""Venues are told of each booking series, change and cancellation by email, with a calendar
invitation attached (see domain.venue_invitations), queued in the same transaction as the
change so that a booking is never made without its venue being told, nor told twice."""

from __future__ import annotations

from typing import Protocol

from service.domain import venue_invitations
from service.domain.bookings import BookingSeries, Session
from service.domain.delivery import OutboxMessage, Recipient, message_id
from service.domain.venue_invitations import Notice
from service.ports.unit_of_work import WithBookings, WithOutbox, WithRooms, WithTrusts, WithVenues
from service.usecases.context import Context
from service.usecases.directory import get_room, get_venue

NO_TRUST = "an NHS trust"


class InvitationStores(WithTrusts, WithVenues, WithRooms, WithBookings, WithOutbox, Protocol):
    """The stores telling a venue uses."""


def invite_venue(ctx: Context, uow: InvitationStores, series: BookingSeries) -> None:
    """The series as it now stands, new or changed."""
    _queue(ctx, uow, series, None)


def tell_venue_cancelled(
    ctx: Context, uow: InvitationStores, series: BookingSeries, called_off: list[Session]
) -> None:
    """Sessions of the series called off (by the facilitator, or the venue's closure)."""
    if called_off:
        _queue(ctx, uow, series, called_off)


def _queue(
    ctx: Context, uow: InvitationStores, series: BookingSeries, called_off: list[Session] | None
) -> None:
    assert series.id is not None
    rooms = {i: get_room(uow, i) for i in {series.room_id, *(s.room_id for s in series.sessions)}}
    venue = get_venue(uow, rooms[series.room_id].venue_id)
    trust = uow.trusts.get(series.trust_id) if series.trust_id else None
    name, sequence, now = (
        trust.name if trust else NO_TRUST,
        uow.bookings.next_calendar_sequence(series.id),
        ctx.clock.now(),
    )
    notice: Notice = (
        venue_invitations.booked(
            series, rooms, venue, name, organizer=ctx.mail_from, sequence=sequence, now=now
        )
        if called_off is None
        else venue_invitations.cancelled(
            series,
            rooms,
            venue,
            name,
            called_off,
            organizer=ctx.mail_from,
            sequence=sequence,
            now=now,
        )
    )
    uow.outbox.add(
        OutboxMessage(
            invoice_id=None,
            recipient=Recipient.VENUE_BOOKING,
            to=venue.contact_email,
            subject=notice.subject[:300],
            message_id=message_id(
                venue.id or 0,
                f"booking-{series.id}.{sequence}",  # short: a folded Message-ID header can lose it
                Recipient.VENUE_BOOKING,
            ),
            documents_sha256="",
            created_at=now,
            topic=notice.topic,
            calendar=ctx.calendar.invitation(notice.invitation).decode(),
            note="\n".join(notice.lines),
        )
    )
