"""Finance works through what doesn't add up: the open discrepancies with what each is about
(invoice, venue, amount), and marking one as resolved with a note, which is kept in the audit
trail. (Confirming a match by PO and amount is `reconciliation.confirm_match`.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.domain.audit import AuditEvent
from service.domain.errors import Conflict, NotFound
from service.domain.reconciliation import Discrepancy
from service.domain.resolutions import Resolution, checked_note
from service.domain.timeslots import spoken_date
from service.domain.users import Role, User
from service.usecases.context import Context
from service.usecases.reconciliation import (
    ReconciliationStores,
    found_discrepancies,
    open_discrepancies,
)

RECENT = 20  # resolutions listed as "resolved recently"


@dataclass(frozen=True)
class About:
    """What a discrepancy or resolution is about, in names a person knows."""

    invoice_number: str | None
    venue_name: str | None
    amount_pence: int | None  # what we invoiced (None: not one of our invoices)


@dataclass(frozen=True)
class ToReview:
    discrepancy: Discrepancy
    about: About


@dataclass(frozen=True)
class Resolved:
    resolution: Resolution
    about: About


def to_review(ctx: Context, uow: ReconciliationStores, actor: User) -> list[ToReview]:
    """The open discrepancies, each with its invoice's number and amount and its venue."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        found = open_discrepancies(ctx, uow, actor)
        about = _about(uow)
    return [ToReview(d, about(d.invoice_id, d.venue_id)) for d in found]


def recently_resolved(
    ctx: Context, uow: ReconciliationStores, actor: User, limit: int = RECENT
) -> list[Resolved]:
    """The latest resolutions, newest first: who, when and their note."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        resolutions = uow.reconciliation.resolutions(limit)
        about = _about(uow)
    return [Resolved(r, about(r.invoice_id, r.venue_id)) for r in resolutions]


def resolve_discrepancy(
    ctx: Context, uow: ReconciliationStores, actor: User, key: str, note: str
) -> Resolution:
    """Marks the open discrepancy known by `key` (Discrepancy.key) as resolved, with a note
    of what the person found or did; audited. It stays resolved while exports say the same;
    different figures are a new discrepancy, open again."""
    actor.require(Role.FINANCE, Role.ADMIN)
    note = checked_note(note)
    with uow:
        uow.reconciliation.lock()  # two people resolving the same one: the second is told
        earlier = uow.reconciliation.resolved([key]).get(key)
        if earlier:
            raise Conflict(
                f"{earlier.resolved_by} already marked it as resolved on "
                f"{spoken_date(earlier.resolved_at)}.",
                resolved_by=earlier.resolved_by,
            )
        found = next((d for d in found_discrepancies(ctx, uow) if d.key == key), None)
        if found is None:
            raise NotFound(
                "There is no open discrepancy with that key: a newer import may have changed "
                "or cleared it."
            )
        now = ctx.clock.now()
        resolution = uow.reconciliation.add_resolution(Resolution.of(found, note, actor.label, now))
        assert resolution.id is not None
        uow.audit.record(
            AuditEvent(
                now,
                actor.label,
                "discrepancy_resolved",
                "discrepancy_resolution",
                resolution.id,
                {
                    "key": key,
                    "problem": found.problem.value,
                    "detail": found.detail,
                    "invoice_id": found.invoice_id,
                    "venue_id": found.venue_id,
                    "note": note,
                },
            )
        )
        uow.commit()
    return resolution


def _about(uow: ReconciliationStores) -> Callable[[int | None, int | None], About]:
    invoices = {i.id: i for i in uow.reconciliation.issued_invoices()}
    venues = {v.id: v.name for v in uow.venues.all() if v.id is not None}

    def about(invoice_id: int | None, venue_id: int | None) -> About:
        invoice = invoices.get(invoice_id) if invoice_id is not None else None
        return About(
            invoice.number if invoice else None,
            venues.get(venue_id) if venue_id is not None else None,
            invoice.amount_pence if invoice else None,
        )

    return about
