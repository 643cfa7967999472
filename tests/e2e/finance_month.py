"""A month end for the finance page tests: a venue the sample export knows, a £500 PO nearly
used up by six weekly sessions (one invoice each), and a booking with no PO; then, once the
invoices are issued, three emailed (one bounces) and an export with a hold, a payment and a
mis-keyed number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from service.domain.delivery import OutboxState, Recipient
from service.domain.users import Role
from service.usecases.outbox_worker import deliver_due
from tests.conftest import Staff, book_tuesdays, booking_body
from tests.e2e.exports import export, for_invoice, upload
from tests.fakes import FrozenClock

Who = dict[str, Any]
BOOKED_ON = datetime(2026, 11, 20, 9, tzinfo=UTC)
MONTH_END = datetime(2027, 1, 4, 9, tzinfo=UTC)  # December's sessions are all held
BOUNCE = "550 5.1.1 <ap@example.nhs.uk>: Recipient address rejected"


@dataclass
class Month:
    trust: Who
    venue: Who
    room: Who
    po: Who
    finance: Who
    facilitator: Who
    without_po: Who


def book_the_month(staff: Staff, clock: FrozenClock) -> Month:
    clock.current = BOOKED_ON
    trust = staff.trust()
    venue = staff.venue(name="St Mark's Community Hall CIC", supplier_number="220871")
    room = staff.room(venue["id"], name="Garden room")
    finance = staff.user(Role.FINANCE, trust["id"])
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    po = staff.purchase_order(trust["id"], venue["id"], finance, approved_value_pence=50_000)
    book_tuesdays(staff, facilitator, room, po, invoice_cadence="per_session")  # 6 x £75
    body = booking_body(
        room["id"],
        group_label="Thursday morning group",
        first_date="2026-12-03",
        start_time="09:00",
        end_time="10:00",
        frequency="weekly",
        sessions=2,
    )
    without_po = staff.post("/api/v1/bookings", body, facilitator)
    clock.current = MONTH_END
    return Month(trust, venue, room, po, finance, facilitator, without_po)


def after_issue(app: Flask, staff: Staff, month: Month, invoices: list[Who]) -> None:
    """Emails the first three (the third's to accounts payable bounces) and imports an
    export that puts the first on hold, shows the second paid and the fourth mis-keyed."""
    client, headers = staff.client, month.finance["headers"]
    for invoice in invoices[:3]:
        assert client.post(f"/api/v1/invoices/{invoice['id']}/send", headers=headers).status_code
    ctx = app.extensions["roomhire"]
    with ctx.new_uow() as uow:
        message = next(
            m
            for m in uow.outbox.find(invoice_id=invoices[2]["id"])
            if m.recipient is Recipient.ACCOUNTS_PAYABLE
        )
        message.failed_permanently(BOUNCE)
        uow.outbox.save(message)
        uow.commit()
    assert message.state is OutboxState.FAILED
    deliver_due(ctx, batch=100)
    data = export(
        for_invoice(invoices[0], hold="QTY REC", hold_reason="Quantity billed exceeds received"),
        for_invoice(
            invoices[1],
            approval="Approved",
            paid=f"{invoices[1]['gross_pence'] / 100:.2f}",
            payment_date="04-JAN-2027",
            payment_number="7713388",
        ),
        for_invoice(invoices[2]),
        for_invoice(invoices[3], number="smch o004", approval="Approved"),
        for_invoice(invoices[4]),
        for_invoice(invoices[5]),
    )
    response = upload(client, month.finance, data)
    assert response.status_code == 201, response.json
