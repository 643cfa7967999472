"""Invoices on plain objects: numbers as SBS keys them, totals as sums of rounded lines, the
issue date SBS accepts, and which held sessions each cadence invoices when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from service.domain.bookings import BookingSeries, InvoiceCadence, SessionStatus
from service.domain.invoicing import (
    DocumentKind,
    InvoiceRefused,
    check_issue_date,
    due_drafts,
    format_number,
    number_prefix,
    total,
)
from service.domain.money import charge
from service.domain.recurrence import Frequency, Recurrence
from tests.unit.builders import a_line, a_session, an_invoice, with_vat_number

TUESDAYS = [date(2027, 1, 5) + timedelta(weeks=n) for n in range(4)]
AFTER_ALL = datetime(2027, 2, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "kind", "prefix"),
    [
        ("St Michael's Community Hall CIC", DocumentKind.INVOICE, "SMCH"),
        ("St Michael's Community Hall CIC", DocumentKind.CREDIT_NOTE, "SMCHCN"),
        ("The Friends of the Old Library and Reading Rooms Ltd", DocumentKind.INVOICE, "FOLRR"),
        ("Chapel Hall CIC", DocumentKind.INVOICE, "CHAP"),
        ("A&B Ltd", DocumentKind.INVOICE, "ABLT"),
        ("Oak", DocumentKind.INVOICE, "OAK"),
        ("Yu", DocumentKind.INVOICE, "YUX"),
    ],
)
def test_the_number_prefix_is_the_names_initials_or_its_first_letters(
    name: str, kind: DocumentKind, prefix: str
) -> None:
    assert number_prefix(name, kind) == prefix


def test_numbers_are_four_digits_at_least_and_never_past_30_capitals_and_digits() -> None:
    assert format_number("SMCH", 7) == "SMCH0007"
    assert format_number("SMCH", 12345) == "SMCH12345"
    with pytest.raises(InvoiceRefused, match="not 1-30 capitals and digits"):
        format_number("X" * 27, 1)


def test_the_totals_are_sums_of_each_lines_rounded_amounts() -> None:
    """Two lines of 20 minutes at £10.01 an hour with VAT: each £3.34 + 67p, not 2 x £3.3367."""
    line = a_line(minutes=20, amount=charge(1001, 20, Decimal("0.20")))
    invoice = an_invoice(lines=(line, line))
    assert (invoice.net_pence, invoice.vat_pence, invoice.gross_pence) == (668, 134, 802)
    assert total(invoice.lines) == 802


def test_a_line_shows_its_duration_and_rate_so_the_net_can_be_checked() -> None:
    line = a_line(minutes=160, price_per_hour_pence=1234)
    assert (line.duration, line.rate) == ("2 h 40 min", "£12.34 an hour")


def test_only_a_supplier_with_a_vat_number_is_vat_registered() -> None:
    assert not an_invoice().vat_registered
    assert with_vat_number(an_invoice(), "GB123456789").vat_registered


def test_an_issue_date_more_than_14_days_ahead_is_refused() -> None:
    today = date(2027, 1, 4)
    check_issue_date(today + timedelta(days=14), today)
    with pytest.raises(InvoiceRefused, match="more than 14 days ahead"):
        check_issue_date(today + timedelta(days=15), today)


def a_series(cadence: InvoiceCadence) -> BookingSeries:
    """Four Tuesday sessions in January 2027, ids 1-4, all on PO 1."""
    series = BookingSeries(
        1,
        1,
        "Tuesday group",
        Recurrence(TUESDAYS[0], Frequency.WEEKLY, count=4),
        time(13),
        time(16),
        datetime(2026, 12, 1, tzinfo=UTC),
        invoice_cadence=cadence,
    )
    series.sessions = [
        a_session(day, id=n, purchase_order_id=1) for n, day in enumerate(TUESDAYS, start=1)
    ]
    return series


def drafted(series: BookingSeries, invoiced: set[int], now: datetime) -> list[list[int]]:
    drafts = due_drafts(series, invoiced, now.date(), now)
    return [[s.id or 0 for s in draft.sessions] for draft in drafts]


def test_per_session_invoices_each_held_session_not_yet_invoiced() -> None:
    series = a_series(InvoiceCadence.PER_SESSION)
    during_the_third = datetime(2027, 1, 19, 14, tzinfo=UTC)
    assert drafted(series, {1}, during_the_third) == [[2]]


def test_end_of_series_waits_for_the_last_session_then_invoices_them_together() -> None:
    series = a_series(InvoiceCadence.END_OF_SERIES)
    assert drafted(series, set(), datetime(2027, 1, 26, 15, tzinfo=UTC)) == []
    assert drafted(series, set(), AFTER_ALL) == [[1, 2, 3, 4]]


def test_sessions_not_charged_are_never_invoiced_and_late_cancellations_are() -> None:
    series = a_series(InvoiceCadence.MONTHLY)
    series.sessions[0].status = SessionStatus.CANCELLED
    series.sessions[1].status = SessionStatus.CANCELLED_BY_VENUE
    series.sessions[2].status = SessionStatus.LATE_CANCELLED
    assert drafted(series, set(), AFTER_ALL) == [[3, 4]]


def test_sessions_on_different_pos_or_on_none_are_drafted_apart() -> None:
    series = a_series(InvoiceCadence.MONTHLY)
    series.sessions[2].purchase_order_id = 2
    series.sessions[3].purchase_order_id = None
    drafts = due_drafts(series, set(), AFTER_ALL.date(), AFTER_ALL)
    assert [(d.purchase_order_id, [s.id for s in d.sessions]) for d in drafts] == [
        (1, [1, 2]),
        (2, [3]),
        (None, [4]),
    ]
