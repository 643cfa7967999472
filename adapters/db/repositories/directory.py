"""Trusts, venues (with their closures) and rooms."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from adapters.db import mapping
from adapters.db.repositories.base import Repository
from adapters.db.tables import (
    ClosureRow,
    RoomRow,
    TrustRow,
    VenueRow,
)
from service.domain.directory import Closure, Room, Trust, Venue


class TrustRepository(Repository):
    def add(self, trust: Trust) -> Trust:
        return self.inserted(mapping.trust_row(trust), mapping.trust)

    def update(self, trust: Trust) -> None:
        self.overwrite(mapping.trust_row(trust), trust.id)

    def get(self, trust_id: int, *, for_update: bool = False) -> Trust | None:
        row = self.db.get(TrustRow, trust_id, with_for_update=for_update)
        return mapping.trust(row) if row else None

    def all(self) -> list[Trust]:
        return [mapping.trust(r) for r in self.db.scalars(select(TrustRow).order_by(TrustRow.id))]


class VenueRepository(Repository):
    def add(self, venue: Venue) -> Venue:
        return self.inserted(mapping.venue_row(venue), mapping.venue)

    def update(self, venue: Venue) -> None:
        self.overwrite(mapping.venue_row(dataclasses.replace(venue, closures=[])), venue.id)

    def get(self, venue_id: int, *, for_update: bool = False) -> Venue | None:
        row = self.db.get(VenueRow, venue_id, with_for_update=for_update)
        return mapping.venue(row) if row else None

    def all(self) -> list[Venue]:
        return [mapping.venue(r) for r in self.db.scalars(select(VenueRow).order_by(VenueRow.id))]

    def names(self) -> dict[int, str]:
        query = select(VenueRow.id, VenueRow.name).order_by(VenueRow.id)
        return {venue_id: name for venue_id, name in self.db.execute(query)}

    def add_closure(self, venue_id: int, closure: Closure) -> None:
        self.db.add(ClosureRow(venue_id=venue_id, day=closure.day, reason=closure.reason))
        self.db.flush()


class RoomRepository(Repository):
    def add(self, room: Room) -> Room:
        return self.inserted(mapping.room_row(room), mapping.room)

    def update(self, room: Room) -> None:
        self.overwrite(mapping.room_row(room), room.id)

    def get(self, room_id: int, *, for_update: bool = False) -> Room | None:
        row = self.db.get(RoomRow, room_id, with_for_update=for_update)
        return mapping.room(row) if row else None

    def find(self, *, min_capacity: int = 0, venue_id: int | None = None) -> list[Room]:
        query = select(RoomRow).where(RoomRow.capacity >= min_capacity).order_by(RoomRow.id)
        if venue_id is not None:
            query = query.where(RoomRow.venue_id == venue_id)
        return [mapping.room(r) for r in self.db.scalars(query)]
