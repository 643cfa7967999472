"""Admin keeps the directory of trusts, venues and rooms; every user may read it. Edits
change what comes next (bookings, invoices, imports); what was issued stays as it was."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from service.domain.audit import AuditEvent
from service.domain.delivery import (
    OutboxMessage,
    Recipient,
    bank_details_topic,
    check_subject_template,
    message_id,
)
from service.domain.directory import (
    Room,
    Trust,
    Venue,
    bank_details_change,
    check_invoice_delivery,
    check_pattern,
    checked_supplier_details,
    normalise_postcode,
    shown_in_audit,
    version_of,
    without_bank_details,
)
from service.domain.errors import Conflict, NotFound, StaleVersion
from service.domain.peppol import normalise_peppol_id
from service.domain.users import Role, User
from service.ports.unit_of_work import WithAudit, WithOutbox, WithRooms, WithTrusts, WithVenues
from service.usecases.context import Context


class DirectoryStores(WithTrusts, WithVenues, WithRooms, WithOutbox, WithAudit, Protocol):
    """The stores the directory use cases use: nothing else is in reach."""


T = TypeVar("T")
Entry = TypeVar("Entry", Trust, Venue, Room)


def _record(
    ctx: Context, uow: DirectoryStores, actor: User, entity: str, entity_id: int | None
) -> None:
    assert entity_id is not None
    uow.audit.record(AuditEvent(ctx.clock.now(), actor.label, "created", entity, entity_id))


def create_trust(ctx: Context, uow: DirectoryStores, actor: User, trust: Trust) -> Trust:
    actor.require(Role.ADMIN)
    trust = _check_trust(trust)
    with uow:
        trust = uow.trusts.add(trust)
        _record(ctx, uow, actor, "trust", trust.id)
        uow.commit()
    return trust


def create_venue(ctx: Context, uow: DirectoryStores, actor: User, venue: Venue) -> Venue:
    actor.require(Role.ADMIN)
    with uow:
        venue = uow.venues.add(_checked_venue(uow, venue))
        _record(ctx, uow, actor, "venue", venue.id)
        uow.commit()
    return venue


def create_room(ctx: Context, uow: DirectoryStores, actor: User, room: Room) -> Room:
    actor.require(Role.ADMIN)
    with uow:
        get_venue(uow, room.venue_id)
        room = uow.rooms.add(room)
        _record(ctx, uow, actor, "room", room.id)
        uow.commit()
    return room


@dataclass(frozen=True)
class Edit:
    """What to change, and (from If-Match) the versions of the entry the editor saw: the
    edit is refused if the entry has changed since. None: edit whatever is there now."""

    changes: Mapping[str, Any]
    seen: Container[str] | None = None


def update_trust(
    ctx: Context, uow: DirectoryStores, actor: User, trust_id: int, edit: Edit
) -> Trust:
    actor.require(Role.ADMIN)
    with uow:
        trust = get_trust(uow, trust_id, for_update=True)
        entity = ("trust", trust_id)
        return _edit(ctx, uow, actor, entity, trust, edit, _check_trust, uow.trusts.update)


def update_venue(
    ctx: Context, uow: DirectoryStores, actor: User, venue_id: int, edit: Edit
) -> Venue:
    """Name and supplier number are how imports recognise the venue: the next import uses
    the new ones. A change to bank details already recorded is announced to the venue (see
    _announce_bank_change): changed bank details are the classic invoice fraud."""

    def check(venue: Venue) -> Venue:
        return _checked_venue(uow, venue)

    def save(new: Venue) -> None:
        uow.venues.update(new)
        _announce_bank_change(ctx, uow, actor, venue, new)

    actor.require(Role.ADMIN)
    with uow:
        venue = get_venue(uow, venue_id, for_update=True)
        entity = ("venue", venue_id)
        return _edit(ctx, uow, actor, entity, venue, edit, check, save)


def _announce_bank_change(
    ctx: Context, uow: DirectoryStores, actor: User, old: Venue, new: Venue
) -> None:
    """In the edit's transaction, an email to the venue's contact address as it was (and as
    it is now, if that changed too: whoever changes the bank details may change the address
    first) saying what changed, masked, when and by whom."""
    changed = bank_details_change(old, new)
    if changed is None:
        return
    now = ctx.clock.now()
    topic = bank_details_topic(old.id or 0, changed, actor.label)
    uow.outbox.add_all(
        [
            OutboxMessage(
                invoice_id=None,
                recipient=Recipient.BANK_DETAILS_NOTICE,
                to=to,
                subject=ctx.emails.subject("bank_details_changed", venue=old.name)[:300],
                message_id=message_id(
                    old.id or 0, f"bank-{now:%Y%m%d%H%M%S}", Recipient.BANK_DETAILS_NOTICE, to
                ),
                documents_sha256="",
                created_at=now,
                topic=topic,
            )
            for to in dict.fromkeys((old.contact_email, new.contact_email))
        ]
    )


def update_room(ctx: Context, uow: DirectoryStores, actor: User, room_id: int, edit: Edit) -> Room:
    """Sessions keep the price and set-up times they were booked with."""
    actor.require(Role.ADMIN)
    with uow:
        room = get_room(uow, room_id, for_update=True)
        entity = ("room", room_id)
        return _edit(ctx, uow, actor, entity, room, edit, lambda r: r, uow.rooms.update)


def _edit(
    ctx: Context,
    uow: DirectoryStores,
    actor: User,
    entity: tuple[str, int],
    old: Entry,
    edit: Edit,
    check: Callable[[Entry], Entry],
    save: Callable[[Entry], None],
) -> Entry:
    """Apply, check, save and audit (each changed field, from and to) in the caller's unit,
    which holds the entry's row locked, so no other edit slips in between."""
    if edit.seen is not None and version_of(old) not in edit.seen:
        kind, entry_id = entity
        raise StaleVersion(
            f"The {kind} {entry_id} has changed since you read it: read it again, then edit."
        )
    new = check(replace(old, **edit.changes))
    changed = {
        name: {
            "from": shown_in_audit(name, getattr(old, name)),
            "to": shown_in_audit(name, getattr(new, name)),
        }
        for name in edit.changes
        if getattr(old, name) != getattr(new, name)
    }
    if changed:
        save(new)
        uow.audit.record(AuditEvent(ctx.clock.now(), actor.label, "updated", *entity, changed))
        uow.commit()
    return new


