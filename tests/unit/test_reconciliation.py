"""Reconciliation's rules on plain objects: which row is about which invoice, what the rows
say about it, which events that adds to its history, and what a person must look at."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from service.domain.exports import FinanceStatus
from service.domain.reconciliation import (
    DiscrepancyKind,
    Hold,
    InvoiceState,
    Observation,
    changes,
    discrepancies,
    is_lost,
    match,
    observe,
    reconcile,
    unknown_row,
    updated,
)
from tests.unit.builders import (
    IMPORTED_AT,
    SENT_ON,
    VENUE_ID,
    a_row,
    a_state,
    an_issued_invoice,
    issued_invoices,
)

FIRST, SECOND, THIRD = issued_invoices(3)
PAID = {"amount_paid_pence": 7500, "payment_date": date(2027, 1, 30), "payment_number": "7713388"}


# Matching


def test_a_row_matches_the_invoice_of_its_venue_with_its_number() -> None:
    rows = [a_row(SECOND, line=2), a_row(FIRST, line=3), a_row(SECOND, line=4)]
    found = match(rows, [FIRST, SECOND, THIRD])
    assert {i: [r.line for r in rs] for i, rs in found.rows.items()} == {2: [2, 4], 1: [3]}
    assert found.fallback == set() and found.unknown == []


def test_the_same_number_at_another_venue_is_not_ours() -> None:
    stranger = a_row(FIRST, venue_id=VENUE_ID + 1, po_number="RZZPO0000999", amount_pence=1234)
    found = match([stranger], [FIRST])
    assert found.rows == {} and found.unknown == [stranger]


def test_a_row_without_a_number_matches_the_one_invoice_its_description_names() -> None:
    row = a_row(SECOND, invoice_number=None, description="Room hire smch-0002 (Tuesday)")
    assert list(match([row], [FIRST, SECOND]).rows) == [2]


def test_a_description_naming_two_of_our_invoices_matches_neither_by_number() -> None:
    row = a_row(invoice_number=None, description="SMCH0001 and SMCH0002", amount_pence=1)
    found = match([row], [FIRST, SECOND])
    assert found.rows == {} and found.unknown == [row]


def test_a_mis_keyed_number_matches_the_single_unmentioned_invoice_with_its_po_and_amount() -> None:
    """SMCH0003 keyed as SMCHO003: 1 and 2 are mentioned, so only 3 is a candidate."""
    rows = [a_row(FIRST), a_row(SECOND), a_row(THIRD, invoice_number="SMCHO003", line=9)]
    found = match(rows, [FIRST, SECOND, THIRD])
    assert [r.line for r in found.rows[3]] == [9]
    assert found.fallback == {3}


def test_a_mis_keyed_number_with_two_candidates_is_unknown() -> None:
    row = a_row(FIRST, invoice_number="SMCHO001")
    found = match([row], [FIRST, SECOND])
    assert found.rows == {} and found.unknown == [row]


def test_without_a_po_the_amount_alone_decides_and_a_different_amount_matches_nothing() -> None:
    dearer = an_issued_invoice(id=2, number="SMCH0002", amount_pence=9000)
    no_po = a_row(dearer, invoice_number="X1", po_number=None)
    assert list(match([no_po], [FIRST, dearer]).rows) == [2]
    wrong = a_row(dearer, invoice_number="X1", po_number=None, amount_pence=9001)
    assert match([wrong], [FIRST, dearer]).unknown == [wrong]


def test_a_payment_row_without_an_amount_matches_by_what_was_paid() -> None:
    """Spend over £25k lists payments only: its rows have no invoice amount."""
    dearer = an_issued_invoice(id=2, number="SMCH0002", amount_pence=9000)
    payment = a_row(
        dearer, invoice_number=None, po_number=None, amount_pence=None, amount_paid_pence=9000
    )
    found = match([payment], [FIRST, dearer])
    assert list(found.rows) == [2] and found.fallback == {2}


# Observing


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [{"status": FinanceStatus.CANCELLED}, {**PAID, "status": FinanceStatus.PAID}],
            FinanceStatus.CANCELLED,
        ),
        (
            [{"status": FinanceStatus.REJECTED}, {**PAID, "hold_name": "PRICE"}],
            FinanceStatus.REJECTED,
        ),
        ([{**PAID, "hold_name": "QTY REC"}], FinanceStatus.PAID),
        ([{"hold_name": "QTY REC", "amount_paid_pence": 100}], FinanceStatus.ON_HOLD),
        ([{"status": FinanceStatus.APPROVED, "amount_paid_pence": 100}], FinanceStatus.PART_PAID),
        ([{"status": FinanceStatus.APPROVED}, {}], FinanceStatus.APPROVED),
        ([{}], FinanceStatus.RECEIVED),
    ],
    ids=["cancelled", "rejected", "paid", "on hold", "part paid", "approved", "received"],
)
def test_cancelled_or_rejected_win_then_paid_then_held_then_part_paid_then_approved(
    rows: list[dict[str, Any]], expected: FinanceStatus
) -> None:
    seen = observe([a_row(**r) for r in rows], FIRST, fallback=False)
    assert seen.status is expected


def test_distinct_payment_numbers_are_distinct_payments_and_a_repeated_one_counts_once() -> None:
    rows = [
        a_row(amount_paid_pence=2500, payment_number="1", payment_date=date(2027, 1, 15)),
        a_row(amount_paid_pence=2500, payment_number="1", payment_date=date(2027, 1, 15)),
        a_row(amount_paid_pence=3000, payment_number="2", payment_date=date(2027, 1, 29)),
    ]
    seen = observe(rows, FIRST, fallback=False)
    assert (seen.status, seen.paid_pence, seen.payments) == (FinanceStatus.PART_PAID, 5500, 2)
    assert (seen.payment_date, seen.payment_number) == (date(2027, 1, 29), "2")


def test_a_paid_row_without_an_amount_paid_pays_its_amount() -> None:
    seen = observe([a_row(status=FinanceStatus.PAID)], FIRST, fallback=False)
    assert (seen.status, seen.paid_pence) == (FinanceStatus.PAID, 7500)


def test_a_credit_memo_mis_keyed_matches_our_credit_note_by_its_negative_amount() -> None:
    note = an_issued_invoice(id=9, number="SMCHCN0001", amount_pence=-7500)
    memo = a_row(note, invoice_number="SMCHCNO001", status=FinanceStatus.APPROVED)
    found = match([memo], [FIRST, note])
    assert list(found.rows) == [9] and found.fallback == {9}
    assert observe(found.rows[9], note, fallback=True).status is FinanceStatus.APPROVED


def test_each_hold_code_is_observed_once_and_the_export_values_come_from_the_first_row() -> None:
    rows = [
        a_row(line=4, hold_name="QTY REC", amount_pence=5700, po_number=None),
        a_row(line=5, hold_name="PRICE", hold_reason="Invoice price exceeds PO price"),
        a_row(line=6, hold_name="QTY REC"),
    ]
    seen = observe(rows, FIRST, fallback=True)
    assert [h.code for h in seen.holds] == ["QTY REC", "PRICE"]
    assert seen.holds[1] == Hold("PRICE", "Invoice price exceeds PO price", 5)
    assert (seen.amount_pence, seen.po_number, seen.line, seen.fallback) == (5700, None, 4, True)


# History


def an_observation(**overrides: Any) -> Observation:
    return replace(observe([a_row()], FIRST, fallback=False), **overrides)


def statuses(
    state: InvoiceState | None, seen: Observation
) -> list[tuple[FinanceStatus, str | None]]:
    events = changes(state, seen, 1, 2, IMPORTED_AT)
    assert all((e.invoice_id, e.import_id, e.at) == (1, 2, IMPORTED_AT) for e in events)
    return [(e.status, e.hold_code) for e in events]


def test_the_first_sighting_records_received_before_what_the_export_says() -> None:
    assert statuses(None, an_observation()) == [(FinanceStatus.RECEIVED, None)]
    approved = an_observation(status=FinanceStatus.APPROVED)
    assert statuses(None, approved) == [
        (FinanceStatus.RECEIVED, None),
        (FinanceStatus.APPROVED, None),
    ]
    sent = a_state(status=FinanceStatus.SENT)
    assert statuses(sent, approved) == [
        (FinanceStatus.RECEIVED, None),
        (FinanceStatus.APPROVED, None),
    ]


def test_nothing_is_recorded_when_nothing_changed() -> None:
    assert statuses(a_state(), an_observation()) == []
    part = a_state(status=FinanceStatus.PART_PAID, paid_pence=2500)
    assert statuses(part, an_observation(status=FinanceStatus.PART_PAID, paid_pence=2500)) == []


def test_more_paid_in_the_same_status_is_a_change() -> None:
    part = a_state(status=FinanceStatus.PART_PAID, paid_pence=2500)
    more = an_observation(status=FinanceStatus.PART_PAID, paid_pence=5000)
    assert statuses(part, more) == [(FinanceStatus.PART_PAID, None)]


def test_each_new_hold_is_recorded_once_and_a_hold_still_held_is_not_again() -> None:
    held = an_observation(
        status=FinanceStatus.ON_HOLD, holds=(Hold("QTY REC", None, 2), Hold("PRICE", None, 3))
    )
    assert statuses(a_state(), held) == [
        (FinanceStatus.ON_HOLD, "QTY REC"),
        (FinanceStatus.ON_HOLD, "PRICE"),
    ]
    still = a_state(status=FinanceStatus.ON_HOLD, holds=("QTY REC",))
    assert statuses(still, held) == [(FinanceStatus.ON_HOLD, "PRICE")]
    released = a_state(status=FinanceStatus.APPROVED, holds=("QTY REC",))
    assert statuses(released, held) == [
        (FinanceStatus.ON_HOLD, "QTY REC"),
        (FinanceStatus.ON_HOLD, "PRICE"),
    ]


def test_received_on_is_kept_from_the_first_sighting_else_the_sending_else_its_own_date() -> None:
    """Not the day an import first saw it: that would flatter payment performance."""
    seen, as_of = an_observation(), date(2027, 2, 1)
    kept = updated(a_state(received_on=date(2027, 1, 9)), seen, FIRST, 2, as_of)
    assert kept.received_on == date(2027, 1, 9)
    assert updated(None, seen, FIRST, 2, as_of).received_on == SENT_ON
    unsent = replace(FIRST, sent_on=None, issue_date=date(2026, 12, 30))
    assert updated(None, seen, unsent, 2, as_of).received_on == date(2026, 12, 30)


def test_a_confirmed_match_stays_confirmed_only_while_it_is_matched_the_same_way() -> None:
    confirmed = a_state(fallback=True, confirmed=True)
    assert updated(confirmed, an_observation(fallback=True), FIRST, 2, SENT_ON).confirmed
    assert not updated(confirmed, an_observation(fallback=False), FIRST, 2, SENT_ON).confirmed


# Discrepancies


def problems(state: InvoiceState | None, lost: bool = False) -> list[DiscrepancyKind]:
    return [d.problem for d in discrepancies(FIRST, state, lost)]


def test_a_state_that_agrees_with_the_invoice_has_no_discrepancy() -> None:
    assert problems(a_state()) == [] and problems(None) == []


def test_amount_and_po_differences_are_named_with_both_values() -> None:
    [amount, po] = discrepancies(
        FIRST, a_state(export_amount_pence=5700, export_po_number=None), lost=False
    )
    assert amount.problem is DiscrepancyKind.AMOUNT_DIFFERS
    assert amount.detail == "SMCH0001: the export says £57.00, we invoiced £75.00"
    assert po.detail == "SMCH0001: the export has PO (none), we quoted RZZPO0000001"
    assert (po.invoice_id, po.venue_id, po.import_id) == (1, VENUE_ID, 1)


def test_a_po_is_not_compared_when_the_export_gave_no_amount() -> None:
    assert problems(a_state(export_amount_pence=None, export_po_number=None)) == []


def test_paid_twice_overpaid_and_underpaid() -> None:
    twice = a_state(status=FinanceStatus.PAID, paid_pence=15000, payments=2)
    assert problems(twice) == [DiscrepancyKind.PAID_TWICE]
    assert discrepancies(FIRST, twice, False)[0].detail == "SMCH0001: 2 payments, £150.00 in all"
    assert problems(a_state(status=FinanceStatus.PAID, paid_pence=8000, payments=1)) == [
        DiscrepancyKind.OVERPAID
    ]
    assert problems(a_state(status=FinanceStatus.PART_PAID, paid_pence=2500)) == [
        DiscrepancyKind.UNDERPAID
    ]


def test_a_match_by_po_and_amount_waits_for_a_person_to_confirm_it() -> None:
    assert problems(a_state(fallback=True)) == [DiscrepancyKind.UNCONFIRMED_MATCH]
    assert problems(a_state(fallback=True, confirmed=True)) == []


def test_an_invoice_is_lost_when_an_export_made_long_after_sending_does_not_show_it() -> None:
    fortnight = timedelta(days=14)
    assert not is_lost(FIRST, None, fortnight)
    assert not is_lost(FIRST, SENT_ON + timedelta(days=13), fortnight)
    assert is_lost(FIRST, SENT_ON + fortnight, fortnight)
    assert not is_lost(replace(FIRST, sent_on=None), SENT_ON + fortnight, fortnight)
    assert problems(None, lost=True) == [DiscrepancyKind.LOST]


def test_a_row_that_matches_nothing_names_the_supplier_and_its_number() -> None:
    found = unknown_row(a_row(invoice_number="SMCH0099", line=7), import_id=4)
    assert found.detail == "ST MARKS COMMUNITY HALL CIC: SMCH0099 is not one we issued"
    assert (found.problem, found.line, found.import_id, found.venue_id) == (
        DiscrepancyKind.UNKNOWN_INVOICE,
        7,
        4,
        VENUE_ID,
    )


# One import


def test_reconcile_records_each_change_once_and_counts_what_it_found() -> None:
    rows = [
        a_row(FIRST, status=FinanceStatus.APPROVED),
        a_row(SECOND, amount_pence=5700),
        a_row(invoice_number="SMCH0099", amount_pence=1234, line=9),
    ]
    known = {2: a_state(invoice_id=2), 3: a_state(invoice_id=3)}
    found = reconcile(rows, [FIRST, SECOND, THIRD], known, import_id=2, at=IMPORTED_AT)
    assert [(e.invoice_id, e.status) for e in found.events] == [
        (1, FinanceStatus.RECEIVED),
        (1, FinanceStatus.APPROVED),
    ]
    assert [(s.invoice_id, s.export_amount_pence) for s in found.changed] == [(1, 7500), (2, 5700)]
    assert [f.line for f in found.findings] == [9]
    assert (found.matched, found.discrepancies) == (2, 2)  # amount differs; unknown SMCH0099


def test_reconcile_again_with_what_it_returned_changes_nothing() -> None:
    rows = [a_row(FIRST, hold_name="QTY REC"), a_row(SECOND, **PAID)]
    first = reconcile(rows, [FIRST, SECOND], {}, import_id=1, at=IMPORTED_AT)
    states = {s.invoice_id: s for s in first.changed}
    later = IMPORTED_AT + timedelta(days=7)
    again = reconcile(rows, [FIRST, SECOND], states, import_id=2, at=later)
    assert (again.events, again.changed, again.matched) == ([], [], 2)
