"""A facilitator's "My bookings" page lists their sessions a page of 50 at a time: those to
come soonest first, held ones latest first, and never another person's."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

from flask import Flask
from openpyxl import load_workbook

from tests.client import Client
from tests.conftest import Staff, booking_body
from tests.e2e.staff import person, sign_in_as
from tests.fakes import FrozenClock

TIME = r"(?:\d{1,2}(?::\d\d)?[ap]m|midday|midnight)"
WHEN = re.compile(rf"\w+day \d{{1,2}} \w+ \d{{4}}, {TIME} to {TIME}")


def listed(client: Client, path: str) -> tuple[list[str], str | None]:
    """The sessions a page lists (when and group), and its link to the next page."""
    page = client.get(path).get_data(as_text=True)
    rows = re.findall(r'<tr class="nhsuk-table__row" role="row">(.*?)</tr>', page, re.S)[1:]
    found = [
        f"{WHEN.search(row).group(0)} {re.search(r'>([^<]+)</a>', row).group(1)}"  # type: ignore[union-attr]
        for row in rows
    ]
    more = re.search(r'href="(/bookings\?[^"]*after=[^"]+)">(?:Later|Earlier) sessions', page)
    return found, more.group(1).replace("&amp;", "&") if more else None


def test_sessions_come_a_page_at_a_time_in_order(
    app: Flask, client: Client, staff: Staff, room: dict[str, Any], clock: FrozenClock
) -> None:
    ctx = app.extensions["roomhire"]
    me, someone_else = person(ctx), person(ctx)
    for who, label, day, start in (
        (me, "Morning group", "2026-11-24", "09:00"),
        (me, "Afternoon group", "2026-11-24", "13:00"),  # same days: ties are ordered by start
        (someone_else, "Evening group", "2026-11-24", "17:00"),
    ):
        body = booking_body(
            room["id"],
            group_label=label,
            first_date=day,
            start_time=start,
            end_time=f"{int(start[:2]) + 3}:00",
            frequency="weekly",
            sessions=30,
        )
        staff.post("/api/v1/bookings", body, who)
    sign_in_as(client, ctx, me)
    first, more = listed(client, "/bookings")
    assert len(first) == 50 and more
    rest, last = listed(client, more)
    assert len(rest) == 10 and last is None
    everything = first + rest
    assert everything[0] == "Tuesday 24 November 2026, 9am to midday Morning group"
    assert everything[1] == "Tuesday 24 November 2026, 1pm to 4pm Afternoon group"
    assert len(set(everything)) == 60  # each session once, none of someone else's
    assert not any("Evening" in line for line in everything)

    clock.advance(timedelta(weeks=10))  # ten weeks held: 20 sessions of mine in the past
    sign_in_as(client, ctx, me)
    held, more = listed(client, "/bookings?past=yes")
    assert more is None and len(held) == 20
    assert held[0].endswith("Afternoon group") and "26 January 2027" in held[0]  # latest first
    assert held[-1] == "Tuesday 24 November 2026, 9am to midday Morning group"
    to_come, _ = listed(client, "/bookings")
    assert len(to_come) == 40


def test_a_broken_page_link_starts_from_the_beginning(app: Flask, client: Client) -> None:
    ctx = app.extensions["roomhire"]
    sign_in_as(client, ctx, person(ctx))
    for after in ("yesterday_1", "2026-11-24T09:00:00_x", "2026-11-24T09:00:00_3", "_"):
        assert client.get(f"/bookings?after={after}").status_code == 200


def test_a_facilitator_downloads_their_own_sessions(
    app: Flask, client: Client, staff: Staff, room: dict[str, Any]
) -> None:
    ctx = app.extensions["roomhire"]
    me, someone_else = person(ctx), person(ctx)
    staff.post("/api/v1/bookings", booking_body(room["id"], group_label="Mine"), me)
    theirs = booking_body(room["id"], group_label="Theirs", first_date="2026-12-08")
    staff.post("/api/v1/bookings", theirs, someone_else)
    sign_in_as(client, ctx, me)
    page = client.get("/bookings").get_data(as_text=True)
    assert 'href="/bookings.xlsx"' in page and 'href="/bookings.csv"' in page
    answer = client.get("/bookings.xlsx")
    assert (
        answer.status_code == 200
        and 'filename="bookings.xlsx"' in answer.headers["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(answer.data)).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(values_only=True)] == ["group", "Mine"]
    lines = client.get("/bookings.csv").get_data(as_text=True).splitlines()
    assert len(lines) == 2 and ",Mine," in lines[1]
    assert client.get("/bookings.pdf").status_code == 404
