"""The outbox worker: claims due messages, sends each outside any transaction and records
what the server said; one message that can't be sent never stops the others."""

from __future__ import annotations

import logging
import random
import re
import time
from dataclasses import dataclass
from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.delivery import (
    CLAIM_EXPIRES,
    TO_THE_TRUST,
    OutboxMessage,
    OutboxState,
    Recipient,
    bank_details_changed,
    closed_session,
    hold_code,
)
from service.domain.einvoice import XML
from service.domain.exports import FinanceStatus
from service.domain.invoicing import Document, DocumentKind, Invoice, documents_digest
from service.domain.money import format_pounds
from service.domain.reconciliation import StatusEvent, explain_hold
from service.domain.secret_tokens import new_token, token_hash
from service.domain.timeslots import LONDON
from service.ports.delivery import (
    Attachment,
    Email,
    Notice,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from service.ports.unit_of_work import (
    WithAudit,
    WithBookings,
    WithInvoices,
    WithOutbox,
    WithReconciliation,
    WithRooms,
    WithSignInLinks,
    WithStatusLinks,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.directory import get_room, get_venue
from service.usecases.sign_in import link_url


class WorkerStores(
    WithVenues,
    WithRooms,
    WithBookings,
    WithInvoices,
    WithOutbox,
    WithAudit,
    WithReconciliation,
    WithStatusLinks,
    WithSignInLinks,
    Protocol,
):
    """The stores the outbox worker use cases use: nothing else is in reach."""


RECEIPT_REMINDER = "receipt_reminder"  # the Notify template: "please confirm the sessions"
HOLD_NOTICE = "hold_notice"  # the Notify template: "this invoice is on hold; here is why"
_jitter = random.Random()  # noqa: S311 — retry jitter, not a secret
log = logging.getLogger(__name__)


@dataclass
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def deliver_due(ctx: Context, *, batch: int = 50) -> DeliveryRun:
    """Claim a batch and read its invoices (one short transaction), send each message outside
    any transaction, record each result in its own transaction: a message is `sent` only after
    the server accepted it."""
    uow = ctx.new_uow()
    with uow:
        now = ctx.clock.now()
        claimed = uow.outbox.due(now, now - CLAIM_EXPIRES, batch)
        for message in claimed:
            message.claim(now)
        uow.outbox.save_all(claimed)
        invoices = uow.invoices.get_many(sorted({m.invoice_id for m in claimed if m.invoice_id}))
        uow.commit()
    shared = _Batch({invoice.id: invoice for invoice in invoices})
    run = DeliveryRun()
    for message in claimed:
        _deliver(ctx, uow, message, shared)
        if message.state is OutboxState.SENT:
            run.sent += 1
        elif message.state is OutboxState.FAILED:
            run.failed += 1
        else:
            run.retrying += 1
    return run


@dataclass
class _Batch:
    """What a batch's messages share: their invoices, read with the claim, and the documents
    of the invoice last sent about. An invoice's messages are queued together, so they come
    one after another and its documents (immutable) are read once for them all; only one
    invoice's are kept, as they may be 10 MB."""

    invoices: dict[int | None, Invoice]
    read: tuple[int, list[Document]] | None = None

    def documents(self, ctx: Context, invoice_id: int) -> list[Document]:
        if self.read is None or self.read[0] != invoice_id:
            with ctx.new_reader() as reader:  # no write lock: other workers record meanwhile
                self.read = (invoice_id, reader.invoices.documents(invoice_id))
        return self.read[1]


def run_worker(
    ctx: Context, *, once: bool, batch: int = 50, poll_seconds: float = 5
) -> DeliveryRun:
    """Deliver until nothing is due (`once`, for cron) or for ever."""
    total = DeliveryRun()
    while True:
        run = deliver_due(ctx, batch=batch)
        total.sent, total.retrying, total.failed = (
            total.sent + run.sent,
            total.retrying + run.retrying,
            total.failed + run.failed,
        )
        if run.handled == 0:
            if once:
                return total
            time.sleep(poll_seconds)


def _deliver(ctx: Context, uow: WorkerStores, message: OutboxMessage, batch: _Batch) -> None:
    try:
        if message.recipient is Recipient.STATUS_LINK:
            reply = _send_link(ctx, uow, message)
        elif message.recipient is Recipient.SIGN_IN_LINK:
            reply = _send_sign_in_link(ctx, uow, message)
        elif message.recipient is Recipient.CLOSURE_NOTICE:
            reply = _send_closure_notice(ctx, uow, message)
        elif message.recipient is Recipient.VENUE_BOOKING:
            reply = _send_venue_booking(ctx, message)
        elif message.recipient is Recipient.BANK_DETAILS_NOTICE:
            reply = _send_bank_details_notice(ctx, uow, message)
        else:
            reply = _send_about_invoice(ctx, message, batch)
    except TemporaryDeliveryError as exc:
        message.failed_temporarily(
            str(exc), ctx.clock.now(), _jitter, maybe_delivered=exc.maybe_delivered
        )
    except PermanentDeliveryError as exc:
        message.failed_permanently(str(exc))
    except Exception as exc:  # one bad message must never stop the others: dead-letter it
        log.exception("outbox message %s could not be sent", message.id)
        message.failed_permanently(f"could not be sent: {type(exc).__name__}: {exc}")
    else:
        message.sent(reply, ctx.clock.now())
    with uow:
        uow.outbox.save_all([message])
        if message.state is OutboxState.SENT and message.recipient in TO_THE_TRUST:
            assert message.invoice_id is not None
            uow.reconciliation.add_events(
                [StatusEvent(message.invoice_id, FinanceStatus.SENT, ctx.clock.now())]
            )
        uow.audit.record(
            AuditEvent(
                ctx.clock.now(),
                "outbox worker",
                f"email_{message.state}",
                "outbox",
                message.id or 0,
                {"to": message.to, "reply": message.server_reply, "error": message.last_error},
            )
        )
        uow.commit()


def _send_about_invoice(ctx: Context, message: OutboxMessage, batch: _Batch) -> str:
    assert message.invoice_id is not None
    invoice = batch.invoices.get(message.invoice_id)
    documents = batch.documents(ctx, message.invoice_id)
    assert invoice is not None and documents
    if documents_digest((d.media_type, d.sha256) for d in documents) != message.documents_sha256:
        raise PermanentDeliveryError("the stored documents no longer match their SHA-256")
    if message.recipient is Recipient.FACILITATOR_REMINDER:
        return ctx.notifier.notify(_reminder(invoice, message))
    if message.recipient is Recipient.HOLD_NOTICE:
        return ctx.notifier.notify(_hold_notice(invoice, message))
    if message.recipient is Recipient.ACCESS_POINT:
        return _send_einvoice(ctx, message, documents)
    return ctx.mailer.send(_email(ctx, invoice, message, documents))


def _send_einvoice(ctx: Context, message: OutboxMessage, documents: list[Document]) -> str:
    """The stored e-invoice, through the access point, from the seller to the buyer its
    document names; the message id is the idempotency key, so a retry never sends it twice."""
    xml = next((d for d in documents if d.media_type == XML), None)
    if xml is None:
        raise PermanentDeliveryError("the invoice has no e-invoice to send through PEPPOL")
    sender, receiver = ctx.einvoices.endpoints(xml.content)
    return ctx.access_point.send(
        document=xml.content, sender=sender, receiver=receiver, message_id=message.message_id
    )


def _send_own(
    ctx: Context,
    message: OutboxMessage,
    template: str,
    attachments: tuple[Attachment, ...] = (),
    **values: object,
) -> str:
    """An email from Roomhire itself (a link, a notice), in its template's words."""
    text, html = ctx.emails.body(template, **values)
    return ctx.mailer.send(
        Email(
            ctx.mail_from,
            message.to,
            message.subject,
            message.message_id,
            text,
            sender_name="Roomhire",
            html=html,
            attachments=attachments,
        )
    )


def _send_venue_booking(ctx: Context, message: OutboxMessage) -> str:
    """The words and the invitation as they were when the change was made: a later change
    has its own message, with the next SEQUENCE."""
    method = re.search(r"^METHOD:(\w+)", message.calendar, re.MULTILINE)
    assert method is not None
    invite = Attachment(
        "invitation.ics", f"text/calendar; method={method.group(1)}", message.calendar.encode()
    )
    what, *lines = message.note.splitlines()
    return _send_own(
        ctx, message, "venue_booking", (invite,), subject=message.subject, what=what, lines=lines
    )


def _send_link(ctx: Context, uow: WorkerStores, message: OutboxMessage) -> str:
    """The token is made now and only its hash stored: the plain link exists only in the email.
    A retry makes a new token, so a link from an attempt that failed never works."""
    assert message.status_link_id is not None
    with uow:
        link = uow.status_links.get(message.status_link_id)
        if link is None or link.state(ctx.clock.now()) != "active":
            raise PermanentDeliveryError("the link was revoked or has expired before sending")
        venue = get_venue(uow, link.venue_id)
        token = new_token()
        link.token_hash = token_hash(token)
        uow.status_links.save(link)
        uow.commit()
    return _send_own(
        ctx,
        message,
        "status_link",
        venue=venue.name,
        link=f"{ctx.public_url}/status/{token}",
        expires=link.expires_at,
    )


def _send_sign_in_link(ctx: Context, uow: WorkerStores, message: OutboxMessage) -> str:
    """Like a status link, the token is made as the email is sent, and only its hash kept."""
    assert message.sign_in_link_id is not None
    now = ctx.clock.now()
    with uow:
        link = uow.sign_in_links.get(message.sign_in_link_id)
        if link is None or link.used_at is not None or link.expires_at <= now:
            raise PermanentDeliveryError("the sign-in link expired before it could be sent")
        token = new_token()
        link.token_hash = token_hash(token)
        uow.sign_in_links.save(link)
        uow.commit()
    minutes = int((link.expires_at - now).total_seconds() // 60)
    return _send_own(ctx, message, "sign_in_link", link=link_url(ctx, token), minutes=minutes)


def _send_closure_notice(ctx: Context, uow: WorkerStores, message: OutboxMessage) -> str:
    with uow:
        session = uow.bookings.session(closed_session(message.topic))
        series = uow.bookings.get(session.series_id or 0) if session else None
        if session is None or series is None:
            raise PermanentDeliveryError("the session has gone")
        room = get_room(uow, session.room_id)
        venue = get_venue(uow, room.venue_id)
    closure = venue.closure_on(session.local_date)
    return _send_own(
        ctx,
        message,
        "closure_notice",
        venue=venue.name,
        day=session.local_date,
        reason=closure.reason if closure else "",
        group=series.group_label,
        room=room.name,
        find_a_room=f"{ctx.public_url}/rooms",
    )


def _send_bank_details_notice(ctx: Context, uow: WorkerStores, message: OutboxMessage) -> str:
    """Changed bank details are the classic invoice fraud: say what changed (masked), when
    and by whom, and what to do if it wasn't them."""
    venue_id, changed, actor = bank_details_changed(message.topic)
    with uow:
        venue = get_venue(uow, venue_id)
    return _send_own(
        ctx,
        message,
        "bank_details_changed",
        venue=venue.name,
        at=message.created_at.astimezone(LONDON),
        actor=actor,
        changed=changed,
        contact=ctx.mail_from,
    )


def _email(
    ctx: Context, invoice: Invoice, message: OutboxMessage, documents: list[Document]
) -> Email:
    text, html = ctx.emails.body(
        "invoice",
        invoice=invoice,
        document="credit note" if invoice.kind is DocumentKind.CREDIT_NOTE else "invoice",
        venue_copy=message.recipient is Recipient.VENUE_COPY,
    )
    return Email(
        sender=ctx.mail_from,
        to=message.to,
        subject=message.subject,
        message_id=message.message_id,
        text=text,
        html=html,
        attachments=tuple(
            Attachment(d.filename(invoice.number), d.media_type, d.content) for d in documents
        ),
        sender_name=f"{invoice.supplier.name} via Roomhire",
        reply_to=invoice.supplier.email,  # questions about the invoice go to the venue
    )


def _reminder(invoice: Invoice, message: OutboxMessage) -> Notice:
    dates = ", ".join(f"{line.day:%d %b %Y}" for line in invoice.lines)
    return _notice(invoice, message, RECEIPT_REMINDER, sessions=dates)


def _hold_notice(invoice: Invoice, message: OutboxMessage) -> Notice:
    code = hold_code(message.topic)
    return _notice(
        invoice, message, HOLD_NOTICE, hold_code=code, what_it_means=explain_hold(code).to_owner
    )


def _notice(invoice: Invoice, message: OutboxMessage, template: str, **about: str) -> Notice:
    return Notice(
        email_address=message.to,
        template=template,
        personalisation={
            "invoice_number": invoice.number,
            "po_number": invoice.po_number,
            "venue": invoice.supplier.name,
            "amount": format_pounds(invoice.gross_pence),
            **about,
        },
        reference=message.message_id,
    )
