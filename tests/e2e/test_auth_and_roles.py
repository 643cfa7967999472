"""Who may call what: 401 without a valid key, 403 for the wrong role, on every route."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from service.domain.users import Role
from tests.client import Client
from tests.conftest import Staff, booking_body

ADMIN_ONLY = [
    ("POST", "/api/v1/trusts"),
    ("POST", "/api/v1/venues"),
    ("POST", "/api/v1/venues/{venue}/rooms"),
    ("POST", "/api/v1/venues/{venue}/closures"),
    ("PATCH", "/api/v1/venues/{venue}"),
    ("PATCH", "/api/v1/rooms/{room}"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
]
BOOKERS = [("POST", "/api/v1/bookings")]
FINANCE = [
    ("POST", "/api/v1/purchase-orders"),
    ("POST", "/api/v1/invoices/issue"),
    ("GET", "/api/v1/invoices"),
    ("GET", "/api/v1/outbox"),
]
ANY_STAFF = [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/trusts"),
    ("GET", "/api/v1/venues"),
    ("GET", "/api/v1/venues/{venue}"),
    ("GET", "/api/v1/venues/{venue}/rooms"),
    ("GET", "/api/v1/rooms/{room}"),
    ("GET", "/api/v1/rooms/{room}/sessions.ics"),
    ("GET", "/api/v1/rooms/availability?start=2026-12-01T10:00&end=2026-12-01T11:00"),
    ("GET", "/api/v1/bookings"),
    ("GET", "/api/v1/purchase-orders"),
]
ALLOWED = {
    Role.ADMIN: ADMIN_ONLY + BOOKERS + FINANCE + ANY_STAFF,
    Role.FACILITATOR: BOOKERS + ANY_STAFF,
    Role.FINANCE: FINANCE + ANY_STAFF,
}
ROUTES = ADMIN_ONLY + BOOKERS + FINANCE + ANY_STAFF


@pytest.fixture
def bodies(staff: Staff) -> dict[str, Any]:
    venue = staff.venue()
    room = staff.room(venue["id"])
    trust = staff.trust()
    return {
        "ids": {"venue": venue["id"], "room": room["id"]},
        "/api/v1/purchase-orders": {
            "number": "RZZPO0000001",
            "trust_id": trust["id"],
            "venue_id": venue["id"],
            "cost_centre": "CC",
            "approved_value_pence": 100,
            "valid_from": "2026-11-01",
            "valid_to": "2027-03-31",
        },
        "/api/v1/invoices/issue": {"through": "2026-12-31"},
        "/api/v1/trusts": {
            "name": "Trust",
            "organisation_code": "RZZ",
            "payables_code": "RZZ Payables Z1",
            "accounts_payable_email": "ap@example.org",
            "invoice_address": "PO Box 1",
            "po_number_pattern": r"RZZPO\d{7}",
        },
        "/api/v1/venues": {
            "name": "V",
            "address": "A",
            "postcode": "BS1 1AA",
            "contact_email": "c@example.org",
            "remittance_email": "r@example.org",
        },
        "/api/v1/venues/{venue}/rooms": {
            "name": "R",
            "capacity": 5,
            "step_free": True,
            "price_per_hour_pence": 100,
            "vat_treatment": "exempt",
        },
        "/api/v1/venues/{venue}/closures": {"date": "2027-01-04", "reason": "Decorating"},
        "/api/v1/venues/{venue}": {"name": "Renamed"},
        "/api/v1/rooms/{room}": {"capacity": 6},
        "/api/v1/users": {"email": "new@example.org", "role": "finance"},
    }


def _call(
    client: Client,
    method: str,
    path: str,
    bodies: dict[str, Any],
    headers: dict[str, str],
    who_id: int | None = None,
) -> Any:
    body = bodies.get(path)
    if path == "/api/v1/bookings" and method == "POST":
        body = booking_body(bodies["ids"]["room"], facilitator_id=who_id)
    url = path.format(**bodies["ids"])
    return client.open(url, method=method, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_a_valid_key(
    client: Client, bodies: dict[str, Any], method: str, path: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer rh_not-a-key"}, {"Authorization": "Basic x"}):
        response = _call(client, method, path, bodies, headers)
        assert response.status_code == 401, (path, headers)
        assert response.json["code"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_routes(
    app: Flask, client: Client, staff: Staff, bodies: dict[str, Any], role: Role
) -> None:
    who = staff.admin if role is Role.ADMIN else staff.user(role)
    facilitator_id = who["id"] if role is Role.FACILITATOR else staff.user(Role.FACILITATOR)["id"]
    for method, path in ROUTES:
        response = _call(client, method, path, bodies, who["headers"], facilitator_id)
        if (method, path) in ALLOWED[role]:
            assert response.status_code in (200, 201), (role, path, response.json)
        else:
            assert response.status_code == 403, (role, path, response.status_code)
            assert response.json["code"] == "forbidden"


def test_facilitators_cannot_book_for_someone_else(
    client: Client, staff: Staff, room: dict[str, Any], facilitator: dict[str, Any]
) -> None:
    other = staff.user(Role.FACILITATOR)
    body = booking_body(room["id"], facilitator_id=other["id"])
    response = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    assert response.status_code == 403


def test_facilitators_see_only_their_own_bookings(
    client: Client, staff: Staff, room: dict[str, Any], facilitator: dict[str, Any]
) -> None:
    mine = staff.post("/api/v1/bookings", booking_body(room["id"]), facilitator)
    other = staff.user(Role.FACILITATOR)
    assert client.get("/api/v1/bookings", headers=other["headers"]).json == []
    assert client.get(f"/api/v1/bookings/{mine['id']}", headers=other["headers"]).status_code == 404
    finance = staff.user(Role.FINANCE)
    assert [b["id"] for b in client.get("/api/v1/bookings", headers=finance["headers"]).json] == [
        mine["id"]
    ]
