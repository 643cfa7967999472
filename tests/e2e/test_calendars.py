"""iCalendar feeds: valid RFC 5545, stable UIDs, Europe/London times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from flask.testing import FlaskClient

from service.domain.users import Role
from tests.conftest import Staff, booking_body


def _events(client: FlaskClient, path: str, who: dict[str, Any]) -> list[Any]:
    response = client.get(path, headers=who["headers"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    return list(calendar.walk("VEVENT"))


def test_facilitator_feed_has_stable_uids_and_london_times(
    client: FlaskClient, staff: Staff, room: dict[str, Any], facilitator: dict[str, Any]
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
    client: FlaskClient, staff: Staff, room: dict[str, Any], facilitator: dict[str, Any]
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
