"""A booking's label, invoice wording, cadence and people expected change through the API,
with a new booking's checks, and invoices issued afterwards follow them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.domain.users import Role
from tests.client import Answer, Client
from tests.conftest import Staff, book_tuesdays, issue
from tests.fakes import FrozenClock

Who = dict[str, Any]


def change(client: Client, who: Who, booking: Who, **body: Any) -> Answer:
    return client.patch(f"/api/v1/bookings/{booking['id']}", json=body, headers=who["headers"])


def test_changes_apply_to_invoices_not_yet_issued(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Who,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, expected_people=8)
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    (november,) = issue(client, finance, "2026-11-30")["issued"]  # monthly: 24 November's
    answer = change(
        client,
        facilitator,
        booking,
        group_label="  Thursday group  ",
        invoice_description="Room hire for the wellbeing group",
        invoice_cadence="per_session",
        expected_people=20,
    )
    assert answer.status_code == 200, answer.json
    changed = answer.json
    assert (changed["group_label"], changed["invoice_description"]) == (
        "Thursday group",
        "Room hire for the wellbeing group",
    )
    assert (changed["invoice_cadence"], changed["expected_people"]) == ("per_session", 20)
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    december = issue(client, finance, "2026-12-31")["issued"]
    assert len(december) == 5  # one per session now
    assert {line["description"] for i in december for line in i["lines"]} == {
        "Room hire for the wellbeing group"
    }
    again = client.get(f"/api/v1/invoices/{november['id']}", headers=finance["headers"]).json
    assert again["lines"][0]["description"] == "Room hire"  # an issued invoice never changes
    back = change(client, facilitator, booking, invoice_description=None)
    assert back.json["invoice_description"] == "Room hire"


def test_a_change_is_checked_like_a_new_booking_and_refused_whole(
    client: Client, staff: Staff, trust: Who, facilitator: Who, room: Who, po: Who
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, expected_people=8)
    refusals: list[tuple[dict[str, Any], int, str]] = [
        ({"expected_people": 21, "group_label": "New name"}, 409, "room_too_small"),
        ({"group_label": "Group 943 476 5919"}, 422, "patient_data_suspected"),
        ({}, 422, "validation_failed"),
        ({"expected_people": 0}, 422, "validation_failed"),
        ({"invoice_cadence": "yearly"}, 422, "validation_failed"),
        ({"group_label": None}, 422, "validation_failed"),
    ]
    for body, status, code in refusals:
        answer = change(client, facilitator, booking, **body)
        assert (answer.status_code, answer.json["code"]) == (status, code), (body, answer.json)
    stranger = staff.user(Role.FACILITATOR, trust["id"])
    assert change(client, stranger, booking, group_label="Mine").status_code == 404
    finance = staff.user(Role.FINANCE, trust["id"])
    assert change(client, finance, booking, group_label="Ours").status_code == 403
    after = client.get(f"/api/v1/bookings/{booking['id']}", headers=facilitator["headers"]).json
    assert after == booking  # nothing changed
