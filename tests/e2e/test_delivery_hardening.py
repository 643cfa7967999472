"""One bad record never stops the email worker, and a trust's subject setting can't break the
invoice run: real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from service.usecases.context import Context
from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, issue
from tests.e2e.conftest import send
from tests.e2e.smtp_server import Inbox
from tests.fakes import FrozenClock

Who = dict[str, Any]


def invoiced_venue(staff: Staff, finance: Who, facilitator: Who, trust: Who, **venue: Any) -> int:
    """A venue with a room, a PO of `trust` and two Tuesday sessions booked on it; its id."""
    room = staff.room(staff.venue(**venue)["id"])
    po = staff.purchase_order(
        trust["id"], room["venue_id"], finance, number=f"RZZPO{room['id']:07d}"
    )
    book_tuesdays(staff, facilitator, room, po, sessions=2)
    return int(room["venue_id"])


@pytest.mark.slow  # a real SMTP server
def test_a_message_that_cannot_be_built_fails_alone(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    trust: Who,
    clock: FrozenClock,
    smtp_ctx: Context,
    inbox: tuple[Inbox, int],
) -> None:
    invoiced_venue(staff, finance, facilitator, trust, name="Good Hall CIC")
    bad_id = invoiced_venue(staff, finance, facilitator, trust, name="Bad Hall CIC")
    assert deliver_due(smtp_ctx).sent == 2  # each venue's invitation to its booking
    inbox[0].received.clear()
    ctx = app.extensions["roomhire"]
    with ctx.new_uow() as uow:  # a name with a line break, as the API allowed until now
        bad = uow.venues.get(bad_id)
        assert bad is not None
        bad.name = "Bad Hall\nBcc: everyone@example.org"
        uow.venues.update(bad)
        uow.commit()
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    invoices = issue(client, finance, "2026-11-30")["issued"]
    for invoice in invoices:
        send(client, finance, invoice)

    run = deliver_due(smtp_ctx)  # returns, rather than crashing the worker
    assert (run.sent, run.failed) == (2, 2)  # the good hall's two emails; the bad one's two
    outbox = client.get("/api/v1/outbox", headers=finance["headers"]).json
    failed = [m for m in outbox if m["state"] == "failed"]
    assert {m["invoice_id"] for m in failed} == {
        i["id"] for i in invoices if i["venue_id"] == bad_id
    }
    assert all("could not be built" in m["last_error"] for m in failed)
    assert {m["To"] for m in inbox[0].received} == {"ap@example.nhs.uk", "hall@example.org"}
    assert all("Good Hall" in m["From"] for m in inbox[0].received)
    assert deliver_due(smtp_ctx).handled == 0  # nothing left stuck in `sending`


def test_the_subject_setting_takes_only_known_placeholders(
    client: Client, staff: Staff, trust: Who
) -> None:
    for bad in (
        "{document} {number} {po_number} {nope}",
        "{supplier:>20000000} {document} {number} {po_number}",
        "{document} {number} {po_number} {",
        "{number}",
    ):
        response = client.patch(
            f"/api/v1/trusts/{trust['id']}",
            json={"invoice_subject": bad},
            headers=staff.admin["headers"],
        )
        assert response.status_code == 422, (bad, response.json)
        assert "invoice_subject" in str(response.json)
    ok = "Roomhire {document} {number} (PO {po_number}) from {supplier}"
    response = client.patch(
        f"/api/v1/trusts/{trust['id']}",
        json={"invoice_subject": ok},
        headers=staff.admin["headers"],
    )
    assert response.status_code == 200, response.json


def test_a_subject_saved_before_the_check_cannot_stop_any_trusts_invoices(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    trust: Who,
    clock: FrozenClock,
) -> None:
    invoiced_venue(staff, finance, facilitator, trust, name="Chapel Hall CIC")
    ctx = app.extensions["roomhire"]
    with ctx.new_uow() as uow:  # written straight to the database, as old versions allowed
        stored = uow.trusts.get(trust["id"])
        assert stored is not None
        stored.invoice_subject = "{document} {number} {po_number} {nope} {supplier:>20000000}"
        stored.send_on_issue = True
        uow.trusts.update(stored)
        uow.commit()
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    issued = issue(client, finance, "2026-11-30")["issued"]
    assert len(issued) == 1
    outbox = client.get("/api/v1/outbox", headers=finance["headers"]).json
    (subject,) = [m["subject"] for m in outbox if m["invoice_id"] == issued[0]["id"]][:1]
    assert subject.startswith(f"Invoice {issued[0]['number']} RZZPO")
    assert "{nope}" in subject and len(subject) < 300
