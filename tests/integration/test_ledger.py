"""The ledger (finance's invoice list, counts and sums) asked in SQL on each engine: filters
agree with the domain's rules, pages are newest first, sums are exact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from adapters.db.tables import InvoiceRow, InvoiceStateRow, OutboxRow, StatusEventRow
from service.domain.delivery import EmailState, OutboxMessage, OutboxState, Recipient, email_state
from service.domain.exports import FinanceStatus
from service.domain.payment_performance import aged_debt
from service.domain.reconciliation import lost_if_sent_before
from service.domain.users import Role
from service.ports.ledger import InvoiceFilter, InvoiceQuery
from service.usecases.context import Context
from tests.builders import (
    create_booking,
    create_purchase_order,
    create_room,
    create_trust,
    create_user,
    create_venue,
)

ISSUED = date(2026, 11, 2)
TODAY = date(2027, 2, 15)
SENT_AT = datetime(2026, 11, 2, 10, tzinfo=UTC)
# By the invoice's number (1..N): its message to accounts payable (one at most).
OUTBOX = {
    1: OutboxState.SENT,
    2: OutboxState.FAILED,
    3: OutboxState.PENDING,
    4: OutboxState.SENT,
    5: OutboxState.SENT,
    6: OutboxState.SENDING,
}


@dataclass
class Books:
    ctx: Context
    ids: list[int]  # oldest first
    trusts: tuple[int, int]
    venues: tuple[int, int]


@pytest.fixture
def books(ctx: Context) -> Books:
    """120 invoices of £100: even ones trust A at venue A, odd ones trust B at venue B, one
    a day from 2 November 2026; states, emails and events for the first few."""
    trust_a = create_trust(ctx)
    trust_b = create_trust(ctx, name="Other Trust", organisation_code="RYY")
    venue_a, venue_b = create_venue(ctx), create_venue(ctx, name="Other Hall")
    assert trust_a.id and trust_b.id and venue_a.id and venue_b.id
    room = create_room(ctx, venue_a.id)
    po = create_purchase_order(ctx, trust_a.id, venue_a.id)
    series = create_booking(ctx, create_user(ctx, Role.FACILITATOR, trust_a.id), room.id or 0)
    rows: list[dict[str, Any]] = [
        {
            "kind": "invoice",
            "number": f"INV{n:04d}",
            "venue_id": venue_a.id if n % 2 == 0 else venue_b.id,
            "trust_id": trust_a.id if n % 2 == 0 else trust_b.id,
            "purchase_order_id": po.id,
            "po_number": po.number,
            "booking_id": series.id,
            "issue_date": ISSUED + timedelta(days=n - 1),
            "tax_point": ISSUED + timedelta(days=n - 1),
            "due_date": ISSUED + timedelta(days=n + 29),
            "supplier": {"name": "Chapel Hall" if n % 2 == 0 else "Other Hall"},
            "customer": {},
            "credits_invoice": "INV0001" if n == 120 else None,
            "gross_pence": 10_000,
            "created_at": SENT_AT,
        }
        for n in range(1, 121)
    ]
    with ctx.new_uow() as uow:
        db = uow.db  # type: ignore[attr-defined]
        db.execute(insert(InvoiceRow), rows)
        ids = sorted(db.scalars(InvoiceRow.__table__.select().with_only_columns(InvoiceRow.id)))
        db.execute(insert(OutboxRow), [_message(ids[n - 1], s) for n, s in OUTBOX.items()])
        db.execute(insert(StatusEventRow), [_sent(ids[n - 1]) for n in (1, 4, 5)])
        db.execute(
            insert(InvoiceStateRow),
            [
                _state(ids[5], FinanceStatus.ON_HOLD, holds=["QTY REC", "PRICE"]),
                _state(ids[6], FinanceStatus.ON_HOLD, holds=["PRICE"]),
                _state(ids[7], FinanceStatus.PART_PAID, paid=4_000, paid_on=date(2027, 1, 3)),
                _state(ids[8], FinanceStatus.PAID, paid=10_000, paid_on=date(2026, 12, 30)),
                _state(ids[9], FinanceStatus.CANCELLED),
                _state(ids[10], FinanceStatus.APPROVED, fallback=True),
                _state(ids[11], FinanceStatus.APPROVED, fallback=True, confirmed=True),
                _state(ids[4], FinanceStatus.RECEIVED),  # sent, and seen: not lost
            ],
        )
        uow.commit()
    return Books(ctx, ids, (trust_a.id, trust_b.id), (venue_a.id, venue_b.id))


def _message(invoice_id: int, state: OutboxState) -> dict[str, Any]:
    return {
        "invoice_id": invoice_id,
        "recipient": Recipient.ACCOUNTS_PAYABLE.value,
        "to": "ap@example.nhs.uk",
        "subject": "Invoice",
        "message_id": f"<{invoice_id}@roomhire.invalid>",
        "documents_sha256": "0" * 64,
        "created_at": SENT_AT,
        "state": state.value,
        "attempts": 1,
        "possible_duplicate": False,
    }


def _sent(invoice_id: int) -> dict[str, Any]:
    return {"invoice_id": invoice_id, "status": "sent", "at": SENT_AT, "paid_pence": 0}


def _state(
    invoice_id: int,
    status: FinanceStatus,
    *,
    holds: list[str] | None = None,
    paid: int = 0,
    paid_on: date | None = None,
    fallback: bool = False,
    confirmed: bool = False,
) -> dict[str, Any]:
    return {
        "invoice_id": invoice_id,
        "status": status.value,
        "holds": holds or [],
        "paid_pence": paid,
        "payments": 1 if paid else 0,
        "payment_date": paid_on,
        "fallback": fallback,
        "confirmed": confirmed,
    }


def ask(books: Books, limit: int = 200, offset: int = 0, **query: Any) -> tuple[list[int], int]:
    with books.ctx.new_reader() as reader:
        return reader.ledger.invoice_ids(InvoiceQuery(**query), limit, offset)


def numbers(books: Books, ids: list[int]) -> list[int]:
    """1-based positions (the invoice's story number) of the ids."""
    return [books.ids.index(i) + 1 for i in ids]


def test_pages_are_newest_first_and_count_what_the_query_selects(books: Books) -> None:
    first, total = ask(books, 50)
    assert (numbers(books, first), total) == (list(range(120, 70, -1)), 120)
    last, total = ask(books, 50, 100)
    assert (numbers(books, last), total) == (list(range(20, 0, -1)), 120)
    assert ask(books, 50, 150) == ([], 120)
    evens, total = ask(books, 50, 50, trust_id=books.trusts[0])
    assert (numbers(books, evens), total) == (list(range(20, 0, -2)), 60)


def test_a_page_is_listed_in_its_order_with_what_the_list_shows(books: Books) -> None:
    page, _ = ask(books, 2)
    with books.ctx.new_reader() as uow:
        listed = uow.ledger.listed([*page, 999_999])  # one that is not there: left out
    assert [(i.id, i.number, i.supplier_name, i.issue_date, i.credits_invoice) for i in listed] == [
        (books.ids[119], "INV0120", "Chapel Hall", ISSUED + timedelta(days=119), "INV0001"),
        (books.ids[118], "INV0119", "Other Hall", ISSUED + timedelta(days=118), None),
    ]
    assert {i.gross_pence for i in listed} == {10_000}


def test_venue_trust_and_dates_narrow_the_list(books: Books) -> None:
    chosen, _ = ask(
        books,
        venue_id=books.venues[1],
        issued_from=ISSUED + timedelta(days=9),
        issued_to=ISSUED + timedelta(days=14),
    )
    assert numbers(books, chosen) == [15, 13, 11]
    assert ask(books, trust_id=books.trusts[0], venue_id=books.venues[1]) == ([], 0)


def test_email_filters_agree_with_the_domains_email_state(books: Books) -> None:
    with books.ctx.new_reader() as reader:
        messages = reader.outbox.find(invoice_ids=books.ids)
    by_invoice: dict[int, list[OutboxMessage]] = {}
    for m in messages:
        by_invoice.setdefault(m.invoice_id or 0, []).append(m)
    wanted = {
        InvoiceFilter.NOT_EMAILED: EmailState.NOT_QUEUED,
        InvoiceFilter.EMAIL_FAILED: EmailState.FAILED,
    }
    for asked, state in wanted.items():
        expected = [i for i in books.ids if email_state(by_invoice.get(i, [])) is state]
        found, total = ask(books, status=asked)
        assert sorted(found) == expected and total == len(expected), asked
    assert numbers(books, ask(books, status=InvoiceFilter.EMAIL_FAILED)[0]) == [2]
    assert len(ask(books, status=InvoiceFilter.NOT_EMAILED)[0]) == 120 - 6
    with books.ctx.new_reader() as reader:
        assert reader.ledger.email_counts() == (120 - 6, 1)


def test_statuses_holds_and_matches_to_confirm(books: Books) -> None:
    def found(**query: Any) -> list[int]:
        return sorted(numbers(books, ask(books, **query)[0]))

    assert found(status=InvoiceFilter.ON_HOLD) == [6, 7]
    assert found(hold="PRICE") == [6, 7] and found(hold="QTY REC") == [6]
    assert found(hold="QTY") == [] and found(hold='"PRICE"') == []
    assert found(status=InvoiceFilter.PAID) == [9]
    assert found(status=InvoiceFilter.TO_CONFIRM) == [11]
    assert len(found(status=InvoiceFilter.NOT_SEEN)) == 120 - 8
    with books.ctx.new_reader() as reader:
        assert reader.ledger.holds() == {"PRICE": 2, "QTY REC": 1}
        assert reader.ledger.count(InvoiceQuery(status=InvoiceFilter.ON_HOLD)) == 2


def test_lost_is_sent_long_enough_before_the_last_export_and_in_none(books: Books) -> None:
    """Sent 2 November; with lost after 14 days, an export of 16 November or later makes the
    unseen ones lost (1 and 4; 5 was seen); one of the 15th does not. Only their trust's."""
    fortnight = timedelta(days=14)
    trust_a, trust_b = books.trusts

    def lost(last_import_on: date, trust_id: int) -> list[int]:
        bound = lost_if_sent_before(last_import_on, fortnight)
        assert bound is not None
        ids, _ = ask(books, status=InvoiceFilter.LOST, lost_if_sent_before={trust_id: bound})
        return sorted(numbers(books, ids))

    assert lost(date(2026, 11, 16), trust_b) == [1]  # trust B's are odd; 5 was seen
    assert lost(date(2026, 11, 16), trust_a) == [4]
    assert lost(date(2026, 11, 15), trust_a) == []
    assert ask(books, status=InvoiceFilter.LOST) == ([], 0)  # no export yet: none is


def test_money_this_month_and_what_is_owed_by_age(books: Books) -> None:
    with books.ctx.new_reader() as reader:
        invoiced, paid = reader.ledger.month_totals(date(2027, 1, 1), date(2027, 1, 31))
        owed = reader.ledger.owed()
    # invoices 61..91 are dated 1-31 January; payments: £40 on 3 January
    assert (invoiced, paid) == (31 * 10_000, 4_000)
    # owed, by date (one invoice a day): every invoice but the paid (9) and cancelled (10)
    # one, less the £40 part payment
    expected = [
        (ISSUED + timedelta(days=n - 1), 10_000 - (4_000 if n == 8 else 0))
        for n in range(1, 121)
        if n not in (9, 10)
    ]
    assert owed == expected
    aged = aged_debt(owed, TODAY)
    assert sum(aged) == 118 * 10_000 - 4_000 and aged[3] > 0
