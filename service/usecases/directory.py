"""Admin keeps the directory of trusts, venues and rooms; every user may read it."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from service.domain.audit import AuditEvent
from service.domain.delivery import check_subject_template
from service.domain.directory import Closure, Room, Trust, Venue, check_pattern, normalise_postcode
from service.domain.errors import NotFound
from service.domain.users import Role, User
from service.ports import Clock, UnitOfWork

T = TypeVar("T")


def _record(uow: UnitOfWork, clock: Clock, actor: User, entity: str, entity_id: int | None) -> None:
    assert entity_id is not None
    uow.audit.record(AuditEvent(clock.now(), actor.label, "created", entity, entity_id))


def create_trust(uow: UnitOfWork, clock: Clock, actor: User, trust: Trust) -> Trust:
    actor.require(Role.ADMIN)
    check_pattern(trust.po_number_pattern)
    check_subject_template(trust.invoice_subject)
    with uow:
        trust = uow.trusts.add(trust)
        _record(uow, clock, actor, "trust", trust.id)
        uow.commit()
    return trust


def create_venue(uow: UnitOfWork, clock: Clock, actor: User, venue: Venue) -> Venue:
    actor.require(Role.ADMIN)
    venue = replace(venue, postcode=normalise_postcode(venue.postcode))
    with uow:
        venue = uow.venues.add(venue)
        _record(uow, clock, actor, "venue", venue.id)
        uow.commit()
    return venue


def add_closure(
    uow: UnitOfWork, clock: Clock, actor: User, venue_id: int, closure: Closure
) -> Venue:
    actor.require(Role.ADMIN)
    with uow:
        venue = get_venue(uow, venue_id)
        if venue.closure_on(closure.day) is None:
            uow.venues.add_closure(venue_id, closure)
            venue.closures.append(closure)
            uow.audit.record(
                AuditEvent(
                    clock.now(),
                    actor.label,
                    "closure_added",
                    "venue",
                    venue_id,
                    {"date": closure.day.isoformat(), "reason": closure.reason},
                )
            )
        uow.commit()
    return venue


def create_room(uow: UnitOfWork, clock: Clock, actor: User, room: Room) -> Room:
    actor.require(Role.ADMIN)
    with uow:
        get_venue(uow, room.venue_id)
        room = uow.rooms.add(room)
        _record(uow, clock, actor, "room", room.id)
        uow.commit()
    return room


def get_trust(uow: UnitOfWork, trust_id: int) -> Trust:
    with uow:
        return _found(uow.trusts.get(trust_id), "trust", trust_id)


def get_venue(uow: UnitOfWork, venue_id: int) -> Venue:
    with uow:
        return _found(uow.venues.get(venue_id), "venue", venue_id)


def get_room(uow: UnitOfWork, room_id: int) -> Room:
    with uow:
        return _found(uow.rooms.get(room_id), "room", room_id)


def _found(thing: T | None, kind: str, ident: int) -> T:
    if thing is None:
        raise NotFound(f"There is no {kind} {ident}.")
    return thing
