"""Finance gives a venue a secret link; the venue opens it to see its own invoices. Every way a
link can fail to open looks the same from outside, and failures are rate-limited per client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.delivery import OutboxMessage, Recipient, message_id
from service.domain.directory import Venue, without_bank_details
from service.domain.errors import NotFound
from service.domain.secret_tokens import new_token, token_hash
from service.domain.status_links import StatusLink, check_lifetime
from service.domain.users import Role, User
from service.domain.venue_status import UPCOMING_SHOWN, VenueBooking, VenueLine, describe
from service.ports.unit_of_work import (
    WithAudit,
    WithBookings,
    WithOutbox,
    WithReconciliation,
    WithStatusLinks,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.directory import get_venue
from service.usecases.secret_links import failed_lookup, refuse_if_limited


class StatusLinkStores(
    WithVenues, WithBookings, WithOutbox, WithAudit, WithReconciliation, WithStatusLinks, Protocol
):
    """The stores the status links use cases use: nothing else is in reach."""


@dataclass(frozen=True)
class NewLink:
    link: StatusLink
    token: str  # shown once, never stored


@dataclass(frozen=True)
class Statement:
    venue: Venue
    lines: list[VenueLine]
    upcoming: list[VenueBooking]  # the next UPCOMING_SHOWN sessions booked there


def create_link(
    ctx: Context,
    uow: StatusLinkStores,
    actor: User,
    venue_id: int,
    lifetime: timedelta | None = None,
) -> NewLink:
    actor.require(Role.FINANCE, Role.ADMIN)
    lifetime = check_lifetime(lifetime or ctx.status_link_lifetime)
    with uow:
        get_venue(uow, venue_id)
        new = _issue(ctx, uow, actor, venue_id, lifetime)
        uow.commit()
    return new


def email_link(
    ctx: Context,
    uow: StatusLinkStores,
    actor: User,
    venue_id: int,
    lifetime: timedelta | None = None,
) -> tuple[StatusLink, str]:
    """A new link for the venue, emailed to its contact through the outbox. Nobody else ever
    sees it: the token is made by the worker when it sends (see delivery). Returns the link
    and the address it goes to."""
    actor.require(Role.FINANCE, Role.ADMIN)
    lifetime = check_lifetime(lifetime or ctx.status_link_lifetime)
    with uow:
        venue = get_venue(uow, venue_id)
        link = _issue(ctx, uow, actor, venue_id, lifetime).link  # this token is thrown away
        assert link.id is not None
        reference = f"LINK{link.id}"
        uow.outbox.add(
            OutboxMessage(
                None,
                Recipient.STATUS_LINK,
                venue.contact_email,
                ctx.emails.subject("status_link"),
                message_id(venue_id, reference, Recipient.STATUS_LINK),
                "",
                ctx.clock.now(),
                topic=reference,
                status_link_id=link.id,
            )
        )
        uow.commit()
    return link, venue.contact_email


def _issue(
    ctx: Context, uow: StatusLinkStores, actor: User, venue_id: int, lifetime: timedelta
) -> NewLink:
    now, token = ctx.clock.now(), new_token()
    link = uow.status_links.add(
        StatusLink(venue_id, token_hash(token), now, now + lifetime, actor.label)
    )
    uow.audit.record(AuditEvent(now, actor.label, "link_created", "status_link", link.id or 0))
    return NewLink(link, token)


def links(ctx: Context, uow: StatusLinkStores, actor: User, venue_id: int) -> list[StatusLink]:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        get_venue(uow, venue_id)
        return uow.status_links.find(venue_id)


def revoke(ctx: Context, uow: StatusLinkStores, actor: User, link_id: int) -> StatusLink:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        link = _link(uow, link_id)
        link.revoke(ctx.clock.now())
        uow.status_links.save(link)
        uow.audit.record(
            AuditEvent(ctx.clock.now(), actor.label, "link_revoked", "status_link", link_id)
        )
        uow.commit()
    return link


def rotate(ctx: Context, uow: StatusLinkStores, actor: User, link_id: int) -> NewLink:
    """A new link for the same venue and lifetime; the old one stops working at once."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        old = _link(uow, link_id)
        old.revoke(ctx.clock.now())
        uow.status_links.save(old)
        new = _issue(ctx, uow, actor, old.venue_id, check_lifetime(old.expires_at - old.created_at))
        uow.commit()
    return new


def _link(uow: StatusLinkStores, link_id: int) -> StatusLink:
    link = uow.status_links.get(link_id)
    if link is None:
        raise NotFound(f"There is no status link {link_id}.")
    return link


@dataclass(frozen=True)
class OpenedLink:
    venue_id: int
    version: str  # changes whenever anything a statement shows may have changed


def open_link(ctx: Context, token: str, client: str) -> OpenedLink:
    """The same work whatever is wrong with the token (a hashed lookup, a counted failure), so
    neither the answer nor its timing tells unknown, expired and revoked links apart. Reads
    take no write lock; only a failure (counted) or a stale last-used time writes."""
    now = ctx.clock.now()
    with ctx.new_reader() as reader:
        refuse_if_limited(reader, client, now)
        link = reader.status_links.by_hash(token_hash(token))
        # The hour too: sessions that have started leave the list of bookings to come.
        version = f"{reader.reconciliation.data_version()}@{now:%Y-%m-%dT%H}"
    if link is None or not link.opens_with(token, now):
        failed_lookup(ctx, client, now)
    if link.needs_touch(now):
        link.last_used_at = now
        with ctx.new_uow() as uow:
            uow.status_links.save(link)
            uow.commit()
    return OpenedLink(link.venue_id, version)


def statement(ctx: Context, uow: StatusLinkStores, venue_id: int) -> Statement:
    """Only for a venue whose link was opened: see open_link. Without its bank details: a
    link can be forwarded, and bank details are never shown to anyone with a link."""
    with uow:
        venue = without_bank_details(get_venue(uow, venue_id))
        entries = uow.reconciliation.statement(venue_id)
        upcoming = uow.bookings.upcoming_at_venue(venue_id, ctx.clock.now(), UPCOMING_SHOWN)
    return Statement(venue, [describe(entry) for entry in entries], upcoming)
