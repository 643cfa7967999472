"""Admin corrects the directory: a venue's supplier number, a trust's inbox, a room's price.
Edits change what comes next; what was booked, issued or refused stays as it was."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from service.domain.users import Role
from tests.client import Client
from tests.conftest import Staff, audit_trail, booking_body
from tests.e2e.exports import ApRow, export, for_invoice, imported, status

Who = dict[str, Any]


def patch(client: Client, who: Who, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, json=body, headers=who["headers"])


def test_admin_changes_a_venue_closures_stay_and_the_change_is_audited(
    app: Flask, client: Client, staff: Staff
) -> None:
    venue = staff.venue(closures=[{"date": "2027-01-04", "reason": "Hall being decorated"}])
    path = f"/api/v1/venues/{venue['id']}"
    changes = {"supplier_number": "220871", "contact_email": "bookings@chapel.org.uk"}
    response = patch(client, staff.admin, path, {**changes, "postcode": "bs1  5tr"})
    assert response.status_code == 200, response.json
    expected = {**venue, **changes, "postcode": "BS1 5TR"}
    assert response.json == expected
    assert client.get(path, headers=staff.admin["headers"]).json == expected
    assert expected["closures"] == [{"date": "2027-01-04", "reason": "Hall being decorated"}]
    trail = audit_trail(app, "venue", venue["id"])
    assert trail[-1] == (
        "updated",
        {
            "supplier_number": {"from": None, "to": "220871"},
            "contact_email": {"from": "hall@example.org", "to": "bookings@chapel.org.uk"},
            "postcode": {"from": "BS5 9XX", "to": "BS1 5TR"},
        },
    )
    again = patch(client, staff.admin, path, {**changes, "postcode": "BS1 5TR"})
    assert again.status_code == 200 and again.json == expected
    assert len(audit_trail(app, "venue", venue["id"])) == len(trail)  # nothing changed
    cleared = patch(client, staff.admin, path, {"supplier_number": None})
    assert cleared.status_code == 200 and cleared.json["supplier_number"] is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "Chapel Hall", "postcode": "nowhere"}, 422),
        ({"contact_email": "not-an-email"}, 422),
        ({"name": None}, 422),
        ({"name": "x" * 201}, 422),
        ({"closures": []}, 422),
        ({"id": 7}, 422),
        ({"notice_period_hours": "48"}, 422),
        ({"supplier_number": " 330001 ", "name": "Taken"}, 409),
    ],
)
def test_a_wrong_venue_change_is_refused_and_changes_nothing(
    client: Client, staff: Staff, body: dict[str, Any], code: int
) -> None:
    staff.venue(name="Other Hall", supplier_number="330001")
    venue = staff.venue(supplier_number="220871")
    path = f"/api/v1/venues/{venue['id']}"
    response = patch(client, staff.admin, path, body)
    assert response.status_code == code, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert client.get(path, headers=staff.admin["headers"]).json == venue


def test_only_admin_edits_and_unknown_entries_are_404(
    client: Client, staff: Staff, trust: Who
) -> None:
    venue = staff.venue()
    room = staff.room(venue["id"])
    paths = [
        f"/api/v1/trusts/{trust['id']}",
        f"/api/v1/venues/{venue['id']}",
        f"/api/v1/rooms/{room['id']}",
    ]
    for role in (Role.FACILITATOR, Role.FINANCE):
        who = staff.user(role, trust["id"])
        assert [patch(client, who, p, {"name": "Mine"}).status_code for p in paths] == [403] * 3
    for kind in ("trusts", "venues", "rooms"):
        missing = patch(client, staff.admin, f"/api/v1/{kind}/999", {"name": "Nowhere"})
        assert missing.status_code == 404
    assert client.patch(paths[0], json={"name": "No key"}).status_code == 401


def test_a_trust_change_is_checked_like_a_new_trust(
    app: Flask, client: Client, staff: Staff, trust: Who
) -> None:
    path = f"/api/v1/trusts/{trust['id']}"
    for body in (
        {"po_number_pattern": r"RZZPO(\d{7}"},
        {"invoice_subject": "Invoice {number}"},
        {"accounts_payable_email": "accounts"},
        {"organisation_code": "rzz"},
    ):
        assert patch(client, staff.admin, path, body).status_code == 422, body
    assert client.get(path, headers=staff.admin["headers"]).json == trust
    moved = patch(client, staff.admin, path, {"accounts_payable_email": "sbs.apinvoicing@nhs.net"})
    assert moved.status_code == 200
    assert moved.json == {**trust, "accounts_payable_email": "sbs.apinvoicing@nhs.net"}
    assert audit_trail(app, "trust", trust["id"])[-1][1] == {
        "accounts_payable_email": {
            "from": trust["accounts_payable_email"],
            "to": "sbs.apinvoicing@nhs.net",
        }
    }


def test_a_new_room_price_applies_to_sessions_booked_afterwards(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    room = staff.room(staff.venue()["id"])  # £25 an hour
    before = staff.post("/api/v1/bookings", booking_body(room["id"]), facilitator)
    changed = patch(
        client, staff.admin, f"/api/v1/rooms/{room['id']}", {"price_per_hour_pence": 3000}
    )
    assert changed.status_code == 200 and changed.json == {**room, "price_per_hour_pence": 3000}
    assert (
        patch(client, staff.admin, f"/api/v1/rooms/{room['id']}", {"capacity": 0}).status_code
        == 422
    )
    after = staff.post(
        "/api/v1/bookings", booking_body(room["id"], first_date="2026-12-08"), facilitator
    )
    booked = client.get(f"/api/v1/bookings/{before['id']}", headers=facilitator["headers"]).json
    assert [s["net_pence"] for s in booked["sessions"]] == [7500]  # 3 hours at £25
    assert [s["net_pence"] for s in after["sessions"]] == [9000]  # 3 hours at £30


def test_the_next_import_finds_the_venue_by_its_new_supplier_number(
    client: Client, staff: Staff, trust_finance: Who, invoices: list[Who], venue_room: Who
) -> None:
    """SBS set the venue up again under a new supplier number: until Roomhire knows it, the
    rows are another supplier's; once admin records it, the next export matches."""
    row: ApRow = for_invoice(invoices[0], supplier_number="440123")
    first = imported(client, trust_finance, export(row))
    assert (first["matched"], first["other_suppliers"]) == (0, 1)
    path = f"/api/v1/venues/{venue_room['venue_id']}"
    assert patch(client, staff.admin, path, {"supplier_number": "440123"}).status_code == 200
    later = imported(
        client, trust_finance, export(row, for_invoice(invoices[1], supplier_number="440123"))
    )
    assert (later["matched"], later["other_suppliers"]) == (2, 0)
    assert status(client, trust_finance, invoices[0])["state"]["status"] == "received"


