"""A year of exports for two trusts that share a venue, replayed in any order: monthly exports
of each trust (some numbers mis-keyed, rows of the other trust's that look like ours), and
re-saved copies of older ones imported late. Whatever the order: an invoice's state is what
the newest export that showed it says (statuses only move forward in time), no row is matched
across trusts, and the venue's page agrees with finance's view of every invoice."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.exports import ExportRow, FinanceStatus
from service.domain.invoicing import DocumentKind
from service.domain.reconciliation import (
    EventKey,
    InvoiceState,
    IssuedInvoice,
    TrustScope,
    is_older,
    match,
    observe,
    reconcile,
)
from service.domain.venue_status import Badge, StatementEntry, describe
from tests.unit.builders import IMPORTED_AT, TRUST_ID, a_row, an_issued_invoice

OTHER = TRUST_ID + 1
UNITS = {"RZZ SEVERNVALE MH TRUST": TRUST_ID, "RVJ NORTH BRISTOL NHS TRUST": OTHER}
UNIT_OF = {trust: unit for unit, trust in UNITS.items()}
INVOICES = [
    an_issued_invoice(
        id=n,
        number=f"SMCH{n:04d}",
        trust_id=TRUST_ID if n <= 3 else OTHER,
        po_number="RZZPO0000001" if n <= 3 else "RVJPO0000002",
        amount_pence=7500 + 100 * n,  # each its own: a guess by amount finds one
    )
    for n in range(1, 7)
]
YEAR_START = date(2027, 4, 1)
STATUSES = [
    FinanceStatus.RECEIVED,
    FinanceStatus.ON_HOLD,
    FinanceStatus.APPROVED,
    FinanceStatus.PART_PAID,
    FinanceStatus.PAID,
    FinanceStatus.CANCELLED,
]
BADGES = {
    FinanceStatus.RECEIVED: Badge.RECEIVED,
    FinanceStatus.ON_HOLD: Badge.ON_HOLD,
    FinanceStatus.APPROVED: Badge.APPROVED,
    FinanceStatus.PART_PAID: Badge.PART_PAID,
    FinanceStatus.PAID: Badge.PAID,
    FinanceStatus.CANCELLED: Badge.CANCELLED,
    FinanceStatus.REJECTED: Badge.REJECTED,
}


@dataclass(frozen=True)
class Export:
    trust: int
    as_of: date
    rows: tuple[ExportRow, ...]


def rows_for(invoice: IssuedInvoice, status: FinanceStatus, mis_keyed: bool) -> list[ExportRow]:
    base = a_row(
        invoice,
        business_unit=UNIT_OF[invoice.trust_id],
        invoice_number=invoice.number.replace("000", "O00") if mis_keyed else invoice.number,
    )
    paid = {"payment_date": YEAR_START, "payment_number": f"P{invoice.id}"}
    match status:
        case FinanceStatus.ON_HOLD:
            return [replace(base, hold_name="QTY REC")]
        case FinanceStatus.PART_PAID:
            return [replace(base, amount_paid_pence=2500, **paid)]  # type: ignore[arg-type]
        case FinanceStatus.PAID:
            pence = invoice.amount_pence
            return [replace(base, amount_paid_pence=pence, **paid)]  # type: ignore[arg-type]
        case FinanceStatus.RECEIVED:
            return [base]
        case _:
            return [replace(base, status=status)]


def statement_entry(invoice: IssuedInvoice, state: InvoiceState) -> StatementEntry:
    """The invoice as the venue's page reads it, with the state finance sees."""
    return StatementEntry(
        invoice.id,
        DocumentKind.INVOICE,
        invoice.number,
        invoice.issue_date,
        invoice.po_number,
        "Room hire",
        invoice.amount_pence,
        None,
        invoice.sent_on,
        state,
    )


@st.composite
def exports(draw: st.DrawFn) -> Export:
    trust = draw(st.sampled_from([TRUST_ID, OTHER]))
    month = draw(st.integers(0, 11))
    rows: list[ExportRow] = []
    for invoice in INVOICES:
        if invoice.trust_id == trust and draw(st.booleans()):
            status = draw(st.sampled_from(STATUSES))
            rows += rows_for(invoice, status, mis_keyed=draw(st.integers(0, 4)) == 0)
    for n in range(draw(st.integers(0, 2))):  # numbers we never issued, no PO, an amount of
        amount = draw(st.sampled_from([i.amount_pence for i in INVOICES]))  # any invoice's
        unit = draw(st.sampled_from([trust, TRUST_ID + OTHER - trust]))  # either unit's
        rows.append(
            a_row(
                INVOICES[0],
                invoice_number=f"NB{month}{n}",
                po_number=None,
                amount_pence=amount,
                business_unit=UNIT_OF[unit],
                status=FinanceStatus.APPROVED,
            )
        )
    lines = [replace(row, line=line) for line, row in enumerate(rows, start=2)]
    return Export(trust, YEAR_START + timedelta(days=30 * month), tuple(lines))


@st.composite
def years(draw: st.DrawFn) -> list[Export]:
    """Exports in the order they are imported: mostly as they come, some re-saved copies of
    earlier ones imported again later."""
    imported: list[Export] = []
    for _ in range(draw(st.integers(1, 10))):
        if imported and draw(st.integers(0, 3)) == 0:
            imported.append(draw(st.sampled_from(imported)))  # a re-saved older copy
        else:
            imported.append(draw(exports()))
    return imported


@settings(max_examples=150, deadline=None)
@given(year=years())
def test_a_year_of_exports_never_moves_an_invoice_back_or_across_trusts(
    year: list[Export],
) -> None:
    states: dict[int, InvoiceState] = {}
    recorded: dict[int, set[EventKey]] = {i.id: set() for i in INVOICES}
    newest: dict[int, tuple[date, list[ExportRow], bool]] = {}  # what the state must show
    for import_id, export in enumerate(year, start=1):
        rows, scope = list(export.rows), TrustScope(UNITS, importer=export.trust)
        matching = match(rows, INVOICES, scope)
        for invoice_id, matched in matching.rows.items():
            trust = INVOICES[invoice_id - 1].trust_id
            assert {scope.trust_of(row) for row in matched} == {trust}  # never across trusts
            if invoice_id not in newest or newest[invoice_id][0] <= export.as_of:
                newest[invoice_id] = (export.as_of, matched, invoice_id in matching.fallback)

        older = {i: recorded[i] for i, state in states.items() if is_older(export.as_of, state)}
        at = IMPORTED_AT + timedelta(days=import_id)
        found = reconcile(
            rows,
            INVOICES,
            states,
            import_id=import_id,
            at=at,
            as_of=export.as_of,
            scope=scope,
            recorded=older,
        )
        states |= {state.invoice_id: state for state in found.changed}
        for invoice_id in found.unchanged:
            states[invoice_id] = replace(states[invoice_id], as_of=export.as_of)
        for event in found.events:
            assert event.key not in recorded[event.invoice_id] or event.invoice_id not in older
            recorded[event.invoice_id].add(event.key)

        for invoice in INVOICES:  # forward only: each state is its newest export's word
            state = states.get(invoice.id)
            if invoice.id not in newest:
                assert state is None
                continue
            as_of, matched, fallback = newest[invoice.id]
            assert state is not None and state.as_of == as_of
            seen = observe(matched, invoice, fallback=fallback)
            assert (state.status, state.paid_pence, state.fallback) == (
                seen.status,
                seen.paid_pence,
                fallback,
            )
            venue = describe(statement_entry(invoice, state))
            assert venue.badge is (Badge.SENT if state.unconfirmed else BADGES[state.status])
