"""A venue is told of each booking, change and cancellation by email, sent by the outbox
worker to a real SMTP server (aiosmtpd) on 127.0.0.1, with a calendar invitation attached
(text/calendar; method=REQUEST or CANCEL) that an independent parser (vobject) reads: the
same UID throughout, SEQUENCE rising with each change, the dates and London times right."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from typing import Any

import pytest

from service.domain.timeslots import london_instant
from service.usecases.context import Context
from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, booking_body, plain_text
from tests.e2e.smtp_server import Inbox
from tests.fakes import FrozenClock

vobject = pytest.importorskip("vobject")
Who = dict[str, Any]
VENUE = "hall@example.org"  # the venue's contact email (tests/builders.py)
TUESDAYS = [date(2026, 11, 24), *(date(2026, 12, d) for d in (1, 8, 15, 22, 29))]


def told(inbox: tuple[Inbox, int], smtp_ctx: Context) -> list[tuple[EmailMessage, Any]]:
    """Deliver what is due; the new emails to the venue, each with its parsed invitation."""
    server, _ = inbox
    before = len(server.received)
    deliver_due(smtp_ctx, batch=100)
    found = []
    for message in server.received[before:]:
        if message["To"] != VENUE:
            continue
        (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        calendar = vobject.readOne(part.get_content())
        assert part.get_param("method") == calendar.method.value
        found.append((message, calendar))
    return found


def test_a_series_then_a_cancelled_session_then_the_rest(
    client: Client,
    staff: Staff,
    facilitator: Who,
    room: Who,
    po: Who,
    clock: FrozenClock,
    inbox: tuple[Inbox, int],
    smtp_ctx: Context,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po, group_label="Dual diagnosis group")
    ((email, calendar),) = told(inbox, smtp_ctx)
    assert email["Subject"] == "New booking: Main hall, 6 sessions from Tuesday 24 November 2026"
    assert re.fullmatch(r"<[\w.-]+@roomhire\.invalid>", email["Message-ID"])  # not folded
    text = plain_text(email)
    assert "Tuesday 29 December 2026" in text and "Time: 1pm to 4pm" in text
    assert "diagnosis" not in str(email).lower()  # nothing of the group reaches the venue
    (event,) = calendar.vevent_list
    uid = event.uid.value
    assert (calendar.method.value, event.sequence.value) == ("REQUEST", "0")
    starts = [d.astimezone(UTC) for d in event.getrruleset(addRDate=True)]
    assert starts == [london_instant(d, time(13)) for d in TUESDAYS]

    third = booking["sessions"][2]["id"]
    assert (
        client.post(f"/api/v1/sessions/{third}/cancel", headers=facilitator["headers"]).status_code
        == 200
    )
    ((email, calendar),) = told(inbox, smtp_ctx)
    assert email["Subject"] == "Cancelled: Main hall, 1 session from Tuesday 8 December 2026"
    (event,) = calendar.vevent_list
    assert (calendar.method.value, event.uid.value, event.sequence.value) == ("CANCEL", uid, "1")
    assert event.recurrence_id.value.astimezone(UTC) == london_instant(TUESDAYS[2], time(13))

    clock.current = datetime(2026, 12, 10, 9, tzinfo=UTC)  # the first three are held
    rest = f"/api/v1/bookings/{booking['id']}/cancel"
    assert client.post(rest, json={}, headers=facilitator["headers"]).status_code == 200
    ((email, calendar),) = told(inbox, smtp_ctx)
    assert calendar.method.value == "CANCEL"
    assert {(e.uid.value, e.sequence.value) for e in calendar.vevent_list} == {(uid, "2")}
    assert [e.recurrence_id.value.astimezone(UTC) for e in calendar.vevent_list] == [
        london_instant(d, time(13)) for d in TUESDAYS[3:]
    ]
    assert "Cancelled: Tuesday 29 December 2026, 1pm to 4pm" in plain_text(email)
    assert told(inbox, smtp_ctx) == []  # each change told once


def test_a_single_booking_cancelled_cancels_the_whole_event_and_a_closure_tells_the_venue(
    client: Client,
    staff: Staff,
    facilitator: Who,
    room: Who,
    inbox: tuple[Inbox, int],
    smtp_ctx: Context,
) -> None:
    single = staff.post("/api/v1/bookings", booking_body(room["id"]), facilitator)
    weekly = booking_body(room["id"], first_date="2027-01-05", frequency="weekly", sessions=3)
    series = staff.post("/api/v1/bookings", weekly, facilitator)
    assert len(told(inbox, smtp_ctx)) == 2
    only = single["sessions"][0]["id"]
    assert (
        client.post(f"/api/v1/sessions/{only}/cancel", headers=facilitator["headers"]).status_code
        == 200
    )
    ((_, calendar),) = told(inbox, smtp_ctx)
    (event,) = calendar.vevent_list
    assert calendar.method.value == "CANCEL" and not hasattr(event, "recurrence_id")
    assert event.uid.value == f"roomhire-booking-{single['id']}"

    closure = {"date": "2027-01-12", "reason": "Roof repairs"}
    path = f"/api/v1/venues/{room['venue_id']}/closures"
    assert client.post(path, json=closure, headers=staff.admin["headers"]).status_code == 200
    ((email, calendar),) = told(inbox, smtp_ctx)
    (event,) = calendar.vevent_list
    assert event.uid.value == f"roomhire-booking-{series['id']}" and event.sequence.value == "1"
    assert event.recurrence_id.value.astimezone(UTC) == london_instant(date(2027, 1, 12), time(13))
    assert email["Subject"] == "Cancelled: Main hall, 1 session from Tuesday 12 January 2027"


def test_a_refused_booking_tells_the_venue_nothing(
    client: Client,
    staff: Staff,
    facilitator: Who,
    room: Who,
    inbox: tuple[Inbox, int],
    smtp_ctx: Context,
) -> None:
    staff.post("/api/v1/bookings", booking_body(room["id"]), facilitator)
    clash = client.post(
        "/api/v1/bookings", json=booking_body(room["id"]), headers=facilitator["headers"]
    )
    assert clash.status_code == 409
    assert len(told(inbox, smtp_ctx)) == 1


def test_a_moved_session_is_its_own_occurrence_in_the_next_request(
    client: Client,
    staff: Staff,
    facilitator: Who,
    room: Who,
    po: Who,
    inbox: tuple[Inbox, int],
    smtp_ctx: Context,
) -> None:
    booking = book_tuesdays(staff, facilitator, room, po)
    told(inbox, smtp_ctx)
    small = staff.room(room["venue_id"], name="Small room")
    third = booking["sessions"][2]["id"]  # Tuesday 8 December, 13:00
    body = {"date": "2026-12-09", "start_time": "10:00", "room_id": small["id"]}
    path = f"/api/v1/sessions/{third}/move"
    assert client.post(path, json=body, headers=facilitator["headers"]).status_code == 200
    ((email, calendar),) = told(inbox, smtp_ctx)
    assert email["Subject"].startswith("Booking changed: Main hall, 6 sessions")
    assert "Moved: the session of Tuesday 8 December 2026 is on Wednesday 9 December 2026, " in (
        plain_text(email)
    )
    assert calendar.method.value == "REQUEST"
    master, moved = sorted(calendar.vevent_list, key=lambda e: hasattr(e, "recurrence_id"))
    assert {master.sequence.value, moved.sequence.value} == {"1"}
    assert moved.uid.value == master.uid.value
    assert moved.recurrence_id.value.astimezone(UTC) == london_instant(TUESDAYS[2], time(13))
    assert moved.dtstart.value.astimezone(UTC) == london_instant(date(2026, 12, 9), time(10))
    assert moved.location.value.startswith("Small room, ")
    # What a calendar shows: the rule's dates, the overridden one in its new place.
    shown = {d.astimezone(UTC) for d in master.getrruleset(addRDate=True)}
    shown = (shown - {moved.recurrence_id.value.astimezone(UTC)}) | {
        moved.dtstart.value.astimezone(UTC)
    }
    booked = client.get(f"/api/v1/bookings/{booking['id']}", headers=facilitator["headers"]).json
    assert shown == {datetime.fromisoformat(s["starts_at"]) for s in booked["sessions"]}
