"""Booking through the HTTP API, on each database engine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.domain.users import Role
from tests.client import Client
from tests.conftest import Staff, booking_body
from tests.fakes import FrozenClock

Who = dict[str, Any]


def book(client: Client, who: Who, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/bookings", json=body, headers=who["headers"])


def test_a_weekly_series_skips_bank_holidays_and_closures_and_keeps_its_count(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    venue = staff.venue(closures=[{"date": "2027-01-04", "reason": "Hall being decorated"}])
    room = staff.room(venue["id"])
    body = booking_body(room["id"], first_date="2026-12-14", frequency="weekly", sessions=4)
    response = book(client, facilitator, body)  # Mondays
    assert response.status_code == 201, response.json
    booking = response.json
    assert [s["date"] for s in booking["sessions"]] == [
        "2026-12-14",
        "2026-12-21",
        "2027-01-11",
        "2027-01-18",
    ]
    assert booking["skipped"] == [
        {"date": "2026-12-28", "reason": "bank holiday: Boxing Day (substitute day)"},
        {"date": "2027-01-04", "reason": "venue closed: Hall being decorated"},
    ]
    fewer = booking_body(
        room["id"],
        first_date="2026-12-15",
        frequency="weekly",
        sessions=4,
        keep_session_count=False,
    )
    assert len(book(client, facilitator, fewer).json["sessions"]) == 4  # Tuesdays: none skipped


def test_bank_holidays_are_skipped(client: Client, room: Who, facilitator: Who) -> None:
    body = booking_body(room["id"], first_date="2026-12-21", frequency="weekly", sessions=2)
    booking = book(client, facilitator, body).json  # Mondays: 28 Dec is the Boxing Day substitute
    assert booking["skipped"] == [
        {"date": "2026-12-28", "reason": "bank holiday: Boxing Day (substitute day)"}
    ]
    assert [s["date"] for s in booking["sessions"]] == ["2026-12-21", "2027-01-04"]


def test_times_stay_1pm_london_across_the_clock_change(
    client: Client, room: Who, facilitator: Who
) -> None:
    body = booking_body(room["id"], first_date="2027-03-16", frequency="weekly", sessions=3)
    sessions = book(client, facilitator, body).json["sessions"]
    assert [s["starts_at"] for s in sessions] == [
        "2027-03-16T13:00:00+00:00",
        "2027-03-23T13:00:00+00:00",
        "2027-03-30T13:00:00+01:00",
    ]


def test_a_clash_answers_409_naming_date_and_booking_and_stores_nothing(
    client: Client, room: Who, facilitator: Who
) -> None:
    first = book(client, facilitator, booking_body(room["id"], first_date="2026-12-08")).json
    clashing = booking_body(
        room["id"],
        first_date="2026-12-01",
        frequency="weekly",
        sessions=3,
        start_time="16:20",
        end_time="17:00",  # inside the 15 + 15 minute buffers
    )
    response = book(client, facilitator, clashing)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "booking_clash"
    assert response.json["date"] == "2026-12-08" and response.json["booking_id"] == first["id"]
    listed = client.get("/api/v1/bookings", headers=facilitator["headers"]).json
    assert [b["id"] for b in listed] == [first["id"]]


def test_a_room_too_small_for_the_people_expected_is_refused_with_409(
    client: Client, room: Who, facilitator: Who
) -> None:
    """The room holds 20: a booking for 21 is refused and stores nothing; 20 fit."""
    response = book(client, facilitator, booking_body(room["id"], expected_people=21))
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert response.json["code"] == "room_too_small" and response.json["capacity"] == 20
    assert "holds 20 people; this booking expects 21" in response.json["detail"]
    assert client.get("/api/v1/bookings", headers=facilitator["headers"]).json == []
    booked = book(client, facilitator, booking_body(room["id"], expected_people=20))
    assert booked.status_code == 201 and booked.json["expected_people"] == 20
    unstated = book(client, facilitator, booking_body(room["id"], first_date="2026-12-08"))
    assert unstated.status_code == 201 and unstated.json["expected_people"] is None
    for wrong in (0, -3, "12", 1.5, 1001, True):
        refused = book(client, facilitator, booking_body(room["id"], expected_people=wrong))
        assert refused.status_code == 422 and "expected_people" in str(refused.json), wrong


def test_cancelled_slots_become_free_at_once(client: Client, room: Who, facilitator: Who) -> None:
    first = book(client, facilitator, booking_body(room["id"])).json
    session_id = first["sessions"][0]["id"]
    cancelled = client.post(f"/api/v1/sessions/{session_id}/cancel", headers=facilitator["headers"])
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert cancelled.json["chargeable"] is False
    assert book(client, facilitator, booking_body(room["id"])).status_code == 201


def test_late_cancellation_is_kept_and_chargeable(
    client: Client, room: Who, facilitator: Who, clock: FrozenClock
) -> None:
    first = book(client, facilitator, booking_body(room["id"], first_date="2026-11-25")).json
    clock.advance(timedelta(hours=10))  # 23 Nov 19:00 -> less than 48 h before 25 Nov 13:00
    session_id = first["sessions"][0]["id"]
    response = client.post(f"/api/v1/sessions/{session_id}/cancel", headers=facilitator["headers"])
    assert response.json["status"] == "late_cancelled" and response.json["chargeable"] is True
    again = client.get(f"/api/v1/bookings/{first['id']}", headers=facilitator["headers"]).json
    assert again["sessions"][0]["status"] == "late_cancelled"
    twice = client.post(f"/api/v1/sessions/{session_id}/cancel", headers=facilitator["headers"])
    assert twice.status_code == 409 and twice.json["code"] == "already_cancelled"


def test_cancel_the_rest_of_a_series_from_a_date(
    client: Client, room: Who, facilitator: Who
) -> None:
    body = booking_body(room["id"], first_date="2026-12-01", frequency="weekly", sessions=4)
    booking = book(client, facilitator, body).json
    response = client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"from_date": "2026-12-08"},
        headers=facilitator["headers"],
    )
    assert [s["date"] for s in response.json["cancelled"]] == [
        "2026-12-08",
        "2026-12-15",
        "2026-12-22",
    ]
    statuses = client.get(f"/api/v1/bookings/{booking['id']}", headers=facilitator["headers"])
    assert [s["status"] for s in statuses.json["sessions"]] == [
        "booked",
        "cancelled",
        "cancelled",
        "cancelled",
    ]


def test_facilitators_cancel_only_their_own_bookings_and_admin_any(
    client: Client, staff: Staff, room: Who, facilitator: Who
) -> None:
    booking = book(client, facilitator, booking_body(room["id"])).json
    other = staff.user(Role.FACILITATOR)
    path = f"/api/v1/bookings/{booking['id']}/cancel"
    assert client.post(path, json={}, headers=other["headers"]).status_code == 404
    assert client.post(path, json={}, headers=staff.admin["headers"]).status_code == 200


def test_a_label_with_an_nhs_number_is_refused(client: Client, room: Who, facilitator: Who) -> None:
    response = book(client, facilitator, booking_body(room["id"], group_label="Group 943 476 5919"))
    assert response.status_code == 422 and response.json["code"] == "patient_data_suspected"
    assert client.get("/api/v1/bookings", headers=facilitator["headers"]).json == []


def test_invoice_description_is_neutral_unless_set(
    client: Client, room: Who, facilitator: Who
) -> None:
    plain = book(client, facilitator, booking_body(room["id"])).json
    described = book(
        client,
        facilitator,
        booking_body(room["id"], first_date="2026-12-02", invoice_description="Wellbeing group"),
    ).json
    assert plain["invoice_description"] == "Room hire"
    assert described["invoice_description"] == "Wellbeing group"


def test_invalid_booking_requests_get_a_422_problem(
    client: Client, room: Who, facilitator: Who
) -> None:
    cases = [
        booking_body(room["id"], frequency="weekly"),  # neither sessions nor until
        booking_body(room["id"], end_time="12:00"),
        booking_body(room["id"], first_date="2026-11-01"),  # in the past
        booking_body(room["id"], sessions="six", frequency="weekly"),
        {**booking_body(room["id"]), "colour": "blue"},
    ]
    for body in cases:
        response = book(client, facilitator, body)
        assert response.status_code == 422, (body, response.json)
        assert response.mimetype == "application/problem+json"
    missing_room = book(client, facilitator, booking_body(999))
    assert missing_room.status_code == 404


def test_availability_lists_rooms_free_for_the_whole_slot(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    bristol = staff.venue(postcode="BS1 4XX")
    busy = staff.room(bristol["id"], name="Busy", clearaway_minutes=30)
    free = staff.room(bristol["id"], name="Free", capacity=8)
    bath = staff.room(staff.venue(name="Bath hall", postcode="BA1 1AA")["id"], name="Bath")
    book(client, facilitator, booking_body(busy["id"]))

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/rooms/availability?{query}", headers=facilitator["headers"])
        assert response.status_code == 200, response.json
        return [room["name"] for room in response.json]

    assert names("start=2026-12-01T16:15&end=2026-12-01T17:00") == ["Free", "Bath"]  # buffer
    assert names("start=2026-12-01T16:30&end=2026-12-01T17:00") == ["Busy", "Free", "Bath"]
    assert names("start=2026-12-01T16:30&end=2026-12-01T17:00&postcode_area=BS") == ["Busy", "Free"]
    assert names("start=2026-12-01T16:30&end=2026-12-01T17:00&capacity=10") == ["Busy", "Bath"]
    assert names("start=2026-12-25T10:00&end=2026-12-25T12:00") == []  # Christmas Day
    assert bath["id"] and free["id"]
    bad = client.get(
        "/api/v1/rooms/availability?start=2026-12-01T17:00&end=2026-12-01T16:00",
        headers=facilitator["headers"],
    )
    assert bad.status_code == 422


def test_bookings_can_be_listed_by_dates_and_room(
    client: Client, staff: Staff, facilitator: Who
) -> None:
    venue = staff.venue()
    hall, café = staff.room(venue["id"]), staff.room(venue["id"], name="Café")
    weekly = booking_body(hall["id"], first_date="2026-12-01", frequency="weekly", sessions=4)
    ids = [
        book(client, facilitator, body).json["id"]
        for body in (
            weekly,  # 1, 8, 15 and 22 December
            booking_body(hall["id"], first_date="2027-02-02"),
            booking_body(café["id"], first_date="2027-03-02"),
        )
    ]

    def listed(query: str) -> list[int]:
        response = client.get(f"/api/v1/bookings?{query}", headers=facilitator["headers"])
        assert response.status_code == 200, response.json
        return [b["id"] for b in response.json]

    assert listed("") == ids
    assert listed("from=2026-12-20&to=2027-01-31") == ids[:1]
    assert listed("from=2027-02-02&to=2027-02-02") == ids[1:2]  # the whole London day
    assert listed("from=2027-02-03") == ids[2:]
    assert listed("to=2026-12-31") == ids[:1]
    assert listed(f"room_id={café['id']}") == ids[2:]
    assert listed(f"room_id={hall['id']}&from=2027-01-01") == ids[1:2]
    assert listed("from=2027-04-01") == []
    for bad in ("from=2027-02-03&to=2027-02-02", "from=tomorrow", "room_id=0", "to=1999-01-01"):
        response = client.get(f"/api/v1/bookings?{bad}", headers=facilitator["headers"])
        assert response.status_code == 422, bad
