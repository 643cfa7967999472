"""Invoices by email, against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import hashlib
import os
import re
import signal
import ssl
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from flask import Flask
from sqlalchemy import text

from adapters.email.notify import NotifyClient
from adapters.email.smtp import SmtpMailer, SmtpSettings
from service.domain.delivery import CLAIM_EXPIRES
from service.domain.users import Role
from service.usecases.context import Context
from service.usecases.outbox_worker import RECEIPT_REMINDER, deliver_due, run_worker
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, html_body, issue, plain_text
from tests.e2e.conftest import send
from tests.e2e.fake_notify import API_KEY, fake_notify
from tests.e2e.live import free_port
from tests.e2e.smtp_server import Inbox, smtp_server
from tests.fakes import FrozenClock

pytestmark = pytest.mark.slow  # SMTP and Notify servers on 127.0.0.1, worker processes

Who = dict[str, Any]


def without_venue_invitations(app: Flask) -> None:
    """These tests are about invoices: the venue's calendar invitation to the booking (see
    test_venue_invitations.py) is taken out of the outbox so that it counts only theirs."""
    with app.extensions["roomhire.engine"].begin() as db:
        db.execute(text("DELETE FROM outbox_messages WHERE recipient = 'venue_booking'"))


@pytest.fixture
def invoice(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> Any:
    book_tuesdays(staff, facilitator, room, po, sessions=2)
    without_venue_invitations(app)
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    return issue(client, finance, "2026-11-30")["issued"][0]


def test_an_invoice_reaches_the_ap_inbox_once_with_its_pdf_and_proof(
    client: Client, finance: Who, invoice: Any, inbox: tuple[Inbox, int], smtp_ctx: Context
) -> None:
    queued = send(client, finance, invoice)
    assert [(m["recipient"], m["to"], m["state"]) for m in queued] == [
        ("accounts_payable", "ap@example.nhs.uk", "pending"),
        ("venue_copy", "hall@example.org", "pending"),
    ]
    assert send(client, finance, invoice) == queued  # never queued twice
    run = deliver_due(smtp_ctx)
    assert (run.sent, run.retrying, run.failed) == (2, 0, 0)

    server = inbox[0]
    ap = next(m for m in server.received if m["To"] == "ap@example.nhs.uk")
    assert ap["Subject"] == f"Invoice {invoice['number']} - PO RZZPO0000123 - Chapel Hall CIC"
    attachments = list(ap.iter_attachments())
    assert len(attachments) == 1 and attachments[0].get_content_type() == "application/pdf"
    stored = client.get(f"/api/v1/invoices/{invoice['id']}.pdf", headers=finance["headers"]).data
    assert attachments[0].get_content() == stored
    assert ap["Message-ID"] == queued[0]["message_id"]
    # Plainly an invoice from the venue; answers go to the venue, the date as people write it.
    assert ap["From"] == "Chapel Hall CIC via Roomhire <invoices@roomhire.invalid>"
    assert ap["Reply-To"] == "money@example.org"
    text = plain_text(ap)
    assert f"Please find attached invoice {invoice['number']} from Chapel Hall CIC" in text
    assert re.search(r"Payment is due by \w+day [1-9]\d? \w+ 20\d\d\.", text), text
    html = html_body(ap)  # the same words, from invoice_templates/emails
    assert f"<strong>{invoice['number']}</strong> from Chapel Hall CIC" in html
    assert '<a href="mailto:money@example.org">' in html

    proof = client.get("/api/v1/outbox", headers=finance["headers"]).json
    assert {m["state"] for m in proof} == {"sent"}
    assert proof[0]["server_reply"].startswith("250 2.0.0 queued as Q")
    assert (
        proof[0]["sent_at"] and proof[0]["documents_sha256"] == hashlib.sha256(stored).hexdigest()
    )
    assert deliver_due(smtp_ctx).handled == 0 and len(server.received) == 2


def test_temporary_failures_are_retried_with_backoff_until_accepted(
    client: Client,
    finance: Who,
    invoice: Any,
    inbox: tuple[Inbox, int],
    smtp_ctx: Context,
    clock: FrozenClock,
) -> None:
    inbox[0].data_faults = ["451 4.3.0 try again later", "421 4.7.0 too busy"]
    send(client, finance, invoice)
    assert deliver_due(smtp_ctx).retrying == 2
    waiting = client.get("/api/v1/outbox", headers=finance["headers"]).json
    assert {m["state"] for m in waiting} == {"pending"} and "451" in waiting[0]["last_error"]
    assert deliver_due(smtp_ctx).handled == 0  # not due yet: backoff
    clock.advance(timedelta(minutes=2))
    assert run_worker(smtp_ctx, once=True).sent == 2
    assert len(inbox[0].received) == 2


def test_a_permanent_failure_is_dead_lettered_and_finance_can_retry(
    client: Client, finance: Who, invoice: Any, inbox: tuple[Inbox, int], smtp_ctx: Context
) -> None:
    inbox[0].unknown = {"ap@example.nhs.uk"}
    send(client, finance, invoice)
    run = deliver_due(smtp_ctx)
    assert (run.sent, run.failed) == (1, 1)
    failed = client.get("/api/v1/outbox?state=failed", headers=finance["headers"]).json
    assert [m["to"] for m in failed] == ["ap@example.nhs.uk"]
    assert failed[0]["last_error"].startswith("550")
    inbox[0].unknown = set()
    retried = client.post(f"/api/v1/outbox/{failed[0]['id']}/retry", headers=finance["headers"])
    assert retried.status_code == 200 and retried.json["state"] == "pending"
    assert deliver_due(smtp_ctx).sent == 1
    assert client.get("/api/v1/outbox?state=failed", headers=finance["headers"]).json == []


def test_a_server_that_is_not_there_is_a_temporary_failure(
    app: Flask, client: Client, finance: Who, invoice: Any
) -> None:
    ctx = app.extensions["roomhire"]
    closed = dataclasses.replace(
        ctx, mailer=SmtpMailer(SmtpSettings("127.0.0.1", free_port(), starttls=False, timeout=2))
    )
    send(client, finance, invoice)
    assert deliver_due(closed).retrying == 2
    errors = {
        m["last_error"] for m in client.get("/api/v1/outbox", headers=finance["headers"]).json
    }
    assert all("ConnectionRefused" in e for e in errors)


def test_the_embedded_default_writes_eml_files(
    app: Flask, client: Client, finance: Who, invoice: Any, tmp_path: Path
) -> None:
    send(client, finance, invoice)
    assert deliver_due(app.extensions["roomhire"]).sent == 2
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    message = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert invoice["number"] in message["Subject"]


def test_trusts_can_have_invoices_queued_as_they_are_issued(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    room: Who,
    clock: FrozenClock,
) -> None:
    trust = staff.trust(send_on_issue=True, invoice_subject="{document} {number} PO {po_number}")
    facilitator = staff.user(Role.FACILITATOR, trust_id=trust["id"])
    po = staff.purchase_order(trust["id"], room["venue_id"], finance)
    book_tuesdays(staff, facilitator, room, po, sessions=1)
    without_venue_invitations(app)
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    issued = issue(client, finance, "2026-11-30")["issued"][0]
    queued = client.get("/api/v1/outbox", headers=finance["headers"]).json
    assert [m["subject"] for m in queued] == [f"Invoice {issued['number']} PO RZZPO0000123"] * 2
    bad = client.post(
        "/api/v1/trusts",
        json={
            **{
                k: trust[k]
                for k in (
                    "name",
                    "organisation_code",
                    "payables_code",
                    "accounts_payable_email",
                    "invoice_address",
                    "po_number_pattern",
                )
            },
            "invoice_subject": "Room hire {number}",
        },
        headers=staff.admin["headers"],
    )
    assert bad.status_code == 422 and "{po_number}" in bad.json["detail"]


class SlowInbox(Inbox):
    """Takes its time over each message, so a worker can be killed in the middle of a batch."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_process_killed_mid_batch_loses_nothing(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
    database_url: str,
    tmp_path: Path,
) -> None:
    book_tuesdays(staff, facilitator, room, po, invoice_cadence="per_session")
    without_venue_invitations(app)
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    for invoice in issue(client, finance, "2026-12-31")["issued"]:
        send(client, finance, invoice)
    with smtp_server(SlowInbox()) as (server, port):
        env = {
            **os.environ,
            "ROOMHIRE_DATABASE_URL": database_url,
            "ROOMHIRE_DATA_DIR": str(tmp_path),
            "ROOMHIRE_SMTP_HOST": "127.0.0.1",
            "ROOMHIRE_SMTP_PORT": str(port),
            "ROOMHIRE_SMTP_STARTTLS": "false",
        }
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "roomhire"), "outbox", "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while len(server.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)  # mid-batch: 12 messages claimed, 3 or so sent
        worker.wait(timeout=10)
        assert 0 < len(server.received) < 12
        stuck = client.get("/api/v1/outbox?state=sending", headers=finance["headers"]).json
        assert stuck, "the killed worker left its claims behind"

        smtp = SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False, timeout=5))
        # The killed worker claimed on the real clock; later, its claims have gone stale.
        clock.current = max(clock.current, datetime.now(UTC)) + CLAIM_EXPIRES + timedelta(minutes=1)
        run_worker(dataclasses.replace(app.extensions["roomhire"], mailer=smtp), once=True)
    messages = client.get("/api/v1/outbox", headers=finance["headers"]).json
    assert len(messages) == 12 and {m["state"] for m in messages} == {"sent"}
    received = server.message_ids
    assert {m["message_id"] for m in messages} == set(received)
    flagged = {m["message_id"] for m in messages if m["possible_duplicate"]}
    assert {mid for mid, n in received.items() if n > 1} <= flagged


