"""E-invoices through the API: a trust with a PEPPOL id gets, with each invoice and credit
note, a UBL e-invoice that is valid (tests/peppol_rules.py) and says what the stored invoice
and its PDF say, to the penny; a trust without one gets PDFs only; an invoice whose
e-invoice would be invalid is refused before issue, naming what the directory lacks."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from service.domain.users import Role
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, issue
from tests.e2e.staff import browser_as
from tests.einvoices import pdf_total
from tests.fakes import FrozenClock
from tests.peppol_rules import findings, totals

BANK = {"bank_sort_code": "65-43-21", "bank_account_number": "87654321"}


def _documents(client: Client, finance: dict[str, Any], invoice: dict[str, Any]) -> bytes:
    """The invoice's e-invoice, checked against its PDF and its stored totals."""
    xml = client.get(f"/api/v1/invoices/{invoice['id']}.xml", headers=finance["headers"])
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert xml.headers["ETag"].strip('"') == hashlib.sha256(xml.data).hexdigest()
    assert findings(xml.data) == [], invoice["number"]
    sign = -1 if invoice["kind"] == "credit_note" else 1  # a credit note's are positive
    assert totals(xml.data) == {
        name: Decimal(sign * invoice[f"{name}_pence"]) / 100 for name in ("net", "vat", "gross")
    }
    pdf = client.get(f"/api/v1/invoices/{invoice['id']}.pdf", headers=finance["headers"])
    assert pdf_total(pdf.data) == invoice["gross_pence"]
    return bytes(xml.data)


