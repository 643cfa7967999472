"""A worker's batch goes down one SMTP connection, one message after another or pipelined
where the server offers it: a refused message is reset and fails alone, and a connection
the server drops is opened again, with every message delivered once. Real aiosmtpd server."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from adapters.email.smtp import SmtpMailer, SmtpSettings
from service.domain.delivery import OutboxState
from service.ports.delivery import Email
from service.ports.unit_of_work import UnitOfWork
from service.usecases.context import Context
from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, issue
from tests.e2e.conftest import send
from tests.e2e.smtp_server import Inbox, smtp_server
from tests.fakes import FrozenClock

pytestmark = pytest.mark.slow  # an SMTP server on 127.0.0.1

Who = dict[str, Any]


@pytest.fixture(params=[False, True], ids=["one by one", "pipelined"])
def pipelining(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def queued(
    app: Flask,
    client: Client,
    staff: Staff,
    finance: Who,
    facilitator: Who,
    room: Who,
    po: Any,
    clock: FrozenClock,
) -> list[str]:
    """Six invoices sent (two messages each) and the venue's invitation: their Message-IDs."""
    book_tuesdays(staff, facilitator, room, po, invoice_cadence="per_session")
    clock.current = datetime(2027, 1, 4, 9, tzinfo=UTC)
    for invoice in issue(client, finance, "2026-12-31")["issued"]:
        send(client, finance, invoice)
    with app.extensions["roomhire"].new_uow() as uow:
        return [m.message_id for m in uow.outbox.find()]


def serving(app: Flask, inbox: Inbox) -> Iterator[tuple[Inbox, Context]]:
    with smtp_server(inbox) as (server, port):
        mailer = SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False, timeout=5))
        yield server, dataclasses.replace(app.extensions["roomhire"], mailer=mailer)


def states(ctx: Context) -> dict[str, OutboxState]:
    with ctx.new_uow() as uow:
        return {m.message_id: m.state for m in uow.outbox.find()}


def test_a_batch_goes_down_one_connection(app: Flask, queued: list[str], pipelining: bool) -> None:
    for server, ctx in serving(app, Inbox(pipelining=pipelining)):
        assert deliver_due(ctx).sent == len(queued) == 13
        assert len(server.connections) == 1, server.connections
        assert server.message_ids == dict.fromkeys(queued, 1)
        assert deliver_due(ctx).handled == 0


def test_an_invoices_documents_are_read_once_for_its_messages(
    app: Flask, queued: list[str]
) -> None:
    """Its two messages come one after the other: the second uses what the first read."""
    ctx: Context = app.extensions["roomhire"]
    reads = 0

    def reader() -> UnitOfWork:
        nonlocal reads
        reads += 1
        return ctx.new_reader()

    with smtp_server(Inbox()) as (_, port):
        mailer = SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False, timeout=5))
        assert deliver_due(dataclasses.replace(ctx, mailer=mailer, new_reader=reader)).sent == 13
    assert reads == 6  # the invoices' (the venue's invitation has no documents)


def test_a_connection_dropped_mid_batch_is_opened_again_and_nothing_is_sent_twice(
    app: Flask, queued: list[str], pipelining: bool
) -> None:
    for server, ctx in serving(app, Inbox(pipelining=pipelining, drop_after=5)):
        run = deliver_due(ctx)
        assert (run.sent, run.retrying, run.failed) == (13, 0, 0)
        assert sorted(server.connections.values()) == [3, 5, 5]
        assert server.message_ids == dict.fromkeys(queued, 1)
        with ctx.new_uow() as uow:
            assert not any(m.possible_duplicate for m in uow.outbox.find())


def test_a_refused_message_fails_alone_and_the_connection_carries_on(
    app: Flask, queued: list[str], pipelining: bool
) -> None:
    inbox = Inbox(pipelining=pipelining)
    inbox.unknown = {"ap@example.nhs.uk"}  # accounts payable's six: 550 to RCPT
    inbox.data_faults = ["451 4.3.0 try again later"]  # the first message: 451 to its content
    for server, ctx in serving(app, inbox):
        run = deliver_due(ctx)
        assert (run.sent, run.retrying, run.failed) == (6, 1, 6)
        assert len(server.connections) == 1, server.connections
        after = states(ctx)
        assert set(server.message_ids) == {m for m, s in after.items() if s is OutboxState.SENT}
        assert set(server.message_ids.values()) == {1}
        assert [s for s in after.values()].count(OutboxState.PENDING) == 1


def test_lines_that_start_with_a_dot_arrive_as_written(pipelining: bool) -> None:
    """A line of one dot would end the message early: the server must get each doubled."""
    text = ".\n..\n.hidden\nlast line\n.\n"
    with smtp_server(Inbox(pipelining=pipelining)) as (server, port):
        mailer = SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False, timeout=5))
        mailer.send(Email("r@example.org", "ap@example.nhs.uk", "Dots", "<d@example.org>", text))
    [received] = server.received
    assert received.get_content().splitlines() == text.splitlines()
