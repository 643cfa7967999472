"""What finance does from an invoice's page, through the Flask client: email it, try a failed
email again, and waive a late cancellation (a credit note, linked both ways); roles and CSRF."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from service.domain.delivery import OutboxState, Recipient
from service.domain.users import Role
from tests.client import Client
from tests.conftest import issue
from tests.e2e.conftest import Booker
from tests.e2e.staff import browser_as, csrf_token, redirected_to, submit, text
from tests.fakes import FrozenClock

Who = dict[str, Any]


@pytest.fixture
def issued(
    client: Client, trust_finance: Who, tuesdays: Booker, clock: FrozenClock
) -> tuple[dict[str, Who], int]:
    """December's two Tuesdays, the second cancelled late, invoiced (not emailed): the
    invoices by number and the late session's id."""
    facilitator, booking = tuesdays(sessions=2)
    clock.current = datetime(2026, 11, 30, 12, tzinfo=UTC)  # 25 hours before 1 December
    late = booking["sessions"][1]["id"]
    assert client.post(f"/api/v1/sessions/{late}/cancel", headers=facilitator["headers"])
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    invoices = {i["number"]: i for i in issue(client, trust_finance, "2026-12-31")["issued"]}
    return invoices, late


def test_finance_emails_an_invoice_from_its_page_once(
    app: Flask, issued: tuple[dict[str, Who], int]
) -> None:
    invoice = next(iter(issued[0].values()))
    page = browser_as(app)
    path = f"/finance/invoices/{invoice['id']}"
    assert "Email it to accounts payable" in page.get(path).text
    sent = submit(page, f"{path}/send", page=path)
    assert redirected_to(sent) == path
    after = page.get(path).text
    assert "Queued to be sent to ap@example.nhs.uk" in text(after)
    assert "Email it to accounts payable" not in after
    again = page.post(f"{path}/send", data={"csrf_token": csrf_token(page, "/account")})
    assert redirected_to(again) == path  # queued once: nothing new
    with app.extensions["roomhire"].new_reader() as reader:
        messages = reader.outbox.find(invoice_id=invoice["id"])
    assert sorted(m.recipient for m in messages) == sorted(
        [Recipient.ACCOUNTS_PAYABLE, Recipient.VENUE_COPY]
    )


def test_a_failed_email_is_tried_again_from_the_invoice_page(
    app: Flask, issued: tuple[dict[str, Who], int]
) -> None:
    invoice = next(iter(issued[0].values()))
    page = browser_as(app)
    path = f"/finance/invoices/{invoice['id']}"
    submit(page, f"{path}/send", page=path)
    ctx = app.extensions["roomhire"]
    with ctx.new_uow() as uow:
        message = next(
            m
            for m in uow.outbox.find(invoice_id=invoice["id"])
            if m.recipient is Recipient.ACCOUNTS_PAYABLE
        )
        message.failed_permanently("550 no such mailbox")
        uow.outbox.save(message)
        uow.commit()
    shown = page.get(path).text
    assert "Try again" in shown and "550 no such mailbox" in shown
    retried = submit(page, f"/finance/outbox/{message.id}/retry", {"back": "invoice"}, page=path)
    assert redirected_to(retried) == path
    with ctx.new_reader() as reader:
        again = reader.outbox.get(message.id or 0)
    assert again is not None and again.state is OutboxState.PENDING


def test_a_late_cancellation_is_waived_after_a_page_that_says_what_happens(
    app: Flask, issued: tuple[dict[str, Who], int]
) -> None:
    invoices, late = issued
    invoice = next(
        i for i in invoices.values() if any(line["session_id"] == late for line in i["lines"])
    )
    page = browser_as(app)
    path = f"/finance/invoices/{invoice['id']}"
    shown = text(page.get(path).text)
    assert "Cancelled late: waive it" in shown
    confirm = f"{path}/sessions/{late}/waive"
    asked = text(page.get(confirm).text)
    assert "Waive the late cancellation on Tuesday 1 December 2026?" in asked
    assert f"a credit note against {invoice['number']}" in asked
    waived = submit(page, confirm)
    credit_path = redirected_to(waived)
    credit_note = text(page.get(credit_path).text)
    assert "Credit note" in credit_note and f"Credits invoice {invoice['number']}" in credit_note
    assert "Waived. Credit note" in credit_note
    original = text(page.get(path).text)
    assert "Credit notes against it" in original and "waive it" not in original
    assert page.get(confirm).status_code == 404  # nothing left to waive
    twice = page.post(confirm, data={"csrf_token": csrf_token(page, "/account")})
    assert redirected_to(twice) == path
    assert "already been waived, so nothing changed" in page.get(path).text


def test_the_actions_refuse_a_facilitator_and_a_form_without_its_token(
    app: Flask, issued: tuple[dict[str, Who], int]
) -> None:
    invoices, late = issued
    invoice = next(iter(invoices.values()))
    path = f"/finance/invoices/{invoice['id']}"
    facilitator = browser_as(app, Role.FACILITATOR)
    token = csrf_token(facilitator, "/account")
    for action in (f"{path}/send", f"{path}/sessions/{late}/waive"):
        assert facilitator.post(action, data={"csrf_token": token}).status_code == 403, action
    assert facilitator.get(f"{path}/sessions/{late}/waive").status_code == 403
    finance = browser_as(app)
    for action in (f"{path}/send", f"{path}/sessions/{late}/waive"):
        refused = finance.post(action)
        assert refused.status_code == 400 and "The form could not be sent" in refused.text
    assert finance.get(f"/finance/invoices/99999/sessions/{late}/waive").status_code == 404


def test_the_invoice_page_shows_a_picture_of_its_pdf(
    app: Flask, issued: tuple[dict[str, Who], int]
) -> None:
    invoice = next(iter(issued[0].values()))
    path = f"/finance/invoices/{invoice['id']}"
    page = browser_as(app)
    assert f'src="{path}/preview.png"' in page.get(path).text
    picture = page.get(f"{path}/preview.png")
    assert picture.status_code == 200 and picture.content_type == "image/png"
    body = picture.data
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", body[16:24])  # the IHDR chunk
    assert width == 600 and 800 < height < 900  # an A4 page's proportions
    assert browser_as(app, Role.FACILITATOR).get(f"{path}/preview.png").status_code == 403
    assert page.get("/finance/invoices/99999/preview.png").status_code == 404
