"""Which rooms are free for a whole slot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from service.domain.directory import Room, Venue, in_postcode_area
from service.domain.timeslots import LONDON, Interval
from service.usecases.context import Context


@dataclass(frozen=True)
class FreeRoom:
    room: Room
    venue: Venue


def free_rooms(
    ctx: Context, slot: Interval, *, min_capacity: int = 0, postcode_area: str | None = None
) -> list[FreeRoom]:
    """Rooms whose slot, widened by their own buffers, touches no booked session, on a day
    that is neither a bank holiday nor a closure of the venue."""
    days = {slot.start.astimezone(LONDON).date(), slot.end.astimezone(LONDON).date()}
    if any(ctx.holidays.holiday_name(day) for day in days):
        return []
    with ctx.new_uow() as uow:
        venues = {
            v.id: v
            for v in uow.venues.all()
            if not any(v.closure_on(day) for day in days)
            and (postcode_area is None or in_postcode_area(v.postcode, postcode_area))
        }
        rooms = [r for r in uow.rooms.find(min_capacity=min_capacity) if r.venue_id in venues]
        widest = max((max(r.setup, r.clearaway) for r in rooms), default=timedelta(0))
        booked = uow.bookings.booked_overlapping(
            [r.id or 0 for r in rooms], slot.widened(2 * widest, 2 * widest)
        )
    return [
        FreeRoom(room, venues[room.venue_id])
        for room in rooms
        if not any(
            s.room_id == room.id and s.occupied.overlaps(slot.widened(room.setup, room.clearaway))
            for s in booked
        )
    ]
