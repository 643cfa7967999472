"""Finance issues invoices for held sessions and credit notes for waived charges."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.bookings import BookingSeries, Session, SessionStatus
from service.domain.directory import Room, Trust, Venue
from service.domain.einvoice import (
    XML,
    apart_from_not_subject,
    check_categories,
    check_seller_named,
    missing_for_einvoice,
    to_einvoice,
)
from service.domain.errors import DomainError, NotFound
from service.domain.invoicing import (
    PAYMENT_TERMS,
    PDF,
    Document,
    DocumentKind,
    Draft,
    Invoice,
    InvoiceRefused,
    Line,
    Party,
    check_issue_date,
    due_drafts,
    format_number,
    line_treatment,
    number_prefix,
    supplier_party,
    tax_point,
    total,
)
from service.domain.purchasing import PurchaseOrder
from service.domain.reissues import REISSUABLE, Reissue
from service.domain.timeslots import LONDON, spoken_date
from service.domain.users import Role, User
from service.ports.unit_of_work import (
    WithAudit,
    WithBookings,
    WithInvoices,
    WithOutbox,
    WithPurchaseOrders,
    WithReconciliation,
    WithRooms,
    WithTrusts,
    WithUsers,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.delivery import queue_messages
from service.usecases.directory import get_room, get_trust, get_venue


class InvoicingStores(
    WithTrusts,
    WithVenues,
    WithRooms,
    WithBookings,
    WithPurchaseOrders,
    WithInvoices,
    WithReconciliation,
    WithOutbox,
    WithUsers,
    WithAudit,
    Protocol,
):
    """The stores the invoicing use cases use: nothing else is in reach."""


@dataclass(frozen=True)
class Refusal:
    booking_id: int
    code: str
    reason: str


@dataclass(frozen=True)
class Planned:
    """An invoice as it would be issued: every pre-issue check passed, no number drawn yet."""

    venue: Venue
    trust: Trust
    po: PurchaseOrder
    series: BookingSeries
    lines: tuple[Line, ...]
    today: date

    @property
    def gross_pence(self) -> int:
        return total(self.lines)


@dataclass
class IssueReport:
    issued: list[Invoice] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    changed: bool = False  # the run was refused: what it would issue is no longer as previewed

    @property
    def fingerprint(self) -> str:
        """Of what the run would issue and refuse: confirming a preview checks it is the same."""
        summary = [
            (p.series.id, p.po.id, [line.session_id for line in p.lines], p.gross_pence)
            for p in self.planned
        ] + [(r.booking_id, r.code, r.reason) for r in self.refused]
        return hashlib.sha256(json.dumps(summary).encode()).hexdigest()


def issue_invoices(
    ctx: Context,
    uow: InvoicingStores,
    actor: User,
    through: date,
    venue_id: int | None = None,
    *,
    preview: bool = False,
    expected: str | None = None,
    send: bool = False,
) -> IssueReport:
    """Issue every invoice due up to `through`. Idempotent: invoiced sessions are never
    invoiced again, and concurrent runs queue behind one lock. One transaction: if any
    invoice fails to render, none is issued and no number is used.

    `preview`: only plan (what would be issued, what refused and why): no number is drawn and
    nothing is stored. `expected`: the fingerprint of a preview; if the plan differs now,
    nothing is issued and the report says `changed`, with the new plan. `send`: queue every
    issued invoice's emails (as for a trust that sends on issue)."""
    actor.require(Role.FINANCE, Role.ADMIN)
    report = IssueReport()
    with uow:
        if not preview:
            uow.invoices.lock_issuing()
        now = ctx.clock.now()
        report.planned, report.refused = _plan(uow, through, venue_id, now)
        if preview:
            return report
        if expected is not None and expected != report.fingerprint:
            report.changed = True
            return report
        invoices = [_document(uow, DocumentKind.INVOICE, p) for p in report.planned]
        pdfs = ctx.renderer.render_all(invoices)
        for planned, invoice, pdf in zip(report.planned, invoices, pdfs, strict=True):
            stored = _store(ctx, uow, actor, invoice, planned, pdf)
            report.issued.append(stored)
            if send or planned.trust.send_on_issue:  # same transaction: issued means queued
                queue_messages(ctx, uow, stored, actor.label)
        uow.commit()
    return report


