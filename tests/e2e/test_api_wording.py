"""What the API says to people: every operation summarised with the refusals it can give, the
role checked before the body is read, and refusals worded so a person can put things right."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from service.api import problems
from service.domain.errors import DomainError
from service.domain.users import Role
from tests.client import Client
from tests.conftest import Staff, booking_body
from tests.fakes import FrozenClock

Who = dict[str, Any]
Operation = tuple[str, str, dict[str, Any]]
NOT_JSON = "Send the body as JSON with Content-Type: application/json."


def _operations(client: Client) -> Iterator[Operation]:
    spec = client.get("/api/v1/openapi.json").json
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method.upper(), path, operation


def _known_codes() -> set[str]:
    kinds, codes = [DomainError], set()
    while kinds:
        kind = kinds.pop()
        codes.add(kind.code)
        kinds += kind.__subclasses__()
    return codes | set(problems._CODE_OF.values()) | {"malformed_json", "if_match_empty"}


def _refusals(operation: dict[str, Any]) -> dict[str, list[str]]:
    """Each documented 4xx status with the problem codes its description lists."""
    return {
        status: re.findall(r"^- `([a-z_]+)`: \S", response["description"], re.MULTILINE)
        for status, response in operation["responses"].items()
        if status.startswith("4")
    }


def _url(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "1", path)


def test_every_operation_has_a_summary_and_documents_its_refusals(client: Client) -> None:
    known = _known_codes()
    operations = list(_operations(client))
    assert len(operations) >= 57
    for method, path, operation in operations:
        where = f"{method} {path}"
        summary = operation.get("summary", "")
        assert summary.strip() and "\n" not in summary and len(summary) <= 80, where
        assert operation.get("description", "").strip(), where
        refusals = _refusals(operation)
        public = operation.get("security") == []
        assert public or refusals.get("401") == ["unauthenticated"], where
        for status, codes in refusals.items():
            assert codes and set(codes) <= known, (where, status, codes)
        if "{" in path:
            assert "not_found" in refusals.get("404", []), where
        if operation.get("x-roles"):
            assert "forbidden" in refusals.get("403", []), where
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert "validation_failed" in refusals.get("422", []), where
            assert refusals.get("415") == ["unsupported_media_type"], where


def _checked_by_role(client: Client, role: Role) -> list[Operation]:
    return [op for op in _operations(client) if role.value not in op[2].get("x-roles", [role])]


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.FINANCE])
def test_the_wrong_role_is_refused_before_a_malformed_body_is_read(
    client: Client, staff: Staff, role: Role
) -> None:
    who = staff.user(role)
    refused = _checked_by_role(client, role)
    assert len(refused) >= (25 if role is Role.FACILITATOR else 10)
    for method, path, operation in refused:
        for body in ({"json": {"surprise": 1, "date": "soon"}}, {"data": "surprise=1"}):
            url = _url(path) + "?venue_id=nope&state=nope"
            response = client.open(url, method=method, headers=who["headers"], **body)
            assert response.status_code == 403, (role, method, path, response.json)
            assert response.json["code"] == "forbidden" and "403" in operation["responses"]


def test_a_body_not_sent_as_json_is_refused_as_such_on_every_json_endpoint(
    client: Client, staff: Staff
) -> None:
    with_json_body = [
        (method, path, operation)
        for method, path, operation in _operations(client)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(with_json_body) >= 15
    for method, path, operation in with_json_body:
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            response = client.open(
                _url(path),
                method=method,
                data='{"name": "x"}',
                content_type=content_type,
                headers=staff.admin["headers"],
            )
            assert response.status_code == 415, (method, path, content_type, response.json)
            assert response.mimetype == "application/problem+json"
            assert response.json["code"] == "unsupported_media_type"
            assert response.json["detail"] == NOT_JSON
            assert "415" in operation["responses"]


def test_an_empty_body_still_means_no_fields(client: Client, room: Who, facilitator: Who) -> None:
    booked = client.post(
        "/api/v1/bookings", json=booking_body(room["id"]), headers=facilitator["headers"]
    )
    cancel = client.post(
        f"/api/v1/bookings/{booked.json['id']}/cancel", headers=facilitator["headers"]
    )
    assert cancel.status_code == 200, cancel.json
    missing = client.post("/api/v1/bookings", headers=facilitator["headers"])
    assert missing.status_code == 422 and "room_id" in missing.json["errors"]["json"]


def test_dates_and_times_that_cannot_be_read_say_how_to_write_them(
    client: Client, room: Who, facilitator: Who
) -> None:
    body = booking_body(room["id"], first_date="12/01/2027", start_time="1pm", until="soon")
    response = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    errors = response.json["errors"]["json"]
    assert (
        errors["first_date"]
        == errors["until"]
        == ["Not a valid date: use YYYY-MM-DD, like 2027-01-12."]
    )
    assert errors["start_time"] == ["Not a valid time: use HH:MM, like 13:00."]
    found = client.get(
        "/api/v1/rooms/availability?start=tomorrow&end=2027-01-12T16:00",
        headers=facilitator["headers"],
    )
    [said] = found.json["errors"]["query"]["start"]
    assert said.startswith("Not a valid date and time: use YYYY-MM-DDTHH:MM, like 2027-01-12T13:00")


def test_a_pattern_refused_says_what_is_expected_never_the_pattern(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    found = client.get(
        "/api/v1/rooms/availability?start=2027-01-12T13:00&end=2027-01-12T16:00&postcode_area=B-S",
        headers=facilitator["headers"],
    )
    assert found.json["errors"]["query"]["postcode_area"] == [
        "Give the start of a postcode, like BS or BS1."
    ]
    admin = staff.admin["headers"]
    trust = client.post("/api/v1/trusts", json={"organisation_code": "rz"}, headers=admin)
    assert trust.json["errors"]["json"]["organisation_code"] == [
        "Give the trust's ODS code: 3 to 5 capital letters or digits, like RZZ."
    ]
    venue = client.post("/api/v1/venues", json={"vat_number": "12345"}, headers=admin)
    assert venue.json["errors"]["json"]["vat_number"] == [
        "Give a UK VAT number: 9 or 12 digits, with or without GB, like GB123456789."
    ]
    for response in (found, trust, venue):
        assert "expected pattern" not in response.get_data(as_text=True)


def test_a_po_number_in_the_wrong_format_is_explained_without_a_regular_expression(
    client: Client, staff: Staff, finance: Who, room: Who
) -> None:
    trust = staff.trust()
    body = {
        "number": "PO-12345",
        "trust_id": trust["id"],
        "venue_id": room["venue_id"],
        "cost_centre": "CC4410",
        "approved_value_pence": 100_000,
        "valid_from": "2026-11-01",
        "valid_to": "2027-03-31",
    }
    response = client.post("/api/v1/purchase-orders", json=body, headers=finance["headers"])
    assert response.status_code == 422 and response.json["field"] == "number"
    assert response.json["detail"] == (
        "PO number PO-12345 is not in Severnvale MH Trust's PO number format. "
        "Check it against the purchase order."
    )
    assert "\\d" not in response.get_data(as_text=True)


def _weekly_from_wednesday(client: Client, facilitator: Who, room: Who) -> Any:
    body = booking_body(room["id"], first_date="2026-11-25", frequency="weekly", sessions=3)
    booked = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    assert booked.status_code == 201, booked.json
    return booked.json


def test_a_late_cancellation_says_what_the_venue_will_still_be_paid(
    client: Client, room: Who, facilitator: Who, clock: FrozenClock
) -> None:
    booking = _weekly_from_wednesday(client, facilitator, room)
    first, second, _ = (s["id"] for s in booking["sessions"])
    early = client.post(f"/api/v1/sessions/{second}/cancel", headers=facilitator["headers"])
    assert (early.json["status"], early.json["still_charged_pence"]) == ("cancelled", 0)
    assert early.json["message"] == "Cancelled 1 session; nothing will be charged for it."
    clock.advance(timedelta(hours=10))  # 23 Nov 19:00: less than 48 hours before 25 Nov 13:00
    late = client.post(f"/api/v1/sessions/{first}/cancel", headers=facilitator["headers"])
    assert late.json["status"] == "late_cancelled" and late.json["chargeable"] is True
    assert late.json["still_charged_pence"] == late.json["gross_pence"] == 7500
    assert late.json["message"] == (
        "Cancelled 1 session; the venue will still be paid £75.00 because it was less than "
        "48 hours away."
    )


def test_cancelling_the_rest_says_which_sessions_are_still_charged(
    client: Client, room: Who, facilitator: Who, clock: FrozenClock
) -> None:
    booking = _weekly_from_wednesday(client, facilitator, room)
    clock.advance(timedelta(hours=10))
    response = client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=facilitator["headers"]
    )
    cancelled = response.json["cancelled"]
    assert [(s["status"], s["chargeable"]) for s in cancelled] == [
        ("late_cancelled", True),
        ("cancelled", False),
        ("cancelled", False),
    ]
    assert response.json["still_charged_pence"] == 7500
    assert response.json["message"] == (
        "Cancelled 3 sessions; the venue will still be paid £75.00 for 1 of them because it "
        "was less than 48 hours away."
    )
