"""A closure added after sessions were booked: they are cancelled by the venue, never
charged, and the facilitator is told by email."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask

from service.domain.bookings import SessionStatus
from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, issue, plain_text, sent_emails
from tests.fakes import FrozenClock


def test_a_closure_cancels_that_days_sessions_for_the_venue(
    app: Flask,
    client: Client,
    staff: Staff,
    facilitator: dict[str, Any],
    finance: dict[str, Any],
    room: dict[str, Any],
    po: dict[str, Any],
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    booked = book_tuesdays(staff, facilitator, room, po)  # 24 Nov .. 29 Dec 2026
    ctx = app.extensions["roomhire"]
    closure = {"date": "2026-12-08", "reason": "Roof repairs"}
    path, admin = f"/api/v1/venues/{room['venue_id']}/closures", staff.admin["headers"]
    added = client.post(path, json=closure, headers=admin)
    assert added.status_code == 200, added.json
    assert [s["date"] for s in added.json["cancelled_sessions"]] == ["2026-12-08"]
    again = client.post(path, json=closure, headers=admin)
    assert again.json["cancelled_sessions"] == []  # the same day twice changes nothing

    got = client.get(f"/api/v1/bookings/{booked['id']}", headers=facilitator["headers"]).json
    statuses = {s["date"]: (s["status"], s["chargeable"]) for s in got["sessions"]}
    assert statuses["2026-12-08"] == (SessionStatus.CANCELLED_BY_VENUE.value, False)
    assert statuses["2026-12-15"] == ("booked", True)
    committed = client.get(f"/api/v1/purchase-orders/{po['id']}", headers=finance["headers"])
    assert committed.json["committed_pence"] == 5 * 7500  # six sessions at £75, one called off

    deliver_due(ctx)
    to_venue: list[EmailMessage] = []
    to_facilitator: list[EmailMessage] = []
    for sent in sent_emails(tmp_path / "outbox"):
        (to_venue if sent["To"] == "hall@example.org" else to_facilitator).append(sent)
    assert [m["Subject"] for m in to_venue] == [
        "New booking: Main hall, 6 sessions from Tuesday 24 November 2026",
        "Cancelled: Main hall, 1 session from Tuesday 8 December 2026",  # its calendar told
    ]
    (email,) = to_facilitator
    assert " ".join(email["Subject"].split()) == (
        "Cancelled by the venue: Chapel Hall CIC is closed on Tuesday 8 December 2026"
    )
    body = plain_text(email)
    assert "(Roof repairs)" in body and "will not charge" in body
    html = email.get_body(("html",))  # the same words for mail programs that show HTML
    assert html is not None and "(Roof repairs)" in html.get_content()
    assert '<a href="http://127.0.0.1:8000/rooms">' in html.get_content()

    clock.current = datetime(2027, 1, 2, 9, tzinfo=UTC)  # December has ended
    december = [i for i in issue(client, finance, "2026-12-31")["issued"]]
    charged = {line["date"] for i in december for line in i["lines"]}
    assert "2026-12-08" not in charged and "2026-12-15" in charged