def _plan(
    uow: InvoicingStores, through: date, venue_id: int | None, now: datetime
) -> tuple[list[Planned], list[Refusal]]:
    """What a run would issue, and refuse with the reason, checking every invoice before any
    number is drawn (so refusals leave no gap); invoices planned earlier in the run count
    against their PO's value."""
    planned: list[Planned] = []
    refused: list[Refusal] = []
    earlier: dict[int | None, int] = {}  # gross planned so far on each PO
    charged = uow.invoices.charged_session_ids()
    today = now.astimezone(LONDON).date()
    for series in uow.bookings.find():
        room = get_room(uow, series.room_id)
        if venue_id is not None and room.venue_id != venue_id:
            continue
        for draft in _einvoice_parts(uow, due_drafts(series, charged, through, now), room):
            try:
                checked = _checked(uow, draft, room, today, earlier)
            except DomainError as refusal:
                refused.append(Refusal(series.id or 0, refusal.code, refusal.message))
                continue
            planned.append(checked)
            earlier[checked.po.id] = earlier.get(checked.po.id, 0) + checked.gross_pence
    return planned, refused


def _einvoice_parts(uow: InvoicingStores, drafts: list[Draft], room: Room) -> list[Draft]:
    """For a trust on PEPPOL, at a VAT-registered venue: each draft's sessions outside the
    scope of VAT on an invoice of their own, apart from those VAT-rated (see
    apart_from_not_subject). Other drafts as they are."""
    parts: list[Draft] = []
    for draft in drafts:
        po_id = draft.purchase_order_id
        po = uow.purchase_orders.get(po_id) if po_id is not None else None
        takes_einvoices = po is not None and get_trust(uow, po.trust_id).peppol_id is not None
        if takes_einvoices and get_venue(uow, room.venue_id).vat_number is not None:
            rooms = _rooms(uow, draft.sessions, room)
            treatments = {room_id: r.vat_treatment for room_id, r in rooms.items()}
            split = apart_from_not_subject(draft.sessions, treatments)
            parts.extend(Draft(draft.series, sessions) for sessions in split)
        else:
            parts.append(draft)
    return parts


def _checked(
    uow: InvoicingStores, draft: Draft, room: Room, today: date, earlier: dict[int | None, int]
) -> Planned:
    """The pre-issue checks SBS would otherwise fail the invoice on."""
    series = draft.series
    if draft.purchase_order_id is None:
        first = draft.sessions[0].local_date
        raise InvoiceRefused(
            f"Booking {series.id}'s sessions from {spoken_date(first)} have no purchase "
            "order: no PO, no invoice. Put them on a PO first.",
        )
    po = uow.purchase_orders.get(draft.purchase_order_id, for_update=True)
    assert po is not None
    trust = get_trust(uow, po.trust_id)
    venue = get_venue(uow, room.venue_id)
    po.check_number(trust.po_number_pattern, trust.name)
    po.ensure_covers([s.local_date for s in draft.sessions], venue.id or 0, series.trust_id)
    rounds = uow.invoices.next_charge_rounds([s.id or 0 for s in draft.sessions])
    rooms = _rooms(uow, draft.sessions, room)
    lines = tuple(_line(series, rooms[s.room_id], s, rounds[s.id or 0]) for s in draft.sessions)
    already = uow.invoices.invoiced_pence(po.id or 0) + earlier.get(po.id, 0)
    po.ensure_room_for(already, total(lines), "This invoice")
    check_issue_date(today, today)
    if trust.peppol_id:
        _check_einvoice(trust, venue, lines)
    return Planned(venue, trust, po, series, lines, today)


def _check_einvoice(trust: Trust, venue: Venue, lines: tuple[Line, ...]) -> None:
    """For a trust on the PEPPOL network: what its e-invoice would lack, in plain words."""
    gaps = missing_for_einvoice(trust, venue)
    if gaps:
        raise InvoiceRefused(
            f"{trust.name} takes e-invoices, and this one would be invalid: {'; '.join(gaps)}."
        )
    check_seller_named(check_categories(lines, venue.vat_number is not None), venue)


