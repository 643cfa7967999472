"""Idempotency-Key: replays return the first response and create nothing."""

from __future__ import annotations

from typing import Any

from tests.client import Client
from tests.conftest import Staff, booking_body


def _post(client: Client, who: dict[str, Any], body: dict[str, Any], key: str) -> Any:
    headers = {**who["headers"], "Idempotency-Key": key}
    return client.post("/api/v1/bookings", json=body, headers=headers)


def test_a_replay_returns_the_first_response_and_creates_nothing(
    client: Client, room: dict[str, Any], facilitator: dict[str, Any]
) -> None:
    body = booking_body(room["id"], frequency="weekly", sessions=3)
    first = _post(client, facilitator, body, "phone-retry-1")
    again = _post(client, facilitator, dict(reversed(body.items())), "phone-retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert len(client.get("/api/v1/bookings", headers=facilitator["headers"]).json) == 1


def test_the_same_key_with_another_body_is_refused(
    client: Client, room: dict[str, Any], facilitator: dict[str, Any]
) -> None:
    _post(client, facilitator, booking_body(room["id"]), "k1")
    other = _post(client, facilitator, booking_body(room["id"], first_date="2026-12-02"), "k1")
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    assert len(client.get("/api/v1/bookings", headers=facilitator["headers"]).json) == 1


def test_a_failed_request_is_not_remembered(
    client: Client, room: dict[str, Any], facilitator: dict[str, Any], staff: Staff
) -> None:
    """A 409 is not stored: once the clash is gone, the same key and body succeed."""
    blocking = staff.post("/api/v1/bookings", booking_body(room["id"]), facilitator)
    body = booking_body(room["id"])
    assert _post(client, facilitator, body, "k2").status_code == 409
    session_id = blocking["sessions"][0]["id"]
    client.post(f"/api/v1/sessions/{session_id}/cancel", headers=facilitator["headers"])
    assert _post(client, facilitator, body, "k2").status_code == 201


def test_keys_belong_to_their_user(
    client: Client, staff: Staff, facilitator: dict[str, Any]
) -> None:
    venue = {
        "name": "V",
        "address": "A",
        "postcode": "BS1 1AA",
        "contact_email": "c@example.org",
        "remittance_email": "r@example.org",
    }
    headers = {**staff.admin["headers"], "Idempotency-Key": "same"}
    assert client.post("/api/v1/venues", json=venue, headers=headers).status_code == 201
    assert client.post("/api/v1/venues", json=venue, headers=headers).status_code == 201
    assert len(client.get("/api/v1/venues", headers=headers).json) == 1
    too_long = {**staff.admin["headers"], "Idempotency-Key": "x" * 256}
    assert client.post("/api/v1/venues", json=venue, headers=too_long).status_code == 422
