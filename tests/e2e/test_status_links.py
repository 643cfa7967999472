"""A venue sees its own invoices and payments from a secret link, and nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import create_engine, inspect, text

from service.app import create_app
from service.config import Config
from service.domain.users import Role
from service.usecases.outbox_worker import deliver_due
from service.usecases.secret_links import FAILED_LOOKUPS
from service.web.venue_status import SECURITY_HEADERS
from tests.client import Client, client_for
from tests.conftest import TEMPLATES, Staff, book_tuesdays, issue, plain_text, roomhire, sent_emails
from tests.e2e.conftest import create_link, path_of
from tests.e2e.exports import export, for_invoice, upload
from tests.e2e.live import gunicorn
from tests.fakes import FrozenClock

Who = dict[str, Any]


def test_a_venue_sees_each_invoice_in_plain_words_newest_first(
    client: Client, trust_finance: Who, reconciled: list[Who], venue_room: Who
) -> None:
    link = create_link(client, trust_finance, venue_room["venue_id"])
    assert link["url"].startswith("http://127.0.0.1:8000/status/") and link["state"] == "active"
    token = link["url"].rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits, URL-safe base64
    page = client.get(path_of(link))
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "St Mark&#39;s Community Hall CIC" in text
    assert "Paid £75.00 on 29 January 2027 — remittance 7713388." in text
    assert (
        "On hold: the NHS team hasn&#39;t confirmed the sessions yet — we&#39;ve asked them."
        in text
    )
    assert "Approved — due to be paid by 3 February 2027." in text  # 30 days from 4 January
    assert "Received by NHS accounts on 4 January 2027." in text
    assert "Sent to NHS accounts on 4 January 2027." in text
    assert "Tuesday afternoon group" not in text  # the group label never leaves the NHS side

    data = client.get(path_of(link) + ".json").json
    assert [i["number"] for i in data["invoices"]] == [f"SMCH{n:04d}" for n in range(6, 0, -1)]
    by_number = {i["number"]: i for i in data["invoices"]}
    assert by_number["SMCH0001"]["status"] == "paid"
    assert by_number["SMCH0002"]["status"] == "on hold"
    assert by_number["SMCH0006"]["status"] == "sent"
    assert set(by_number["SMCH0001"]) == {
        "number",
        "kind",
        "issue_date",
        "po_number",
        "description",
        "amount_pence",
        "status",
        "words",
    }

    listed = client.get(
        f"/api/v1/venues/{venue_room['venue_id']}/status-links", headers=trust_finance["headers"]
    ).json
    assert "url" not in listed[0] and listed[0]["last_used_at"] is not None


@pytest.fixture
def venues_with_invoices(
    client: Client, staff: Staff, trust_finance: Who, trust: Who, clock: FrozenClock
) -> list[tuple[int, set[str], str]]:
    """Three venues with invoices of their own: (venue id, its invoice numbers, its name)."""
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    names = ["Oak Tree Café CIC", "Riverside Community Centre", "Hope Chapel Hall"]
    rooms = []
    for n, name in enumerate(names):
        room = staff.room(staff.venue(name=name, contact_email=f"v{n}@example.org")["id"])
        po = staff.purchase_order(
            trust["id"], room["venue_id"], trust_finance, number=f"RZZPO00001{n:02d}"
        )
        book_tuesdays(staff, facilitator, room, po, sessions=n + 1, invoice_cadence="per_session")
        rooms.append(room)
    clock.current += timedelta(days=60)
    issued = issue(client, trust_finance, "2027-01-15")["issued"]
    return [
        (room["venue_id"], {i["number"] for i in issued if i["venue_id"] == room["venue_id"]}, name)
        for room, name in zip(rooms, names, strict=True)
    ]


def test_no_link_shows_another_venues_invoices(
    client: Client, trust_finance: Who, venues_with_invoices: list[tuple[int, set[str], str]]
) -> None:
    links = {
        venue: create_link(client, trust_finance, venue) for venue, _, _ in venues_with_invoices
    }
    everything = set().union(*(numbers for _, numbers, _ in venues_with_invoices))
    for venue, numbers, _ in venues_with_invoices:
        assert numbers  # each venue has invoices of its own
        data = client.get(path_of(links[venue]) + ".json").json
        assert {i["number"] for i in data["invoices"]} == numbers
        page = client.get(path_of(links[venue])).get_data(as_text=True)
        for other, other_numbers, other_name in venues_with_invoices:
            if other != venue:
                assert not any(number in page for number in other_numbers), (venue, other)
                assert other_name.split()[0] not in page
        assert numbers <= everything


def test_unknown_expired_and_revoked_links_get_the_same_404(
    client: Client,
    trust_finance: Who,
    invoices: list[Who],
    venue_room: Who,
    clock: FrozenClock,
) -> None:
    venue = venue_room["venue_id"]
    short = create_link(client, trust_finance, venue, expires_in_days=1)
    revoked = create_link(client, trust_finance, venue)
    rotated = create_link(client, trust_finance, venue)
    assert (
        client.post(
            f"/api/v1/status-links/{revoked['id']}/revoke", headers=trust_finance["headers"]
        ).json["state"]
        == "revoked"
    )
    replacement = client.post(
        f"/api/v1/status-links/{rotated['id']}/rotate", headers=trust_finance["headers"]
    )
    assert replacement.status_code == 201
    assert client.get(path_of(replacement.json)).status_code == 200
    assert client.get(path_of(short)).status_code == 200
    clock.advance(timedelta(days=1, seconds=1))

    answers = [
        client.get(path)
        for path in (
            path_of(short),  # expired
            path_of(revoked),
            path_of(rotated),
            "/status/" + "A" * 43,  # never issued
            "/status/short",
        )
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.get_data() for a in answers}) == 1
    assert {a.status_code for a in [client.get(path_of(revoked) + ".json")]} == {404}
    states = {
        link["id"]: link["state"]
        for link in client.get(
            f"/api/v1/venues/{venue}/status-links", headers=trust_finance["headers"]
        ).json
    }
    assert states[short["id"]] == "expired" and states[revoked["id"]] == "revoked"


def test_failed_lookups_are_rate_limited_per_client(
    client: Client, trust_finance: Who, venue_room: Who
) -> None:
    link = create_link(client, trust_finance, venue_room["venue_id"])
    guesser = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(FAILED_LOOKUPS):
        assert client.get(f"/status/guess{n:040d}", environ_base=guesser).status_code == 404
    limited = client.get(path_of(link), environ_base=guesser)
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60
    assert limited.headers["Cache-Control"] == "no-store"
    someone_else = client.get(path_of(link), environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert someone_else.status_code == 200


def test_behind_a_trusted_proxy_the_limit_counts_each_forwarded_client(
    client: Client,
    trust_finance: Who,
    venue_room: Who,
    database_url: str,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    link = create_link(client, trust_finance, venue_room["venue_id"])
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def guess(client: Client, forwarded_for: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        return client.get("/status/guess", environ_base=proxy, headers=headers).status_code

    # Not configured: a spoofed X-Forwarded-For is ignored, so it can't dodge the limit.
    codes = [guess(client, f"192.0.2.{n}") for n in range(FAILED_LOOKUPS + 1)]
    assert codes == [404] * FAILED_LOOKUPS + [429]

    config = Config(database_url, "test-secret", tmp_path, TEMPLATES, trusted_proxies=1)
    behind = client_for(create_app(config, clock=clock))
    try:
        codes = [guess(behind, "203.0.113.7") for n in range(FAILED_LOOKUPS + 1)]
        assert codes == [404] * FAILED_LOOKUPS + [429]
        assert guess(behind, "203.0.113.7, 198.51.100.4") == 404  # only the proxy's hop is believed
        forwarded = {"X-Forwarded-For": "198.51.100.4"}
        page = behind.get(path_of(link), environ_base=proxy, headers=forwarded)
        assert page.status_code == 200
    finally:
        behind.application.extensions["roomhire.engine"].dispose()


def test_every_page_carries_the_security_headers(
    client: Client, trust_finance: Who, venue_room: Who
) -> None:
    link = create_link(client, trust_finance, venue_room["venue_id"])
    for path in (path_of(link), path_of(link) + ".json", "/status/nothing"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp  # default-src 'none'


def test_only_finance_and_admin_make_links_and_inputs_are_checked(
    client: Client, staff: Staff, trust_finance: Who, venue_room: Who
) -> None:
    venue = venue_room["venue_id"]
    facilitator = staff.user(Role.FACILITATOR)
    path = f"/api/v1/venues/{venue}/status-links"
    assert client.post(path, json={}, headers=facilitator["headers"]).status_code == 403
    assert client.post(path, json={}, headers=staff.admin["headers"]).status_code == 201
    too_long = client.post(path, json={"expires_in_days": 731}, headers=trust_finance["headers"])
    assert too_long.status_code == 422 and "expires_in_days" in too_long.json["errors"]["json"]
    missing = client.post(
        "/api/v1/venues/999/status-links", json={}, headers=trust_finance["headers"]
    )
    assert missing.status_code == 404
    assert (
        client.post("/api/v1/status-links/999/revoke", headers=trust_finance["headers"]).status_code
        == 404
    )


def test_links_expire_after_the_configured_default(
    app: Flask, client: Client, trust_finance: Who, venue_room: Who
) -> None:
    link = create_link(client, trust_finance, venue_room["venue_id"])
    created, expires = link["created_at"][:10], link["expires_at"][:10]
    assert (created, expires) == ("2026-11-23", "2027-05-22")  # 180 days


def test_the_cli_makes_a_link_that_opens_the_page(
    client: Client, venue_room: Who, database_url: str, tmp_path: Path
) -> None:
    env = {"ROOMHIRE_DATABASE_URL": database_url, "ROOMHIRE_PUBLIC_URL": "https://rooms.example"}
    made = roomhire(tmp_path, "links", "create", str(venue_room["venue_id"]), "--days", "30", **env)
    assert made.returncode == 0, made.stderr
    url = made.stdout.split()[-1]
    assert url.startswith("https://rooms.example/status/")
    assert client.get(url.removeprefix("https://rooms.example")).status_code == 200
    missing = roomhire(tmp_path, "links", "create", "999", **env)
    assert missing.returncode == 1 and "no venue 999" in missing.stderr.lower()


def test_the_page_changes_as_soon_as_an_import_does(
    client: Client, trust_finance: Who, invoices: list[Who], venue_room: Who
) -> None:
    link = create_link(client, trust_finance, venue_room["venue_id"])
    before = client.get(path_of(link) + ".json").json["invoices"][-1]
    assert before["status"] == "sent"
    paid = {"approval": "Approved", "payment_date": "29-JAN-2027", "payment_number": "42"}
    assert (
        upload(
            client, trust_finance, export(for_invoice(invoices[0], paid="75.00", **paid))
        ).status_code
        == 201
    )
    after = client.get(path_of(link) + ".json").json["invoices"][-1]
    assert (after["number"], after["status"]) == ("SMCH0001", "paid")
    assert "remittance 42" in client.get(path_of(link)).get_data(as_text=True)


def test_a_part_payment_stays_on_the_page_when_a_hold_follows(
    client: Client, trust_finance: Who, invoices: list[Who], venue_room: Who
) -> None:
    """Finance sees 'on hold, £23.40 paid': the venue sees the payment too, not only the hold."""
    link = path_of(create_link(client, trust_finance, venue_room["venue_id"]))
    paid = {"paid": "23.40", "payment_date": "20-JAN-2027", "payment_number": "7713390"}
    first = for_invoice(invoices[0], approval="Approved", **paid)
    assert upload(client, trust_finance, export(first)).status_code == 201
    held = for_invoice(invoices[0], hold="QTY REC")
    assert upload(client, trust_finance, export(first, held)).status_code == 201
    [shown] = [i for i in client.get(link + ".json").json["invoices"] if i["number"] == "SMCH0001"]
    assert shown["status"] == "on hold"
    assert shown["words"].startswith("On hold: the NHS team hasn't confirmed the sessions yet")
    assert shown["words"].endswith(" £23.40 of £75.00 paid so far.")
    assert "£23.40 of £75.00 paid so far." in client.get(link).get_data(as_text=True)


def test_a_link_emailed_through_the_outbox_is_seen_only_by_the_venue(
    app: Flask,
    client: Client,
    trust_finance: Who,
    venue_room: Who,
    tmp_path: Path,
    database_url: str,
) -> None:
    made = client.post(
        f"/api/v1/venues/{venue_room['venue_id']}/status-links",
        json={"email_to_venue": True},
        headers=trust_finance["headers"],
    )
    assert made.status_code == 201
    assert made.json["url"] is None and made.json["emailed_to"] == "hall@example.org"
    revoked = client.post(
        f"/api/v1/venues/{venue_room['venue_id']}/status-links",
        json={"email_to_venue": True},
        headers=trust_finance["headers"],
    ).json
    client.post(f"/api/v1/status-links/{revoked['id']}/revoke", headers=trust_finance["headers"])

    run = deliver_due(app.extensions["roomhire"])
    assert (run.sent, run.failed) == (1, 1)  # a link revoked before sending is not sent
    [message] = sent_emails(tmp_path / "outbox")
    assert message["To"] == "hall@example.org"
    body = plain_text(message)
    url = next(word for word in body.split() if "/status/" in word)
    assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    token = url.rsplit("/", 1)[1]
    assert token not in table_dump(database_url)  # only its hash is stored


def table_dump(database_url: str) -> str:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        text_of_everything = "".join(
            repr(conn.execute(text(f'SELECT * FROM "{table}"')).all())
            for table in inspect(conn).get_table_names()
        )
    engine.dispose()
    return text_of_everything


def test_a_credit_note_is_listed_against_its_invoice(
    client: Client,
    trust_finance: Who,
    venue_room: Who,
    waived_credit_note: tuple[Who, dict[str, Who]],
) -> None:
    note, issued = waived_credit_note
    data = client.get(
        path_of(create_link(client, trust_finance, venue_room["venue_id"])) + ".json"
    ).json
    listed = {i["number"]: i for i in data["invoices"]}
    assert listed[note["number"]]["kind"] == "credit_note"
    assert listed[note["number"]]["amount_pence"] == -7500
    credited = note["credits_invoice"]
    assert listed[note["number"]]["words"] == (
        f"Credit note against {credited}: it reduces what is owed."
    )
    assert listed[credited]["amount_pence"] == issued[credited]["gross_pence"] == 7500


@pytest.mark.slow
def test_the_rate_limit_is_shared_by_every_gunicorn_worker(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    """With 2 single-threaded workers, a per-process limit would let 40 guesses through."""
    with gunicorn(database_url, tmp_path, workers=2, threads=1) as base, requests.Session() as s:
        codes = [
            s.get(f"{base}/status/guess{n:038d}", timeout=10).status_code
            for n in range(FAILED_LOOKUPS + 5)
        ]
    assert codes == [404] * FAILED_LOOKUPS + [429] * 5


def test_a_venue_sees_its_bookings_to_come_without_the_group(
    client: Client,
    staff: Staff,
    trust_finance: Who,
    tuesdays: Any,
    venue_room: Who,
    clock: FrozenClock,
) -> None:
    """The next sessions in its rooms, soonest first, with room and time; a cancellation and
    the passing of time leave the list at once, though the page is cached."""
    link = create_link(client, trust_finance, venue_room["venue_id"])
    assert "No sessions are booked in your rooms from now on." in client.get(path_of(link)).text
    facilitator, booking = tuesdays(group_label="Dual diagnosis group")  # 24 Nov .. 29 Dec
    page = client.get(path_of(link)).text
    assert "<strong>Tuesday 24 November 2026</strong>, 1pm to 4pm, Main hall" in page
    assert page.count("1pm to 4pm, Main hall") == 6 and "diagnosis" not in page.lower()
    second = booking["sessions"][1]["id"]
    cancel = client.post(f"/api/v1/sessions/{second}/cancel", headers=facilitator["headers"])
    assert cancel.status_code == 200
    page = client.get(path_of(link)).text
    assert "Tuesday 1 December 2026" not in page and page.count("1pm to 4pm, Main hall") == 5
    clock.current = datetime(2026, 12, 15, 14, tzinfo=UTC)  # 15 December's has started
    data = client.get(path_of(link) + ".json").json
    assert data["bookings"] == [
        {
            "starts_at": "2026-12-22T13:00:00+00:00",
            "ends_at": "2026-12-22T16:00:00+00:00",
            "room": "Main hall",
        },
        {
            "starts_at": "2026-12-29T13:00:00+00:00",
            "ends_at": "2026-12-29T16:00:00+00:00",
            "room": "Main hall",
        },
    ]