def _check_trust(trust: Trust) -> Trust:
    check_pattern(trust.po_number_pattern)
    check_subject_template(trust.invoice_subject)
    return check_invoice_delivery(replace(trust, peppol_id=normalise_peppol_id(trust.peppol_id)))


def _checked_venue(uow: DirectoryStores, venue: Venue) -> Venue:
    """The postcode normalised; imports find a venue by its supplier number, so one number
    is one venue."""
    wanted = (venue.supplier_number or "").strip().upper()
    for other in uow.venues.all() if wanted else []:
        if other.id != venue.id and (other.supplier_number or "").strip().upper() == wanted:
            raise Conflict(
                f"Venue {other.id} ({other.name}) already has supplier number "
                f"{venue.supplier_number}.",
                field="supplier_number",
            )
    return checked_supplier_details(replace(venue, postcode=normalise_postcode(venue.postcode)))


def sees_bank_details(reader: User) -> bool:
    """Bank details are for paying the venue: finance and admin read them, nobody else."""
    return reader.role in (Role.FINANCE, Role.ADMIN)


def as_seen_by(reader: User, venue: Venue) -> Venue:
    return venue if sees_bank_details(reader) else without_bank_details(venue)


def list_trusts(ctx: Context, uow: DirectoryStores, actor: User) -> list[Trust]:
    """Every staff role reads the directory."""
    with uow:
        return uow.trusts.all()


def list_venues(ctx: Context, uow: DirectoryStores, actor: User) -> list[Venue]:
    with uow:
        return uow.venues.all()


def venue_names(ctx: Context, uow: DirectoryStores, actor: User) -> dict[int, str]:
    """Each venue's name by its id, in the order venues were added: for choosing one."""
    with uow:
        return uow.venues.names()


def rooms_of(ctx: Context, uow: DirectoryStores, actor: User, venue_id: int) -> list[Room]:
    with uow:
        get_venue(uow, venue_id)
        return uow.rooms.find(venue_id=venue_id)


def get_trust(uow: WithTrusts, trust_id: int, *, for_update: bool = False) -> Trust:
    with uow:
        return _found(uow.trusts.get(trust_id, for_update=for_update), "trust", trust_id)


def get_venue(uow: WithVenues, venue_id: int, *, for_update: bool = False) -> Venue:
    with uow:
        return _found(uow.venues.get(venue_id, for_update=for_update), "venue", venue_id)


def get_room(uow: WithRooms, room_id: int, *, for_update: bool = False) -> Room:
    with uow:
        return _found(uow.rooms.get(room_id, for_update=for_update), "room", room_id)


def _found(thing: T | None, kind: str, ident: int) -> T:
    if thing is None:
        raise NotFound(f"There is no {kind} {ident}.")
    return thing
