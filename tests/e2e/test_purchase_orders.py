"""Purchase orders: pattern, value and validity limits, committed and remaining value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.domain.users import Role
from tests.client import Client
from tests.conftest import Staff, booking_body, issue
from tests.fakes import FrozenClock

Who = dict[str, Any]


def new_po(staff: Staff, finance: Who, trust: Who, room: Who, **overrides: Any) -> Any:
    fields = {"number": "rzzpo 0000123", "approved_value_pence": 6 * 7500, **overrides}
    return staff.purchase_order(trust["id"], room["venue_id"], finance, **fields)


def test_a_po_number_is_normalised_and_must_match_the_trusts_pattern(
    client: Client, staff: Staff, finance: Who, trust: Who, room: Who
) -> None:
    po = new_po(staff, finance, trust, room)
    assert po["number"] == "RZZPO0000123" and po["remaining_pence"] == 45000
    bad = {
        "number": "PO-123",
        "trust_id": trust["id"],
        "venue_id": room["venue_id"],
        "cost_centre": "CC",
        "approved_value_pence": 100,
        "valid_from": "2026-11-01",
        "valid_to": "2027-03-31",
    }
    response = client.post("/api/v1/purchase-orders", json=bad, headers=finance["headers"])
    assert response.status_code == 422
    assert "not in Severnvale MH Trust's PO number format" in response.json["detail"]
    again = client.post(
        "/api/v1/purchase-orders",
        json={**bad, "number": "RZZPO0000123"},
        headers=finance["headers"],
    )
    assert again.status_code == 409


def test_only_finance_and_admin_record_pos(
    client: Client, staff: Staff, facilitator: Who, trust: Who, room: Who
) -> None:
    body = {
        "number": "RZZPO0000124",
        "trust_id": trust["id"],
        "venue_id": room["venue_id"],
        "cost_centre": "CC",
        "approved_value_pence": 100,
        "valid_from": "2026-11-01",
        "valid_to": "2027-03-31",
    }
    response = client.post("/api/v1/purchase-orders", json=body, headers=facilitator["headers"])
    assert response.status_code == 403


def test_booking_past_the_po_value_is_refused_saying_by_how_much_until_it_is_raised(
    client: Client, staff: Staff, finance: Who, trust: Who, room: Who, facilitator: Who
) -> None:
    po = new_po(staff, finance, trust, room)  # room: £25/h, VAT exempt; 3 h = £75 a session
    body = booking_body(room["id"], frequency="weekly", sessions=8, purchase_order_id=po["id"])
    refused = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    assert refused.status_code == 409 and refused.json["code"] == "po_value_exceeded"
    assert refused.json["over_by_pence"] == 2 * 7500
    assert "£150.00" in refused.json["detail"]
    assert client.get("/api/v1/bookings", headers=facilitator["headers"]).json == []

    raised = client.patch(
        f"/api/v1/purchase-orders/{po['id']}",
        json={"approved_value_pence": 8 * 7500},
        headers=finance["headers"],
    )
    assert raised.status_code == 200 and raised.json["remaining_pence"] == 60000
    booked = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    assert booked.status_code == 201 and booked.json["purchase_order_ids"] == [po["id"]]
    assert {s["gross_pence"] for s in booked.json["sessions"]} == {7500}
    statement = client.get(f"/api/v1/purchase-orders/{po['id']}", headers=finance["headers"]).json
    assert statement["committed_pence"] == 60000 and statement["remaining_pence"] == 0

    lower = client.patch(
        f"/api/v1/purchase-orders/{po['id']}",
        json={"approved_value_pence": 100},
        headers=finance["headers"],
    )
    assert lower.status_code == 422 and lower.json["code"] == "po_committed"
    assert "£600.00 committed" in lower.json["detail"]
    # Ending the PO before sessions booked on it is refused the same way, naming them.
    cut = client.patch(
        f"/api/v1/purchase-orders/{po['id']}",
        json={"valid_to": "2027-01-04"},  # the weekly sessions run 1 Dec 2026 .. 19 Jan 2027
        headers=finance["headers"],
    )
    assert cut.status_code == 422 and cut.json["code"] == "po_committed", cut.json
    assert cut.json["sessions"] == ["2027-01-05", "2027-01-12", "2027-01-19"]
    assert "Tuesday 5 January 2027" in cut.json["detail"]
    # So is starting it after one, or moving it to another venue.
    elsewhere = staff.venue(name="Other Hall")
    for change, sessions in (
        ({"valid_from": "2026-12-02"}, ["2026-12-01"]),
        ({"venue_id": elsewhere["id"]}, [s["date"] for s in booked.json["sessions"]]),
    ):
        moved = client.patch(
            f"/api/v1/purchase-orders/{po['id']}", json=change, headers=finance["headers"]
        )
        assert moved.status_code == 422 and moved.json["code"] == "po_committed", moved.json
        assert moved.json["sessions"] == sessions and moved.json["field"] in change
    unchanged = client.get(f"/api/v1/purchase-orders/{po['id']}", headers=finance["headers"])
    assert unchanged.json["valid_to"] == "2027-03-31"
    assert unchanged.json["valid_from"] == "2026-11-01"
    assert unchanged.json["venue_id"] == room["venue_id"]
    # A PO nothing is booked on can be corrected freely.
    spare = new_po(staff, finance, trust, room, number="RZZPO0000777")
    corrected = client.patch(
        f"/api/v1/purchase-orders/{spare['id']}",
        json={"venue_id": elsewhere["id"], "valid_from": "2026-12-02"},
        headers=finance["headers"],
    )
    assert corrected.status_code == 200, corrected.json
    assert (corrected.json["venue_id"], corrected.json["valid_from"]) == (
        elsewhere["id"],
        "2026-12-02",
    )

    session_id = booked.json["sessions"][-1]["id"]  # well ahead: an ordinary cancellation
    client.post(f"/api/v1/sessions/{session_id}/cancel", headers=facilitator["headers"])
    statement = client.get(f"/api/v1/purchase-orders/{po['id']}", headers=finance["headers"]).json
    assert statement["committed_pence"] == 52500 and statement["remaining_pence"] == 7500


def test_a_po_must_be_for_the_venue_and_valid_from_the_first_session(
    client: Client, staff: Staff, finance: Who, trust: Who, room: Who, facilitator: Who
) -> None:
    po = new_po(staff, finance, trust, room, valid_from="2026-12-05", approved_value_pence=10**6)
    early = booking_body(room["id"], frequency="weekly", sessions=3, purchase_order_id=po["id"])
    response = client.post("/api/v1/bookings", json=early, headers=facilitator["headers"])
    assert response.status_code == 409 and response.json["code"] == "po_not_valid"
    assert response.json["date"] == "2026-12-01"
    assert "valid from Saturday 5 December 2026" in response.json["detail"]
    ended = new_po(staff, finance, trust, room, number="RZZPO0000124", valid_to="2026-11-30")
    body = booking_body(room["id"], purchase_order_id=ended["id"])
    response = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    assert response.status_code == 409 and response.json["code"] == "po_not_valid"
    assert "ends on Monday 30 November 2026, before" in response.json["detail"]
    assert client.get("/api/v1/bookings", headers=facilitator["headers"]).json == []
    elsewhere = staff.room(staff.venue(name="Other hall")["id"])
    other = booking_body(elsewhere["id"], purchase_order_id=po["id"])
    response = client.post("/api/v1/bookings", json=other, headers=facilitator["headers"])
    assert response.status_code == 409 and "another venue" in response.json["detail"]


def test_a_booking_can_be_put_on_a_po_later(
    client: Client, staff: Staff, finance: Who, trust: Who, room: Who, facilitator: Who
) -> None:
    booking = staff.post(
        "/api/v1/bookings", booking_body(room["id"], frequency="weekly", sessions=2), facilitator
    )
    po = new_po(staff, finance, trust, room)
    path = f"/api/v1/bookings/{booking['id']}/purchase-order"
    covered = client.post(path, json={"purchase_order_id": po["id"]}, headers=finance["headers"])
    assert covered.status_code == 200 and covered.json["purchase_order_ids"] == [po["id"]]
    assert covered.json["needs_purchase_order_from"] is None
    same = client.post(path, json={"purchase_order_id": po["id"]}, headers=finance["headers"])
    assert same.status_code == 200 and same.json == covered.json
    statement = client.get(f"/api/v1/purchase-orders/{po['id']}", headers=finance["headers"]).json
    assert statement["committed_pence"] == 15000
    other = new_po(staff, finance, trust, room, number="RZZPO0000999")
    again = client.post(path, json={"purchase_order_id": other["id"]}, headers=finance["headers"])
    assert again.status_code == 409 and "give from_date" in again.json["detail"]


def test_vat_registered_venues_charge_vat_on_standard_rated_rooms(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    venue = staff.venue(vat_number="GB123456789")
    room = staff.room(venue["id"], price_per_hour_pence=3333, vat_treatment="standard")
    body = booking_body(room["id"], start_time="13:00", end_time="14:30")
    session = staff.post("/api/v1/bookings", body, facilitator)["sessions"][0]
    # 1.5 h x £33.33 = £49.995 -> £50.00 net (half-up); VAT 20% = £10.00
    assert (session["net_pence"], session["vat_pence"], session["gross_pence"]) == (
        5000,
        1000,
        6000,
    )


def test_a_po_of_another_trust_is_refused(
    client: Client, staff: Staff, finance: Who, trust: Who, room: Who
) -> None:
    other_trust = staff.trust(name="Other Trust", po_number_pattern=r"RVJPO\d{7}")
    theirs = new_po(staff, finance, other_trust, room, number="RVJPO0000001")
    ours = new_po(staff, finance, trust, room)
    facilitator = staff.user(Role.FACILITATOR, trust_id=trust["id"])
    body = booking_body(room["id"], purchase_order_id=theirs["id"])
    refused = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    assert refused.status_code == 409 and refused.json["code"] == "po_not_valid"
    assert "another trust" in refused.json["detail"]
    body = booking_body(room["id"], purchase_order_id=ours["id"])
    booked = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    assert booked.status_code == 201 and booked.json["trust_id"] == trust["id"]


def test_pos_and_invoices_are_listed_for_one_venue(
    client: Client, staff: Staff, finance: Who, trust: Who, room: Who, clock: FrozenClock
) -> None:
    other = staff.venue(name="Other Hall")
    mine = new_po(staff, finance, trust, room)
    theirs = staff.purchase_order(trust["id"], other["id"], finance, number="RZZPO0000999")

    def listed(path: str) -> list[int]:
        response = client.get(path, headers=finance["headers"])
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json]

    assert listed(f"/api/v1/purchase-orders?venue_id={room['venue_id']}") == [mine["id"]]
    assert listed(f"/api/v1/purchase-orders?venue_id={other['id']}") == [theirs["id"]]
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    body = booking_body(room["id"], purchase_order_id=mine["id"])
    staff.post("/api/v1/bookings", body, facilitator)
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    assert len(issue(client, finance, "2026-12-31")["issued"]) == 1
    assert len(listed(f"/api/v1/invoices?venue_id={room['venue_id']}")) == 1
    assert listed(f"/api/v1/invoices?venue_id={other['id']}") == []
    for path in ("/api/v1/invoices?venue_id=abc", "/api/v1/purchase-orders?venue_id=0"):
        assert client.get(path, headers=finance["headers"]).status_code == 422, path


def test_facilitators_read_only_their_own_trusts_purchase_orders(
    client: Client, staff: Staff, finance: Who, trust: Who, room: Who
) -> None:
    ours = new_po(staff, finance, trust, room)
    other = staff.trust(
        name="Other Trust", organisation_code="RVJ", po_number_pattern=r"RVJPO\d{7}"
    )
    theirs = staff.purchase_order(other["id"], room["venue_id"], finance, number="RVJPO0000001")
    mine = staff.user(Role.FACILITATOR, trust_id=trust["id"])
    listed = client.get("/api/v1/purchase-orders", headers=mine["headers"]).json
    assert [p["number"] for p in listed] == [ours["number"]]
    hidden = client.get(f"/api/v1/purchase-orders/{theirs['id']}", headers=mine["headers"])
    assert hidden.status_code == 404  # its value and cost centre are the other trust's
    seen = client.get("/api/v1/purchase-orders", headers=finance["headers"]).json
    assert len(seen) == 2  # finance sees every trust's


def test_a_facilitator_of_no_trust_books_without_a_po_but_no_po_can_cover_it(
    client: Client, staff: Staff, finance: Who, trust: Who, room: Who
) -> None:
    """No trust has agreed to pay for such a booking: it took any trust's PO before."""
    loner = staff.user(Role.FACILITATOR)
    po = new_po(staff, finance, trust, room)
    body = booking_body(room["id"], purchase_order_id=po["id"])
    refused = client.post("/api/v1/bookings", json=body, headers=loner["headers"])
    assert refused.status_code == 409 and refused.json["code"] == "po_not_valid"
    assert "belongs to no trust" in refused.json["detail"]
    booked = client.post(
        "/api/v1/bookings", json=booking_body(room["id"]), headers=loner["headers"]
    )
    assert booked.status_code == 201 and booked.json["trust_id"] is None
    cover = client.post(
        f"/api/v1/bookings/{booked.json['id']}/purchase-order",
        json={"purchase_order_id": po["id"]},
        headers=finance["headers"],
    )
    assert cover.status_code == 409 and cover.json["code"] == "po_not_valid"
