"""NHS purchase orders run by financial year: a booking's sessions may be covered by more than
one PO, an invoice quotes one PO, and a session no PO covers is never invoiced."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import text

from adapters.db.engine import make_engine
from adapters.db.migrate import alembic_config, upgrade
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, booking_body, issue
from tests.e2e.staff import person, sign_in_as
from tests.fakes import FrozenClock

Who = dict[str, Any]


def next_year_po(staff: Staff, finance: Who, trust: Who, room: Who, **overrides: Any) -> Any:
    fields = {
        "number": "RZZPO0000200",
        "valid_from": "2027-04-01",
        "valid_to": "2028-03-31",
        **overrides,
    }
    return staff.purchase_order(trust["id"], room["venue_id"], finance, **fields)


def statement(client: Client, finance: Who, po: Who) -> Any:
    return client.get(f"/api/v1/purchase-orders/{po['id']}", headers=finance["headers"]).json


def cover(client: Client, finance: Who, booking: Who, po: Who, **extra: Any) -> Any:
    return client.post(
        f"/api/v1/bookings/{booking['id']}/purchase-order",
        json={"purchase_order_id": po["id"], **extra},
        headers=finance["headers"],
    )


def test_a_series_across_31_march_is_booked_on_this_years_po_and_waits_for_next_years(
    client: Client,
    staff: Staff,
    finance: Who,
    trust: Who,
    room: Who,
    po: Who,
    app: Flask,
    clock: FrozenClock,
) -> None:
    facilitator = person(app.extensions["roomhire"], trust_id=trust["id"])
    body = booking_body(
        room["id"],
        first_date="2027-03-09",
        frequency="weekly",
        sessions=6,  # 9, 16, 23, 30 March; 6, 13 April
        purchase_order_id=po["id"],  # valid to 31 March 2027
    )
    booked = staff.post("/api/v1/bookings", body, facilitator)
    assert [s["purchase_order_id"] for s in booked["sessions"]] == [po["id"]] * 4 + [None] * 2
    assert booked["needs_purchase_order_from"] == "2027-04-06"
    assert booked["purchase_order_ids"] == [po["id"]]
    assert statement(client, finance, po)["committed_pence"] == 4 * 7500
    sign_in_as(client, app.extensions["roomhire"], facilitator)
    page = client.get(f"/bookings/{booked['id']}").text
    assert "RZZPO0000123. Sessions from Tuesday 6 April 2027 need a new one" in page

    clock.current = datetime(2027, 5, 3, 9, tzinfo=UTC)
    run = issue(client, finance, "2027-04-30")
    [march] = run["issued"]
    assert march["po_number"] == po["number"] and len(march["lines"]) == 4
    [refusal] = run["refused"]  # no PO, no invoice
    assert refusal["booking_id"] == booked["id"] and refusal["code"] == "invoice_refused"
    assert "from Tuesday 6 April 2027 have no purchase order" in refusal["reason"]

    next_year = next_year_po(staff, finance, trust, room)
    covered = cover(client, finance, booked, next_year)
    assert covered.status_code == 200, covered.json
    assert [s["purchase_order_id"] for s in covered.json["sessions"]] == (
        [po["id"]] * 4 + [next_year["id"]] * 2
    )
    assert covered.json["needs_purchase_order_from"] is None
    assert covered.json["purchase_order_ids"] == [po["id"], next_year["id"]]
    assert statement(client, finance, next_year)["committed_pence"] == 2 * 7500

    run = issue(client, finance, "2027-04-30")
    [april] = run["issued"]
    assert run["refused"] == []
    assert april["po_number"] == "RZZPO0000200"
    assert [line["date"] for line in april["lines"]] == ["2027-04-06", "2027-04-13"]


@pytest.fixture
def january(staff: Staff, facilitator: Who, room: Who, po: Who) -> Any:
    """Weekly on 5, 12, 19 and 26 January 2027, on the `po`."""
    body = booking_body(
        room["id"],
        first_date="2027-01-05",
        frequency="weekly",
        sessions=4,
        purchase_order_id=po["id"],
    )
    return staff.post("/api/v1/bookings", body, facilitator)


def test_moving_sessions_from_a_date_splits_the_month_into_one_invoice_per_po(
    client: Client,
    staff: Staff,
    finance: Who,
    trust: Who,
    room: Who,
    po: Who,
    january: Who,
    clock: FrozenClock,
) -> None:
    booked = january
    other = next_year_po(staff, finance, trust, room, valid_from="2027-01-01")
    moved = cover(client, finance, booked, other, from_date="2027-01-15")
    assert moved.status_code == 200, moved.json
    assert [s["purchase_order_id"] for s in moved.json["sessions"]] == (
        [po["id"]] * 2 + [other["id"]] * 2
    )
    assert statement(client, finance, po)["committed_pence"] == 2 * 7500  # freed on the old PO
    assert statement(client, finance, other)["committed_pence"] == 2 * 7500

    clock.current = datetime(2027, 2, 1, 9, tzinfo=UTC)
    issued = issue(client, finance, "2027-01-31")["issued"]
    assert [(i["po_number"], [x["date"] for x in i["lines"]]) for i in issued] == [
        (po["number"], ["2027-01-05", "2027-01-12"]),
        (other["number"], ["2027-01-19", "2027-01-26"]),
    ]
    # Invoiced sessions stay on the PO their invoice quotes.
    back = cover(client, finance, booked, po, from_date="2027-01-01")
    assert back.status_code == 422 and back.json["field"] == "from_date", back.json
    assert "isn't invoiced already" in back.json["detail"]


def test_a_move_the_new_po_cannot_take_changes_nothing(
    client: Client,
    staff: Staff,
    finance: Who,
    trust: Who,
    room: Who,
    po: Who,
    january: Who,
) -> None:
    booked = january
    late_start = next_year_po(staff, finance, trust, room, valid_from="2027-01-20")
    refused = cover(client, finance, booked, late_start, from_date="2027-01-15")
    assert refused.status_code == 409 and refused.json["code"] == "po_not_valid"
    assert refused.json["date"] == "2027-01-19"
    small = next_year_po(
        staff,
        finance,
        trust,
        room,
        number="RZZPO0000201",
        valid_from="2027-01-01",
        approved_value_pence=7500,
    )
    refused = cover(client, finance, booked, small, from_date="2027-01-15")
    assert refused.status_code == 409 and refused.json["code"] == "po_value_exceeded"
    assert refused.json["over_by_pence"] == 7500
    after = client.get(f"/api/v1/bookings/{booked['id']}", headers=finance["headers"]).json
    assert after == booked
    assert statement(client, finance, po)["committed_pence"] == 4 * 7500
    assert statement(client, finance, small)["committed_pence"] == 0


def test_the_migration_moves_a_bookings_po_onto_its_sessions_and_back(
    app: Flask,
    database_url: str,
    client: Client,
    staff: Staff,
    finance: Who,
    room: Who,
    po: Who,
    facilitator: Who,
) -> None:
    booked = book_tuesdays(staff, facilitator, room, po)
    app.extensions["roomhire.engine"].dispose()
    command.downgrade(alembic_config(database_url), "0010")
    engine = make_engine(database_url)
    with engine.connect() as conn:
        query = text("SELECT purchase_order_id FROM booking_series WHERE id = :id")
        assert conn.execute(query, {"id": booked["id"]}).scalar_one() == po["id"]
    engine.dispose()
    upgrade(database_url)
    after = client.get(f"/api/v1/bookings/{booked['id']}", headers=finance["headers"]).json
    assert after == booked
    assert {s["purchase_order_id"] for s in after["sessions"]} == {po["id"]}
