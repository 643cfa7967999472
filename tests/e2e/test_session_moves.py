"""One session moves to another date, time or room through the API, with a new booking's
checks; inside the notice period it is a late cancellation and a new session; and the
invoices afterwards charge what was held (and the late cancellation) once each."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.domain.users import Role
from tests.client import Answer, Client
from tests.conftest import Staff, book_tuesdays, booking_body, issue
from tests.fakes import FrozenClock

Who = dict[str, Any]


def move(client: Client, who: Who, session_id: int, **body: Any) -> Answer:
    return client.post(f"/api/v1/sessions/{session_id}/move", json=body, headers=who["headers"])


def committed(client: Client, finance: Who, po: Who) -> int:
    answer = client.get(f"/api/v1/purchase-orders/{po['id']}", headers=finance["headers"])
    return int(answer.json["committed_pence"])


def test_a_session_moves_outside_the_notice_period_and_is_invoiced_where_it_went(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Who,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po)  # 24 Nov .. 29 Dec, £75 each
    third = booking["sessions"][2]
    assert committed(client, finance, po) == 6 * 7500
    answer = move(
        client, facilitator, third["id"], date="2026-12-09", start_time="10:00", end_time="12:00"
    )
    assert answer.status_code == 200, answer.json
    moved = answer.json
    assert moved["late_cancelled"] is None
    assert moved["session"]["id"] == third["id"] and moved["session"]["date"] == "2026-12-09"
    assert moved["session"]["starts_at"] == "2026-12-09T10:00:00+00:00"
    assert moved["session"]["gross_pence"] == 5000  # two hours now
    dates = [s["date"] for s in moved["booking"]["sessions"]]
    assert dates == [
        "2026-11-24",
        "2026-12-01",
        "2026-12-09",
        "2026-12-15",
        "2026-12-22",
        "2026-12-29",
    ]
    assert committed(client, finance, po) == 5 * 7500 + 5000
    assert book(client, facilitator, room, "2026-12-08").status_code == 201  # the old slot is free
    garden = staff.room(room["venue_id"], name="Garden room", price_per_hour_pence=3000)
    fourth = booking["sessions"][3]
    assert move(client, facilitator, fourth["id"], room_id=garden["id"]).status_code == 200

    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    (invoice,) = issue(client, finance, "2026-12-31", venue_id=room["venue_id"])["issued"][-1:]
    days = [line["date"] for line in invoice["lines"]]
    assert "2026-12-09" in days and "2026-12-08" not in days
    # December's five: one moved and shorter, one moved to the garden room at £30 an hour
    assert invoice["gross_pence"] == 3 * 7500 + 5000 + 9000
    held_in = {line["date"]: line["room"] for line in invoice["lines"]}
    assert held_in["2026-12-15"] == "Garden room" and held_in["2026-12-22"] == "Main hall"


def book(client: Client, who: Who, room: Who, day: str) -> Answer:
    return client.post(
        "/api/v1/bookings", json=booking_body(room["id"], first_date=day), headers=who["headers"]
    )


def test_inside_the_notice_period_a_move_is_a_late_cancellation_and_a_new_session(
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Who,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po)
    third = booking["sessions"][2]  # Tuesday 8 December, 13:00
    clock.current = datetime(2026, 12, 7, 12, tzinfo=UTC)  # 25 hours before: inside 48
    answer = move(client, facilitator, third["id"], date="2026-12-10")
    assert answer.status_code == 200, answer.json
    moved = answer.json
    late, new = moved["late_cancelled"], moved["session"]
    assert late["id"] == third["id"] and late["status"] == "late_cancelled" and late["chargeable"]
    assert new["id"] != third["id"] and new["date"] == "2026-12-10" and new["status"] == "booked"
    assert new["purchase_order_id"] == po["id"]
    assert committed(client, finance, po) == 7 * 7500  # the venue is paid for both

    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    invoices = issue(client, finance, "2026-12-31")["issued"]
    lines = [(line["date"], line["session_id"]) for i in invoices for line in i["lines"]]
    assert ("2026-12-08", third["id"]) in lines and ("2026-12-10", new["id"]) in lines
    assert len(lines) == len({session for _, session in lines}) == 7  # each charged once


def test_a_move_is_refused_with_a_new_bookings_reasons_and_changes_nothing(
    client: Client,
    staff: Staff,
    trust: Who,
    facilitator: Who,
    room: Who,
    po: Who,
    clock: FrozenClock,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, expected_people=12)
    sessions = booking["sessions"]
    other = staff.post(
        "/api/v1/bookings", booking_body(room["id"], first_date="2026-12-03"), facilitator
    )
    small = staff.room(room["venue_id"], name="Small room", capacity=6)
    elsewhere = staff.room(staff.venue(name="Another Hall")["id"])
    path = f"/api/v1/venues/{room['venue_id']}/closures"
    closure = {"date": "2026-12-16", "reason": "Boiler"}
    assert client.post(path, json=closure, headers=staff.admin["headers"]).status_code == 200
    refusals = [
        ({"date": "2026-12-03"}, 409, "booking_clash"),
        ({"room_id": small["id"]}, 409, "room_too_small"),
        ({"room_id": elsewhere["id"]}, 422, "rule_violation"),
        ({"date": "2026-12-16"}, 422, "rule_violation"),  # closed
        ({"date": "2026-12-25"}, 422, "rule_violation"),  # Christmas Day
        ({"date": "2027-04-06"}, 409, "po_not_valid"),  # after the PO ends
        ({"date": "2026-11-20"}, 422, "rule_violation"),  # in the past
        ({"start_time": "17:00"}, 422, "rule_violation"),  # ends before it starts
        ({}, 422, "validation_failed"),
        ({"room_id": 999_999}, 404, "not_found"),
    ]
    for body, status, code in refusals:
        answer = move(client, facilitator, sessions[1]["id"], **body)
        assert (answer.status_code, answer.json["code"]) == (status, code), (body, answer.json)
    stranger = staff.user(Role.FACILITATOR, trust["id"])  # facilitators move their own only
    assert move(client, stranger, sessions[1]["id"], date="2026-12-02").status_code == 404
    after = client.get(f"/api/v1/bookings/{booking['id']}", headers=facilitator["headers"]).json
    assert after["sessions"] == sessions  # nothing changed
    assert (
        client.get(f"/api/v1/bookings/{other['id']}", headers=facilitator["headers"]).status_code
        == 200
    )

    cancel = client.post(
        f"/api/v1/sessions/{sessions[4]['id']}/cancel", headers=facilitator["headers"]
    )
    assert cancel.status_code == 200
    assert move(client, facilitator, sessions[4]["id"], date="2026-12-23").json["code"] == (
        "already_cancelled"
    )
    clock.current = datetime(2026, 11, 24, 14, tzinfo=UTC)  # the first has started
    assert move(client, facilitator, sessions[0]["id"], date="2026-11-26").status_code == 422