def test_an_edit_based_on_an_old_read_is_refused_with_412(
    app: Flask, client: Client, staff: Staff
) -> None:
    """Two admins read the same venue; the second to save would undo the first's change."""
    venue = staff.venue()
    path = f"/api/v1/venues/{venue['id']}"
    read = client.get(path, headers=staff.admin["headers"])
    etag = read.headers["ETag"]
    assert etag.startswith('"') and len(etag) == 34

    first = patch_if(client, staff.admin, path, {"contact_email": "new@example.org"}, etag)
    assert first.status_code == 200 and first.headers["ETag"] != etag
    second = patch_if(client, staff.admin, path, {"name": "Stale Hall"}, etag)
    assert second.status_code == 412 and second.json["code"] == "precondition_failed"
    now = client.get(path, headers=staff.admin["headers"])
    assert (now.json["name"], now.json["contact_email"]) == (venue["name"], "new@example.org")
    assert now.headers["ETag"] == first.headers["ETag"]

    fresh = patch_if(client, staff.admin, path, {"name": "Fresh Hall"}, now.headers["ETag"])
    assert fresh.status_code == 200 and fresh.json["name"] == "Fresh Hall"
    assert patch_if(client, staff.admin, path, {"name": "Any"}, "*").status_code == 200
    assert patch(client, staff.admin, path, {"name": "No If-Match"}).status_code == 200
    trail = [action for action, _ in audit_trail(app, "venue", venue["id"])]
    assert trail.count("updated") == 4  # the refused edit left no trace


def patch_if(client: Client, who: Who, path: str, body: dict[str, Any], etag: str) -> Any:
    return client.patch(path, json=body, headers={**who["headers"], "If-Match": etag})


def test_an_invalid_body_answers_422_before_if_match_and_an_empty_if_match_answers_400(
    client: Client, staff: Staff
) -> None:
    venue = staff.venue()
    path = f"/api/v1/venues/{venue['id']}"
    stale = '"00000000000000000000000000000000"'
    for etag in ("", "   ", stale):  # whatever If-Match says, the body is validated first
        bad = patch_if(client, staff.admin, path, {"notice_period_hours": "soon"}, etag)
        assert bad.status_code == 422, etag
        assert bad.json["code"] == "validation_failed" and "notice_period_hours" in str(bad.json)
    empty = patch_if(client, staff.admin, path, {"name": "Empty If-Match Hall"}, "")
    assert empty.status_code == 400 and empty.mimetype == "application/problem+json"
    assert empty.json["code"] == "if_match_empty" and "ETag" in empty.json["detail"]
    assert patch_if(client, staff.admin, path, {"name": "Stale"}, stale).status_code == 412
    now = client.get(path, headers=staff.admin["headers"]).json
    assert now["name"] == venue["name"]  # neither refused edit changed anything
