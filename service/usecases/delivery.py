"""Queue invoices in the outbox (same transaction as the decision to send); the outbox
worker (outbox_worker.py) delivers them. Finance lists the outbox and retries a message."""

from __future__ import annotations

from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.delivery import (
    OutboxMessage,
    OutboxState,
    Recipient,
    ensure_attachable,
    message_id,
    subject,
)
from service.domain.directory import InvoiceDelivery
from service.domain.einvoice import XML
from service.domain.errors import NotFound
from service.domain.invoicing import DocumentKind, Invoice, documents_digest
from service.domain.users import Role, User
from service.ports.unit_of_work import (
    WithAudit,
    WithBookings,
    WithInvoices,
    WithOutbox,
    WithTrusts,
    WithUsers,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.directory import get_trust, get_venue


class DeliveryStores(
    WithTrusts, WithVenues, WithBookings, WithInvoices, WithOutbox, WithUsers, WithAudit, Protocol
):
    """The stores the delivery use cases use: nothing else is in reach."""


def queue_invoice(
    ctx: Context, uow: DeliveryStores, actor: User, invoice_id: int
) -> list[OutboxMessage]:
    """Finance sends an invoice. Queued once: asking again returns the messages already queued."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        invoice = uow.invoices.get(invoice_id)
        if invoice is None:
            raise NotFound(f"There is no invoice {invoice_id}.")
        messages = queue_messages(ctx, uow, invoice, actor.label)
        uow.commit()
    return messages


def queue_messages(
    ctx: Context, uow: DeliveryStores, invoice: Invoice, actor: str
) -> list[OutboxMessage]:
    """Within the caller's transaction: one message to the trust (its accounts-payable inbox,
    or its PEPPOL access point when its invoices travel by PEPPOL and the invoice has an
    e-invoice) and a copy to the venue, unless they are queued already."""
    assert invoice.id is not None
    existing = uow.outbox.find(invoice_id=invoice.id)
    if existing:
        return existing
    documents = uow.invoices.documents(invoice.id)
    ensure_attachable(len(d.content) for d in documents)
    digest = documents_digest((d.media_type, d.sha256) for d in documents)
    trust = get_trust(uow, invoice.trust_id)
    venue = get_venue(uow, invoice.venue_id)
    title = subject(trust.invoice_subject, invoice)
    by_peppol = trust.invoice_delivery is InvoiceDelivery.PEPPOL and trust.peppol_id
    if by_peppol and any(d.media_type == XML for d in documents):
        to_trust = (Recipient.ACCESS_POINT, str(trust.peppol_id), title)
    else:  # by email, as is an invoice issued before the trust had its PEPPOL id
        to_trust = (Recipient.ACCOUNTS_PAYABLE, trust.accounts_payable_email, title)
    recipients = [
        to_trust,
        (Recipient.VENUE_COPY, venue.contact_email, title),
    ]
    # the booking's facilitator, if their account is active (not the whole series: an
    # invoice run queues hundreds of these)
    facilitator = uow.bookings.facilitator_emails([invoice.booking_id]).get(invoice.booking_id)
    if trust.remind_facilitators and facilitator and invoice.kind is DocumentKind.INVOICE:
        recipients.append(
            (
                Recipient.FACILITATOR_REMINDER,
                facilitator,
                f"Please confirm the sessions of {invoice.number} on {invoice.po_number}",
            )
        )
    now = ctx.clock.now()
    messages = [
        uow.outbox.add(
            OutboxMessage(
                invoice.id,
                recipient,
                to,
                title,
                message_id(invoice.venue_id, invoice.number, recipient),
                digest,
                now,
            )
        )
        for recipient, to, title in recipients
    ]
    uow.audit.record(
        AuditEvent(
            now, actor, "queued", invoice.kind.value, invoice.id, {"to": [m.to for m in messages]}
        )
    )
    return messages


def outbox(
    ctx: Context, uow: DeliveryStores, actor: User, state: OutboxState | None
) -> list[OutboxMessage]:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        return uow.outbox.find(state=state)


def invoice_messages(
    ctx: Context, uow: DeliveryStores, actor: User, invoice_id: int
) -> list[OutboxMessage]:
    """Every message about one invoice (to accounts payable, the venue's copy, notices)."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        return uow.outbox.find(invoice_id=invoice_id)


def retry(ctx: Context, uow: DeliveryStores, actor: User, outbox_id: int) -> OutboxMessage:
    """Finance puts a dead-lettered message back in the queue (e.g. after fixing the address)."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        message = uow.outbox.get(outbox_id)
        if message is None:
            raise NotFound(f"There is no outbox message {outbox_id}.")
        message.retry(ctx.clock.now())
        uow.outbox.save(message)
        uow.audit.record(AuditEvent(ctx.clock.now(), actor.label, "retry", "outbox", outbox_id))
        uow.commit()
    return message