def test_a_trust_on_peppol_gets_valid_e_invoices_that_match_its_pdfs(
    app: Flask, client: Client, staff: Staff, clock: FrozenClock
) -> None:
    trust = staff.trust(peppol_id="0088: 501 2345 678900", buyer_reference="RZZ-ESTATES")
    assert trust["peppol_id"] == "0088:5012345678900"
    other = staff.trust(name="Northvale Community Trust", organisation_code="RYY")
    finance = staff.user(Role.FINANCE, trust["id"])
    other_finance = staff.user(Role.FINANCE, other["id"])
    registered = staff.venue(name="St Mark's Community Hall CIC", vat_number="GB987654321", **BANK)
    unregistered = staff.venue(
        name="Chapel Hall CIC", charity_number="1100002", peppol_id="0060:123456789", **BANK
    )
    bare = staff.venue(name="Bare Rooms Ltd", company_number="01234567")
    rooms = {
        "exempt": staff.room(registered["id"], name="Hall", vat_treatment="exempt"),
        "zero": staff.room(
            registered["id"], name="Studio", vat_treatment="zero", price_per_hour_pence=1875
        ),
        "standard": staff.room(
            registered["id"],
            name="Garden room",
            vat_treatment="standard",
            price_per_hour_pence=1234,
        ),
        "unregistered": staff.room(unregistered["id"], vat_treatment="standard"),
        "bare": staff.room(bare["id"]),
    }
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    bookings = {}
    for n, (name, room) in enumerate(rooms.items()):
        po = staff.purchase_order(trust["id"], room["venue_id"], finance, number=f"RZZPO000000{n}")
        bookings[name] = book_tuesdays(
            staff,
            facilitator,
            room,
            po,
            sessions=2,
            end_time="15:40",
            invoice_cadence="per_session",
        )
    other_po = staff.purchase_order(
        other["id"], unregistered["id"], other_finance, number="RZZPO0000999"
    )
    other_facilitator = staff.user(Role.FACILITATOR, other["id"])
    book_tuesdays(
        staff,
        other_facilitator,
        rooms["unregistered"],
        other_po,
        sessions=1,
        first_date="2026-11-25",
    )
    clock.current = datetime(2026, 11, 30, 12, tzinfo=UTC)  # 25 hours before 1 December
    late = bookings["standard"]["sessions"][1]["id"]
    cancelled = client.post(f"/api/v1/sessions/{late}/cancel", headers=facilitator["headers"])
    assert cancelled.status_code == 200, cancelled.json

    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    report = issue(client, finance, "2026-12-31")
    assert len(report["refused"]) == 2  # each of the bare venue's sessions
    for refusal in report["refused"]:
        assert refusal["booking_id"] == bookings["bare"]["id"]
        assert "venue has no bank account number" in refusal["reason"]
        assert "venue has no PEPPOL participant id" in refusal["reason"]
    issued = [i for i in report["issued"] if i["trust_id"] == trust["id"]]
    assert len(issued) == 8  # two sessions each at four rooms; the bare venue's refused
    for invoice in issued:
        _documents(client, finance, invoice)
    (pdf_only,) = [i for i in report["issued"] if i["trust_id"] == other["id"]]
    missing = client.get(f"/api/v1/invoices/{pdf_only['id']}.xml", headers=finance["headers"])
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert "has no application/xml document" in missing.json["detail"]

    waived = client.post(f"/api/v1/sessions/{late}/waive", headers=finance["headers"])
    assert waived.status_code == 200, waived.json
    credit_note = waived.json["credit_note"]
    xml = _documents(client, finance, credit_note)
    assert b"<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" in xml
    assert f"<cbc:ID>{credit_note['credits_invoice']}</cbc:ID>".encode() in xml
    assert b"<cbc:BuyerReference>RZZ-ESTATES</cbc:BuyerReference>" in xml
    assert b'<cbc:CreditedQuantity unitCode="MIN">160</cbc:CreditedQuantity>' in xml

    # Stored once at issue (eight invoices and the credit note), never changed afterwards.
    engine = app.extensions["roomhire.engine"]
    with engine.connect() as conn:
        count = "SELECT count(*) FROM invoice_documents WHERE media_type = 'application/xml'"
        assert conn.execute(text(count)).scalar_one() == 9
    for statement in (
        "UPDATE invoice_documents SET sha256 = 'x' WHERE media_type = 'application/xml'",
        "DELETE FROM invoice_documents WHERE media_type = 'application/xml'",
    ):
        with pytest.raises(Exception, match="invoice_immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    again = client.get(f"/api/v1/invoices/{credit_note['id']}.xml", headers=finance["headers"])
    assert again.data == xml

    # Finance's invoice page offers it to download; a PDF-only invoice's page doesn't.
    pages = browser_as(app)
    page = pages.get(f"/finance/invoices/{credit_note['id']}").text
    assert f'href="/finance/invoices/{credit_note["id"]}.xml" download' in page
    saved = pages.get(f"/finance/invoices/{credit_note['id']}.xml")
    assert saved.data == xml and saved.headers["Content-Disposition"].startswith("attachment;")
    assert "download the e-invoice" not in pages.get(f"/finance/invoices/{pdf_only['id']}").text
    assert pages.get(f"/finance/invoices/{pdf_only['id']}.xml").status_code == 404


def test_sessions_outside_the_scope_of_vat_go_on_an_e_invoice_apart(
    client: Client, staff: Staff, clock: FrozenClock
) -> None:
    """A month's sessions in a room outside the scope of VAT, one moved to a standard-rated
    room of the same (registered) venue, which prices it with VAT: category O can't share an
    e-invoice with S, so the month is two invoices, each valid."""
    trust = staff.trust(peppol_id="0088:5012345678900")
    finance = staff.user(Role.FINANCE, trust["id"])
    venue = staff.venue(name="St Mark's Community Hall CIC", vat_number="GB987654321", **BANK)
    outside = staff.room(venue["id"], name="Hall", vat_treatment="outside_scope")
    standard = staff.room(venue["id"], name="Garden room", vat_treatment="standard")
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    po = staff.purchase_order(trust["id"], venue["id"], finance)
    booking = book_tuesdays(staff, facilitator, outside, po, sessions=3, first_date="2026-12-01")
    moved = client.post(
        f"/api/v1/sessions/{booking['sessions'][1]['id']}/move",
        json={"room_id": standard["id"]},
        headers=facilitator["headers"],
    )
    assert moved.status_code == 200, moved.json
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    report = issue(client, finance, "2026-12-31")
    (vat_rated,) = report["issued"]
    # without its VAT number (BR-O-02) the O invoice must name the venue some other way
    (refused,) = report["refused"]
    assert "record the venue's company or charity number" in refused["reason"], refused
    named = client.patch(
        f"/api/v1/venues/{venue['id']}",
        json={"company_number": "09876543"},
        headers=staff.admin["headers"],
    )
    assert named.status_code == 200, named.json
    report = issue(client, finance, "2026-12-31")
    assert report["refused"] == []
    (not_subject,) = report["issued"]
    assert [line["date"] for line in vat_rated["lines"]] == ["2026-12-08"]
    assert [line["date"] for line in not_subject["lines"]] == ["2026-12-01", "2026-12-15"]
    assert b"<cbc:ID>S</cbc:ID>" in _documents(client, finance, vat_rated)
    xml = _documents(client, finance, not_subject)
    assert b"<cbc:ID>O</cbc:ID>" in xml and b"GB987654321</cbc:CompanyID>" not in xml