@pytest.fixture
def reminding(
    app: Flask, client: Client, staff: Staff, finance: Who, room: Who, clock: FrozenClock
) -> tuple[Any, Who]:
    """An issued invoice of a trust that reminds its facilitators, queued for sending."""
    trust = staff.trust(remind_facilitators=True)
    facilitator = staff.user(Role.FACILITATOR, trust_id=trust["id"])
    po = staff.purchase_order(trust["id"], room["venue_id"], finance)
    book_tuesdays(staff, facilitator, room, po, sessions=1)
    without_venue_invitations(app)
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    invoice = issue(client, finance, "2026-11-30")["issued"][0]
    send(client, finance, invoice)
    return invoice, facilitator


def _with_notify(ctx: Context, base_url: str) -> Context:
    client = NotifyClient(API_KEY, {RECEIPT_REMINDER: "tmpl-receipt"}, base_url, timeout=5)
    return dataclasses.replace(ctx, notifier=client)


def test_facilitators_are_reminded_by_notify_which_is_retried_on_429_and_5xx(
    client: Client,
    finance: Who,
    reminding: tuple[Any, Who],
    smtp_ctx: Context,
    clock: FrozenClock,
) -> None:
    invoice, facilitator = reminding
    with fake_notify() as (notify, base_url):
        notify.script = [429, 503]
        ctx = _with_notify(smtp_ctx, base_url)
        assert (
            deliver_due(ctx).sent,
            client.get("/api/v1/outbox?state=pending", headers=finance["headers"]).json[0][
                "last_error"
            ][:3],
        ) == (2, "429")
        clock.advance(timedelta(minutes=2))
        assert deliver_due(ctx).retrying == 1
        clock.advance(timedelta(minutes=5))
        assert deliver_due(ctx).sent == 1
    assert notify.refused_tokens == 0
    [body] = notify.accepted
    assert body["template_id"] == "tmpl-receipt"
    assert (
        body["email_address"]
        == client.get("/api/v1/me", headers=facilitator["headers"]).json["email"]
    )
    assert body["personalisation"]["invoice_number"] == invoice["number"]
    assert body["personalisation"]["po_number"] == "RZZPO0000123"
    reminder = next(
        m
        for m in client.get("/api/v1/outbox", headers=finance["headers"]).json
        if m["recipient"] == "facilitator_reminder"
    )
    assert reminder["state"] == "sent" and reminder["server_reply"].startswith("201 notification")
    assert body["reference"] == reminder["message_id"]


