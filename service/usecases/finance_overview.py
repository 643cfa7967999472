"""What finance must act on now ("work to do"), money at a glance, and the invoice list with
what is known of each invoice: its email to accounts payable and its state in the exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from service.domain.bookings import BookingSeries
from service.domain.delivery import EmailState, OutboxMessage, email_state
from service.domain.errors import RuleViolation
from service.domain.exports import FinanceStatus
from service.domain.invoicing import Invoice, due_drafts
from service.domain.purchasing import PurchaseOrder
from service.domain.reconciliation import InvoiceState
from service.domain.timeslots import LONDON
from service.domain.users import Role, User
from service.ports.unit_of_work import (
    WithBookings,
    WithInvoices,
    WithOutbox,
    WithPurchaseOrders,
    WithReconciliation,
    WithRooms,
    WithVenues,
)
from service.usecases.context import Context


class OverviewStores(
    WithVenues,
    WithRooms,
    WithBookings,
    WithPurchaseOrders,
    WithInvoices,
    WithOutbox,
    WithReconciliation,
    Protocol,
):
    """The stores the finance overview use cases use: nothing else is in reach."""


# The invoice list's status filter: what finance asks for, in words.
INVOICE_FILTERS = {
    "not_emailed": "Not emailed yet",
    "email_failed": "Email failed",
    "to_confirm": "Match waiting for you to confirm",
    "not_seen": "Not in any export yet",
    **{
        s.value: w
        for s, w in (
            (FinanceStatus.RECEIVED, "Received by NHS finance"),
            (FinanceStatus.ON_HOLD, "On hold"),
            (FinanceStatus.APPROVED, "Approved"),
            (FinanceStatus.PART_PAID, "Part paid"),
            (FinanceStatus.PAID, "Paid"),
            (FinanceStatus.CANCELLED, "Cancelled"),
            (FinanceStatus.REJECTED, "Rejected"),
        )
    },
}
_CLOSED = (FinanceStatus.CANCELLED, FinanceStatus.REJECTED)


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
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

    def matches(self, status: str | None, hold: str | None) -> bool:
        if hold is not None and (self.state is None or hold not in self.state.holds):
            return False
        match status:
            case None:
                return True
            case "not_emailed":
                return self.email is EmailState.NOT_QUEUED
            case "email_failed":
                return self.email is EmailState.FAILED
            case "to_confirm":
                return self.to_confirm
            case "not_seen":
                return self.state is None
        return self.status is not None and self.status.value == status


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
    running_out: list[RunningOut]
    invoiced_this_month_pence: int
    paid_this_month_pence: int
    outstanding_pence: int


def work_to_do(ctx: Context, uow: OverviewStores, actor: User) -> WorkToDo:
    """The counts finance starts the day with; each names a list it can open."""
    actor.require(Role.FINANCE, Role.ADMIN)
    now = ctx.clock.now()
    today = now.astimezone(LONDON).date()
    with uow:
        venues = {v.id: v.name for v in uow.venues.all()}
        rooms = {r.id: r.venue_id for r in uow.rooms.find()}
        every_series = uow.bookings.find()
        charged = uow.invoices.charged_session_ids()
        rows = _rows(uow, None)
        running_out = []
        for po in uow.purchase_orders.find():
            if po.valid_to < today or po.id is None:
                continue
            committed = uow.bookings.committed_pence(po.id)
            after = any(
                s.chargeable and s.purchase_order_id is None and s.local_date > po.valid_to
                for series in uow.bookings.find(purchase_order_id=po.id)
                for s in series.sessions
            )
            if po.running_out(committed, today, after):
                running_out.append(RunningOut(po, venues.get(po.venue_id, ""), committed, after))
    without_po = [
        WithoutPurchaseOrder(series, venues.get(rooms.get(series.room_id), ""), first)
        for series in every_series
        if (first := series.needs_purchase_order_from) is not None
    ]
    to_invoice = sum(
        len(draft.sessions)
        for series in every_series
        for draft in due_drafts(series, charged, today, now)
        if draft.purchase_order_id is not None
    )
    holds = Counter(
        code
        for row in rows
        if row.status is FinanceStatus.ON_HOLD and row.state
        for code in row.state.holds
    )
    month = (today.year, today.month)
    return WorkToDo(
        without_po=without_po,
        sessions_to_invoice=to_invoice,
        not_emailed=sum(row.email is EmailState.NOT_QUEUED for row in rows),
        email_failed=sum(row.email is EmailState.FAILED for row in rows),
        holds=dict(sorted(holds.items())),
        to_confirm=sum(row.to_confirm for row in rows),
        running_out=running_out,
        invoiced_this_month_pence=sum(
            row.invoice.gross_pence
            for row in rows
            if (row.invoice.issue_date.year, row.invoice.issue_date.month) == month
        ),
        paid_this_month_pence=sum(
            row.state.paid_pence
            for row in rows
            if row.state
            and row.state.payment_date
            and (row.state.payment_date.year, row.state.payment_date.month) == month
        ),
        outstanding_pence=sum(row.outstanding_pence for row in rows),
    )


def invoice_list(
    ctx: Context,
    uow: OverviewStores,
    actor: User,
    *,
    venue_id: int | None = None,
    status: str | None = None,
    hold: str | None = None,
) -> list[InvoiceRow]:
    """Invoices and credit notes, newest first, with their email and export state."""
    actor.require(Role.FINANCE, Role.ADMIN)
    if status is not None and status not in INVOICE_FILTERS:
        raise RuleViolation(f"There is no invoice status {status!r} to show.", field="status")
    with uow:
        rows = _rows(uow, venue_id)
    return [row for row in reversed(rows) if row.matches(status, hold)]


def _rows(uow: OverviewStores, venue_id: int | None) -> list[InvoiceRow]:
    invoices = uow.invoices.find(venue_id=venue_id)
    states = uow.reconciliation.states()
    by_invoice: dict[int | None, list[OutboxMessage]] = {}
    for message in uow.outbox.find():
        by_invoice.setdefault(message.invoice_id, []).append(message)
    return [
        InvoiceRow(i, email_state(by_invoice.get(i.id, [])), states.get(i.id or 0))
        for i in invoices
    ]
