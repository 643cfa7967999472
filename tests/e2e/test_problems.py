"""Every error of the API is an RFC 7807 problem with a stable code, never HTML or a traceback."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.client import Client
from tests.conftest import Staff, booking_body


def _is_problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["code"] == code
    assert body["type"].endswith(code.replace("_", "-")) and body["title"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_route_and_wrong_method(client: Client) -> None:
    _is_problem(client.get("/api/v1/nothing-here"), 404, "not_found")
    _is_problem(client.delete("/healthz"), 405, "method_not_allowed")
    _is_problem(client.get("/api/v1/rooms/99999999999999999999"), 404, "not_found")


def test_an_unknown_address_outside_the_api_is_a_page_for_people(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<h1>Page not found</h1>" in response.get_data(as_text=True)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_malformed_json_and_unknown_fields(client: Client, facilitator: dict[str, Any]) -> None:
    headers = {**facilitator["headers"], "Content-Type": "application/json"}
    _is_problem(
        client.post("/api/v1/bookings", data="{not json", headers=headers), 400, "malformed_json"
    )
    response = client.post("/api/v1/bookings", json={"surprise": 1}, headers=facilitator["headers"])
    _is_problem(response, 422, "validation_failed")
    assert "surprise" in response.json["errors"]["json"]
    assert "room_id" in response.json["errors"]["json"]


def test_missing_things_are_404_problems(client: Client, facilitator: dict[str, Any]) -> None:
    for path in (
        "/api/v1/rooms/42",
        "/api/v1/venues/42",
        "/api/v1/trusts/42",
        "/api/v1/bookings/42",
    ):
        _is_problem(client.get(path, headers=facilitator["headers"]), 404, "not_found")
    _is_problem(
        client.post("/api/v1/sessions/42/cancel", headers=facilitator["headers"]), 404, "not_found"
    )


def test_bad_pattern_and_postcode_are_rule_violations(client: Client, staff: Any) -> None:
    trust = {
        "name": "T",
        "organisation_code": "RZZ",
        "payables_code": "P",
        "invoice_address": "A",
        "accounts_payable_email": "ap@example.org",
        "po_number_pattern": "RZZ(PO",
    }
    _is_problem(
        client.post("/api/v1/trusts", json=trust, headers=staff.admin["headers"]),
        422,
        "rule_violation",
    )
    venue = {
        "name": "V",
        "address": "A",
        "postcode": "NOPE 123",
        "contact_email": "c@example.org",
        "remittance_email": "r@example.org",
    }
    _is_problem(
        client.post("/api/v1/venues", json=venue, headers=staff.admin["headers"]),
        422,
        "rule_violation",
    )
    assert client.get("/api/v1/venues", headers=staff.admin["headers"]).json == []


def test_health_checks_the_database(client: Client) -> None:
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_openapi_document_describes_the_api(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/bookings", "/api/v1/rooms/availability", "/healthz"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "application/problem+json" in spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.get_data(as_text=True)
    # The viewer comes from Roomhire itself (offline too), and sends the spec nowhere else.
    assert "http://" not in page and "https://" not in page
    assert '"validatorUrl": null' in page
    files = re.findall(r'(?:src|href)="(/assets/swagger-ui/[^"]+)"', page)
    assert len(files) == 3
    for path in files:
        with client.get(path) as served:  # a file response: close it
            assert served.status_code == 200 and len(served.data) > 1000, path
            assert b"sourceMappingURL" not in served.data


def test_control_characters_in_text_are_refused_on_every_engine(
    client: Client, facilitator: dict[str, Any], room: dict[str, Any]
) -> None:
    body = booking_body(room["id"], group_label="Group\x00one")
    response = client.post("/api/v1/bookings", json=body, headers=facilitator["headers"])
    _is_problem(response, 422, "validation_failed")
    assert "group_label" in response.json["errors"]["json"]
    padded = booking_body(room["id"], group_label="  Tuesday group  ")
    created = client.post("/api/v1/bookings", json=padded, headers=facilitator["headers"])
    assert created.json["group_label"] == "Tuesday group"


def test_single_line_fields_refuse_line_breaks_but_addresses_keep_them(
    client: Client, staff: Staff
) -> None:
    """Anything that can reach an email header is one line (issue: a venue name with a line
    break stopped every email)."""
    admin = staff.admin["headers"]
    venue = {
        "name": "Chapel Hall CIC",
        "address": "1 Chapel Row\nRedfield\nBristol",  # postal addresses keep their lines
        "postcode": "BS5 9XX",
        "contact_email": "hall@example.org",
        "remittance_email": "money@example.org",
    }
    for field, bad in [
        ("name", "Chapel Hall\nBcc: everyone@example.org"),
        ("name", "Chapel Hall\u2028CIC"),
        ("contact_email", '"hall\\\x01"@example.org'),
    ]:
        response = client.post("/api/v1/venues", json={**venue, field: bad}, headers=admin)
        _is_problem(response, 422, "validation_failed")
        assert field in response.json["errors"]["json"], (field, response.json)
    made = client.post("/api/v1/venues", json=venue, headers=admin)
    assert made.status_code == 201 and made.json["address"] == venue["address"]
    response = client.post(
        "/api/v1/users",
        json={"email": '"sam\\\x01"@example.org', "role": "facilitator"},
        headers=admin,
    )
    _is_problem(response, 422, "validation_failed")


def test_inputs_that_were_500s_are_problems(
    client: Client, facilitator: dict[str, Any], room: dict[str, Any]
) -> None:
    headers = {**facilitator["headers"], "Content-Type": "application/json"}
    deep = client.post("/api/v1/bookings", data="[" * 100_000 + "]" * 100_000, headers=headers)
    _is_problem(deep, 400, "malformed_json")
    surrogate = json.dumps(booking_body(room["id"])).replace("Tuesday", "\\ud800")
    response = client.post("/api/v1/bookings", data=surrogate, headers=headers)
    _is_problem(response, 422, "validation_failed")
    assert "group_label" in response.json["errors"]["json"]
    mixed = booking_body(room["id"], start_time="13:00+01:00")  # and end_time without
    response = client.post("/api/v1/bookings", json=mixed, headers=facilitator["headers"])
    _is_problem(response, 422, "validation_failed")
    assert "start_time" in response.json["errors"]["json"]


def test_booleans_in_bodies_are_json_true_or_false_only(client: Client, staff: Staff) -> None:
    venue = staff.venue()
    room = {"name": "Side room", "capacity": 8, "price_per_hour_pence": 1500}
    room |= {"vat_treatment": "exempt"}
    trust = {
        "name": "Other Trust",
        "organisation_code": "RYY",
        "payables_code": "RYY Payables",
        "accounts_payable_email": "ap@example.nhs.uk",
        "invoice_address": "PO Box 1",
        "po_number_pattern": r"RYYPO\d{7}",
    }
    where: list[tuple[str, dict[str, Any], str]] = [
        (f"/api/v1/venues/{venue['id']}/rooms", room, "step_free"),
        ("/api/v1/trusts", trust, "remind_facilitators"),
        ("/api/v1/trusts", trust, "send_on_issue"),
        (f"/api/v1/venues/{venue['id']}/status-links", {}, "email_to_venue"),
        ("/api/v1/bookings", booking_body(1), "keep_session_count"),
    ]
    for path, body, name in where:
        for almost in (1, 0, "true", "yes", "on", None):
            refused = client.post(path, json={**body, name: almost}, headers=staff.admin["headers"])
            _is_problem(refused, 422, "validation_failed")
            assert name in refused.json["errors"]["json"], (path, name, almost)
    made = staff.room(venue["id"], step_free=False)
    assert made["step_free"] is False