def test_a_notify_400_is_not_retried(
    client: Client, finance: Who, reminding: tuple[Any, Who], smtp_ctx: Context
) -> None:
    with fake_notify() as (notify, base_url):
        notify.script = [400]
        run = deliver_due(_with_notify(smtp_ctx, base_url))
    assert (run.sent, run.failed, run.retrying) == (2, 1, 0)
    [failed] = client.get("/api/v1/outbox?state=failed", headers=finance["headers"]).json
    assert failed["recipient"] == "facilitator_reminder" and failed["last_error"].startswith("400")


class Authenticator:
    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (auth_data.login, auth_data.password) == (b"roomhire-app", b"s3cret")
        return AuthResult(success=ok, handled=False)  # let the server answer 535


def test_smtp_with_starttls_and_login_as_nhsmail_expects(
    client: Client, finance: Who, invoice: Any, app: Flask, tmp_path: Path
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    handler, port = Inbox(), free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls,
        require_starttls=True,
        authenticator=Authenticator(),
        auth_require_tls=True,
    )
    controller.start()
    try:
        send(client, finance, invoice)
        ctx: Context = app.extensions["roomhire"]

        def mailer(password: str) -> Context:
            settings = SmtpSettings(
                "127.0.0.1",
                port,
                "roomhire-app",
                password,
                starttls=True,
                timeout=5,
                ca_file=str(cert),
            )
            return dataclasses.replace(ctx, mailer=SmtpMailer(settings))

        assert deliver_due(mailer("wrong")).failed == 2  # 535: a permanent failure
        for message in client.get("/api/v1/outbox", headers=finance["headers"]).json:
            assert message["last_error"].startswith("535")
            client.post(f"/api/v1/outbox/{message['id']}/retry", headers=finance["headers"])
        assert deliver_due(mailer("s3cret")).sent == 2
    finally:
        controller.stop()
    assert len(handler.received) == 2
