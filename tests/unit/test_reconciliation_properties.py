"""Properties of reconciliation over any export SBS writes around our invoices — any mix of
statuses, holds, part payments, rows for numbers we never issued, row order, and what an
earlier export said: each invoice the export mentions ends in the status its rows say, the
others keep theirs, and the same rows again change nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.exports import ExportRow, FinanceStatus
from service.domain.reconciliation import (
    InvoiceState,
    is_lost,
    lost_if_sent_before,
    match,
    reconcile,
)
from service.domain.timeslots import LONDON
from tests.unit.builders import IMPORTED_AT, a_row, issued_invoices

INVOICES = issued_invoices(6)
HOLD_CODES = ["QTY REC", "PRICE", "PO NOT APPROVED", "DIST ACCT INVALID", "VENDOR", "NEW CODE"]
PAID = {
    "status": FinanceStatus.APPROVED,
    "payment_date": date(2027, 1, 29),
    "payment_number": "7713388",
}


@dataclass(frozen=True)
class Intent:
    """What an export says about one invoice."""

    status: FinanceStatus
    holds: tuple[str, ...]
    part_paid_pence: int


intents = st.builds(
    Intent,
    st.sampled_from([s for s in FinanceStatus if s is not FinanceStatus.SENT]),
    st.lists(st.sampled_from(HOLD_CODES), min_size=1, max_size=3, unique=True).map(tuple),
    st.integers(1, 7499),
)
plans = st.lists(st.none() | intents, min_size=len(INVOICES), max_size=len(INVOICES))


def rows_for(number: int, intent: Intent) -> list[ExportRow]:
    invoice = INVOICES[number]
    match intent.status:
        case FinanceStatus.APPROVED:
            return [a_row(invoice, status=FinanceStatus.APPROVED)]
        case FinanceStatus.ON_HOLD:
            return [a_row(invoice, hold_name=code) for code in intent.holds]
        case FinanceStatus.PART_PAID:
            return [a_row(invoice, amount_paid_pence=intent.part_paid_pence, **PAID)]
        case FinanceStatus.PAID:
            return [a_row(invoice, amount_paid_pence=7500, **PAID)]
        case FinanceStatus.CANCELLED | FinanceStatus.REJECTED:
            return [a_row(invoice, status=intent.status)]
        case _:
            return [a_row(invoice)]


def export(plan: list[Intent | None], strangers: int, order: Random) -> list[ExportRow]:
    rows = [row for n, intent in enumerate(plan) if intent for row in rows_for(n, intent)]
    rows += [a_row(invoice_number=f"SMCH9{n:03d}", amount_pence=1234) for n in range(strangers)]
    order.shuffle(rows)
    return [replace(row, line=line) for line, row in enumerate(rows, start=2)]


def imported(
    rows: list[ExportRow], states: dict[int, InvoiceState], import_id: int
) -> tuple[dict[int, InvoiceState], dict[int, list[FinanceStatus]]]:
    """The states after reconciling `rows` over `states`, and the statuses each invoice's
    history gained."""
    at = IMPORTED_AT + timedelta(days=7 * import_id)
    found = reconcile(rows, INVOICES, states, import_id=import_id, at=at)
    history: dict[int, list[FinanceStatus]] = {}
    for event in found.events:
        history.setdefault(event.invoice_id, []).append(event.status)
    return states | {s.invoice_id: s for s in found.changed}, history


@settings(max_examples=200, deadline=None)
@given(
    earlier=plans,
    plan=plans,
    strangers=st.integers(0, 4),
    order=st.randoms(use_true_random=False),
)
def test_statuses_follow_the_rows_and_the_same_rows_again_change_nothing(
    earlier: list[Intent | None], plan: list[Intent | None], strangers: int, order: Random
) -> None:
    before, _ = imported(export(earlier, 0, order), {}, import_id=1)
    rows = export(plan, strangers, order)
    after, events = imported(rows, before, import_id=2)

    for invoice, intent in zip(INVOICES, plan, strict=True):
        state = after.get(invoice.id)
        if intent is None:
            assert state == before.get(invoice.id)
            continue
        assert state is not None and state.status is intent.status
        if intent.status is FinanceStatus.ON_HOLD:
            assert sorted(state.holds) == sorted(intent.holds)
        if intent.status is FinanceStatus.PART_PAID:
            assert state.paid_pence == intent.part_paid_pence
        gained = events.get(invoice.id, [])
        if invoice.id not in before:  # the first sighting: received, then what the rows say
            assert gained[0] is FinanceStatus.RECEIVED
        if gained:
            assert gained[-1] is intent.status
        else:
            assert state.status is before[invoice.id].status

    mentioned = sum(intent is not None for intent in plan)

    found = reconcile(rows, INVOICES, after, import_id=3, at=IMPORTED_AT + timedelta(days=30))
    assert (found.events, found.changed, found.matched) == ([], [], mentioned)
    assert len(found.findings) == strangers


@settings(max_examples=200, deadline=None)
@given(
    numbers=st.lists(st.integers(0, len(INVOICES) + 2), max_size=20),
    keyed_wrongly=st.sets(st.integers(0, 19)),
)
def test_every_row_is_matched_to_one_invoice_or_listed_and_a_right_number_always_wins(
    numbers: list[int], keyed_wrongly: set[int]
) -> None:
    """Rows, in any order, for invoices 1-6 (keyed right or with the letter O for a zero)
    and for numbers we never issued."""
    rows = []
    for k, n in enumerate(numbers):
        number = f"SMCH{n + 1:04d}"
        rows.append(
            a_row(invoice_number=number.replace("0", "O") if k in keyed_wrongly else number)
        )
    found = match(rows, INVOICES)

    placed = [row for matched in found.rows.values() for row in matched] + found.unknown
    assert sorted(map(id, placed)) == sorted(map(id, rows))
    by_number = {i.number: i.id for i in INVOICES}
    for row in rows:
        if row.invoice_number in by_number:
            assert any(row is r for r in found.rows[by_number[row.invoice_number]])
    for invoice_id, matched in found.rows.items():
        right = {by_number.get(row.invoice_number or "") for row in matched} - {None}
        assert right <= {invoice_id}
        assert (invoice_id in found.fallback) == (not right)


@settings(max_examples=200, deadline=None)
@given(
    sent_at=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    imported_after=st.integers(min_value=-5, max_value=400),
    lost_after=st.integers(min_value=1, max_value=365),
)
def test_the_lost_bound_a_database_uses_says_what_is_lost_says(
    sent_at: datetime, imported_after: int, lost_after: int
) -> None:
    """Across the clock changes: sent before the bound is lost, sent at or after it is not."""
    sent_on = sent_at.astimezone(LONDON).date()
    imported_on = sent_on + timedelta(days=imported_after)
    invoice = replace(issued_invoices(1)[0], sent_on=sent_on)
    bound = lost_if_sent_before(imported_on, timedelta(days=lost_after))
    assert bound is not None
    assert is_lost(invoice, imported_on, timedelta(days=lost_after)) == (sent_at < bound)
