"""Plain domain objects for unit tests, each from a builder whose keyword defaults describe
an ordinary case: a test names only what its rule is about.

Everything that constructs `Line` or `Party` (invoicing's dataclasses) is here and only here."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from service.domain.bookings import Session
from service.domain.delivery import OutboxMessage, Recipient
from service.domain.directory import Room, VatTreatment, Venue
from service.domain.exports import ExportRow, FinanceStatus
from service.domain.invoicing import DocumentKind, Invoice, Line, Party
from service.domain.money import charge
from service.domain.purchasing import PurchaseOrder
from service.domain.reconciliation import InvoiceState, IssuedInvoice
from service.domain.timeslots import Interval, london_instant

VENUE_ID = 7
TRUST_ID = 3
PO_NUMBER = "RZZPO0000001"
SENT_ON = date(2027, 1, 4)
IMPORTED_AT = datetime(2027, 2, 1, 9, tzinfo=UTC)  # a Monday morning, in winter (UTC = London)
ROOM = Room(1, "Main hall", 20, True, 2500, VatTreatment.EXEMPT, id=1)
VENUE = Venue("Hall", "1 Row", "BS5 9XX", "h@x.org", "m@x.org", id=1)


def an_issued_invoice(**overrides: Any) -> IssuedInvoice:
    """One of our invoices as reconciliation sees it: SMCH0001, £75.00, emailed 4 January."""
    values: dict[str, Any] = {
        "id": 1,
        "venue_id": VENUE_ID,
        "trust_id": TRUST_ID,
        "booking_id": 11,
        "number": "SMCH0001",
        "po_number": PO_NUMBER,
        "amount_pence": 7500,
        "sent_on": SENT_ON,
        "issue_date": SENT_ON,
        "due_date": SENT_ON + timedelta(days=30),
    }
    return IssuedInvoice(**{**values, **overrides})


def issued_invoices(count: int, **overrides: Any) -> list[IssuedInvoice]:
    """SMCH0001, SMCH0002, … with ids 1, 2, …, all alike otherwise."""
    return [
        an_issued_invoice(id=n, number=f"SMCH{n:04d}", **overrides) for n in range(1, count + 1)
    ]


def a_row(invoice: IssuedInvoice | None = None, **overrides: Any) -> ExportRow:
    """The export row SBS keys for `invoice` (validated, not approved, nothing paid)."""
    invoice = invoice or an_issued_invoice()
    values: dict[str, Any] = {
        "line": 2,
        "venue_id": invoice.venue_id,
        "supplier_number": "220871",
        "supplier_name": "ST MARKS COMMUNITY HALL CIC",
        "invoice_number": invoice.number,
        "description": None,
        "invoice_date": date(2026, 12, 1),
        "amount_pence": invoice.amount_pence,
        "currency": "GBP",
        "po_number": invoice.po_number,
        "status": FinanceStatus.RECEIVED,
        "hold_name": None,
        "hold_reason": None,
        "hold_date": None,
        "due_date": None,
        "amount_paid_pence": 0,
        "payment_date": None,
        "payment_number": None,
    }
    return ExportRow(**{**values, **overrides})


def a_state(**overrides: Any) -> InvoiceState:
    """The known state of invoice 1: received, as an earlier import (id 1) showed it."""
    values: dict[str, Any] = {
        "invoice_id": 1,
        "status": FinanceStatus.RECEIVED,
        "export_amount_pence": 7500,
        "export_po_number": PO_NUMBER,
        "received_on": SENT_ON,
        "last_import_id": 1,
    }
    return InvoiceState(**{**values, **overrides})


def a_purchase_order(**overrides: Any) -> PurchaseOrder:
    """£1,000 for the financial year 2026-27, of trust 3 at venue 7."""
    values: dict[str, Any] = {
        "number": PO_NUMBER,
        "trust_id": TRUST_ID,
        "venue_id": VENUE_ID,
        "cost_centre": "CC1",
        "approved_value_pence": 100_000,
        "valid_from": date(2026, 4, 1),
        "valid_to": date(2027, 3, 31),
        "id": 1,
    }
    return PurchaseOrder(**{**values, **overrides})


def a_session(day: date = date(2027, 1, 5), **overrides: Any) -> Session:
    """13:00-16:00 in London on `day`, £75.00 (three hours at £25, no VAT), booked."""
    start, end = london_instant(day, time(13)), london_instant(day, time(16))
    values: dict[str, Any] = {
        "room_id": 1,
        "slot": Interval(start, end),
        "occupied": Interval(start, end),
        "charge": charge(2500, 180, Decimal(0)),
    }
    return Session(**{**values, **overrides})


def a_message(**overrides: Any) -> OutboxMessage:
    """An invoice email to accounts payable, waiting to be sent for the first time."""
    values: dict[str, Any] = {
        "invoice_id": 1,
        "recipient": Recipient.ACCOUNTS_PAYABLE,
        "to": "ap@example.nhs.uk",
        "subject": "Invoice SMCH0001 - PO RZZPO0000001 - St Mark's",
        "message_id": "<SMCH0001.abc.accounts_payable@roomhire.invalid>",
        "documents_sha256": "0" * 64,
        "created_at": IMPORTED_AT,
    }
    return OutboxMessage(**{**values, **overrides})


def a_party(**overrides: Any) -> Party:
    values: dict[str, Any] = {
        "name": "St Mark's Community Hall CIC",
        "address": "1 Church Row, Bristol BS5 9XX",
        "email": "hall@example.org",
    }
    return Party(**{**values, **overrides})


def a_line(day: date = date(2026, 12, 1), **overrides: Any) -> Line:
    """One three-hour session at £25 an hour, VAT exempt."""
    values: dict[str, Any] = {
        "description": "Room hire",
        "day": day,
        "start": time(13),
        "end": time(16),
        "room": "Main hall",
        "minutes": 180,
        "amount": charge(2500, 180, Decimal(0)),
        "session_id": None,
        "price_per_hour_pence": 2500,
    }
    return Line(**{**values, **overrides})


def an_invoice(**overrides: Any) -> Invoice:
    """SMCH0001 of venue 7 to trust 3, one £75.00 line, issued 4 January 2027."""
    values: dict[str, Any] = {
        "kind": DocumentKind.INVOICE,
        "number": "SMCH0001",
        "venue_id": VENUE_ID,
        "trust_id": TRUST_ID,
        "purchase_order_id": 1,
        "po_number": PO_NUMBER,
        "booking_id": 11,
        "issue_date": SENT_ON,
        "tax_point": SENT_ON,
        "due_date": date(2027, 2, 3),
        "supplier": a_party(),
        "customer": a_party(name="Severnvale MH Trust", email="ap@example.nhs.uk"),
        "lines": (a_line(),),
    }
    return Invoice(**{**values, **overrides})


def with_vat_number(invoice: Invoice, vat_number: str | None) -> Invoice:
    return replace(invoice, supplier=replace(invoice.supplier, vat_number=vat_number))
