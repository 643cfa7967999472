"""iCalendar feeds: valid RFC 5545, stable UIDs, Europe/London times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from flask import Flask
from sqlalchemy import text

from service.domain.users import Role
from service.usecases.secret_links import FAILED_LOOKUPS
from tests.client import Client
from tests.conftest import Staff, booking_body


def _events(client: Client, path: str, who: dict[str, Any]) -> list[Any]:
    response = client.get(path, headers=who["headers"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    return list(calendar.walk("VEVENT"))


def test_facilitator_feed_has_stable_uids_and_london_times(
    client: Client, staff: Staff, room: dict[str, Any], facilitator: dict[str, Any]
) -> None:
    body = booking_body(room["id"], first_date="2027-03-23", frequency="weekly", sessions=2)
    booking = staff.post("/api/v1/bookings", body, facilitator)
    path = f"/api/v1/facilitators/{facilitator['id']}/sessions.ics"
    events = _events(client, path, facilitator)
    london = ZoneInfo("Europe/London")
    assert [e.decoded("dtstart") for e in events] == [
        datetime(2027, 3, 23, 13, tzinfo=london),
        datetime(2027, 3, 30, 13, tzinfo=london),
    ]
    assert events[0]["DTSTART"].params["TZID"] == "Europe/London"
    assert str(events[0]["SUMMARY"]) == "Tuesday afternoon group"
    uids = [str(e["UID"]) for e in events]
    client.post(
        f"/api/v1/sessions/{booking['sessions'][0]['id']}/cancel", headers=facilitator["headers"]
    )
    again = _events(client, path, facilitator)
    assert [str(e["UID"]) for e in again] == uids
    assert [str(e["STATUS"]) for e in again] == ["CANCELLED", "CONFIRMED"]


def test_room_feed_is_neutral_and_feeds_are_private(
    client: Client, staff: Staff, room: dict[str, Any], facilitator: dict[str, Any]
) -> None:
    staff.post(
        "/api/v1/bookings", booking_body(room["id"], group_label="Recovery group"), facilitator
    )
    events = _events(client, f"/api/v1/rooms/{room['id']}/sessions.ics", facilitator)
    assert [str(e["SUMMARY"]) for e in events] == ["Booked (Room hire)"]
    other = staff.user(Role.FACILITATOR)
    response = client.get(
        f"/api/v1/facilitators/{facilitator['id']}/sessions.ics", headers=other["headers"]
    )
    assert response.status_code == 404


def test_a_secret_calendar_address_works_without_a_key_until_replaced_or_stopped(
    app: Flask, client: Client, staff: Staff, room: dict[str, Any], facilitator: dict[str, Any]
) -> None:
    staff.post("/api/v1/bookings", booking_body(room["id"]), facilitator)
    other = staff.user(Role.FACILITATOR)
    staff.post(
        "/api/v1/bookings",
        booking_body(room["id"], first_date="2026-12-08", group_label="Other"),
        other,
    )
    made = client.post("/api/v1/me/calendar-address", headers=facilitator["headers"])
    assert made.status_code == 201
    url = made.json["url"]
    assert url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")
    path = url.removeprefix("http://127.0.0.1:8000")
    no_key: dict[str, Any] = {"headers": {}}
    assert [str(e["SUMMARY"]) for e in _events(client, path, no_key)] == ["Tuesday afternoon group"]
    assert client.get(path).headers["Referrer-Policy"] == "no-referrer"
    with app.extensions["roomhire.engine"].connect() as db:  # only the token's hash is kept
        stored = db.execute(text("SELECT token_hash FROM calendar_links")).scalars().all()
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert len(token) >= 43 and token not in stored and len(stored) == 1

    newer = client.post("/api/v1/me/calendar-address", headers=facilitator["headers"]).json["url"]
    assert client.get(path).status_code == 404  # the old address stopped at once
    newer_path = newer.removeprefix("http://127.0.0.1:8000")
    assert len(_events(client, newer_path, no_key)) == 1
    stopped = client.delete("/api/v1/me/calendar-address", headers=facilitator["headers"])
    assert stopped.status_code == 204
    assert client.get(newer_path).status_code == 404
    assert client.post("/api/v1/me/calendar-address").status_code == 401


def test_a_deactivated_person_s_address_stops_and_guesses_share_the_link_rate_limit(
    app: Flask, client: Client, staff: Staff, facilitator: dict[str, Any]
) -> None:
    url = client.post("/api/v1/me/calendar-address", headers=facilitator["headers"]).json["url"]
    path = url.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    with app.extensions["roomhire.engine"].begin() as db:
        db.execute(
            text("UPDATE users SET active = :no WHERE id = :id"),
            {"no": False, "id": facilitator["id"]},
        )
    assert client.get(path).status_code == 404
    guesser = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(FAILED_LOOKUPS - 1):
        assert client.get(f"/status/guess{n:040d}", environ_base=guesser).status_code == 404
    assert client.get("/calendar/guess.ics", environ_base=guesser).status_code == 404
    limited = client.get("/calendar/guess.ics", environ_base=guesser)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
