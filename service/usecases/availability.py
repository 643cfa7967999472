"""Which rooms are free for a whole slot, and why the others that would suit are not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from service.domain.bank_holidays import bank_holiday_rule
from service.domain.directory import Room, Venue, in_postcode_area
from service.domain.money import charge, vat_rate
from service.domain.timeslots import LONDON, Interval
from service.usecases.context import Context


@dataclass(frozen=True)
class RoomOption:
    room: Room
    venue: Venue
    price_pence: int  # one session of the slot, VAT included
    unavailable: str | None = None  # why it can't be booked for the slot: booked, closed…

    @property
    def free(self) -> bool:
        return self.unavailable is None


def free_rooms(
    ctx: Context, slot: Interval, *, min_capacity: int = 0, postcode_area: str | None = None
) -> list[RoomOption]:
    """Rooms whose slot, widened by their own buffers, touches no booked session, on a day
    that is neither a bank holiday where the venue is (unless it opens on them) nor a
    closure of the venue."""
    options = room_search(ctx, slot, min_capacity=min_capacity, postcode_area=postcode_area)
    return [option for option in options if option.free]


def room_search(
    ctx: Context,
    slot: Interval,
    *,
    min_capacity: int = 0,
    postcode_area: str | None = None,
    step_free: bool = False,
) -> list[RoomOption]:
    """Every room that suits (size, area, step-free access), free ones first, each of the
    others with the reason it can't be booked for this slot."""
    days = {slot.start.astimezone(LONDON).date(), slot.end.astimezone(LONDON).date()}
    with ctx.new_reader() as reader:
        venues = {
            v.id: v
            for v in reader.venues.all()
            if postcode_area is None or in_postcode_area(v.postcode, postcode_area)
        }
        rooms = [
            r
            for r in reader.rooms.find(min_capacity=min_capacity)
            if r.venue_id in venues and (r.step_free or not step_free)
        ]
        widest = max((max(r.setup, r.clearaway) for r in rooms), default=timedelta(0))
        booked = reader.bookings.booked_overlapping(
            [r.id or 0 for r in rooms], slot.widened(2 * widest, 2 * widest)
        )

    def why_not(room: Room, venue: Venue) -> str | None:
        closure = next(filter(None, (venue.closure_on(day) for day in days)), None)
        if closure:
            return f"The venue is closed that day ({closure.reason})"
        holiday = bank_holiday_rule(
            venue.region, venue.open_on_bank_holidays, ctx.holidays.holiday_name
        )
        reason = next(filter(None, (holiday(day) for day in sorted(days))), None)
        if reason:
            return f"It is a {reason}"
        wanted = slot.widened(room.setup, room.clearaway)
        if any(s.room_id == room.id and s.occupied.overlaps(wanted) for s in booked):
            return "Already booked at that time (set-up and clear-away included)"
        return None

    minutes = int((slot.end - slot.start).total_seconds() // 60)

    def option(room: Room, venue: Venue) -> RoomOption:
        rate = vat_rate(room.vat_treatment, venue.vat_number is not None)
        price = charge(room.price_per_hour_pence, minutes, rate).gross
        return RoomOption(room, venue, price, why_not(room, venue))

    options = [option(r, venues[r.venue_id]) for r in rooms]
    return sorted(options, key=lambda o: not o.free)  # stable: the directory's order within
