"""Finance reissues an invoice NHS accounts cancelled: a credit note takes it back, its
sessions go on the next run's invoice (on the corrected PO), and every session ends up charged
exactly once. Through the API, on each engine; refusals change nothing."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from service.domain.delivery import Recipient
from service.domain.reissues import AlreadyReissued, ReissueReason
from service.domain.users import Role
from service.usecases import reissuing
from tests.client import Client
from tests.conftest import Staff, audit_trail, issue
from tests.e2e.conftest import Booker, create_link, path_of
from tests.e2e.exports import export, for_invoice, imported
from tests.e2e.staff import browser_as, csrf_token, redirected_to, submit, text
from tests.fakes import FrozenClock

Who = dict[str, Any]
CORRECTED = "RZZPO0000456"
RACERS = 4


@pytest.fixture
def cancelled(
    client: Client, trust_finance: Who, tuesdays: Booker, clock: FrozenClock
) -> tuple[Who, Who]:
    """December's two Tuesdays on one invoice (£150), which NHS accounts then cancelled: the
    invoice and the booking."""
    _, booking = tuesdays(sessions=2, first_date="2026-12-01", invoice_cadence="end_of_series")
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    [invoice] = issue(client, trust_finance, "2026-12-31")["issued"]
    assert invoice["gross_pence"] == 15_000
    imported(client, trust_finance, export(for_invoice(invoice, invoice_status="Cancelled")))
    return invoice, booking


def reissue(client: Client, who: Who, invoice_id: int, **body: Any) -> Any:
    return client.post(f"/api/v1/invoices/{invoice_id}/reissue", json=body, headers=who["headers"])


def invoices(client: Client, who: Who) -> list[Who]:
    response = client.get("/api/v1/invoices", headers=who["headers"])
    assert response.status_code == 200
    return list(response.json)


def session_pos(client: Client, who: Who, booking: Who) -> list[int | None]:
    found = client.get(f"/api/v1/bookings/{booking['id']}", headers=who["headers"]).json
    return [s["purchase_order_id"] for s in found["sessions"]]


def test_a_cancelled_invoice_is_reissued_on_the_corrected_po_and_charged_once(
    app: Flask, client: Client, staff: Staff, trust: Who, trust_finance: Who, cancelled: Any
) -> None:
    invoice, booking = cancelled
    sessions = [s["id"] for s in booking["sessions"]]
    po = staff.purchase_order(trust["id"], invoice["venue_id"], trust_finance, number=CORRECTED)
    done = reissue(
        client, trust_finance, invoice["id"], reason="wrong_po", purchase_order_id=po["id"]
    )
    assert done.status_code == 200, done.json
    note = done.json["credit_note"]
    assert note["kind"] == "credit_note" and note["credits_invoice"] == invoice["number"]
    assert note["gross_pence"] == -15_000 and note["po_number"] == invoice["po_number"]
    assert [line["session_id"] for line in note["lines"]] == sessions
    assert done.json["session_ids"] == sessions
    assert done.json["reissue"]["why"] == "Wrong purchase order"
    assert session_pos(client, trust_finance, booking) == [po["id"], po["id"]]
    with app.extensions["roomhire"].new_reader() as reader:  # emailed like any credit note
        queued = {m.recipient for m in reader.outbox.find(invoice_id=note["id"])}
    assert Recipient.ACCOUNTS_PAYABLE in queued
    assert (
        "reissued",
        {
            "reason": "wrong_po",
            "details": None,
            "credit_note": note["number"],
            "purchase_order": po["id"],
        },
    ) in audit_trail(app, "invoice", invoice["id"])

    again = reissue(client, trust_finance, invoice["id"], reason="wrong_po")
    assert again.status_code == 409 and again.json["code"] == "already_reissued"

    [new] = issue(client, trust_finance, "2026-12-31")["issued"]
    assert new["kind"] == "invoice" and new["po_number"] == CORRECTED
    assert [line["session_id"] for line in new["lines"]] == sessions
    assert new["gross_pence"] == invoice["gross_pence"]
    assert issue(client, trust_finance, "2026-12-31")["issued"] == []  # charged: not again

    charges: Counter[int] = Counter()
    for document in invoices(client, trust_finance):
        for line in document["lines"]:
            charges[line["session_id"]] += 1 if line["gross_pence"] > 0 else -1
    assert charges == dict.fromkeys(sessions, 1)  # invoice + credit note + new invoice
    assert sum(d["gross_pence"] for d in invoices(client, trust_finance)) == 15_000


def test_only_a_cancelled_or_rejected_invoice_is_reissued(
    client: Client, trust_finance: Who, tuesdays: Booker, clock: FrozenClock
) -> None:
    tuesdays(sessions=2, first_date="2026-12-01", invoice_cadence="end_of_series")
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    [invoice] = issue(client, trust_finance, "2026-12-31")["issued"]
    refused = reissue(client, trust_finance, invoice["id"], reason="duplicate")
    assert refused.status_code == 409 and refused.json["code"] == "not_reissuable"
    assert "no export shows it yet" in refused.json["detail"]
    guessed = for_invoice(invoice, number="SMCHOOO1", invoice_status="Cancelled")
    imported(client, trust_finance, export(guessed))  # matched by PO and amount: a guess
    refused = reissue(client, trust_finance, invoice["id"], reason="duplicate")
    assert refused.status_code == 409 and "a person hasn't confirmed" in refused.json["detail"]
    imported(client, trust_finance, export(for_invoice(invoice, approval="Approved")))
    refused = reissue(client, trust_finance, invoice["id"], reason="duplicate")
    assert refused.status_code == 409 and "it is approved" in refused.json["detail"]
    imported(client, trust_finance, export(for_invoice(invoice, approval="Rejected")))
    assert reissue(client, trust_finance, invoice["id"], reason="duplicate").status_code == 200
    assert len(invoices(client, trust_finance)) == 2


@pytest.fixture
def elsewhere(staff: Staff, trust: Who, trust_finance: Who) -> Who:
    """A PO of the trust for another venue."""
    venue = staff.venue(name="Oak Tree Café CIC", contact_email="oak@example.org")
    return staff.purchase_order(trust["id"], venue["id"], trust_finance, number="RZZPO0000777")


def test_bad_requests_are_refused_plainly_and_change_nothing(
    client: Client, staff: Staff, trust: Who, trust_finance: Who, cancelled: Any, elsewhere: Who
) -> None:
    invoice, booking = cancelled
    ended = staff.purchase_order(
        trust["id"],
        invoice["venue_id"],
        trust_finance,
        number="RZZPO0000778",
        valid_to="2026-11-30",
    )
    small = staff.purchase_order(
        trust["id"],
        invoice["venue_id"],
        trust_finance,
        number="RZZPO0000779",
        approved_value_pence=10_000,
    )
    facilitator = staff.user(Role.FACILITATOR, trust["id"])
    before = invoices(client, trust_finance)
    pos = session_pos(client, trust_finance, booking)
    cases: list[tuple[Who, int, dict[str, Any], int, str]] = [
        (trust_finance, invoice["id"], {}, 422, "reason"),
        (trust_finance, invoice["id"], {"reason": "lost"}, 422, "reason"),
        (trust_finance, invoice["id"], {"reason": "other"}, 422, "details"),
        (trust_finance, invoice["id"], {"reason": "other", "details": " "}, 422, "details"),
        (trust_finance, invoice["id"], {"reason": "other", "details": "x" * 501}, 422, "details"),
        (
            trust_finance,
            invoice["id"],
            {"reason": "wrong_po", "purchase_order_id": "7"},
            422,
            "purchase_order_id",
        ),
        (
            trust_finance,
            invoice["id"],
            {"reason": "wrong_po", "purchase_order_id": 0},
            422,
            "purchase_order_id",
        ),
        (
            trust_finance,
            invoice["id"],
            {"reason": "wrong_po", "purchase_order_id": 99999},
            422,
            "no purchase order 99999",
        ),
        (
            trust_finance,
            invoice["id"],
            {"reason": "wrong_po", "purchase_order_id": elsewhere["id"]},
            409,
            "another venue",
        ),
        (
            trust_finance,
            invoice["id"],
            {"reason": "wrong_po", "purchase_order_id": ended["id"]},
            409,
            "outside it",
        ),
        (
            trust_finance,
            invoice["id"],
            {"reason": "wrong_po", "purchase_order_id": small["id"]},
            409,
            "would exceed PO RZZPO0000779",
        ),
        (trust_finance, invoice["id"], {"reason": "duplicate", "extra": 1}, 422, "extra"),
        (trust_finance, 99999, {"reason": "duplicate"}, 404, "no invoice"),
        (facilitator, invoice["id"], {"reason": "duplicate"}, 403, ""),
    ]
    for who, invoice_id, body, status, said in cases:
        response = reissue(client, who, invoice_id, **body)
        assert response.status_code == status, (body, response.json)
        assert response.mimetype == "application/problem+json"
        assert said in str(response.json), (body, response.json)
    not_json = client.post(
        f"/api/v1/invoices/{invoice['id']}/reissue",
        data="reason=duplicate",
        headers=trust_finance["headers"],
        content_type="text/plain",
    )
    assert not_json.status_code == 415
    assert invoices(client, trust_finance) == before
    assert session_pos(client, trust_finance, booking) == pos
    note = reissue(client, trust_finance, invoice["id"], reason="duplicate").json["credit_note"]
    assert note["number"].endswith("0001")  # the refusals used no number
    refused = reissue(client, trust_finance, note["id"], reason="duplicate")
    assert refused.status_code == 409 and "is a credit note" in refused.json["detail"]


def test_reissues_at_the_same_moment_make_one_credit_note(
    app: Flask, client: Client, trust_finance: Who, cancelled: Any
) -> None:
    invoice, _ = cancelled
    ctx = app.extensions["roomhire"]
    with ctx.new_reader() as reader:
        actor = reader.users.get(trust_finance["id"])
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            reissuing.reissue_invoice(
                ctx, ctx.new_uow(), actor, invoice["id"], ReissueReason.DUPLICATE
            )
            outcomes.append("reissued")
        except AlreadyReissued:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * (RACERS - 1) + ["reissued"]
    assert [i["kind"] for i in invoices(client, trust_finance)] == ["invoice", "credit_note"]


def test_finance_reissues_from_the_invoice_page(
    app: Flask,
    client: Client,
    staff: Staff,
    trust: Who,
    trust_finance: Who,
    cancelled: Any,
    elsewhere: Who,
) -> None:
    invoice, _ = cancelled
    corrected = staff.purchase_order(
        trust["id"], invoice["venue_id"], trust_finance, number=CORRECTED
    )
    page = browser_as(app)
    path = f"/finance/invoices/{invoice['id']}"
    form = f"{path}/reissue"
    assert f'href="{form}"' in page.get(path).text
    asked = text(page.get(form).text)
    assert "Reissue this invoice" in asked and "Wrong purchase order" in asked
    assert f"a credit note against {invoice['number']} for £150.00" in asked
    assert f"Keep {invoice['po_number']}" in asked and CORRECTED in asked
    assert "RZZPO0000777" not in asked  # another venue's PO is not offered

    nothing = submit(page, form)
    assert nothing.status_code == 400
    assert "Select why the invoice is being reissued" in text(nothing.text)
    vague = submit(page, form, {"reason": "other", "details": ""})
    assert vague.status_code == 400 and "Say why the invoice is being reissued" in vague.text
    wrong = submit(page, form, {"reason": "wrong_po", "purchase_order": str(elsewhere["id"])})
    assert wrong.status_code == 400 and "is for another venue" in text(wrong.text)
    assert 'value="wrong_po" checked' in wrong.text  # what was chosen is kept
    facilitator = browser_as(app, Role.FACILITATOR)
    token = csrf_token(facilitator, "/account")
    assert (
        facilitator.post(form, data={"csrf_token": token, "reason": "duplicate"}).status_code == 403
    )
    assert page.post(form, data={"reason": "duplicate"}).status_code == 400  # no CSRF token
    assert len(invoices(client, trust_finance)) == 1

    done = submit(page, form, {"reason": "wrong_po", "purchase_order": str(corrected["id"])})
    assert redirected_to(done) == path
    shown = text(page.get(path).text)
    assert "Reissued. Credit note" in shown and "Why Wrong purchase order" in shown
    assert "Not yet: the next invoice run puts its sessions on a new invoice" in shown
    assert f'href="{form}"' not in page.get(path).text
    [new] = issue(client, trust_finance, "2026-12-31")["issued"]
    shown = text(page.get(path).text)
    assert f"New invoice {new['number']} on {CORRECTED}" in shown
    note = next(i for i in invoices(client, trust_finance) if i["kind"] == "credit_note")
    credit_page = text(page.get(f"/finance/invoices/{note['id']}").text)
    assert f"NHS accounts cancelled {invoice['number']} , so it was reissued" in credit_page
    again = submit(page, form, {"reason": "duplicate"}, page=path)
    assert redirected_to(again) == path
    assert "already been reissued, so nothing changed" in page.get(path).text


def test_the_venues_status_page_shows_the_reissue_plainly(
    client: Client, staff: Staff, trust: Who, trust_finance: Who, cancelled: Any
) -> None:
    invoice, _ = cancelled
    link = path_of(create_link(client, trust_finance, invoice["venue_id"]))
    note = reissue(client, trust_finance, invoice["id"], reason="duplicate").json["credit_note"]

    def words() -> dict[str, str]:
        listed = client.get(link + ".json").json["invoices"]
        return {i["number"]: i["words"] for i in listed}

    said = words()
    assert said[invoice["number"]] == (
        f"Cancelled by NHS accounts, and credited by credit note {note['number']}, so nothing "
        "is owed on it. Its sessions will go on a new invoice."
    )
    assert said[note["number"]] == (
        f"Credit note against {invoice['number']}: it cancels that invoice, so nothing is owed "
        "on it. Its sessions are invoiced again."
    )
    [new] = issue(client, trust_finance, "2026-12-31")["issued"]
    assert words()[invoice["number"]].endswith(
        f"Its sessions are on invoice {new['number']} instead."
    )
    page = client.get(link).get_data(as_text=True)
    assert f"credited by credit note {note['number']}" in page
    assert f"Its sessions are on invoice {new['number']} instead." in page
    assert "Tuesday afternoon group" not in page  # never the group's name
