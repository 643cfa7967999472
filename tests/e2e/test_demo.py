"""`roomhire demo` gives a fresh install a past: everything the README shows is there to see."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from flask import Flask

from service.domain.delivery import OutboxState
from service.domain.exports import FinanceStatus
from service.domain.reconciliation import InvoiceState
from service.domain.users import Role
from service.usecases import booking, delivery, invoicing, reconciliation
from service.usecases.demo_history import load_demo
from tests.client import Client
from tests.conftest import pdf_text
from tests.fakes import FrozenClock


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 7, 30, tzinfo=UTC),  # before the month's invoice run
        datetime(2027, 4, 15, 12, 0, tzinfo=UTC),  # a new financial year
    ],
)
def test_the_demo_shows_the_whole_money_loop(
    app: Flask, client: Client, clock: FrozenClock, now: datetime
) -> None:
    clock.current = now
    ctx = app.extensions["roomhire"]
    demo = load_demo(ctx)
    assert demo is not None and len(demo.keys) == 3
    with ctx.new_reader() as reader:
        finance = reader.users.by_email("finance@demo.roomhire.invalid")
        facilitator = reader.users.by_email("facilitator@demo.roomhire.invalid")
    assert finance and finance.role is Role.FINANCE and facilitator

    invoices = {i.number: i for i in invoicing.list_invoices(ctx, ctx.new_reader(), finance, None)}
    # Each venue invoiced on the first of each month for the month before.
    assert {f"{p}{n:04d}" for p in ("SMCH", "HKC", "ECC") for n in (1, 2)} < set(invoices)
    assert invoices["SMCHCN0001"].credits_invoice == "SMCH0001"  # the late cancellation waived

    def state(number: str) -> InvoiceState | None:
        invoice_id = invoices[number].id
        assert invoice_id is not None
        return reconciliation.invoice_status(ctx, ctx.new_reader(), finance, invoice_id).state

    paid = state("SMCH0001")
    assert paid and paid.status is FinanceStatus.PAID and paid.payment_number == "7713388"
    held = state("ECC0001")
    assert held and held.holds == ("QTY REC",)
    problems = reconciliation.open_discrepancies(ctx, ctx.new_uow(), finance)
    assert {(p.problem.value, p.invoice_id) for p in problems} == {
        ("unconfirmed_match", invoices["HKC0001"].id),  # keyed as HKC0O01
        ("lost", invoices["HKC0001"].id),  # until a person confirms that match
        ("lost", invoices["ECC0002"].id),
    }

    messages = delivery.outbox(ctx, ctx.new_reader(), finance, None)
    assert messages and all(m.state is OutboxState.SENT for m in messages)  # every invoice emailed
    upcoming = booking.my_sessions(ctx, ctx.new_reader(), facilitator, past=False)
    assert len(upcoming.lines) >= 8  # groups still running
    page = client.get(urlsplit(demo.status_link).path).get_data(as_text=True)
    assert "SMCH0001" in page and "Paid" in page

    # Each invoice names its supplier as SBS expects, and shows each line's rate.
    _, document = invoicing.invoice_document(
        ctx, ctx.new_reader(), finance, invoices["HKC0001"].id or 0, "application/pdf"
    )
    pdf = document.content
    words = " ".join(pdf_text(pdf).split())
    assert "NHS supplier number 4400117" in words and "sort code 00-00-00" in words
    assert "£30.00 an hour" in words and "20%" in words and "Queries: 0117 496 0117" in words

    assert load_demo(ctx) is None  # once only
