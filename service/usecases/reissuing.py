"""Finance reissues an invoice NHS accounts cancelled or rejected: a credit note takes it back
and its sessions are free for the next invoice run, on a corrected PO if that was why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.domain.audit import AuditEvent
from service.domain.bookings import Session
from service.domain.errors import RuleViolation
from service.domain.invoicing import Invoice
from service.domain.purchasing import PurchaseOrder
from service.domain.reissues import (
    NotReissuable,
    Reissue,
    ReissueReason,
    checked_details,
    ensure_reissuable,
    still_charged,
)
from service.domain.users import Role, User
from service.usecases.context import Context
from service.usecases.delivery import queue_messages
from service.usecases.directory import get_room
from service.usecases.invoicing import InvoicingStores, get_invoice, issue_credit_note
from service.usecases.purchasing import draw_on


@dataclass(frozen=True)
class Reissued:
    invoice: Invoice
    credit_note: Invoice
    reissue: Reissue
    sessions: list[Session]  # freed to be invoiced again


def reissue_invoice(
    ctx: Context,
    uow: InvoicingStores,
    actor: User,
    invoice_id: int,
    reason: ReissueReason,
    purchase_order_id: int | None = None,
    details: str | None = None,
) -> Reissued:
    """One transaction: a credit note for every line of the invoice not credited already,
    queued to be emailed; its sessions moved to `purchase_order_id` (checked like any move to
    a PO: trust, venue, dates, value), and free to be invoiced by the next run. Refused, with
    nothing changed, unless NHS accounts cancelled or rejected the invoice, and a second time.
    Reissues queue behind invoice runs (one lock), so two at once cannot both succeed."""
    actor.require(Role.FINANCE, Role.ADMIN)
    details = checked_details(reason, details)
    with uow:
        uow.invoices.lock_issuing()
        invoice = get_invoice(ctx, uow, actor, invoice_id)
        state = uow.reconciliation.state(invoice_id)
        known = state.status if state and not state.unconfirmed else None  # not on a guess
        ensure_reissuable(invoice, known, uow.invoices.reissue_of(invoice_id))
        lines = still_charged(invoice, uow.invoices.credit_notes_for(invoice))
        if not lines:
            raise NotReissuable(
                f"Every line of {invoice.number} has been credited already: there is nothing "
                "left to invoice again.",
                number=invoice.number,
            )
        sessions = [_session(uow, line.session_id) for line in lines if line.session_id]
        if purchase_order_id is not None:
            _move(uow, invoice, sessions, purchase_order_id)
        credit_note = issue_credit_note(
            ctx,
            uow,
            actor,
            invoice,
            tuple(line.credited(f"{invoice.number} reissued") for line in lines),
        )
        queue_messages(ctx, uow, credit_note, actor.label)
        assert credit_note.id is not None
        now = ctx.clock.now()
        reissue = Reissue(
            invoice_id, credit_note.id, reason, details, purchase_order_id, actor.label, now
        )
        uow.invoices.add_reissue(reissue)
        uow.audit.record(
            AuditEvent(
                now,
                actor.label,
                "reissued",
                "invoice",
                invoice_id,
                {
                    "reason": reason.value,
                    "details": details,
                    "credit_note": credit_note.number,
                    "purchase_order": purchase_order_id,
                },
            )
        )
        uow.commit()
    return Reissued(invoice, credit_note, reissue, sessions)


def _session(uow: InvoicingStores, session_id: int) -> Session:
    session = uow.bookings.session(session_id)
    assert session is not None  # an invoiced session is never deleted
    return session


def _move(uow: InvoicingStores, invoice: Invoice, sessions: Sequence[Session], po_id: int) -> None:
    """Every session onto the PO, or none: it must cover all their dates (a reissue can't
    leave some for a later PO)."""
    po = uow.purchase_orders.get(po_id, for_update=True)
    if po is None:
        raise RuleViolation(f"There is no purchase order {po_id}.", field="purchase_order_id")
    series = uow.bookings.get(invoice.booking_id)
    assert series is not None
    venue_id = get_room(uow, series.room_id).venue_id
    chargeable = [s for s in sessions if s.chargeable]
    po.ensure_covers([s.local_date for s in chargeable], venue_id, series.trust_id)
    if not chargeable:
        return
    moved = draw_on(uow, po_id, chargeable, series.trust_id, venue_id, "Reissuing this invoice")
    if moved:
        uow.bookings.set_purchase_order([s.id or 0 for s in moved], po_id)


def purchase_orders_to_move_to(
    ctx: Context, uow: InvoicingStores, actor: User, invoice_id: int
) -> list[PurchaseOrder]:
    """The POs an invoice's sessions could move to on reissue: the other POs of its trust at
    its venue still running on the invoice's first day (reissuing checks the rest)."""
    with uow:
        invoice = get_invoice(ctx, uow, actor, invoice_id)
        first = min((line.day for line in invoice.lines), default=invoice.issue_date)
        found = uow.purchase_orders.find(venue_id=invoice.venue_id, valid_on_or_after=first)
    return [
        po for po in found if po.trust_id == invoice.trust_id and po.id != invoice.purchase_order_id
    ]
