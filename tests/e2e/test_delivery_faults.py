"""Fault injection over 500 invoices: refused connections, 4xx replies, lines dropped after
the server accepted, replies too slow, and a worker killed mid-batch. Every invoice is
delivered; none is marked sent unless the server accepted it; a message reaches the server
twice only through an ambiguous failure, and is then flagged."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from adapters.email.smtp import SmtpMailer, SmtpSettings
from service.domain.bookings import InvoiceCadence
from service.domain.delivery import CLAIM_EXPIRES, OutboxState
from service.domain.invoicing import PDF, Document, Invoice
from service.domain.recurrence import Frequency
from service.domain.users import Role, User
from service.ports.delivery import Email
from service.ports.invoicing import InvoiceRenderer
from service.usecases.context import Context
from service.usecases.invoicing import issue_invoices
from service.usecases.outbox_worker import deliver_due, run_worker
from tests import builders
from tests.e2e.live import free_port
from tests.e2e.smtp_server import FaultyInbox, Inbox, smtp_server
from tests.fakes import FrozenClock

pytestmark = pytest.mark.slow  # an SMTP server with seeded faults, 400 invoices

ROOMS, SESSIONS = 5, 80  # 400 per-session invoices
RACED = 20  # sessions a room for the racing workers: 100 invoices, 200 messages
FINANCE = User(email="finance@example.org", role=Role.FINANCE, key_hash="")


class TinyPdf(InvoiceRenderer):
    """The PDF is not under test here; rendering 400 real ones would only cost time."""

    def render(self, invoice: Invoice) -> Document:
        return Document(PDF, b"%PDF-1.7\n% " + invoice.number.encode() + b"\n%%EOF\n")


class WorkerKilled(BaseException):
    """Like SIGKILL: nothing in the worker catches it."""


class DiesAfter:
    """A mailer whose worker dies right after the server accepted the n-th message,
    before the result could be recorded."""

    def __init__(self, mailer: SmtpMailer, n: int) -> None:
        self.mailer, self.left = mailer, n

    def send(self, email: Email) -> str:
        reply = self.mailer.send(email)
        self.left -= 1
        if self.left == 0:
            raise WorkerKilled
        return reply


def _issue(app: Flask, clock: FrozenClock, sessions: int = SESSIONS) -> Context:
    ctx: Context = app.extensions["roomhire"]
    trust = builders.create_trust(ctx, send_on_issue=True)
    facilitator = builders.create_user(ctx, Role.FACILITATOR, trust.id)
    venue = builders.create_venue(ctx)
    assert trust.id and venue.id
    po = builders.create_purchase_order(
        ctx, trust.id, venue.id, approved_value_pence=10**8, valid_to=date(2029, 12, 31)
    )
    for r in range(ROOMS):
        room = builders.create_room(ctx, venue.id, name=f"Room {r}")
        builders.create_booking(
            ctx,
            facilitator,
            room.id or 0,
            frequency=Frequency.WEEKLY,
            sessions=sessions,
            purchase_order_id=po.id,
            invoice_cadence=InvoiceCadence.PER_SESSION,
        )
    clock.current = datetime(2029, 1, 2, 9, tzinfo=UTC)
    ctx = dataclasses.replace(ctx, renderer=TinyPdf())
    report = issue_invoices(ctx, ctx.new_uow(), FINANCE, date(2028, 12, 31))
    assert len(report.issued) == ROOMS * sessions and not report.refused
    return ctx


def test_every_invoice_is_delivered_once_through_every_kind_of_fault(
    app: Flask, clock: FrozenClock
) -> None:
    ctx = _issue(app, clock)
    inbox = FaultyInbox(2026, refuse=0.12, drop=0.04, slow=0.004, delay=1.5)
    with smtp_server(inbox) as (server, port):
        smtp = SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False, timeout=1.0))
        nowhere = SmtpMailer(SmtpSettings("127.0.0.1", free_port(), starttls=False, timeout=1.0))
        assert deliver_due(dataclasses.replace(ctx, mailer=nowhere), batch=40).retrying == 40

        for crash_after in (7, 150, 333):  # three workers die mid-batch
            clock.advance(CLAIM_EXPIRES + timedelta(minutes=1))
            try:
                deliver_due(
                    dataclasses.replace(ctx, mailer=DiesAfter(smtp, crash_after)), batch=400
                )
            except WorkerKilled:
                pass
            else:
                raise AssertionError("the worker should have died")

        for _ in range(40):  # the surviving worker, run by cron, until nothing is left
            clock.advance(timedelta(hours=1, minutes=1))  # past any backoff and stale claim
            if deliver_due(dataclasses.replace(ctx, mailer=smtp), batch=500).handled == 0:
                break

    with ctx.new_uow() as uow:
        messages = uow.outbox.find()
    assert len(messages) == 2 * ROOMS * SESSIONS + ROOMS  # and each booking's invitation
    assert {m.state for m in messages} == {OutboxState.SENT}
    received = server.message_ids
    assert all(received[m.message_id] >= 1 for m in messages)  # every one delivered
    assert all(m.server_reply and m.server_reply.startswith("250") for m in messages)
    duplicated = {mid for mid, times in received.items() if times > 1}
    flagged = {m.message_id for m in messages if m.possible_duplicate}
    assert duplicated and duplicated <= flagged  # duplicates happen only where flagged
    assert set(received) == {m.message_id for m in messages}  # nothing else was sent
    assert min(server.faults.values()) > 0 and len(server.faults) == 3, server.faults


def test_several_workers_at_once_send_each_message_exactly_once(
    app: Flask, clock: FrozenClock
) -> None:
    ctx = _issue(app, clock, RACED)
    with smtp_server(Inbox()) as (server, port):
        smtp = dataclasses.replace(
            ctx, mailer=SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False, timeout=5))
        )
        barrier = threading.Barrier(4)

        def worker() -> None:
            barrier.wait()
            run_worker(smtp, once=True, batch=25)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    received = server.message_ids
    assert len(received) == 2 * ROOMS * RACED + ROOMS and set(received.values()) == {1}
    with ctx.new_uow() as uow:
        assert {m.state for m in uow.outbox.find()} == {OutboxState.SENT}
