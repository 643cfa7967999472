"""Payment performance on plain objects: the Better Payment Practice Code share of valid
invoices paid within 30 days of receipt (or by a later due date), by count and by value, per
financial year and month paid in; and what is still owed, by age."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from service.domain.exports import FinanceStatus
from service.domain.financial_years import FinancialYear, NotAFinancialYear
from service.domain.payment_performance import (
    Bppc,
    Performance,
    age_band,
    aged_debt,
    performance,
    report,
    table,
)
from service.domain.reconciliation import InvoiceState, IssuedInvoice
from tests.unit.builders import SENT_ON, TRUST_ID, VENUE_ID, a_state, an_issued_invoice

TODAY = date(2027, 6, 1)  # in 2027-28
YEAR = FinancialYear(2026)  # SENT_ON, 4 January 2027, is in 2026-27
NAMES = {("trust", TRUST_ID): "Severnvale MH Trust", ("venue", VENUE_ID): "St Mark's"}


def paid_after(days: int, invoice_id: int = 1) -> InvoiceState:
    return a_state(
        invoice_id=invoice_id,
        status=FinanceStatus.PAID,
        paid_pence=7500,
        payment_date=SENT_ON + timedelta(days=days),
    )


def rows(
    invoices: list[IssuedInvoice], states: list[InvoiceState], year: FinancialYear = YEAR
) -> list[Performance]:
    return performance(invoices, {s.invoice_id: s for s in states}, NAMES, TODAY, year)


def trust_figures(
    invoices: list[IssuedInvoice], states: list[InvoiceState], year: FinancialYear = YEAR
) -> Bppc:
    return next(r.bppc for r in rows(invoices, states, year) if r.scope == "trust")


def test_paid_on_the_30th_day_after_receipt_is_on_time_and_on_the_31st_is_late() -> None:
    invoices = [an_issued_invoice(id=1), an_issued_invoice(id=2, amount_pence=2500)]
    bppc = trust_figures(invoices, [paid_after(30, 1), paid_after(31, 2)])
    assert (bppc.paid, bppc.on_time, bppc.paid_pence, bppc.on_time_pence) == (2, 1, 10000, 7500)
    assert (bppc.count_percent, bppc.value_percent) == (Decimal("50.0"), Decimal("75.0"))
    assert bppc.meets_target is False


def test_a_never_emailed_invoice_counts_from_its_invoice_date_not_when_an_export_saw_it() -> None:
    """Posted on its invoice date, first seen in an export three weeks later, paid on day 40:
    late, though only 19 days after the export saw it."""
    posted = an_issued_invoice(sent_on=None)
    first_seen_later = replace(paid_after(40), received_on=SENT_ON + timedelta(days=21))
    bppc = trust_figures([posted], [first_seen_later])
    assert (bppc.paid, bppc.on_time) == (1, 0)
    emailed_ten_days_later = an_issued_invoice(sent_on=SENT_ON + timedelta(days=10))
    assert trust_figures([emailed_ten_days_later], [first_seen_later]).on_time == 1  # day 30


def test_a_due_date_later_than_30_days_after_receipt_is_the_deadline() -> None:
    agreed = an_issued_invoice(due_date=SENT_ON + timedelta(days=45))
    assert trust_figures([agreed], [paid_after(45)]).on_time == 1
    assert trust_figures([agreed], [paid_after(46)]).on_time == 0
    sooner = an_issued_invoice(due_date=SENT_ON + timedelta(days=14))  # 30 days still
    assert trust_figures([sooner], [paid_after(30)]).on_time == 1


def test_invoices_count_in_the_financial_year_and_month_they_were_paid_in() -> None:
    invoices = [an_issued_invoice(id=n, issue_date=date(2027, 3, 1)) for n in (1, 2, 3)]
    states = [
        replace(paid_after(0, 1), payment_date=date(2027, 3, 31)),  # 2026-27
        replace(paid_after(0, 2), payment_date=date(2027, 4, 1)),  # 2027-28, late
        replace(paid_after(0, 3), payment_date=date(2026, 4, 1)),  # 2026-27, its first day
    ]
    found = rows(invoices, states)
    assert {(r.scope, r.bppc.paid) for r in found if r.month is None} == {
        ("trust", 2),
        ("venue", 2),
    }
    months = [r for r in found if r.scope == "trust-month"]
    assert [r.month for r in months] == list(YEAR.months)
    assert [m.bppc.paid for m in months] == [1, *[0] * 10, 1]
    assert {r.scope for r in found} == {"trust", "venue", "trust-month", "venue-month"}
    assert all(r.aged == () and r.name == NAMES["trust", TRUST_ID] for r in months)
    later = trust_figures(invoices, states, FinancialYear(2027))
    assert (later.paid, later.on_time) == (1, 0)  # 31 days after its invoice date

    chosen = report(invoices, {s.invoice_id: s for s in states}, NAMES, TODAY)
    assert chosen.year == FinancialYear(2027)  # today's, by default
    assert chosen.years == (FinancialYear(2027), FinancialYear(2026))


def test_the_years_offered_are_those_paid_in_and_this_one() -> None:
    paid_long_ago = replace(paid_after(0), payment_date=date(2024, 5, 1))
    found = report([an_issued_invoice()], {1: paid_long_ago}, NAMES, TODAY, FinancialYear(2026))
    assert found.year == YEAR and found.rows[0].year == YEAR
    assert [y.label for y in found.years] == ["2027-28", "2024-25"]


def test_credit_notes_cancelled_and_rejected_invoices_are_not_measured() -> None:
    note = an_issued_invoice(id=2, amount_pence=-7500)
    cancelled, rejected = an_issued_invoice(id=3), an_issued_invoice(id=4)
    states = [
        paid_after(1, 2),
        replace(paid_after(1, 3), status=FinanceStatus.CANCELLED),
        replace(paid_after(1, 4), status=FinanceStatus.REJECTED),
        paid_after(1, 1),
    ]
    bppc = trust_figures([an_issued_invoice(), note, cancelled, rejected], states)
    assert (bppc.paid, bppc.paid_pence) == (1, 7500)


def test_the_target_is_95_percent_by_count_and_by_value() -> None:
    assert Bppc(paid=20, on_time=19, paid_pence=100, on_time_pence=95).meets_target is True
    assert Bppc(paid=20, on_time=19, paid_pence=100, on_time_pence=94).meets_target is False
    assert Bppc().meets_target is None and Bppc().count_percent is None
    assert Bppc(paid=3, on_time=2, paid_pence=3, on_time_pence=2).count_percent == Decimal("66.7")


def aged(invoices: list[IssuedInvoice], states: list[InvoiceState]) -> list[tuple[str, int, int]]:
    found = next(r for r in rows(invoices, states) if r.scope == "trust")
    return [(b.days, b.count, b.pence) for b in found.aged]


def test_what_is_still_owed_is_aged_from_the_invoice_date_and_settled_ones_are_not() -> None:
    invoices = [
        an_issued_invoice(id=n, issue_date=TODAY - timedelta(days=age), amount_pence=100 * n)
        for n, age in enumerate([0, 30, 31, 60, 61, 90, 91, 400, 5], start=1)
    ]
    invoices[0] = replace(invoices[0], sent_on=None)  # never emailed: still owed
    settled = [
        a_state(invoice_id=9, status=FinanceStatus.CANCELLED),
        a_state(invoice_id=8, status=FinanceStatus.REJECTED, received_on=TODAY),
    ]
    assert aged(invoices, settled) == [
        ("0-30", 2, 300),
        ("31-60", 2, 700),
        ("61-90", 2, 1100),
        ("90+", 1, 700),
    ]


def test_a_part_paid_invoice_owes_only_what_is_left_as_the_finance_overview_counts() -> None:
    part_paid = a_state(status=FinanceStatus.PART_PAID, paid_pence=5000, payments=1)
    cancelled = a_state(invoice_id=3, status=FinanceStatus.CANCELLED, paid_pence=1000)
    note = an_issued_invoice(id=2, amount_pence=-1500)  # not yet in an export
    invoices = [an_issued_invoice(), note, an_issued_invoice(id=3)]
    assert aged(invoices, [part_paid, cancelled]) == [
        ("0-30", 0, 0),
        ("31-60", 0, 0),
        ("61-90", 0, 0),
        ("90+", 2, 1000),  # £25 left of £75, less the £15 credit note
    ]
    overview = aged_debt([(SENT_ON, 7500 - 5000), (SENT_ON, -1500)], TODAY)
    assert overview == (0, 0, 0, 1000)


def test_figures_come_per_trust_then_per_venue_named_or_numbered() -> None:
    invoices = [
        an_issued_invoice(id=1),
        an_issued_invoice(id=2, venue_id=VENUE_ID + 1, trust_id=TRUST_ID + 1),
    ]
    assert [(r.scope, r.id, r.name) for r in rows(invoices, [])] == [
        ("trust", TRUST_ID, "Severnvale MH Trust"),
        ("trust", TRUST_ID + 1, f"trust {TRUST_ID + 1}"),
        ("venue", VENUE_ID, "St Mark's"),
        ("venue", VENUE_ID + 1, f"venue {VENUE_ID + 1}"),
    ]


def test_the_table_names_the_year_and_the_month_of_each_row() -> None:
    header, year_row, *rest = table(rows([an_issued_invoice()], [paid_after(10)]))
    assert header[:6] == ["scope", "id", "name", "financial year", "month", "paid"]
    assert year_row[:6] == ["trust", TRUST_ID, "Severnvale MH Trust", "2026-27", None, 1]
    assert len(year_row) == len(header)
    january = next(r for r in rest if r[0] == "trust-month" and r[4] == "2027-01")
    assert january[3:7] == ["2026-27", "2027-01", 1, 1] and len(january) == len(header) - 8


def test_what_is_owed_is_aged_by_days_since_the_invoice_date() -> None:
    today = date(2027, 3, 31)
    owed = [(today - timedelta(days=days), 100) for days in (-2, 0, 30, 31, 60, 61, 90, 91, 400)]
    assert aged_debt(owed, today) == (300, 200, 200, 200)
    assert [age_band(today - timedelta(days=d), today) for d in (30, 31, 91)] == [0, 1, 3]
    assert aged_debt([], today) == (0, 0, 0, 0)


def test_a_financial_year_runs_from_1_april_to_31_march() -> None:
    assert FinancialYear.of(date(2027, 3, 31)) == FinancialYear.of(date(2026, 4, 1)) == YEAR
    assert FinancialYear.of(date(2027, 4, 1)) == FinancialYear(2027)
    assert (YEAR.label, str(FinancialYear(2099))) == ("2026-27", "2099-00")
    assert (YEAR.first_day, YEAR.last_day) == (date(2026, 4, 1), date(2027, 3, 31))
    assert (YEAR.months[0], YEAR.months[-1], len(YEAR.months)) == (
        date(2026, 4, 1),
        date(2027, 3, 1),
        12,
    )
    assert date(2027, 3, 31) in YEAR and date(2027, 4, 1) not in YEAR


@pytest.mark.parametrize("text", ["2026", " 2026 ", "2026-27"])
def test_a_financial_year_is_read_from_its_first_year_or_its_name(text: str) -> None:
    assert FinancialYear.parse(text) == YEAR


WIDE_2026 = "\uff12\uff10\uff12\uff16"


@pytest.mark.parametrize("text", ["", "abc", "1800", "2100", "2026-28", "26", WIDE_2026, "-1"])
def test_anything_else_is_not_a_financial_year(text: str) -> None:
    with pytest.raises(NotAFinancialYear, match="Choose a financial year from 2000 to 2099"):
        FinancialYear.parse(text)
