"""The 104-session cap and the two-year limit say what really stops a series (issue 13, 8)."""

from __future__ import annotations

from typing import Any

from tests.client import Client
from tests.conftest import booking_body

Who = dict[str, Any]


def book(client: Client, who: Who, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/bookings", json=body, headers=who["headers"])


def test_104_sessions_with_nothing_skipped_are_booked(
    client: Client, room: Who, facilitator: Who
) -> None:
    body = booking_body(room["id"], first_date="2026-12-02", frequency="weekly", sessions=104)
    response = book(client, facilitator, body)  # Wednesdays: no bank holiday falls on one
    assert response.status_code == 201, response.json
    assert len(response.json["sessions"]) == 104 and response.json["skipped"] == []


def test_made_up_bank_holidays_past_two_years_say_how_many_were_skipped(
    client: Client, room: Who, facilitator: Who
) -> None:
    body = booking_body(room["id"], first_date="2026-11-30", frequency="weekly", sessions=104)
    refused = book(client, facilitator, body)  # Mondays: bank holidays are skipped
    assert refused.status_code == 422
    skipped = refused.json["skipped"]
    assert refused.json["detail"] == (
        f"104 weekly sessions fit in two years, but with the {skipped} skipped dates made up at "
        "the end the series would run past two years: book fewer sessions, or don't make up "
        "skipped dates (keep_session_count false)."
    )
    fewer = book(client, facilitator, {**body, "keep_session_count": False})
    assert fewer.status_code == 201, fewer.json
    assert len(fewer.json["skipped"]) == skipped
    assert len(fewer.json["sessions"]) == 104 - skipped
    assert all(s["reason"].startswith("bank holiday: ") for s in fewer.json["skipped"])


def test_an_until_date_beyond_104_sessions_is_refused_for_the_cap(
    client: Client, room: Who, facilitator: Who
) -> None:
    body = booking_body(room["id"], first_date="2026-12-02", frequency="weekly", until="2028-11-29")
    refused = book(client, facilitator, body)
    assert refused.status_code == 422
    assert refused.json["detail"] == (
        "Weekly sessions from Wednesday 2 December 2026 until Wednesday 29 November 2028 would "
        "be 105 sessions, but a series has at most 104: end it on or before Wednesday 22 "
        "November 2028."
    )
    assert refused.json["field"] == "until"
    assert "skipped" not in refused.json["detail"]
    ok = book(client, facilitator, {**body, "until": "2028-11-22"})
    assert ok.status_code == 201 and len(ok.json["sessions"]) == 104