def _document(
    uow: InvoicingStores,
    kind: DocumentKind,
    planned: Planned,
    credits_invoice: str | None = None,
) -> Invoice:
    venue, trust, po, lines, today = (p := planned).venue, p.trust, p.po, p.lines, p.today
    prefix, sequence = uow.invoices.next_number(
        venue.id or 0, kind, number_prefix(venue.name, kind)
    )
    return Invoice(
        kind=kind,
        number=format_number(prefix, sequence),
        venue_id=venue.id or 0,
        trust_id=trust.id or 0,
        purchase_order_id=po.id or 0,
        po_number=po.number,
        booking_id=planned.series.id or 0,
        issue_date=today,
        tax_point=tax_point(today, max(line.day for line in lines))
        if kind is DocumentKind.INVOICE
        else today,
        due_date=today + PAYMENT_TERMS,
        supplier=supplier_party(venue),
        customer=Party(trust.name, trust.invoice_address, trust.accounts_payable_email),
        lines=lines,
        credits_invoice=credits_invoice,
    )


def _rooms(uow: InvoicingStores, sessions: Sequence[Session], booked: Room) -> dict[int, Room]:
    """The room each session is held in, by id: the booking's, or another of the venue's
    that a session was moved to (its line names that room and takes its VAT treatment)."""
    rooms = {booked.id or 0: booked}
    for room_id in {s.room_id for s in sessions} - rooms.keys():
        rooms[room_id] = get_room(uow, room_id)
    return rooms


def _line(series: BookingSeries, room: Room, session: Session, charge_round: int) -> Line:
    """The session's price per hour and charge as booked; its VAT treatment as of now;
    `charge_round` 0 unless a credit note took back an earlier charge of it."""
    start, end = (t.astimezone(LONDON) for t in (session.slot.start, session.slot.end))
    return Line(
        series.description,
        session.local_date,
        start.time(),
        end.time(),
        room.name,
        session.minutes,
        session.charge,
        session.id,
        price_per_hour_pence=session.price_per_hour_pence,
        vat_treatment=line_treatment(room.vat_treatment, session.charge.rate),
        charge_round=charge_round,
    )


def _store(
    ctx: Context,
    uow: InvoicingStores,
    actor: User,
    invoice: Invoice,
    planned: Planned,
    pdf: Document,
) -> Invoice:
    """Numbered and stored with its documents: its PDF, and for a trust on the PEPPOL
    network its UBL e-invoice, both made from the one invoice, in this transaction."""
    documents = [pdf]
    if planned.trust.peppol_id:
        einvoice = to_einvoice(invoice, planned.trust, planned.venue)
        documents.append(ctx.einvoices.write(einvoice))
    stored = uow.invoices.add(invoice, documents, ctx.clock.now())
    assert stored.id is not None
    uow.audit.record(
        AuditEvent(
            ctx.clock.now(),
            actor.label,
            "issued",
            stored.kind.value,
            stored.id,
            {"number": stored.number, "gross": stored.gross_pence},
        )
    )
    return stored


@dataclass(frozen=True)
class Waived:
    session: Session
    credit_note: Invoice | None


def waive_late_cancellation(
    ctx: Context, uow: InvoicingStores, actor: User, session_id: int
) -> Waived:
    """The venue agrees not to charge a late cancellation; if it was invoiced already,
    a credit note against that invoice takes the charge back."""
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        session = uow.bookings.session(session_id)
        if session is None:
            raise NotFound(f"There is no session {session_id}.")
        session.waive()
        uow.bookings.update_session(session)
        uow.audit.record(AuditEvent(ctx.clock.now(), actor.label, "waived", "session", session_id))
        credit_note = None
        invoice = uow.invoices.invoice_charging(session_id)
        if invoice is not None:
            charged = next(line for line in invoice.lines if line.session_id == session_id)
            credit = charged.credited("waived late cancellation")
            credit_note = issue_credit_note(ctx, uow, actor, invoice, (credit,))
        uow.commit()
    return Waived(session, credit_note)


