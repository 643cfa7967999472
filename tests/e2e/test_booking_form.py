"""The booking form as people fill it in: problems named in plain words against their fields,
what was typed kept, and the use case's own refusals shown the same way."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask

from tests.client import Client
from tests.conftest import Staff
from tests.e2e.staff import person, sign_in_as, submit


def errors_on(page: str) -> list[str]:
    """The error summary's messages, in order."""
    summary = page.split("nhsuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [html.unescape(m) for m in re.findall(r'<a href="#\w+"\s*>\s*(.*?)\s*</a>', summary)]


def test_problems_are_named_against_their_fields_and_what_was_typed_is_kept(
    app: Flask, client: Client, room: dict[str, Any]
) -> None:
    ctx = app.extensions["roomhire"]
    sign_in_as(client, ctx, person(ctx))
    form = f"/bookings/new?room_id={room['id']}"
    fields = {
        "room_id": room["id"],
        "first[day]": "31",
        "first[month]": "2",
        "first[year]": "2027",
        "start": "25:00",
        "end": "4pm",
        "frequency": "weekly",
        "group_label": "Thursday group",
    }
    response = submit(client, "/bookings/new", fields, page=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert errors_on(page) == [
        "The date of the first session must be a real date, like 12 1 2027",
        "Enter the start time like 1pm or 13:00",
        "Enter either the number of sessions or the date of the last one",
        "Enter how many people you expect",
    ]
    assert 'id="first-error"' in page and 'id="start-error"' in page  # inline, by the field
    assert 'value="Thursday group"' in page and 'value="25:00"' in page and 'value="31"' in page


def test_a_refusal_of_the_booking_itself_is_worded_for_a_person(
    app: Flask, client: Client, staff: Staff, room: dict[str, Any]
) -> None:
    ctx = app.extensions["roomhire"]
    sign_in_as(client, ctx, person(ctx))
    fields = {
        "room_id": room["id"],
        "first[day]": "2",
        "first[month]": "11",
        "first[year]": "2026",
        "start": "1pm",
        "end": "4pm",
        "frequency": "once",
        "group_label": "Monday group",
        "expected_people": "12",
    }
    page = submit(client, "/bookings/new", fields, page=f"/bookings/new?room_id={room['id']}")
    assert errors_on(page.get_data(as_text=True)) == [
        "The session on Monday 2 November 2026 would be in the past."
    ]
    fields.update({"first[year]": "2027", "expected_people": "21"})
    page = submit(client, "/bookings/new", fields, page=f"/bookings/new?room_id={room['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and 'id="expected_people-error"' in html
    assert errors_on(html) == ["Main hall holds 20 people; this booking expects 21."]
    fields["expected_people"] = "twelve"
    page = submit(client, "/bookings/new", fields, page=f"/bookings/new?room_id={room['id']}")
    assert errors_on(page.get_data(as_text=True)) == [
        "The number of people must be a whole number from 1 to 1000"
    ]
