"""Invented directory for `make run`: a trust, three venues with rooms, and staff accounts.
`demo_history` gives them a past."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Protocol

from service.domain.directory import Closure, Room, Trust, VatTreatment, Venue
from service.domain.users import OPERATOR, Role
from service.ports.unit_of_work import (
    WithAudit,
    WithRooms,
    WithStaffSessions,
    WithTrusts,
    WithUsers,
    WithVenues,
)
from service.usecases.accounts import create_user
from service.usecases.context import Context


class DemoStores(
    WithTrusts, WithVenues, WithRooms, WithUsers, WithAudit, WithStaffSessions, Protocol
):
    """The stores the demo use cases use: nothing else is in reach."""


TRUST = Trust(
    name="Severnvale Mental Health NHS Foundation Trust",
    organisation_code="RZZ",
    payables_code="RZZ Payables Z999",
    accounts_payable_email="sevmh.invoices@example.nhs.uk",
    invoice_address="RZZ Payables Z999\nPO Box 000\nLeeds\nLS1 1AA",
    po_number_pattern=r"RZZPO\d{7}",
    send_on_issue=True,
    business_unit="RZZ SEVERNVALE MENTAL HEALTH NHS FT",  # as its exports name it
)


# Supplier details plainly invented: sort code 00-00-00 belongs to no bank; the phone numbers
# are in Ofcom's range kept for drama (0117 496 0000-0999); company and charity numbers made up.
VENUES: list[tuple[Venue, list[Room]]] = [
    (
        Venue(
            name="St Michael's Community Hall CIC",
            address="12 Chapel Row, Redfield, Bristol",
            postcode="BS5 9XX",
            contact_email="bookings@stmichaels-hall.example.org",
            remittance_email="treasurer@stmichaels-hall.example.org",
            supplier_number="4400101",
            closures=[Closure(date(2026, 12, 29), "Hall closed between Christmas and New Year")],
            queries_phone="0117 496 0101",
            queries_email="treasurer@stmichaels-hall.example.org",
            company_number="00000101",
            registered_office="12 Chapel Row, Redfield, Bristol BS5 9XX",
            bank_sort_code="00-00-00",
            bank_account_number="00000001",
        ),
        [
            Room(0, "Main hall", 40, True, 2500, VatTreatment.EXEMPT, 15, 15),
            Room(0, "Garden room", 12, True, 1500, VatTreatment.EXEMPT, 10, 10),
        ],
    ),
    (
        Venue(
            name="Harbourside Kitchen Café Ltd",
            address="3 Quay Street, Bristol",
            postcode="BS1 4XX",
            contact_email="events@harbourside-kitchen.example.org",
            remittance_email="accounts@harbourside-kitchen.example.org",
            vat_number="GB123456789",
            supplier_number="4400117",
            notice_period_hours=72,
            queries_phone="0117 496 0117",
            queries_email="accounts@harbourside-kitchen.example.org",
            company_number="00000117",
            registered_office="3 Quay Street, Bristol BS1 4XX",
            bank_sort_code="00-00-00",
            bank_account_number="00000002",
        ),
        [Room(0, "Upstairs room", 16, False, 3000, VatTreatment.STANDARD, 0, 15)],
    ),
    (
        Venue(
            name="Eastfield Community Centre",
            address="Eastfield Road, Kingswood, Bristol",
            postcode="BS15 8XX",
            contact_email="hello@eastfield-centre.example.org",
            remittance_email="finance@eastfield-centre.example.org",
            supplier_number="4400123",
            queries_phone="0117 496 0123",
            charity_number="000123",
            bank_sort_code="00-00-00",
            bank_account_number="00000003",
        ),
        [
            Room(0, "Meeting room 1", 10, True, 1200, VatTreatment.EXEMPT, 0, 0),
            Room(0, "Activity studio", 25, True, 2000, VatTreatment.EXEMPT, 15, 15),
        ],
    ),
]

USERS = [
    ("admin@demo.roomhire.invalid", Role.ADMIN),
    ("facilitator@demo.roomhire.invalid", Role.FACILITATOR),
    ("finance@demo.roomhire.invalid", Role.FINANCE),
]


def load_directory(ctx: Context, uow: DemoStores) -> dict[str, str] | None:
    """Load once; returns each user's API key, or None when the demo data is already there."""
    with uow:
        if uow.trusts.all():
            return None
        trust_id = uow.trusts.add(TRUST).id
        for venue, rooms in VENUES:
            venue_id = uow.venues.add(venue).id
            assert venue_id is not None
            for room in rooms:
                uow.rooms.add(replace(room, venue_id=venue_id))
        keys = {
            email: create_user(ctx, uow, OPERATOR, email=email, role=role, trust_id=trust_id)[1]
            for email, role in USERS
        }
        uow.commit()
    return keys
