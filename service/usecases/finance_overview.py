"""What finance must act on now ("work to do"), money at a glance, and the invoice list with
what is known of each invoice: its email to accounts payable and its state in the exports.
Counts, sums and filters run in the database (the ledger): a page reads what it shows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Protocol

from service.domain.bookings import BookingSeries
from service.domain.delivery import EmailState, OutboxMessage, email_state
from service.domain.errors import RuleViolation
from service.domain.exports import FinanceStatus
from service.domain.invoicing import Invoice, due_drafts
from service.domain.payment_performance import aged_debt
from service.domain.purchasing import PurchaseOrder
from service.domain.reconciliation import InvoiceState, lost_if_sent_before
from service.domain.timeslots import LONDON
from service.domain.users import Role, User
from service.ports.ledger import InvoiceFilter, InvoiceQuery, ListedInvoice
from service.ports.unit_of_work import (
    WithBookings,
    WithInvoices,
    WithLedger,
    WithOutbox,
    WithPurchaseOrders,
    WithReconciliation,
    WithRooms,
    WithTrusts,
    WithVenues,
)
from service.usecases.context import Context
from service.usecases.reconciliation import last_import_on

PAGE_SIZE = 50
MOST_ROWS = 100_000  # in a download: a spreadsheet holds more, a person reads far fewer
_CLOSED = (FinanceStatus.CANCELLED, FinanceStatus.REJECTED)


class OverviewStores(
    WithTrusts,
    WithVenues,
    WithRooms,
    WithBookings,
    WithPurchaseOrders,
    WithInvoices,
    WithLedger,
    WithOutbox,
    WithReconciliation,
    Protocol,
):
    """The stores the finance overview use cases use: nothing else is in reach."""


@dataclass(frozen=True)
class InvoiceRow:
    invoice: ListedInvoice
    email: EmailState
    state: InvoiceState | None  # as the latest export showed it; None: in no export yet

    @property
    def status(self) -> FinanceStatus | None:
        return self.state.status if self.state else None

    @property
    def to_confirm(self) -> bool:
        """Matched by PO and amount only (a mis-keyed number): a person must confirm it."""
        return self.state is not None and self.state.fallback and not self.state.confirmed

    @property
    def outstanding_pence(self) -> int:
        if self.status in _CLOSED:
            return 0
        return self.invoice.gross_pence - (self.state.paid_pence if self.state else 0)


@dataclass(frozen=True)
class InvoicePage:
    rows: list[InvoiceRow]
    total: int  # how many invoices the query selects
    number: int  # this page's, from 1
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True)
class Money:
    """Invoiced and paid this month, and what is still owed (amount less payments, on
    invoices neither paid, cancelled nor rejected) by days since the invoice date, in
    payment_performance.AGE_BANDS: 0 to 30, 31 to 60, 61 to 90, over 90."""

    invoiced_pence: int
    paid_pence: int
    aged: tuple[int, ...]

    @property
    def outstanding_pence(self) -> int:
        return sum(self.aged)


@dataclass(frozen=True)
class WithoutPurchaseOrder:
    series: BookingSeries
    venue: str
    from_date: date


@dataclass(frozen=True)
class RunningOut:
    po: PurchaseOrder
    venue: str
    committed_pence: int
    sessions_after_end: bool


@dataclass(frozen=True)
class WorkToDo:
    without_po: list[WithoutPurchaseOrder]
    sessions_to_invoice: int
    not_emailed: int
    email_failed: int
    holds: dict[str, int]  # hold code: invoices on hold with it
    to_confirm: int
    lost: int
    running_out: list[RunningOut]
    money: Money  # this month's, and what is owed by age


def work_to_do(ctx: Context, uow: OverviewStores, actor: User) -> WorkToDo:
    """The counts finance starts the day with; each names a list it can open."""
    actor.require(Role.FINANCE, Role.ADMIN)
    now = ctx.clock.now()
    today = now.astimezone(LONDON).date()
    with uow:
        venues = uow.venues.names()
        unsettled = uow.bookings.unsettled(now)
        needing = [(s, d) for s in unsettled if (d := s.needs_purchase_order_from) is not None]
        rooms = {  # of the bookings without a PO only: their venues' names are shown
            room.id: room.venue_id
            for room_id in {series.room_id for series, _ in needing}
            if (room := uow.rooms.get(room_id))
        }
        charged = uow.invoices.charged_session_ids(
            among=[s.id for series in unsettled for s in series.sessions if s.id is not None]
        )
        current = uow.purchase_orders.find(valid_on_or_after=today)
        committed = uow.bookings.committed_by_purchase_order([po.id for po in current if po.id])
        counts = {
            wanted: uow.ledger.count(_lost_query(ctx, uow, InvoiceQuery(status=wanted)))
            for wanted in (InvoiceFilter.TO_CONFIRM, InvoiceFilter.LOST)
        }
        not_emailed, email_failed = uow.ledger.email_counts()
        holds = uow.ledger.holds()
        month_start = today.replace(day=1)
        month_end = (month_start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        invoiced, paid = uow.ledger.month_totals(month_start, month_end)
        money = Money(invoiced, paid, aged_debt(uow.ledger.owed(), today))
    return WorkToDo(
        without_po=[
            WithoutPurchaseOrder(series, venues.get(rooms.get(series.room_id, 0), ""), first)
            for series, first in needing
        ],
        sessions_to_invoice=sum(
            len(draft.sessions)
            for series in unsettled
            for draft in due_drafts(series, charged, today, now)
            if draft.purchase_order_id is not None
        ),
        not_emailed=not_emailed,
        email_failed=email_failed,
        holds=holds,
        to_confirm=counts[InvoiceFilter.TO_CONFIRM],
        lost=counts[InvoiceFilter.LOST],
        running_out=_running_out(current, committed, unsettled, venues, today),
        money=money,
    )


def _running_out(
    current: list[PurchaseOrder],
    committed: dict[int, int],
    unsettled: list[BookingSeries],
    venues: dict[int, str],
    today: date,
) -> list[RunningOut]:
    """POs over 80% committed, or ending soon with sessions after them that no PO covers
    (such sessions are in the unsettled series)."""
    running_out = []
    for po in current:
        if po.id is None:
            continue
        after = any(
            s.chargeable and s.purchase_order_id is None and s.local_date > po.valid_to
            for series in unsettled
            if any(x.purchase_order_id == po.id for x in series.sessions)
            for s in series.sessions
        )
        if po.running_out(committed[po.id], today, after):
            running_out.append(RunningOut(po, venues.get(po.venue_id, ""), committed[po.id], after))
    return running_out


def invoice_list(
    ctx: Context, uow: OverviewStores, actor: User, query: InvoiceQuery, page: int = 1
) -> InvoicePage:
    """Invoices and credit notes, newest first, a page at a time, with their email and
    export state."""
    actor.require(Role.FINANCE, Role.ADMIN)
    if page < 1:
        raise RuleViolation("Pages are numbered from 1.", field="page")
    _check_dates(query)
    with uow:
        ids, total = uow.ledger.invoice_ids(
            _lost_query(ctx, uow, query), PAGE_SIZE, (page - 1) * PAGE_SIZE
        )
        invoices = uow.ledger.listed(ids)
        states = uow.reconciliation.states(among=ids)
        messages: dict[int | None, list[OutboxMessage]] = {}
        for message in uow.outbox.find(invoice_ids=ids):
            messages.setdefault(message.invoice_id, []).append(message)
    rows = [InvoiceRow(i, email_state(messages.get(i.id, [])), states.get(i.id)) for i in invoices]
    return InvoicePage(rows, total, page)


def matching_invoices(
    ctx: Context, uow: OverviewStores, actor: User, query: InvoiceQuery
) -> list[tuple[Invoice, InvoiceState | None]]:
    """Every invoice and credit note the list's query selects, newest first, with its state
    in the latest export: for a spreadsheet. At most MOST_ROWS: more is refused."""
    actor.require(Role.FINANCE, Role.ADMIN)
    _check_dates(query)
    with uow:
        ids, total = uow.ledger.invoice_ids(_lost_query(ctx, uow, query), MOST_ROWS, 0)
        if total > MOST_ROWS:
            raise RuleViolation(
                f"That is {total:,} invoices; a download holds at most {MOST_ROWS:,}. "
                "Choose a venue, trust, status or dates to narrow it.",
                field="issued_from",
            )
        invoices = uow.invoices.get_many(ids)
        states = uow.reconciliation.states(among=ids)
    return [(i, states.get(i.id or 0)) for i in invoices]


def _check_dates(query: InvoiceQuery) -> None:
    if (
        query.issued_from is not None
        and query.issued_to is not None
        and query.issued_from > query.issued_to
    ):
        raise RuleViolation("The first date must be on or before the last.", field="issued_from")


def _lost_query(ctx: Context, uow: OverviewStores, query: InvoiceQuery) -> InvoiceQuery:
    """The query, with each trust's bound for "lost" when it asks for lost invoices."""
    if query.status is not InvoiceFilter.LOST:
        return query
    records = uow.reconciliation.imports()
    bounds: dict[int, datetime] = {}
    for trust in uow.trusts.all():
        bound = lost_if_sent_before(last_import_on(records, trust.id or 0), ctx.lost_after)
        if bound is not None and trust.id is not None:
            bounds[trust.id] = bound
    return replace(query, lost_if_sent_before=bounds)