def issue_credit_note(
    ctx: Context, uow: InvoicingStores, actor: User, invoice: Invoice, lines: tuple[Line, ...]
) -> Invoice:
    """Within the caller's transaction: a credit note against `invoice` with `lines` (each a
    line of it, credited), numbered and stored like any document."""
    po = uow.purchase_orders.get(invoice.purchase_order_id)
    series = uow.bookings.get(invoice.booking_id)
    assert po is not None and series is not None
    today = ctx.clock.now().astimezone(LONDON).date()
    planned = Planned(
        get_venue(uow, invoice.venue_id), get_trust(uow, invoice.trust_id), po, series, lines, today
    )
    credit_note = _document(uow, DocumentKind.CREDIT_NOTE, planned, invoice.number)
    return _store(ctx, uow, actor, credit_note, planned, ctx.renderer.render(credit_note))


def list_invoices(
    ctx: Context, uow: InvoicingStores, actor: User, venue_id: int | None
) -> list[Invoice]:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        return uow.invoices.find(venue_id=venue_id)


@dataclass(frozen=True)
class InvoiceDetails:
    invoice: Invoice
    credits: Invoice | None  # for a credit note: the invoice it credits
    credit_notes: list[Invoice]  # against this invoice
    waivable: frozenset[int]  # its late cancellations the venue may still agree not to charge
    reissue: Reissue | None = None  # the invoice's reissue (for a credit note: the one it made)
    reissued_on: tuple[Invoice, ...] = ()  # the invoices its sessions are charged on again
    reissuable: bool = False  # NHS accounts cancelled or rejected it; not reissued yet
    einvoice: bool = False  # it has a UBL e-invoice beside its PDF


def invoice_details(
    ctx: Context, uow: InvoicingStores, actor: User, invoice_id: int
) -> InvoiceDetails:
    """An invoice with what finance can do about it: its credit notes (or, for a credit note,
    what it credits) and the late cancellations on it that can be waived."""
    with uow:
        invoice = get_invoice(ctx, uow, actor, invoice_id)
        sessions = [
            uow.bookings.session(line.session_id) for line in invoice.lines if line.session_id
        ]
        credited = invoice.credits_invoice
        credits = uow.invoices.by_number(invoice.venue_id, credited) if credited else None
        reissue = uow.invoices.reissue_of(credits.id if credits and credits.id else invoice_id)
        if credited and reissue and reissue.credit_note_id != invoice_id:
            reissue = None  # a credit note of another kind (a waiver) against that invoice
        state = uow.reconciliation.state(invoice_id)
        return InvoiceDetails(
            invoice,
            credits,
            uow.invoices.credit_notes_for(invoice) if not credited else [],
            frozenset(
                s.id
                for s in sessions
                if s and s.id and not credited and s.status is SessionStatus.LATE_CANCELLED
            ),
            reissue,
            tuple(uow.invoices.recharged_on(invoice_id)) if reissue and not credited else (),
            not credited
            and reissue is None
            and state is not None
            and not state.unconfirmed
            and state.status in REISSUABLE,
            XML in uow.invoices.media_types(invoice_id),
        )


def get_invoice(ctx: Context, uow: InvoicingStores, actor: User, invoice_id: int) -> Invoice:
    actor.require(Role.FINANCE, Role.ADMIN)
    with uow:
        invoice = uow.invoices.get(invoice_id)
    if invoice is None:
        raise NotFound(f"There is no invoice {invoice_id}.")
    return invoice


def invoice_document(
    ctx: Context, uow: InvoicingStores, actor: User, invoice_id: int, media_type: str
) -> tuple[Invoice, Document]:
    """One of the invoice's documents (its PDF, say) as stored at issue."""
    with uow:
        invoice = get_invoice(ctx, uow, actor, invoice_id)
        documents = uow.invoices.documents(invoice_id)
    found = next((d for d in documents if d.media_type == media_type), None)
    if found is None:
        raise NotFound(f"Invoice {invoice.number} has no {media_type} document.")
    return invoice, found


PREVIEW_WIDTH = 600  # pixels: the invoice page's column


def invoice_preview(ctx: Context, uow: InvoicingStores, actor: User, invoice_id: int) -> bytes:
    """A PNG picture of the first page of the invoice's PDF as issued."""
    _, pdf = invoice_document(ctx, uow, actor, invoice_id, PDF)
    return ctx.previews.first_page_png(pdf.content, PREVIEW_WIDTH)
