"""Issuing invoices through the API: cadence, idempotency, PO checks, immutability, PDFs."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from tests.client import Client
from tests.conftest import Staff, book_tuesdays, booking_body, issue, pdf_text
from tests.fakes import FrozenClock

Who = dict[str, Any]


def test_monthly_invoices_in_arrears_quote_the_po_and_are_issued_once(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    book_tuesdays(staff, facilitator, room, po)  # 24 Nov, 1 8 15 22 29 Dec; £75 each
    clock.current = datetime(2026, 12, 10, 9, tzinfo=UTC)
    assert issue(client, finance, "2026-11-29")["issued"] == []  # November not over by then
    first = issue(client, finance, "2026-12-10")["issued"]  # November only: December runs on
    assert [(i["number"], len(i["lines"]), i["gross_pence"]) for i in first] == [
        ("CHAP0001", 1, 7500)
    ]
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    december = issue(client, finance, "2026-12-31")["issued"]
    assert [(i["number"], len(i["lines"]), i["gross_pence"]) for i in december] == [
        ("CHAP0002", 5, 37500)
    ]
    invoice = december[0]
    assert invoice["po_number"] == "RZZPO0000123"
    assert invoice["tax_point"] == "2027-01-04"  # issued within 14 days of the last session
    assert invoice["issue_date"] == "2027-01-04" and invoice["due_date"] == "2027-02-03"
    assert {line["description"] for line in invoice["lines"]} == {"Room hire"}
    assert "RZZ Payables Z999" in invoice["customer"]["address"]
    assert issue(client, finance, "2026-12-31") == {"issued": [], "refused": []}
    statement = client.get(f"/api/v1/purchase-orders/{po['id']}", headers=finance["headers"])
    assert statement.json["committed_pence"] == 45000
    assert statement.json["invoiced_pence"] == 45000


def test_per_session_and_end_of_series_cadences(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    book_tuesdays(staff, facilitator, room, po, invoice_cadence="per_session", sessions=2)
    book_tuesdays(
        staff,
        facilitator,
        room,
        po,
        invoice_cadence="end_of_series",
        sessions=3,
        start_time="09:00",
        end_time="10:00",
    )
    clock.current = datetime(2026, 12, 2, 12, tzinfo=UTC)
    issued = issue(client, finance, "2026-12-02")["issued"]
    assert [len(i["lines"]) for i in issued] == [1, 1]  # the series of 3 is not over yet
    clock.current = datetime(2026, 12, 9, 12, tzinfo=UTC)
    issued = issue(client, finance, "2026-12-09")["issued"]
    assert [(len(i["lines"]), i["gross_pence"]) for i in issued] == [(3, 3 * 2500)]


def test_cancelled_sessions_are_not_charged_and_late_cancellations_are(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, sessions=3)  # 24 Nov, 1 and 8 Dec
    early, late = booking["sessions"][1]["id"], booking["sessions"][2]["id"]
    client.post(f"/api/v1/sessions/{early}/cancel", headers=facilitator["headers"])
    clock.current = datetime(2026, 12, 7, 12, tzinfo=UTC)
    client.post(f"/api/v1/sessions/{late}/cancel", headers=facilitator["headers"])
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    issued = issue(client, finance, "2026-12-31")["issued"]
    assert [[line["date"] for line in i["lines"]] for i in issued] == [
        ["2026-11-24"],
        ["2026-12-08"],
    ]


def test_no_po_no_invoice_and_a_po_too_small_is_refused_saying_why(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    no_po = staff.post(
        "/api/v1/bookings", booking_body(room["id"], first_date="2026-11-25"), facilitator
    )
    covered = book_tuesdays(staff, facilitator, room, po, sessions=2)
    with app.extensions["roomhire.engine"].begin() as conn:  # someone else invoiced on the PO
        conn.execute(text("UPDATE purchase_orders SET approved_value_pence = 7000"))
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    report = issue(client, finance, "2026-12-31")
    assert report["issued"] == []
    reasons = {r["booking_id"]: (r["code"], r["reason"]) for r in report["refused"]}
    assert reasons[no_po["id"]][0] == "invoice_refused"
    assert "no PO, no invoice" in reasons[no_po["id"]][1]
    assert reasons[covered["id"]][0] == "po_value_exceeded"
    assert "by £5.00" in reasons[covered["id"]][1]  # November: £75 against £70
    client.post(
        f"/api/v1/bookings/{no_po['id']}/purchase-order",
        json={"purchase_order_id": po["id"]},
        headers=finance["headers"],
    )


def test_an_issued_invoice_never_changes(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    book_tuesdays(staff, facilitator, room, po, sessions=1)
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    invoice = issue(client, finance, "2026-11-30")["issued"][0]
    path = f"/api/v1/invoices/{invoice['id']}"
    for method in ("PATCH", "DELETE"):
        response = client.open(
            path, method=method, json={"gross_pence": 1}, headers=finance["headers"]
        )
        assert response.status_code == 409 and response.json["code"] == "invoice_immutable"
    engine = app.extensions["roomhire.engine"]
    for statement in (
        "UPDATE invoices SET gross_pence = 1",
        "DELETE FROM invoice_lines",
        "UPDATE invoice_documents SET sha256 = 'x'",
    ):
        with pytest.raises(Exception, match="invoice_immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    assert client.get(path, headers=finance["headers"]).json == invoice


def test_the_pdf_is_rendered_once_and_its_text_matches_the_invoice(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    book_tuesdays(staff, facilitator, room, po, sessions=2)
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    invoice = issue(client, finance, "2026-12-31")["issued"][1]
    first = client.get(f"/api/v1/invoices/{invoice['id']}.pdf", headers=finance["headers"])
    again = client.get(f"/api/v1/invoices/{invoice['id']}.pdf", headers=finance["headers"])
    assert first.mimetype == "application/pdf" and first.data == again.data
    assert first.headers["ETag"].strip('"') == hashlib.sha256(first.data).hexdigest()
    words = pdf_text(first.data)
    assert "RZZPO0000123" in words and invoice["number"] in words and "£75.00" in words
    assert "No VAT charged" in words and "Room hire" in words
    assert "RZZ Payables Z999" in words and "Tuesday afternoon group" not in words
    assert words.count("\f") == 1  # one page: one invoice per PDF


def test_waiving_an_invoiced_late_cancellation_issues_a_credit_note(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, sessions=2)
    clock.current = datetime(2026, 11, 30, 12, tzinfo=UTC)  # 25 hours before 1 Dec
    late = booking["sessions"][1]["id"]
    client.post(f"/api/v1/sessions/{late}/cancel", headers=facilitator["headers"])
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    december = issue(client, finance, "2026-12-31")["issued"][1]
    waived = client.post(f"/api/v1/sessions/{late}/waive", headers=finance["headers"])
    assert waived.status_code == 200, waived.json
    note = waived.json["credit_note"]
    assert note["kind"] == "credit_note" and note["number"] == "CHAPCN0001"
    assert note["credits_invoice"] == december["number"] and note["gross_pence"] == -7500
    assert waived.json["session"]["status"] == "cancelled"
    words = pdf_text(
        client.get(f"/api/v1/invoices/{note['id']}.pdf", headers=finance["headers"]).data
    )
    assert "Credit note" in words and december["number"] in words and "-£75.00" in words
    assert "3 h £25.00 an hour" in " ".join(words.split())  # the charged line's rate, as booked
    assert (note["lines"][0]["rate"], note["lines"][0]["vat_treatment"]) == (
        "£25.00 an hour",
        "exempt",
    )
    again = client.post(f"/api/v1/sessions/{late}/waive", headers=finance["headers"])
    assert again.status_code == 422
    assert issue(client, finance, "2026-12-31")["issued"] == []


def test_a_credit_note_reduces_what_is_invoiced_on_the_po(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, sessions=1)
    clock.current = datetime(2026, 11, 23, 14, tzinfo=UTC)  # 23 hours before
    client.post(
        f"/api/v1/sessions/{booking['sessions'][0]['id']}/cancel", headers=facilitator["headers"]
    )
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    issue(client, finance, "2026-11-30")
    path = f"/api/v1/purchase-orders/{po['id']}"
    assert client.get(path, headers=finance["headers"]).json["invoiced_pence"] == 7500
    client.post(
        f"/api/v1/sessions/{booking['sessions'][0]['id']}/waive", headers=finance["headers"]
    )
    statement = client.get(path, headers=finance["headers"]).json
    assert statement["invoiced_pence"] == 0 and statement["committed_pence"] == 0


def test_an_invoice_on_a_po_of_another_trust_is_refused_before_issue(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, sessions=1)
    other = staff.trust(name="Other Trust")
    with app.extensions["roomhire.engine"].begin() as conn:  # e.g. the facilitator moved trust
        conn.execute(text("UPDATE booking_series SET trust_id = :t"), {"t": other["id"]})
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    report = issue(client, finance, "2026-11-30")
    assert report["issued"] == []
    assert report["refused"] == [
        {
            "booking_id": booking["id"],
            "code": "po_not_valid",
            "reason": "PO RZZPO0000123 belongs to another trust than the booking's.",
        }
    ]
