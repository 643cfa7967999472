"""What an invoice says about its supplier and each line (issue 13, point 5): the rate and
duration of each line, its VAT treatment, the venue's supplier details and bank details; who
may read bank details, and what happens when they change."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import (
    Staff,
    audit_trail,
    booking_body,
    issue,
    pdf_text,
    plain_text,
    sent_emails,
)
from tests.fakes import FrozenClock

Who = dict[str, Any]
SUPPLIER = {
    "supplier_number": "4400999",
    "queries_phone": "0117 496 0123",
    "queries_email": "queries@chapel.example.org",
    "company_number": "sc123456",
    "registered_office": "1 Chapel Row\nBristol BS5 9XX",
    "bank_sort_code": "12 34 56",
    "bank_account_number": "12345678",
}


def pdf_of(client: Client, finance: Who, invoice: Any) -> str:
    response = client.get(f"/api/v1/invoices/{invoice['id']}.pdf", headers=finance["headers"])
    assert response.status_code == 200
    return " ".join(pdf_text(response.data).split())  # one space between words


def book_once(staff: Staff, who: Who, room_id: int, po: Any, **fields: Any) -> Any:
    """Tuesday 1 December 2026, 13:00-15:40: 2 h 40 min."""
    body = booking_body(room_id, end_time="15:40", purchase_order_id=po["id"], **fields)
    return staff.post("/api/v1/bookings", body, who)


Invoiced = Callable[..., tuple[Who, Any]]


@pytest.fixture
def invoiced(
    client: Client,
    staff: Staff,
    trust: Who,
    finance: Who,
    facilitator: Who,
    clock: FrozenClock,
) -> Invoiced:
    """A venue with the given fields, a room at £12.34 an hour booked once, and its invoice;
    `before_issue(room)` runs between the booking and the invoice run."""

    def make(before_issue: Callable[[Who], object] = id, **venue_fields: Any) -> tuple[Who, Any]:
        venue = staff.venue(**venue_fields)
        po = staff.purchase_order(trust["id"], venue["id"], finance)
        room = staff.room(venue["id"], price_per_hour_pence=1234)
        book_once(staff, facilitator, room["id"], po)
        before_issue(room)
        clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
        (invoice,) = issue(client, finance, "2026-12-31")["issued"]
        return venue, invoice

    return make


def test_each_line_shows_its_hourly_rate_duration_and_vat_treatment(
    client: Client,
    staff: Staff,
    trust: Who,
    finance: Who,
    facilitator: Who,
    clock: FrozenClock,
) -> None:
    """A VAT-registered venue, one room of each treatment at £12.34 an hour: exempt and
    zero-rated both charge no VAT, and the invoice tells them apart."""
    venue = staff.venue(vat_number="GB123456789")
    po = staff.purchase_order(trust["id"], venue["id"], finance)
    treatments = ["standard", "exempt", "zero", "outside_scope"]
    for treatment in treatments:
        room = staff.room(
            venue["id"], name=treatment, vat_treatment=treatment, price_per_hour_pence=1234
        )
        book_once(staff, facilitator, room["id"], po)
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    issued = issue(client, finance, "2026-12-31")["issued"]
    assert len(issued) == 4
    expected = {
        "standard": ("20%", 658),
        "exempt": ("Exempt", 0),
        "zero": ("0%", 0),
        "outside_scope": ("Outside the scope of VAT", 0),
    }
    for invoice in issued:
        (line,) = invoice["lines"]
        label, vat = expected[line["vat_treatment"]]
        assert (line["price_per_hour_pence"], line["minutes"], line["net_pence"]) == (
            1234,
            160,
            3291,
        )
        assert (line["duration"], line["rate"], line["vat"]) == (
            "2 h 40 min",
            "£12.34 an hour",
            label,
        )
        assert line["vat_pence"] == vat
        words = pdf_of(client, finance, invoice)
        assert "2 h 40 min £12.34 an hour £32.91" in words  # the net can be checked
        # in its VAT rate column, after the net (a long label wraps onto the next lines)
        assert re.search(r"£32\.91 " + r"\b.{0,40}?\b".join(map(re.escape, label.split())), words)
        assert f"£{vat / 100:.2f} £{(3291 + vat) / 100:.2f}" in words
        assert "2.67" not in words and "Tax point" in words


def test_a_later_room_price_never_changes_a_booked_session_or_its_invoice(
    client: Client, staff: Staff, finance: Who, invoiced: Invoiced
) -> None:
    def reprice(room: Who) -> None:
        edited = client.patch(
            f"/api/v1/rooms/{room['id']}",
            json={"price_per_hour_pence": 9999, "vat_treatment": "standard"},
            headers=staff.admin["headers"],
        )
        assert edited.status_code == 200

    _, invoice = invoiced(before_issue=reprice)
    (line,) = invoice["lines"]
    assert (line["price_per_hour_pence"], line["net_pence"], line["rate"]) == (
        1234,
        3291,
        "£12.34 an hour",
    )
    assert line["vat_treatment"] is None  # charged no VAT on a room now standard-rated
    words = pdf_of(client, finance, invoice)
    assert "£12.34 an hour" in words and "£99.99" not in words
    assert "No VAT charged" in words  # the venue is not VAT registered: no VAT columns
    assert "VAT rate" not in words and "Tax point" not in words


def test_the_invoice_prints_what_sbs_and_the_law_expect_of_the_supplier(
    client: Client, staff: Staff, finance: Who, invoiced: Invoiced
) -> None:
    venue, invoice = invoiced(**SUPPLIER)
    assert (venue["company_number"], venue["bank_sort_code"]) == ("SC123456", "12-34-56")
    assert invoice["supplier"]["sort_code"] == "12-34-56"
    words = pdf_of(client, finance, invoice)
    for printed in (
        "NHS supplier number 4400999",
        "Company number SC123456",
        "Registered office: 1 Chapel Row, Bristol BS5 9XX",
        "Queries: 0117 496 0123, queries@chapel.example.org",
        "sort code 12-34-56, account number 12345678",
        "No VAT charged",
    ):
        assert printed in words
    # Later edits to the venue never change an issued invoice.
    client.patch(
        f"/api/v1/venues/{venue['id']}",
        json={"bank_account_number": "87654321"},
        headers=staff.admin["headers"],
    )
    again = client.get(f"/api/v1/invoices/{invoice['id']}", headers=finance["headers"]).json
    assert again["supplier"]["account_number"] == "12345678"


def test_only_finance_and_admin_read_bank_details(
    client: Client, staff: Staff, finance: Who, facilitator: Who
) -> None:
    venue = staff.venue(**SUPPLIER)
    path = f"/api/v1/venues/{venue['id']}"
    for who in (staff.admin, finance):
        read = client.get(path, headers=who["headers"])
        assert read.json["bank_account_number"] == "12345678"
        listed = client.get("/api/v1/venues", headers=who["headers"]).json
        assert listed[0]["bank_sort_code"] == "12-34-56"
    read = client.get(path, headers=facilitator["headers"])
    listed = client.get("/api/v1/venues", headers=facilitator["headers"])
    for shown in (read.json, listed.json[0]):
        assert shown["queries_phone"] == "0117 496 0123"
        assert "bank_sort_code" not in shown and "bank_account_number" not in shown
    assert "12345678" not in read.get_data(as_text=True) + listed.get_data(as_text=True)
    admin_tag = client.get(path, headers=staff.admin["headers"]).headers["ETag"]
    assert read.headers["ETag"] != admin_tag  # no fingerprint of the bank details either


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bank_sort_code": "12-34-5", "bank_account_number": "12345678"}, "bank_sort_code"),
        ({"bank_sort_code": "ab-cd-ef", "bank_account_number": "12345678"}, "bank_sort_code"),
        ({"bank_sort_code": "123456", "bank_account_number": "1234567"}, "bank_account_number"),
        ({"bank_sort_code": "123456", "bank_account_number": "123456789"}, "bank_account_number"),
        ({"bank_sort_code": "123456"}, "bank_account_number"),
        ({"bank_account_number": "12345678"}, "bank_sort_code"),
        ({"bank_sort_code": 123456, "bank_account_number": "12345678"}, "bank_sort_code"),
        ({"bank_sort_code": "1" * 500, "bank_account_number": "12345678"}, "bank_sort_code"),
        ({"queries_phone": "call us"}, "queries_phone"),
        ({"queries_phone": "0117 496"}, "queries_phone"),
        ({"queries_email": "not an address"}, "queries_email"),
        ({"company_number": "1234"}, "company_number"),
        ({"charity_number": "charity"}, "charity_number"),
        ({"registered_office": ""}, "registered_office"),
    ],
)
def test_bad_supplier_details_are_refused_with_a_problem(
    client: Client, staff: Staff, body: dict[str, Any], field: str
) -> None:
    base = {
        "name": "Chapel Hall CIC",
        "address": "1 Chapel Row, Bristol",
        "postcode": "BS5 9XX",
        "contact_email": "hall@example.org",
        "remittance_email": "money@example.org",
    }
    created = client.post("/api/v1/venues", json={**base, **body}, headers=staff.admin["headers"])
    assert created.status_code == 422, created.json
    assert created.mimetype == "application/problem+json"
    assert field in str(created.json)
    venue = staff.venue()
    patched = client.patch(
        f"/api/v1/venues/{venue['id']}", json=body, headers=staff.admin["headers"]
    )
    assert patched.status_code == 422 and field in str(patched.json)


def test_a_change_to_recorded_bank_details_is_audited_masked_and_emailed_to_the_venue(
    app: Flask,
    client: Client,
    staff: Staff,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    venue = staff.venue(**SUPPLIER)
    path, admin = f"/api/v1/venues/{venue['id']}", staff.admin["headers"]
    seen = client.get(path, headers=admin).headers["ETag"]
    clock.current = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    changed = client.patch(
        path,
        json={
            "bank_sort_code": "65-43-21",
            "bank_account_number": "87654321",
            "contact_email": "new-contact@example.org",
        },
        headers={**admin, "If-Match": seen},
    )
    assert changed.status_code == 200, changed.json
    action, detail = audit_trail(app, "venue", venue["id"])[-1]
    assert action == "updated"
    assert detail["bank_sort_code"] == {"from": "**-**-56", "to": "**-**-21"}
    assert detail["bank_account_number"] == {"from": "****5678", "to": "****4321"}
    with app.extensions["roomhire.engine"].connect() as db:
        audit = " ".join(str(row) for row in db.execute(text("SELECT * FROM audit_events")))
    for secret in ("12345678", "87654321", "12-34-56", "65-43-21", "123456", "654321"):
        assert secret not in audit

    deliver_due(app.extensions["roomhire"])
    emails = sent_emails(tmp_path / "outbox")
    assert sorted(e["To"] for e in emails) == ["hall@example.org", "new-contact@example.org"]
    for email in emails:
        assert "bank details" in email["Subject"] and "Chapel Hall CIC" in email["Subject"]
        body = " ".join(plain_text(email).split())
        assert "sort code **-**-56 to **-**-21; account number ****5678 to ****4321" in body
        assert "Thursday 3 December 2026 at 14:05" in body
        assert f"user {staff.admin['id']}" in body
        assert "If you did not" in body
        for secret in ("12345678", "87654321", "65-43-21", "12-34-56"):
            assert secret not in body


def test_recording_bank_details_for_the_first_time_or_other_edits_send_nothing(
    app: Flask, client: Client, staff: Staff, tmp_path: Path
) -> None:
    venue = staff.venue()
    path, admin = f"/api/v1/venues/{venue['id']}", staff.admin["headers"]
    first = {"bank_sort_code": "123456", "bank_account_number": "12345678"}
    assert client.patch(path, json=first, headers=admin).status_code == 200
    phone = client.patch(path, json={"queries_phone": "0117 496 0123"}, headers=admin)
    assert phone.json["bank_account_number"] == "12345678"
    assert client.patch(path, json={"bank_sort_code": "12-34-56"}, headers=admin).status_code == 200
    deliver_due(app.extensions["roomhire"])
    assert list((tmp_path / "outbox").glob("*.eml")) == []
    _, detail = audit_trail(app, "venue", venue["id"])[1]
    assert detail["bank_account_number"] == {"from": "none", "to": "****5678"}


def test_the_status_page_never_shows_bank_details(
    client: Client, finance: Who, invoiced: Invoiced
) -> None:
    venue, _ = invoiced(**SUPPLIER)
    link = client.post(
        f"/api/v1/venues/{venue['id']}/status-links", json={}, headers=finance["headers"]
    ).json
    page_path = str(link["url"]).removeprefix("http://127.0.0.1:8000")
    page = client.get(page_path)
    data = client.get(page_path + ".json")
    assert page.status_code == 200 and data.status_code == 200
    assert "Chapel Hall CIC" in page.get_data(as_text=True)
    for shown in (page.get_data(as_text=True), data.get_data(as_text=True)):
        for secret in ("12345678", "12-34-56", "123456", "5678"):
            assert secret not in shown
