"""Finance's page of emails that failed (Flask client): each with its recipient, subject,
tries and what the mail server said, and "Try again" putting it back in the queue once;
roles and CSRF."""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.domain.delivery import OutboxMessage, OutboxState, Recipient
from service.domain.users import Role
from tests.client import Client, client_for
from tests.e2e.staff import csrf_token, person, redirected_to, sign_in_as, text

Who = dict[str, Any]
OUTBOX = "/finance/outbox"
BOUNCE = "550 5.1.1 <ap@rzz.example.nhs.uk>: Recipient address rejected: User unknown"


def browser(app: Flask, role: Role = Role.FINANCE) -> Client:
    ctx = app.extensions["roomhire"]
    client = client_for(app)
    sign_in_as(client, ctx, person(ctx, role))
    return client


def bounce(app: Flask, invoice: Who) -> OutboxMessage:
    """The invoice's email to accounts payable, dead-lettered with the server's reply."""
    with app.extensions["roomhire"].new_uow() as uow:
        message: OutboxMessage = next(
            m
            for m in uow.outbox.find(invoice_id=invoice["id"])
            if m.recipient is Recipient.ACCOUNTS_PAYABLE
        )
        message.failed_permanently(BOUNCE)
        uow.outbox.save(message)
        uow.commit()
    return message


def state(app: Flask, message: OutboxMessage) -> OutboxState:
    assert message.id is not None
    with app.extensions["roomhire"].new_reader() as reader:
        found: OutboxMessage | None = reader.outbox.get(message.id)
    assert found is not None
    return found.state


def test_a_failed_email_listed_and_tried_again_once(app: Flask, invoices: list[Who]) -> None:
    page = browser(app)
    assert "Nothing has failed to send." in text(page.get(OUTBOX).text)
    message = bounce(app, invoices[2])
    work = page.get("/finance").text
    assert 'href="/finance/outbox"' in work and "Send again" in text(work)

    listed = page.get(OUTBOX)
    assert listed.status_code == 200
    said = text(listed.text)
    assert f"Trust's accounts payable: {message.to}" in said
    assert message.subject in said and "SMCH0003" in message.subject
    assert BOUNCE in said
    assert f'href="/finance/invoices/{invoices[2]["id"]}"' in listed.text
    assert f"Try again to send {message.subject} to {message.to}" in said

    path = f"{OUTBOX}/{message.id}/retry"
    token = csrf_token(page, OUTBOX)
    sent = page.post(path, data={"csrf_token": token})
    assert redirected_to(sent) == OUTBOX
    after = text(page.get(OUTBOX).text)
    assert f"The email to {message.to} is back in the queue" in after
    assert "Nothing has failed to send." in after
    assert state(app, message) is OutboxState.PENDING

    twice = page.post(path, data={"csrf_token": token})  # "Try again" pressed again
    assert redirected_to(twice) == OUTBOX
    assert "already been put back in the queue, so nothing changed" in text(page.get(OUTBOX).text)
    assert page.post(f"{OUTBOX}/999999/retry", data={"csrf_token": token}).status_code == 404


def test_a_facilitator_cannot_see_or_retry_emails(app: Flask, invoices: list[Who]) -> None:
    message = bounce(app, invoices[0])
    page = browser(app, Role.FACILITATOR)
    assert page.get(OUTBOX).status_code == 403
    token = csrf_token(page, "/account")
    assert page.post(f"{OUTBOX}/{message.id}/retry", data={"csrf_token": token}).status_code == 403
    assert state(app, message) is OutboxState.FAILED


def test_try_again_without_its_csrf_token_is_refused(app: Flask, invoices: list[Who]) -> None:
    message = bounce(app, invoices[0])
    page = browser(app)
    assert page.post(f"{OUTBOX}/{message.id}/retry").status_code == 400
    assert state(app, message) is OutboxState.FAILED
