"""Test data through the use cases, not HTTP: each `create_*` builder's keyword defaults describe
an ordinary case, so a test names only what it is about. Use them to set up data; call the API
where the HTTP call is what the test is about (`tests/conftest.py`'s `Staff` does that).

Each runs the use case as whoever may (the operator, an admin, unless `actor` says otherwise) in
a unit of work of its own, and returns the stored domain object."""

from __future__ import annotations

import secrets
from datetime import date, time
from decimal import Decimal
from typing import Any

from service.domain.bookings import BookingRequest, BookingSeries, InvoiceCadence
from service.domain.directory import Room, Trust, VatTreatment, Venue
from service.domain.invoicing import DocumentKind, Invoice, Line, Party
from service.domain.money import charge
from service.domain.purchasing import PurchaseOrder
from service.domain.recurrence import Frequency, Recurrence
from service.domain.users import OPERATOR, Role, User
from service.usecases import accounts, booking, directory, purchasing
from service.usecases.context import Context

# An ordinary trust and venue, as `Staff` (tests/conftest.py) also posts them to the API.
TRUST: dict[str, Any] = {
    "name": "Severnvale MH Trust",
    "organisation_code": "RZZ",
    "payables_code": "RZZ Payables Z999",
    "accounts_payable_email": "ap@example.nhs.uk",
    "invoice_address": "RZZ Payables Z999\nPO Box 000\nLeeds LS1 1AA",
    "po_number_pattern": r"RZZPO\d{7}",
}
VENUE: dict[str, Any] = {
    "name": "Chapel Hall CIC",
    "address": "1 Chapel Row, Bristol",
    "postcode": "bs5 9xx",  # as people type it: the use case writes it BS5 9XX
    "contact_email": "hall@example.org",
    "remittance_email": "money@example.org",
}


def create_trust(ctx: Context, **overrides: Any) -> Trust:
    trust = Trust(**{**TRUST, **overrides})
    return directory.create_trust(ctx, ctx.new_uow(), OPERATOR, trust)


def create_venue(ctx: Context, **overrides: Any) -> Venue:
    venue = Venue(**{**VENUE, **overrides})
    return directory.create_venue(ctx, ctx.new_uow(), OPERATOR, venue)


def create_room(ctx: Context, venue_id: int, **overrides: Any) -> Room:
    fields: dict[str, Any] = {
        "venue_id": venue_id,
        "name": "Main hall",
        "capacity": 20,
        "step_free": True,
        "price_per_hour_pence": 2500,
        "vat_treatment": VatTreatment.EXEMPT,
        **overrides,
    }
    return directory.create_room(ctx, ctx.new_uow(), OPERATOR, Room(**fields))


def create_user(ctx: Context, role: Role = Role.FACILITATOR, trust_id: int | None = None) -> User:
    """A person with an account (a fresh address each time); their API key is not kept."""
    email = f"{role.value}-{secrets.token_hex(4)}@example.nhs.uk"
    user, _ = accounts.create_user(
        ctx, ctx.new_uow(), OPERATOR, email=email, role=role, trust_id=trust_id
    )
    return user


def create_purchase_order(
    ctx: Context, trust_id: int, venue_id: int, **overrides: Any
) -> PurchaseOrder:
    """A £1,000 PO for the 2026/27 winter, unless `overrides` say otherwise."""
    fields: dict[str, Any] = {
        "number": "RZZPO0000123",
        "trust_id": trust_id,
        "venue_id": venue_id,
        "cost_centre": "CC4410",
        "approved_value_pence": 100_000,
        "valid_from": date(2026, 11, 1),
        "valid_to": date(2027, 3, 31),
        **overrides,
    }
    po = PurchaseOrder(**fields)
    return purchasing.create_purchase_order(ctx, ctx.new_uow(), OPERATOR, po).po


def create_booking(
    ctx: Context,
    facilitator: User,
    room_id: int,
    *,
    first_date: date = date(2026, 12, 1),
    frequency: Frequency = Frequency.ONCE,
    sessions: int | None = None,
    until: date | None = None,
    start_time: time = time(13),
    end_time: time = time(16),
    **overrides: Any,
) -> BookingSeries:
    """Tuesday 1 December 2026, 13:00-16:00, booked by `facilitator` for themselves; weekly or
    fortnightly with `sessions` or `until`."""
    assert facilitator.id is not None
    fields: dict[str, Any] = {
        "room_id": room_id,
        "facilitator_id": facilitator.id,
        "group_label": "Tuesday afternoon group",
        "recurrence": Recurrence(first_date, frequency, count=sessions, until=until),
        "start_time": start_time,
        "end_time": end_time,
        "invoice_cadence": InvoiceCadence.MONTHLY,
        **overrides,
    }
    return booking.book(ctx, ctx.new_uow(), facilitator, BookingRequest(**fields))


def one_line_invoice(supplier: Party, customer: Party) -> Invoice:
    """An invoice as issued, for a renderer: one three-hour session, no VAT."""
    line = Line(
        "Room hire",
        date(2026, 12, 1),
        time(9),
        time(12),
        "Hall",
        180,
        charge(2500, 180, Decimal(0)),
        None,
    )
    return Invoice(
        DocumentKind.INVOICE,
        "CHAP0001",
        1,
        1,
        1,
        "RZZPO0000001",
        1,
        date(2027, 1, 4),
        date(2026, 12, 28),
        date(2027, 2, 3),
        supplier,
        customer,
        (line,),
    )
