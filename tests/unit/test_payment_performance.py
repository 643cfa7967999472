"""Payment performance on plain objects: the Better Payment Practice Code share of invoices
paid within 30 days of receipt (by count and by value), and unpaid invoices by age."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from service.domain.exports import FinanceStatus
from service.domain.payment_performance import Bppc, age_band, aged_debt, performance
from service.domain.reconciliation import InvoiceState, IssuedInvoice
from tests.unit.builders import SENT_ON, TRUST_ID, VENUE_ID, a_state, an_issued_invoice

TODAY = date(2027, 6, 1)
NAMES = {("trust", TRUST_ID): "Severnvale MH Trust", ("venue", VENUE_ID): "St Mark's"}


def paid_after(days: int, invoice_id: int = 1) -> InvoiceState:
    return a_state(
        invoice_id=invoice_id,
        status=FinanceStatus.PAID,
        paid_pence=7500,
        payment_date=SENT_ON + timedelta(days=days),
    )


def trust_figures(
    invoices: list[IssuedInvoice], states: list[InvoiceState], today: date = TODAY
) -> Bppc:
    report = performance(invoices, {s.invoice_id: s for s in states}, NAMES, today)
    return next(r.bppc for r in report if r.scope == "trust")


def test_paid_on_the_30th_day_after_receipt_is_on_time_and_on_the_31st_is_late() -> None:
    invoices = [an_issued_invoice(id=1), an_issued_invoice(id=2, amount_pence=2500)]
    bppc = trust_figures(invoices, [paid_after(30, 1), paid_after(31, 2)])
    assert (bppc.paid, bppc.on_time, bppc.paid_pence, bppc.on_time_pence) == (2, 1, 10000, 7500)
    assert (bppc.count_percent, bppc.value_percent) == (Decimal("50.0"), Decimal("75.0"))
    assert bppc.meets_target is False


def test_the_days_count_from_when_the_nhs_received_it_not_when_it_was_sent() -> None:
    first_seen_later = replace(paid_after(35), received_on=SENT_ON + timedelta(days=5))
    assert trust_figures([an_issued_invoice()], [first_seen_later]).on_time == 1


def test_the_target_is_95_percent_by_count_and_by_value() -> None:
    assert Bppc(paid=20, on_time=19, paid_pence=100, on_time_pence=95).meets_target is True
    assert Bppc(paid=20, on_time=19, paid_pence=100, on_time_pence=94).meets_target is False
    assert Bppc().meets_target is None and Bppc().count_percent is None
    assert Bppc(paid=3, on_time=2, paid_pence=3, on_time_pence=2).count_percent == Decimal("66.7")


def test_credit_notes_and_invoices_never_received_do_not_count() -> None:
    note = an_issued_invoice(id=2, amount_pence=-7500)
    unsent = an_issued_invoice(id=3, sent_on=None)
    report = performance([note, unsent], {2: paid_after(1, 2)}, NAMES, TODAY)
    assert report == []


def test_unpaid_invoices_are_aged_from_receipt_and_settled_ones_are_not() -> None:
    invoices = [
        an_issued_invoice(id=n, sent_on=TODAY - timedelta(days=age), amount_pence=100 * n)
        for n, age in enumerate([0, 30, 31, 60, 61, 90, 91, 400, 5], start=1)
    ]
    settled = [
        a_state(invoice_id=9, status=FinanceStatus.CANCELLED),
        a_state(invoice_id=8, status=FinanceStatus.REJECTED, received_on=TODAY),
    ]
    report = performance(invoices, {s.invoice_id: s for s in settled}, NAMES, TODAY)
    aged = next(r.aged for r in report if r.scope == "trust")
    assert [(b.days, b.count, b.pence) for b in aged] == [
        ("0-30", 2, 300),
        ("31-60", 2, 700),
        ("61-90", 2, 1100),
        ("90+", 1, 700),
    ]


def test_figures_come_per_trust_then_per_venue_named_or_numbered() -> None:
    invoices = [
        an_issued_invoice(id=1),
        an_issued_invoice(id=2, venue_id=VENUE_ID + 1, trust_id=TRUST_ID + 1),
    ]
    report = performance(invoices, {}, NAMES, TODAY)
    assert [(r.scope, r.id, r.name) for r in report] == [
        ("trust", TRUST_ID, "Severnvale MH Trust"),
        ("trust", TRUST_ID + 1, f"trust {TRUST_ID + 1}"),
        ("venue", VENUE_ID, "St Mark's"),
        ("venue", VENUE_ID + 1, f"venue {VENUE_ID + 1}"),
    ]


def test_what_is_owed_is_aged_by_days_since_the_invoice_date() -> None:
    today = date(2027, 3, 31)
    owed = [(today - timedelta(days=days), 100) for days in (-2, 0, 30, 31, 60, 61, 90, 91, 400)]
    assert aged_debt(owed, today) == (300, 200, 200, 200)
    assert [age_band(today - timedelta(days=d), today) for d in (30, 31, 91)] == [0, 1, 3]
    assert aged_debt([], today) == (0, 0, 0, 0)
